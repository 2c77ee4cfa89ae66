"""State changes of escalations: one `verb_noun(*, actor, …)` function per action, each in a transaction,
checking the workflow's guard and the version, writing the history row and the activity log, and
queueing emails to go after commit. Pages, the API, commands and tasks all call these.

`at` lets demo data and imports date a change in the past; pages and the API never pass it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from safeguarding.agencies.models import Agency
from safeguarding.children.models import Child
from safeguarding.children.queries import children_visible_to
from safeguarding.core import kernel
from safeguarding.core.services import record_activities, record_activity
from safeguarding.escalations import notifications
from safeguarding.escalations.deadlines import due_at
from safeguarding.escalations.enums import Action, EscalationStatus, ResponseKind, Urgency
from safeguarding.escalations.models import (
    AgreedAction,
    Escalation,
    EscalationChild,
    EscalationReason,
    EscalationResponse,
    EscalationStage,
    EscalationStep,
    StageVisit,
)
from safeguarding.escalations.permissions import can_complete_agreed_action, can_raise_for
from safeguarding.escalations.workflow import NOUN, acting_agency_id, apply_transition, check
from safeguarding.escalations.workflow import STALE_MESSAGE as STALE_MESSAGE
from safeguarding.escalations.workflow import NotAllowed as NotAllowed
from safeguarding.escalations.workflow import StaleVersion as StaleVersion

if TYPE_CHECKING:
    from safeguarding.core.types import Person


def _stage_deadline(stage: EscalationStage, urgency: str, start: datetime) -> datetime:
    return due_at(
        start, urgency=urgency, working_days=stage.response_working_days, urgent_hours=stage.urgent_response_hours
    )


def _locked(escalation: Escalation, version: int) -> Escalation:
    """The escalation as stored now, locked for this transaction; refused if it changed since `version`."""
    related = Escalation.objects.select_related("stage", "raising_agency", "receiving_agency")
    return kernel.lock(related, escalation.pk, version=version, noun=NOUN)


def _sync(target: Escalation, source: Escalation) -> Escalation:
    """Copy the saved state onto the caller's object so it can go on using it."""
    for field in Escalation._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    target.stage = source.stage
    return target


# One message for every evidence id the raiser may not cite: an entry that does not exist, one about
# another child, a restricted one or one the raiser cannot see all answer alike (issue 16).
EVIDENCE_NOT_VISIBLE = "Choose only chronology entries about these children that you can see."


def evidence_visible(actor: Person, children: Sequence[Child], evidence: Sequence[Any]) -> bool:
    """Every entry is a current chronology entry about one of `children` that `actor` may see."""
    from safeguarding.chronology.queries import events_for_child

    wanted = {e.pk for e in evidence}
    seen: set[int] = set()
    for child in children:
        seen |= set(events_for_child(actor, child).filter(pk__in=wanted).values_list("pk", flat=True))
    return wanted <= seen


def _raising_errors(
    actor: Person,
    *,
    children: Sequence[Child],
    raising_agency: Agency,
    receiving_agency: Agency,
    receiving_person: Person | None,
    evidence: Sequence[Any],
) -> dict[str, str]:
    """Field errors in who and what an escalation is raised about."""
    errors: dict[str, str] = {}
    if not children:
        errors["children"] = "Choose at least one child the escalation is about."
    elif children_visible_to(actor).filter(pk__in=[c.pk for c in children]).count() != len({c.pk for c in children}):
        errors["children"] = "Choose only children your agency works with."
    if receiving_agency.pk == raising_agency.pk:
        errors["receiving_agency"] = "Choose another agency: an escalation is raised with a different agency."
    elif not receiving_agency.is_active:
        errors["receiving_agency"] = "Choose an agency that is still active in the partnership."
    if (
        receiving_person is not None
        and not receiving_person.memberships.filter(agency=receiving_agency, is_active=True).exists()
    ):
        errors["receiving_person"] = "Choose a person who works in the receiving agency, or leave it blank."
    if evidence and "children" not in errors and not evidence_visible(actor, children, evidence):
        errors["evidence"] = EVIDENCE_NOT_VISIBLE
    return errors


