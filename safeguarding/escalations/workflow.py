"""The escalation workflow: who takes part, the transition table, its guards, and the one function that
changes an escalation's status.

Pages, the API, templates (through the `rules` permissions below) and the services all ask the same
guards, so a button is shown exactly when the action would be allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import rules
from django.db.models import F
from django.utils import timezone

from safeguarding.agencies.enums import Role
from safeguarding.core import kernel
from safeguarding.core.access import is_active_person
from safeguarding.core.services import record_activity
from safeguarding.escalations.enums import FINISHED_STATUSES, OPEN_STATUSES, Action, Status
from safeguarding.escalations.models import AgreedAction, Escalation, EscalationStep

# The managers of the people taking part: they always see their agency's escalations.
MANAGEMENT_ROLES = frozenset({Role.MANAGER, Role.SENIOR_MANAGER, Role.SAFEGUARDING_LEAD})
# Roles that may raise an escalation (people who hold cases, and agency systems through the API).
RAISING_ROLES = frozenset(
    {Role.PRACTITIONER, Role.MANAGER, Role.SENIOR_MANAGER, Role.SAFEGUARDING_LEAD, Role.AGENCY_SYSTEM}
)


class EscalationError(kernel.ServiceError):
    """A workflow change that cannot happen; the message says why and what to do next."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(EscalationError, kernel.NotAllowed):
    pass


class StaleVersion(EscalationError, kernel.StaleVersion):
    pass


STALE_MESSAGE = (
    "Someone else changed this escalation while you were working on it, so your change was not saved. "
    "Read the latest history, then make your change again if it is still needed."
)


def _memberships(user: Any) -> list[tuple[int, str]]:
    return [(m.agency_id, m.role) for m in user.active_memberships]


def on_raising_side(user: Any, esc: Escalation) -> bool:
    """Takes part for the raising agency at the current stage (the raiser always does)."""
    if not is_active_person(user):
        return False
    if user.pk == esc.raised_by_id:
        return True
    roles = set(esc.stage.raising_role_list) | {Role.AGENCY_SYSTEM}
    return any(a == esc.raising_agency_id and r in roles for a, r in _memberships(user))


def raising_side_next_stage(user: Any, esc: Escalation) -> bool:
    """Takes part for the raising agency at the next stage (a manager may take it up a stage)."""
    following = esc.stage.next_stage()
    if following is None or not is_active_person(user):
        return False
    return any(a == esc.raising_agency_id and r in following.raising_role_list for a, r in _memberships(user))


def on_receiving_side(user: Any, esc: Escalation) -> bool:
    """Takes part for the receiving agency at the current stage (the named person always does)."""
    if not is_active_person(user):
        return False
    if user.pk == esc.receiving_person_id:
        return True
    roles = set(esc.stage.receiving_role_list) | {Role.AGENCY_SYSTEM}
    return any(a == esc.receiving_agency_id and r in roles for a, r in _memberships(user))


def for_partnership(user: Any, esc: Escalation) -> bool:
    """Takes part for the partnership at this stage (e.g. the business unit at stage 4)."""
    return is_active_person(user) and bool(set(esc.stage.partnership_role_list) & user.roles)


def manages_a_side(user: Any, esc: Escalation) -> bool:
    agencies = {esc.raising_agency_id, esc.receiving_agency_id}
    return is_active_person(user) and any(a in agencies and r in MANAGEMENT_ROLES for a, r in _memberships(user))


def is_business_unit(user: Any) -> bool:
    return is_active_person(user) and not user.is_system and user.has_role(Role.BUSINESS_UNIT)


def has_acted_on(user: Any, esc: Escalation) -> bool:
    return is_active_person(user) and esc.steps.filter(actor_id=user.pk).exists()


def is_involved(user: Any, esc: Escalation) -> bool:
    """Anyone taking part on either side, their managers, or anyone who has acted on it."""
    return (
        on_raising_side(user, esc)
        or on_receiving_side(user, esc)
        or for_partnership(user, esc)
        or manages_a_side(user, esc)
        or has_acted_on(user, esc)
    )


def can_complete_agreed_action(user: Any, action: AgreedAction) -> bool:
    """Someone in the agency that owns an agreed action, taking part in the escalation (or managing a
    side), or the business unit, may record that it was done."""
    esc = action.escalation
    if is_business_unit(user):
        return True
    in_owner_agency = any(a == action.owner_agency_id for a, _ in _memberships(user))
    return in_owner_agency and not user.is_system and is_involved(user, esc)


def _awaiting_and_overdue(esc: Escalation) -> bool:
    return esc.status == Status.AWAITING_RESPONSE and esc.is_overdue


def _has_next_stage(esc: Escalation) -> bool:
    return esc.stage.next_stage() is not None


