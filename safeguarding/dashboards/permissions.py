"""Who may see the partnership dashboard and its yearly report data pack. Declared once; used by the
page, the downloads, the navigation, the home panel, the API and the operators' command alike.

The business unit, administrators, scrutineers and senior managers of the statutory safeguarding
partners (board-level readers) may; everyone else gets 404. An agency system's API token may only
when the agency is the partnership's business unit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import rules

from safeguarding.agencies.enums import AgencyKind, PartnerStatus, Role
from safeguarding.core.access import is_active_person

if TYPE_CHECKING:
    from safeguarding.core.types import Viewer

PARTNERSHIP_ROLES = frozenset({Role.BUSINESS_UNIT, Role.ADMINISTRATOR, Role.SCRUTINEER})


@rules.predicate
def can_view_dashboard(user: Viewer) -> bool:
    if not is_active_person(user):
        return False
    if user.is_system:
        # An agency system token acts as its agency: only the business unit's own system may read figures.
        return any(
            m.role == Role.AGENCY_SYSTEM and m.agency.kind == AgencyKind.BUSINESS_UNIT for m in user.active_memberships
        )
    return any(
        m.role in PARTNERSHIP_ROLES
        or (m.role == Role.SENIOR_MANAGER and m.agency.partner_status == PartnerStatus.STATUTORY)
        for m in user.active_memberships
    )


@rules.predicate
def sees_headline_panel(user: Viewer) -> bool:
    """The home panel with the headline figures: the business unit and scrutineers (people, not systems),
    who may both read the dashboard it summarises."""
    return is_active_person(user) and not user.is_system and user.has_role(Role.BUSINESS_UNIT, Role.SCRUTINEER)


@rules.predicate
def can_view_dashboard_page(user: Viewer) -> bool:
    """Pages are for people: a system account never signs in to them."""
    return bool(can_view_dashboard(user)) and not getattr(user, "is_system", False)


rules.add_perm("dashboards.view", can_view_dashboard)
rules.add_perm("dashboards.view_page", can_view_dashboard_page)