def _dispute_errors(reason: EscalationReason, disputed_decision: str, desired_outcome: str) -> dict[str, str]:
    """Field errors in what the disagreement is."""
    errors: dict[str, str] = {}
    if not reason.is_active:
        errors["reason"] = "Choose one of the reasons listed."
    if not disputed_decision.strip():
        errors["disputed_decision"] = "Describe the decision or situation you disagree with."
    if not desired_outcome.strip():
        errors["desired_outcome"] = "Say what you want to happen."
    return errors


def _open_first_stage(esc: Escalation, *, actor: Person, start: datetime) -> None:
    """The first stage's visit and the history row of the raising."""
    StageVisit.objects.create(escalation=esc, stage=esc.stage, started_at=start, due_at=esc.stage_due_at)
    EscalationStep.objects.create(
        escalation=esc,
        action=Action.RAISED,
        actor=actor,
        actor_agency=esc.raising_agency,
        from_status="",
        to_status=EscalationStatus.AWAITING_RESPONSE,
        from_stage=None,
        to_stage=esc.stage.number,
        reason="",
        at=start,
    )


@kernel.service
def raise_escalation(
    *,
    actor: Person,
    children: Sequence[Child],
    raising_agency: Agency,
    receiving_agency: Agency,
    reason: EscalationReason,
    disputed_decision: str,
    desired_outcome: str,
    raiser_level_of_need: int,
    urgency: str = Urgency.STANDARD,
    receiving_person: Person | None = None,
    evidence: Sequence[Any] = (),
    at: datetime | None = None,
) -> Escalation:
    """Open stage 1 and tell the receiving side. `evidence`: chronology entries the raiser may see."""
    kernel.require(
        can_raise_for(actor, raising_agency),
        "You can only raise an escalation for an agency where you hold a case-holding role.",
    )
    errors = _raising_errors(
        actor,
        children=children,
        raising_agency=raising_agency,
        receiving_agency=receiving_agency,
        receiving_person=receiving_person,
        evidence=evidence,
    )
    errors |= _dispute_errors(reason, disputed_decision, desired_outcome)
    if errors:
        raise ValidationError(errors)
    start = kernel.now(at)
    stage = EscalationStage.objects.order_by("number").first()
    kernel.require(stage, "No escalation stages are set up. Ask your partnership administrator to add them.")
    assert stage is not None
    esc = Escalation.objects.create(
        raised_by=actor,
        raising_agency=raising_agency,
        receiving_agency=receiving_agency,
        receiving_person=receiving_person,
        reason=reason,
        disputed_decision=disputed_decision.strip(),
        desired_outcome=desired_outcome.strip(),
        raiser_level_of_need=raiser_level_of_need,
        urgency=urgency,
        stage=stage,
        status=EscalationStatus.AWAITING_RESPONSE,
        raised_at=start,
        stage_started_at=start,
        stage_due_at=_stage_deadline(stage, urgency, start),
    )
    EscalationChild.objects.bulk_create([EscalationChild(escalation=esc, child=c) for c in children])
    if evidence:
        esc.evidence.set(evidence)
    _open_first_stage(esc, actor=actor, start=start)
    changes = {
        "stage": [None, stage.number],
        "children": [None, len(children)],
        "evidence": [None, len(evidence)],
        "urgency": [None, urgency],
    }
    record_activity(actor=actor, action="escalation.raised", target=esc, changes=changes)
    notifications.send(esc, "A new escalation is waiting for your response.", notifications.receiving_side(esc))
    return esc


