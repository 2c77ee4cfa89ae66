"""Who may see what about children. Declared once here and asked by pages, API and exports.

The object rule `can_view_child` asks the same query as the lists (`children_visible_to`), so a
child is either visible everywhere or nowhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import rules

from safeguarding.agencies.enums import CASE_ROLES, GRANTING_ROLES, Role
from safeguarding.children.models import AccessGrant, Child
from safeguarding.core.access import is_active_person

if TYPE_CHECKING:
    from safeguarding.core.types import Viewer


@rules.predicate
def holds_case_role(user: Viewer) -> bool:
    return is_active_person(user) and bool(user.roles & CASE_ROLES)


@rules.predicate
def can_view_child(user: Viewer, child: Child | None) -> bool:
    if child is None or not is_active_person(user):
        return False
    from safeguarding.children.queries import children_visible_to

    return children_visible_to(user).filter(pk=child.pk).exists()


@rules.predicate
def is_front_door_member(user: Viewer) -> bool:
    """In the partnership's front door team (it decides on agencies that share without being involved)."""
    if not is_active_person(user) or user.is_system:
        return False
    return any(m.team is not None and m.team.is_front_door for m in user.active_memberships)


@rules.predicate
def can_grant_access(user: Viewer) -> bool:
    """Managers and safeguarding leads grant to people in their own agency; the business unit to anyone."""
    return is_active_person(user) and not user.is_system and bool(user.roles & (GRANTING_ROLES | {Role.BUSINESS_UNIT}))


def may_grant_to(granter: Any, grantee: Any) -> bool:
    if not can_grant_access(granter) or grantee is None or not grantee.is_active or grantee.is_system:
        return False
    if granter.has_role(Role.BUSINESS_UNIT):
        return True
    return bool(granter.agency_ids_with_role(GRANTING_ROLES) & {m.agency_id for m in grantee.active_memberships})


@rules.predicate
def can_give_access_to(granter: Any, grantee: Any) -> bool:
    """Granting access to this person: within the granter's reach, and never to themselves."""
    if grantee is not None and getattr(granter, "pk", None) == grantee.pk:
        return False
    return may_grant_to(granter, grantee)


@rules.predicate
def can_end_grant(user: Viewer, grant: AccessGrant | None) -> bool:
    """Ending a grant: whoever could give it to that person, or whoever gave it."""
    if grant is None or not is_active_person(user):
        return False
    return may_grant_to(user, grant.user) or user.pk == grant.granted_by_id


@rules.predicate
def is_safeguarding_lead_on_case(user: Viewer, child: Child | None) -> bool:
    """A designated safeguarding lead whose agency is actively involved with the child."""
    if child is None or not is_active_person(user):
        return False
    lead_agencies = user.agency_ids_with_role({Role.SAFEGUARDING_LEAD})
    if not lead_agencies:
        return False
    return child.involvements.active_on().filter(agency_id__in=lead_agencies).exists()


@rules.predicate
def is_lead_professional(user: Viewer, child: Child | None) -> bool:
    if child is None or not is_active_person(user):
        return False
    return child.involvements.active_on().filter(lead_professional_id=user.pk).exists()


@rules.predicate
def can_decide_sharing(user: Viewer, notice: Any) -> bool:
    """Deciding whether an agency that shared without being involved becomes involved: the child's
    lead professional, or the front door (`children.sharing`)."""
    from safeguarding.children.sharing import may_decide

    return notice is not None and may_decide(user, notice)


@rules.predicate
def decides_sharing_for(user: Viewer, child: Child | None) -> bool:
    """Whether this person decides for this child (the child's record shows them the links)."""
    from safeguarding.children.sharing import may_decide_any

    return child is not None and may_decide_any(user, child)


can_view_child_activity = can_view_child & is_safeguarding_lead_on_case
can_view_child_grants = can_view_child & (is_safeguarding_lead_on_case | is_lead_professional)

rules.add_perm("children.view_child", can_view_child)
rules.add_perm("children.view_child_activity", can_view_child_activity)
rules.add_perm("children.view_child_grants", can_view_child_grants)
rules.add_perm("children.search_children", holds_case_role)
rules.add_perm("children.decide_sharing", can_decide_sharing)
rules.add_perm("children.decide_sharing_for_child", decides_sharing_for)
rules.add_perm("children.grant_access", can_grant_access)
rules.add_perm("children.give_access_to", can_give_access_to)
rules.add_perm("children.end_grant", can_end_grant)
