"""Who may export (and so see) a children's social care agency's census: the people who see that
agency's children — its case-holding members (practitioners, managers, senior managers, safeguarding
leads) and its own agency system (API token). Declared once; the page, the API and the service ask it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import rules

from safeguarding.agencies.enums import AgencyKind
from safeguarding.agencies.models import Agency
from safeguarding.core.access import is_active_person

if TYPE_CHECKING:
    from safeguarding.core.types import Viewer


def census_agencies(user: Viewer) -> list[Agency]:
    """The children's social care agencies this person may export the census of."""
    if not is_active_person(user):
        return []
    ids = user.case_agency_ids
    agencies = {
        m.agency
        for m in user.active_memberships
        if m.agency_id in ids and m.agency.kind == AgencyKind.CHILDRENS_SOCIAL_CARE and m.agency.is_active
    }
    return sorted(agencies, key=lambda a: a.name)


@rules.predicate
def can_export_census(user: Viewer, agency: Agency | None = None) -> bool:
    agencies = census_agencies(user)
    if agency is None:
        return bool(agencies)
    return any(a.pk == agency.pk for a in agencies)


rules.add_perm("census.export", can_export_census)