@kernel.service
def respond_to_escalation(
    *,
    actor: Person,
    escalation: Escalation,
    version: int,
    kind: str,
    reasons: str,
    proposal: str = "",
    level_of_need: int | None = None,
    at: datetime | None = None,
) -> EscalationResponse:
    esc = _locked(escalation, version)
    check(Action.RESPONDED, actor, esc)
    errors = {}
    if not reasons.strip():
        errors["reasons"] = "Give the reasons for your response."
    if kind == ResponseKind.ALTERNATIVE and not proposal.strip():
        errors["proposal"] = "Describe what you propose instead."
    if errors:
        raise ValidationError(errors)
    now = kernel.now(at)
    response = EscalationResponse.objects.create(
        escalation=esc,
        stage=esc.stage,
        kind=kind,
        reasons=reasons.strip(),
        proposal=proposal.strip(),
        level_of_need=level_of_need,
        responded_by=actor,
        agency_id=acting_agency_id(actor, esc) or esc.receiving_agency_id,
        at=now,
    )
    fields: dict[str, Any] = {}
    if level_of_need is not None:
        fields["receiver_level_of_need"] = level_of_need
    apply_transition(
        esc,
        action=Action.RESPONDED,
        actor=actor,
        version=version,
        reason=response.get_kind_display(),
        fields=fields,
        at=now,
    )
    StageVisit.objects.filter(escalation=esc, stage=esc.stage).update(responded_at=now)
    notifications.send(esc, "The receiving agency has responded.", notifications.raising_side(esc), exclude=actor)
    return _sync_response(escalation, esc, response)


def _sync_response(target: Escalation, esc: Escalation, response: EscalationResponse) -> EscalationResponse:
    _sync(target, esc)
    return response


@dataclass(frozen=True)
class ActionInput:
    description: str
    owner_agency: Agency
    owner_name: str
    due_on: date


@kernel.service
def record_outcome(
    *,
    actor: Person,
    escalation: Escalation,
    version: int,
    outcome: str,
    actions: Iterable[ActionInput] = (),
    at: datetime | None = None,
) -> Escalation:
    esc = _locked(escalation, version)
    check(Action.OUTCOME_RECORDED, actor, esc)
    actions = list(actions)
    if not outcome.strip():
        raise ValidationError({"outcome": "Describe the outcome both sides agreed."})
    for item in actions:
        if item.owner_agency.pk not in (esc.raising_agency_id, esc.receiving_agency_id):
            raise ValidationError({"actions": "Each action's owner must be in the raising or receiving agency."})
    now = kernel.now(at)
    AgreedAction.objects.bulk_create(
        [
            AgreedAction(
                escalation=esc,
                stage=esc.stage,
                description=item.description.strip(),
                owner_agency=item.owner_agency,
                owner_name=item.owner_name.strip(),
                due_on=item.due_on,
                created_at=now,
            )
            for item in actions
        ]
    )
    StageVisit.objects.filter(escalation=esc, stage=esc.stage).update(outcome=outcome.strip(), outcome_recorded_at=now)
    apply_transition(esc, action=Action.OUTCOME_RECORDED, actor=actor, version=version, reason=outcome.strip(), at=now)
    notifications.send(
        esc,
        "An outcome has been recorded. The raising agency can accept it or move to the next stage.",
        [*notifications.raising_side(esc), *notifications.receiving_side(esc)],
        exclude=actor,
    )
    return _sync(escalation, esc)


@kernel.service
def accept_outcome(
    *, actor: Person, escalation: Escalation, version: int, note: str = "", at: datetime | None = None
) -> Escalation:
    esc = _locked(escalation, version)
    now = kernel.now(at)
    apply_transition(esc, action=Action.ACCEPTED, actor=actor, version=version, reason=note.strip(), at=now)
    StageVisit.objects.filter(escalation=esc, stage=esc.stage).update(ended_at=now)
    notifications.send(esc, "The escalation is resolved.", notifications.receiving_side(esc), exclude=actor)
    return _sync(escalation, esc)