@dataclass(frozen=True)
class Transition:
    action: Action
    label: str
    sources: frozenset[str]
    # None: the status stays (escalate reopens the next stage as awaiting a response).
    target: str | None
    not_allowed: str

    def who(self, user: Any, esc: Escalation) -> bool:
        return WHO[self.action](user, esc)


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            Action.RESPONDED,
            "Respond",
            frozenset({Status.AWAITING_RESPONSE}),
            Status.RESPONDED,
            "Only the receiving agency's people at this stage can respond, and only while a response is awaited.",
        ),
        Transition(
            Action.OUTCOME_RECORDED,
            "Record the outcome and agreed actions",
            frozenset({Status.RESPONDED}),
            Status.OUTCOME_AGREED,
            "The outcome is recorded by the people taking part at this stage, after the receiving side responds.",
        ),
        Transition(
            Action.ACCEPTED,
            "Accept the outcome",
            frozenset({Status.OUTCOME_AGREED}),
            Status.RESOLVED,
            "Only the raising side can accept the outcome, once it has been recorded.",
        ),
        Transition(
            Action.ESCALATED,
            "Move to the next stage",
            frozenset({Status.AWAITING_RESPONSE, Status.RESPONDED, Status.OUTCOME_AGREED}),
            Status.AWAITING_RESPONSE,
            "Only the raising side can move this to the next stage: after a response, or once the response is "
            "overdue, and only if there is a next stage.",
        ),
        Transition(
            Action.RESOLVED_BY_REFERRAL,
            "Resolve by referral",
            frozenset(OPEN_STATUSES),
            Status.RESOLVED_BY_REFERRAL,
            "Only people involved in this escalation, or the business unit, can end it by referral.",
        ),
        Transition(
            Action.CLOSED,
            "Withdraw and close",
            frozenset(OPEN_STATUSES),
            Status.CLOSED,
            "Only the raising side or the business unit can close an escalation that is still open.",
        ),
        Transition(
            Action.FLAGGED_FOR_LEARNING,
            "Flag for the learning group",
            frozenset(OPEN_STATUSES | FINISHED_STATUSES),
            None,
            "Only people involved in this escalation, or the business unit, can flag it, and only once.",
        ),
    )
}

WHO: dict[str, Any] = {
    Action.RESPONDED: on_receiving_side,
    Action.OUTCOME_RECORDED: lambda u, e: on_raising_side(u, e) or on_receiving_side(u, e) or for_partnership(u, e),
    Action.ACCEPTED: on_raising_side,
    Action.ESCALATED: lambda u, e: (
        (on_raising_side(u, e) or raising_side_next_stage(u, e))
        and _has_next_stage(e)
        and (e.status != Status.AWAITING_RESPONSE or _awaiting_and_overdue(e))
    ),
    Action.RESOLVED_BY_REFERRAL: lambda u, e: is_involved(u, e) or is_business_unit(u),
    Action.CLOSED: lambda u, e: on_raising_side(u, e) or is_business_unit(u),
    Action.FLAGGED_FOR_LEARNING: lambda u, e: (
        (not e.flagged_for_learning) and (is_involved(u, e) or is_business_unit(u))
    ),
}


def can(action: str, user: Any, esc: Escalation) -> bool:
    transition = TRANSITIONS[action]
    return esc.status in transition.sources and transition.who(user, esc)


def allowed_actions(user: Any, esc: Escalation) -> list[str]:
    return [action for action in TRANSITIONS if can(action, user, esc)]


def check(action: str, user: Any, esc: Escalation) -> None:
    if not can(action, user, esc):
        raise NotAllowed(TRANSITIONS[action].not_allowed)


def acting_agency_id(user: Any, esc: Escalation) -> int | None:
    """The agency the person acts for on this escalation: their side's agency if they have one."""
    agencies = [a for a, _ in _memberships(user)] if is_active_person(user) else []
    for candidate in (esc.raising_agency_id, esc.receiving_agency_id):
        if candidate in agencies:
            return candidate
    return agencies[0] if agencies else None


def apply_transition(
    esc: Escalation,
    *,
    action: str,
    actor: Any,
    version: int,
    reason: str = "",
    fields: dict[str, Any] | None = None,
    at: Any = None,
    system: bool = False,
) -> EscalationStep:
    """Change the escalation's status (and `fields`) if the guard allows it and nobody changed it since
    `version`; write the history row and the activity log. Call inside a transaction."""
    if not system:
        check(action, actor, esc)
    if esc.version != version:
        raise StaleVersion(STALE_MESSAGE)
    transition = TRANSITIONS.get(action)
    from_status, from_stage = esc.status, esc.stage.number
    to_status = transition.target if transition and transition.target else esc.status
    changes = dict(fields or {})
    changes["status"] = to_status
    if to_status in FINISHED_STATUSES and from_status not in FINISHED_STATUSES:
        changes["finished_at"] = at or timezone.now()
    # The conditional UPDATE is the real check: two processes cannot both move from the same version.
    updated = Escalation.objects.filter(pk=esc.pk, version=version).update(version=F("version") + 1, **changes)
    if not updated:
        raise StaleVersion(STALE_MESSAGE)
    for name, value in changes.items():
        setattr(esc, name, value)
    esc.version = version + 1
    step = EscalationStep.objects.create(
        escalation=esc,
        action=action,
        actor=actor if is_active_person(actor) else None,
        actor_agency_id=acting_agency_id(actor, esc) if is_active_person(actor) else None,
        from_status=from_status,
        to_status=to_status,
        from_stage=from_stage,
        to_stage=esc.stage.number,
        reason=reason,
        at=at or timezone.now(),
    )
    record_activity(
        actor=actor,
        action=f"escalation.{action}",
        target=esc,
        changes={"status": [from_status, to_status], "stage": [from_stage, esc.stage.number]},
    )
    return step


# Permissions for templates and `user.has_perm`: the same guards.
def _rule(action: str) -> Any:
    return rules.predicate(lambda user, esc: esc is not None and can(action, user, esc), name=f"can_{action}")


for _action in TRANSITIONS:
    rules.add_perm(f"escalations.{_action}", _rule(_action))
