"""Who may do what with rules and alerts, declared once (`rules` predicates) and used by the pages,
the API and the child-page section alike.

- Alerts: anyone who may see the child's record sees the child's alerts (on the child page, the
  alert list and the API); people holding a case role there may act on them. Not yours == 404.
- New alerts are *put in front of* (home page, email) the child's lead professional and the
  safeguarding leads of the agencies involved, and the other roles a rule names (`queries.responsible`).
- Rules and rule quality: the partnership's business unit and administrators (scrutineers may read
  rule quality: it holds no personal details).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import rules

from safeguarding.agencies.enums import CASE_ROLES, Role
from safeguarding.core.access import is_active_person

if TYPE_CHECKING:
    from safeguarding.core.types import Viewer

RULE_EDITING_ROLES = frozenset({Role.BUSINESS_UNIT, Role.ADMINISTRATOR})
QUALITY_ROLES = RULE_EDITING_ROLES | {Role.SCRUTINEER}


@rules.predicate
def can_manage_rules(user: Viewer) -> bool:
    return is_active_person(user) and not user.is_system and bool(user.roles & RULE_EDITING_ROLES)


@rules.predicate
def can_view_quality(user: Viewer) -> bool:
    return is_active_person(user) and not user.is_system and bool(user.roles & QUALITY_ROLES)


@rules.predicate
def can_use_alerts(user: Viewer) -> bool:
    """The alert pages: people who hold cases (the list shows only their children's alerts)."""
    return is_active_person(user) and bool(user.roles & CASE_ROLES)


@rules.predicate
def can_act_on_alert(user: Viewer, alert: Any) -> bool:
    """Acknowledge, decide, close: a case-holding person who may see the alert (the caller has
    fetched it through `queries.alerts_visible_to`, so visibility is already checked)."""
    return can_use_alerts(user) and alert is not None and alert.is_open


rules.add_perm("concerns.manage_rules", can_manage_rules)
rules.add_perm("concerns.view_quality", can_view_quality)
rules.add_perm("concerns.use_alerts", can_use_alerts)
rules.add_perm("concerns.act_on_alert", can_act_on_alert)