@kernel.service
def escalate_to_next_stage(
    *, actor: Person, escalation: Escalation, version: int, reason: str, at: datetime | None = None
) -> Escalation:
    esc = _locked(escalation, version)
    check(Action.ESCALATED, actor, esc)
    if not reason.strip():
        raise ValidationError({"reason": "Say why this needs to move to the next stage."})
    following = esc.stage.next_stage()
    assert following is not None  # the guard checked it
    now = kernel.now(at)
    due = _stage_deadline(following, esc.urgency, now)
    StageVisit.objects.filter(escalation=esc, stage=esc.stage).update(ended_at=now)
    StageVisit.objects.create(escalation=esc, stage=following, started_at=now, due_at=due)
    apply_transition(
        esc,
        action=Action.ESCALATED,
        actor=actor,
        version=version,
        reason=reason.strip(),
        fields={"stage": following, "stage_started_at": now, "stage_due_at": due, "stage_overdue_at": None},
        at=now,
    )
    notifications.send(
        esc,
        f"The escalation has moved to stage {following.number} and is waiting for a response.",
        [*notifications.raising_side(esc), *notifications.receiving_side(esc)],
        exclude=actor,
    )
    return _sync(escalation, esc)


def _end(
    action: str, headline: str, *, actor: Person, escalation: Escalation, version: int, reason: str, at: datetime | None
) -> Escalation:
    esc = _locked(escalation, version)
    check(action, actor, esc)
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason. It is recorded in the escalation's history."})
    now = kernel.now(at)
    apply_transition(esc, action=action, actor=actor, version=version, reason=reason.strip(), at=now)
    StageVisit.objects.filter(escalation=esc, stage=esc.stage).update(ended_at=now)
    notifications.send(
        esc, headline, [*notifications.raising_side(esc), *notifications.receiving_side(esc)], exclude=actor
    )
    return _sync(escalation, esc)


@kernel.service
def resolve_by_referral(
    *, actor: Person, escalation: Escalation, version: int, reason: str, at: datetime | None = None
) -> Escalation:
    """End it early: the child's immediate safety is being dealt with another way (a referral, the police)."""
    return _end(
        Action.RESOLVED_BY_REFERRAL,
        "The escalation was ended by a referral.",
        actor=actor,
        escalation=escalation,
        version=version,
        reason=reason,
        at=at,
    )


@kernel.service
def close_escalation(
    *, actor: Person, escalation: Escalation, version: int, reason: str, at: datetime | None = None
) -> Escalation:
    """Withdrawn by the raising side, or closed by the business unit."""
    return _end(
        Action.CLOSED,
        "The escalation was closed.",
        actor=actor,
        escalation=escalation,
        version=version,
        reason=reason,
        at=at,
    )


@kernel.service
def flag_for_learning(
    *, actor: Person, escalation: Escalation, version: int, note: str, at: datetime | None = None
) -> Escalation:
    esc = _locked(escalation, version)
    check(Action.FLAGGED_FOR_LEARNING, actor, esc)
    if not note.strip():
        raise ValidationError({"note": "Say what the learning group could learn from this escalation."})
    now = kernel.now(at)
    apply_transition(
        esc,
        action=Action.FLAGGED_FOR_LEARNING,
        actor=actor,
        version=version,
        reason=note.strip(),
        fields={"flagged_for_learning": True, "learning_note": note.strip(), "flagged_at": now, "flagged_by": actor},
        at=now,
    )
    return _sync(escalation, esc)


