"""Who may use the escalation pages. Per-escalation actions are the workflow's guards (`workflow.py`),
registered as `escalations.<action>` permissions there; these are the page-level rules."""

from __future__ import annotations

from typing import Any

import rules

from safeguarding.agencies.enums import Role
from safeguarding.core.access import is_active_person
from safeguarding.escalations.workflow import RAISING_ROLES


@rules.predicate
def can_raise(user: Any) -> bool:
    return is_active_person(user) and bool(user.roles & RAISING_ROLES)


@rules.predicate
def can_view_partnership_log(user: Any) -> bool:
    """The escalation log, report and learning list: the business unit and scrutineers."""
    return is_active_person(user) and not user.is_system and user.has_role(Role.BUSINESS_UNIT, Role.SCRUTINEER)


@rules.predicate
def can_use_escalations(user: Any) -> bool:
    return is_active_person(user) and not user.is_system and (can_raise(user) or user.has_role(Role.BUSINESS_UNIT))


rules.add_perm("escalations.raise", can_raise)
rules.add_perm("escalations.view_log", can_view_partnership_log)
