"""Who may see what about children. Declared once here and asked by pages, API and exports.

The object rule `can_view_child` asks the same query as the lists (`children_visible_to`), so a
child is either visible everywhere or nowhere.
"""

from __future__ import annotations

from typing import Any

import rules

from safeguarding.agencies.enums import CASE_ROLES, GRANTING_ROLES, Role
from safeguarding.children.models import Child
from safeguarding.core.access import is_active_person


@rules.predicate
def holds_case_role(user: Any) -> bool:
    return is_active_person(user) and bool(user.roles & CASE_ROLES)


@rules.predicate
def can_view_child(user: Any, child: Child | None) -> bool:
    if child is None or not is_active_person(user):
        return False
    from safeguarding.children.queries import children_visible_to

    return children_visible_to(user).filter(pk=child.pk).exists()


@rules.predicate
def is_front_door_member(user: Any) -> bool:
    """In the partnership's front door team (it decides on agencies that share without being involved)."""
    if not is_active_person(user) or user.is_system:
        return False
    return any(m.team is not None and m.team.is_front_door for m in user.active_memberships)


@rules.predicate
def can_grant_access(user: Any) -> bool:
    """Managers and safeguarding leads grant to people in their own agency; the business unit to anyone."""
    return is_active_person(user) and not user.is_system and bool(user.roles & (GRANTING_ROLES | {Role.BUSINESS_UNIT}))


def may_grant_to(granter: Any, grantee: Any) -> bool:
    if not can_grant_access(granter) or grantee is None or not grantee.is_active or grantee.is_system:
        return False
    if granter.has_role(Role.BUSINESS_UNIT):
        return True
    return bool(granter.agency_ids_with_role(GRANTING_ROLES) & {m.agency_id for m in grantee.active_memberships})


@rules.predicate
def is_safeguarding_lead_on_case(user: Any, child: Child | None) -> bool:
    """A designated safeguarding lead whose agency is actively involved with the child."""
    if child is None or not is_active_person(user):
        return False
    lead_agencies = user.agency_ids_with_role({Role.SAFEGUARDING_LEAD})
    if not lead_agencies:
        return False
    return child.involvements.active_on().filter(agency_id__in=lead_agencies).exists()


@rules.predicate
def is_lead_professional(user: Any, child: Child | None) -> bool:
    if child is None or not is_active_person(user):
        return False
    return child.involvements.active_on().filter(lead_professional_id=user.pk).exists()


can_view_child_activity = can_view_child & is_safeguarding_lead_on_case
can_view_child_grants = can_view_child & (is_safeguarding_lead_on_case | is_lead_professional)

rules.add_perm("children.view_child", can_view_child)
rules.add_perm("children.view_child_activity", can_view_child_activity)
rules.add_perm("children.view_child_grants", can_view_child_grants)
rules.add_perm("children.grant_access", can_grant_access)