@kernel.service
def complete_agreed_action(*, actor: Person, action: AgreedAction, done_on: date, note: str = "") -> AgreedAction:
    """Record that an agreed action was done (once: a second attempt is refused, not overwritten)."""
    locked = kernel.lock(AgreedAction.objects.select_related("escalation"), action.pk)
    kernel.require(
        can_complete_agreed_action(actor, locked),
        "Only the agency that owns this action, or the business unit, can record that it was done",
    )
    if locked.done_on is not None:
        raise ValidationError(
            f"This action was already recorded as done on {locked.done_on:%d/%m/%Y}. Refresh the page to see it."
        )
    today = timezone.localdate()
    if done_on > today:
        raise ValidationError({"done_on": "The date it was done must be today or in the past"})
    agreed_on = timezone.localdate(locked.created_at)
    if done_on < agreed_on:
        raise ValidationError(
            {"done_on": f"The date it was done must be on or after the day it was agreed ({agreed_on:%d/%m/%Y})"}
        )
    locked.done_on = done_on
    locked.done_by = actor
    locked.done_note = note.strip()
    locked.save(update_fields=["done_on", "done_by", "done_note"])
    record_activity(
        actor=actor,
        action="escalation.agreed_action_done",
        target=locked.escalation,
        changes={"agreed_action": locked.pk, "done_on": done_on.isoformat()},
    )
    action.done_on, action.done_by, action.done_note = locked.done_on, locked.done_by, locked.done_note
    return action


@kernel.service
def mark_escalation_overdue(pk: int, now: datetime, *, actor: Person | None = None) -> bool:
    """The scheduled job's: mark this stage overdue once, and tell both sides and their managers."""
    esc = kernel.lock(Escalation.objects.select_related("stage"), pk)
    if esc.status != EscalationStatus.AWAITING_RESPONSE or esc.stage_overdue_at is not None or esc.stage_due_at >= now:
        kernel.unchanged()
        return False  # answered, or marked by another worker, since the list was read
    apply_transition(
        esc,
        action=Action.MARKED_OVERDUE,
        actor=None,
        version=esc.version,
        reason=f"No response by {timezone.localtime(esc.stage_due_at):%d/%m/%Y %H:%M}.",
        fields={"stage_overdue_at": now},
        at=now,
        system=True,
    )
    StageVisit.objects.filter(escalation=esc, stage=esc.stage).update(went_overdue=True)
    following = esc.stage.next_stage()
    offer = (
        f" The raising agency can now move it to stage {following.number} ({following.name})."
        if following
        else " This is the last stage: the business unit will follow it up."
    )
    notifications.send(
        esc,
        "The response to this escalation is overdue." + offer,
        [
            *notifications.raising_side(esc),
            *notifications.receiving_side(esc),
            *notifications.managers_of_both_sides(esc),
        ],
    )
    return True


def mark_overdue_escalations(*, now: datetime | None = None) -> int:
    """Mark every stage past its deadline without a response as overdue, once, and tell both sides,
    their managers, and that the next stage is open to them. Returns how many were marked."""
    now = kernel.now(now)
    pending = list(
        Escalation.objects.past_deadline(now).filter(stage_overdue_at__isnull=True).values_list("pk", flat=True)
    )
    return sum(1 for pk in pending if mark_escalation_overdue(pk, now))


def record_escalations_listed(
    *, actor: Person, escalations: Sequence[Escalation], visible_child_ids: dict[int, list[int]]
) -> None:
    """A list of escalations shows what each one is about, as a detail does: the same view rows, for
    each escalation in the page and each child of it the reader may see (issue 16), in one INSERT."""
    rows: list[tuple[Escalation, int | None]] = []
    for escalation in escalations:
        children = visible_child_ids.get(escalation.pk, [])
        rows += [(escalation, child_id) for child_id in children] if children else [(escalation, None)]
    record_activities(actor=actor, action="escalation.viewed", rows=rows)


def record_escalation_view(*, actor: Person, escalation: Escalation, children: Sequence[Child]) -> None:
    """Opening an escalation shows the named children and their chronology entries: a view of each
    child's record, logged against each child so it appears in "who has looked at this record"."""
    _record_view(actor, escalation, [child.pk for child in children])


def _record_view(actor: Person, escalation: Escalation, child_ids: Sequence[int]) -> None:
    if not child_ids:
        record_activity(actor=actor, action="escalation.viewed", target=escalation)
    for child_id in child_ids:
        record_activity(actor=actor, action="escalation.viewed", target=escalation, child_id=child_id)
