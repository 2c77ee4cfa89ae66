"""Who may do what with escalations: every predicate of the app, in one module.

The per-escalation guards (who takes part on which side at the current stage) are the workflow's
`who` (`workflow.py` builds the transition table from them and registers `escalations.<action>`);
the page-level rules and the agreed-action rule are registered here. Pages ask `require_perm` /
`user.has_perm`, templates `{% has_perm %}`, and the services the same predicates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import rules

from safeguarding.agencies.enums import Role
from safeguarding.core.access import is_active_person
from safeguarding.escalations.enums import EscalationStatus
from safeguarding.escalations.models import AgreedAction, Escalation

if TYPE_CHECKING:
    from safeguarding.core.types import Person, Viewer

# The managers of the people taking part: they always see their agency's escalations.
MANAGEMENT_ROLES = frozenset({Role.MANAGER, Role.SENIOR_MANAGER, Role.SAFEGUARDING_LEAD})
# Roles that may raise an escalation (people who hold cases, and agency systems through the API).
RAISING_ROLES = frozenset(
    {Role.PRACTITIONER, Role.MANAGER, Role.SENIOR_MANAGER, Role.SAFEGUARDING_LEAD, Role.AGENCY_SYSTEM}
)


def _memberships(user: Person) -> list[tuple[int, str]]:
    return [(m.agency_id, m.role) for m in user.active_memberships]


# ---- who takes part in one escalation ----------------------------------------------------------


def on_raising_side(user: Viewer, esc: Escalation) -> bool:
    """Takes part for the raising agency at the current stage (the raiser always does)."""
    if not is_active_person(user):
        return False
    if user.pk == esc.raised_by_id:
        return True
    roles = set(esc.stage.raising_role_list) | {Role.AGENCY_SYSTEM}
    return any(a == esc.raising_agency_id and r in roles for a, r in _memberships(user))


def raising_side_next_stage(user: Viewer, esc: Escalation) -> bool:
    """Takes part for the raising agency at the next stage (a manager may take it up a stage)."""
    following = esc.stage.next_stage()
    if following is None or not is_active_person(user):
        return False
    return any(a == esc.raising_agency_id and r in following.raising_role_list for a, r in _memberships(user))


def on_receiving_side(user: Viewer, esc: Escalation) -> bool:
    """Takes part for the receiving agency at the current stage (the named person always does)."""
    if not is_active_person(user):
        return False
    if user.pk == esc.receiving_person_id:
        return True
    roles = set(esc.stage.receiving_role_list) | {Role.AGENCY_SYSTEM}
    return any(a == esc.receiving_agency_id and r in roles for a, r in _memberships(user))


def for_partnership(user: Viewer, esc: Escalation) -> bool:
    """Takes part for the partnership at this stage (e.g. the business unit at stage 4)."""
    return is_active_person(user) and bool(set(esc.stage.partnership_role_list) & user.roles)


def manages_a_side(user: Viewer, esc: Escalation) -> bool:
    agencies = {esc.raising_agency_id, esc.receiving_agency_id}
    return is_active_person(user) and any(a in agencies and r in MANAGEMENT_ROLES for a, r in _memberships(user))


def is_business_unit(user: Viewer) -> bool:
    return is_active_person(user) and not user.is_system and user.has_role(Role.BUSINESS_UNIT)


def has_acted_on(user: Viewer, esc: Escalation) -> bool:
    if not is_active_person(user):
        return False
    known = esc.__dict__.get("_acted_on_by")  # set by queries.know_who_acted() for a list of escalations
    if known is not None and known[0] == user.pk:
        return bool(known[1])
    return esc.steps.filter(actor_id=user.pk).exists()


def is_involved(user: Viewer, esc: Escalation) -> bool:
    """Anyone taking part on either side, their managers, or anyone who has acted on it."""
    return (
        on_raising_side(user, esc)
        or on_receiving_side(user, esc)
        or for_partnership(user, esc)
        or manages_a_side(user, esc)
        or has_acted_on(user, esc)
    )


# ---- the workflow's guards (`who` of each transition) ---------------------------------------------


def may_record_outcome(user: Viewer, esc: Escalation) -> bool:
    return on_raising_side(user, esc) or on_receiving_side(user, esc) or for_partnership(user, esc)


def may_escalate(user: Viewer, esc: Escalation) -> bool:
    """The raising side (at this stage or the next), if there is a next stage: after a response, or
    once the response is overdue."""
    if not (on_raising_side(user, esc) or raising_side_next_stage(user, esc)):
        return False
    if esc.stage.next_stage() is None:
        return False
    return esc.status != EscalationStatus.AWAITING_RESPONSE or bool(esc.is_overdue)


def may_resolve_by_referral(user: Viewer, esc: Escalation) -> bool:
    return is_involved(user, esc) or is_business_unit(user)


def may_close(user: Viewer, esc: Escalation) -> bool:
    return on_raising_side(user, esc) or is_business_unit(user)


def may_flag_for_learning(user: Viewer, esc: Escalation) -> bool:
    return not esc.flagged_for_learning and (is_involved(user, esc) or is_business_unit(user))


def scheduled_job_only(user: Viewer, esc: Escalation) -> bool:
    """Marking a response overdue is the scheduled job's (`system=True`), never a person's."""
    return False


# ---- agreed actions and pages -----------------------------------------------------------------------


@rules.predicate
def can_complete_agreed_action(user: Viewer, action: AgreedAction | None) -> bool:
    """Someone in the agency that owns an agreed action, taking part in the escalation (or managing a
    side), or the business unit, may record that it was done."""
    if action is None or not is_active_person(user):
        return False
    if is_business_unit(user):
        return True
    in_owner_agency = any(a == action.owner_agency_id for a, _ in _memberships(user))
    return in_owner_agency and not user.is_system and is_involved(user, action.escalation)


@rules.predicate
def can_raise(user: Viewer) -> bool:
    return is_active_person(user) and bool(user.roles & RAISING_ROLES)


@rules.predicate
def can_raise_for(user: Viewer, agency: Any) -> bool:
    """Raise for this agency: a case-holding role there."""
    return (
        is_active_person(user)
        and agency is not None
        and any(a == agency.pk and r in RAISING_ROLES for a, r in _memberships(user))
    )


@rules.predicate
def can_view_partnership_log(user: Viewer) -> bool:
    """The escalation log, report and learning list: the business unit and scrutineers."""
    return is_active_person(user) and not user.is_system and user.has_role(Role.BUSINESS_UNIT, Role.SCRUTINEER)


@rules.predicate
def can_open_from_log(user: Viewer) -> bool:
    """The log and learning list link each reference to the escalation for the business unit (who
    sees every escalation); scrutineers read the rows only."""
    return is_business_unit(user)


@rules.predicate
def can_use_escalations(user: Viewer) -> bool:
    return is_active_person(user) and not user.is_system and (can_raise(user) or user.has_role(Role.BUSINESS_UNIT))


rules.add_perm("escalations.raise", can_raise)
rules.add_perm("escalations.raise_for", can_raise_for)
rules.add_perm("escalations.view_log", can_view_partnership_log)
rules.add_perm("escalations.open_from_log", can_open_from_log)
rules.add_perm("escalations.use", can_use_escalations)
rules.add_perm("escalations.complete_agreed_action", can_complete_agreed_action)
