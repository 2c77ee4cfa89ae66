"""The escalation workflow: the transition table (a `kernel.Workflow`: table plus the guards of
`permissions.py`) and the one function that changes an escalation's status.

Pages, the API, templates (through the `escalations.<action>` permissions the workflow registers) and
the services all ask the same guards, so a button is shown exactly when the action would be allowed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from safeguarding.core import kernel
from safeguarding.core.access import is_active_person
from safeguarding.escalations.enums import FINISHED_STATUSES, OPEN_STATUSES, Action, EscalationStatus
from safeguarding.escalations.models import Escalation, EscalationStep
from safeguarding.escalations.permissions import (
    MANAGEMENT_ROLES,
    RAISING_ROLES,
    can_complete_agreed_action,
    for_partnership,
    has_acted_on,
    is_business_unit,
    is_involved,
    manages_a_side,
    may_close,
    may_escalate,
    may_flag_for_learning,
    may_record_outcome,
    may_resolve_by_referral,
    on_raising_side,
    on_receiving_side,
    raising_side_next_stage,
    scheduled_job_only,
)

if TYPE_CHECKING:
    from safeguarding.core.types import Person, Viewer

__all__ = [
    "MANAGEMENT_ROLES",
    "RAISING_ROLES",
    "STALE_MESSAGE",
    "WORKFLOW",
    "EscalationError",
    "NotAllowed",
    "StaleVersion",
    "acting_agency_id",
    "allowed_actions",
    "apply_transition",
    "can",
    "can_complete_agreed_action",
    "check",
    "for_partnership",
    "has_acted_on",
    "is_business_unit",
    "is_involved",
    "manages_a_side",
    "on_raising_side",
    "on_receiving_side",
    "raising_side_next_stage",
]

# The kernel's errors, under the names other code imports from here.
EscalationError = kernel.ServiceError
NotAllowed = kernel.NotAllowed
StaleVersion = kernel.StaleVersion
NOUN = "escalation"
STALE_MESSAGE = kernel.stale_message(NOUN)

T = kernel.Transition
WORKFLOW = kernel.Workflow(
    name="escalation",
    noun=NOUN,
    app_label="escalations",
    transitions=[
        T(
            Action.RESPONDED,
            "Respond",
            frozenset({EscalationStatus.AWAITING_RESPONSE}),
            EscalationStatus.RESPONDED,
            "Only the receiving agency's people at this stage can respond, and only while a response is awaited.",
            who=on_receiving_side,
        ),
        T(
            Action.OUTCOME_RECORDED,
            "Record the outcome and agreed actions",
            frozenset({EscalationStatus.RESPONDED}),
            EscalationStatus.OUTCOME_AGREED,
            "The outcome is recorded by the people taking part at this stage, after the receiving side responds.",
            who=may_record_outcome,
        ),
        T(
            Action.ACCEPTED,
            "Accept the outcome",
            frozenset({EscalationStatus.OUTCOME_AGREED}),
            EscalationStatus.RESOLVED,
            "Only the raising side can accept the outcome, once it has been recorded.",
            who=on_raising_side,
        ),
        T(
            Action.ESCALATED,
            "Move to the next stage",
            frozenset(
                {EscalationStatus.AWAITING_RESPONSE, EscalationStatus.RESPONDED, EscalationStatus.OUTCOME_AGREED}
            ),
            EscalationStatus.AWAITING_RESPONSE,  # the next stage opens awaiting a response
            "Only the raising side can move this to the next stage: after a response, or once the response is "
            "overdue, and only if there is a next stage.",
            who=may_escalate,
        ),
        T(
            Action.RESOLVED_BY_REFERRAL,
            "Resolve by referral",
            frozenset(OPEN_STATUSES),
            EscalationStatus.RESOLVED_BY_REFERRAL,
            "Only people involved in this escalation, or the business unit, can end it by referral.",
            who=may_resolve_by_referral,
        ),
        T(
            Action.CLOSED,
            "Withdraw and close",
            frozenset(OPEN_STATUSES),
            EscalationStatus.CLOSED,
            "Only the raising side or the business unit can close an escalation that is still open.",
            who=may_close,
        ),
        T(
            Action.FLAGGED_FOR_LEARNING,
            "Flag for the learning group",
            frozenset(OPEN_STATUSES | FINISHED_STATUSES),
            None,  # the status stays
            "Only people involved in this escalation, or the business unit, can flag it, and only once.",
            who=may_flag_for_learning,
        ),
        T(
            Action.MARKED_OVERDUE,
            "Mark the response overdue",
            frozenset({EscalationStatus.AWAITING_RESPONSE}),
            None,  # the status stays; `stage_overdue_at` records it
            "Only the scheduled job marks a response overdue.",
            who=scheduled_job_only,
        ),
    ],
)


def can(action: str, user: Viewer, esc: Escalation) -> bool:
    return WORKFLOW.can(action, user, esc)


def allowed_actions(user: Viewer, esc: Escalation) -> list[str]:
    return WORKFLOW.allowed(user, esc)


def check(action: str, user: Viewer, esc: Escalation) -> None:
    WORKFLOW.check(action, user, esc)


def acting_agency_id(user: Viewer, esc: Escalation) -> int | None:
    """The agency the person acts for on this escalation: their side's agency if they have one."""
    agencies = [m.agency_id for m in user.active_memberships] if is_active_person(user) else []
    for candidate in (esc.raising_agency_id, esc.receiving_agency_id):
        if candidate in agencies:
            return candidate
    return agencies[0] if agencies else None


def apply_transition(
    esc: Escalation,
    *,
    action: str,
    actor: Person | None,
    version: int,
    reason: str = "",
    fields: dict[str, Any] | None = None,
    at: Any = None,
    system: bool = False,
) -> EscalationStep:
    """Change the escalation's status (and `fields`) if the guard allows it and nobody changed it since
    `version`; write the history row and the activity log. Call inside a service."""
    at = kernel.now(at)
    changes = dict(fields or {})
    from_stage, to_stage = esc.stage.number, (changes.get("stage") or esc.stage).number
    to_status = WORKFLOW[action].target or esc.status
    if to_status in FINISHED_STATUSES and esc.status not in FINISHED_STATUSES:
        changes["finished_at"] = at
    steps: list[EscalationStep] = []

    def write_step(moved: kernel.Moved) -> None:
        person = is_active_person(actor)
        steps.append(
            EscalationStep.objects.create(
                escalation=esc,
                action=action,
                actor=actor if person else None,
                actor_agency_id=acting_agency_id(actor, esc) if is_active_person(actor) else None,
                from_status=moved.from_status,
                to_status=moved.to_status,
                from_stage=from_stage,
                to_stage=to_stage,
                reason=reason,
                at=at,
            )
        )

    WORKFLOW.apply(
        esc,
        action=action,
        actor=actor,
        version=version,
        fields=changes,
        system=system,
        history=write_step,
        log_changes={"stage": [from_stage, to_stage]},
    )
    return steps[0]
