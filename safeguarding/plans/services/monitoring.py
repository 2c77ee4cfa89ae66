"""Monitoring a plan in force: progress on its objectives, review meetings with each person's scaling
score, the overdue check, and citing an objective in an escalation or a review."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from safeguarding.agencies.models import Agency
from safeguarding.core import kernel
from safeguarding.plans import notifications, permissions
from safeguarding.plans.enums import SCALE_MAX, SCALE_MIN, ObjectiveRag, ObjectiveStatus, PersonKind
from safeguarding.plans.models import (
    CarePlan,
    Citation,
    Objective,
    ObjectiveUpdate,
    OverdueNotice,
    PlanReview,
    PlanVersion,
    ScalingScore,
)
from safeguarding.plans.queries import overdue_objectives
from safeguarding.plans.services.common import (
    OverdueResult,
    ScoreInput,
    bump,
    chronology,
    display_name,
    locked,
    log,
    person_values,
    type_label,
)

if TYPE_CHECKING:
    from safeguarding.core.types import Person

UPDATE_MESSAGE = "Progress is recorded on an agreed plan, by the lead professional and the agencies in it."
REVIEW_MESSAGE = "Only the lead professional or their manager can record a review."
REVIEW_AGREED_MESSAGE = "A plan is reviewed once it has been agreed."


def _acting_agency(actor: Person, plan: CarePlan) -> Agency | None:
    ids = actor.agency_ids_with_role(permissions.UPDATE_ROLES) & permissions.plan_agency_ids(plan)
    if not ids:
        return None
    return Agency.objects.filter(pk__in=ids).order_by("pk").first()


@kernel.service
def record_objective_update(
    *,
    actor: Person,
    plan: CarePlan,
    uid: Any,
    status: str,
    rag: str,
    evidence: str,
    at: datetime | None = None,
) -> ObjectiveUpdate:
    """Progress on an objective of the agreed plan in force."""
    stored = locked(plan, None)
    kernel.require(permissions.can_record_update(actor, stored), UPDATE_MESSAGE)
    agreed = stored.agreed_version()
    objective = agreed.objectives.filter(uid=uid).first() if agreed else None
    kernel.require(
        objective is not None, "This objective is not in the agreed plan. Record progress on the plan in force."
    )
    assert objective is not None
    errors: dict[str, str] = {}
    if status not in ObjectiveStatus.values:
        errors["status"] = "Choose the status of the objective."
    if rag not in ObjectiveRag.values:
        errors["rag"] = "Choose red, amber or green."
    if not (evidence or "").strip():
        errors["evidence"] = "Describe what was seen or done that shows this."
    if errors:
        raise ValidationError(errors)
    update = ObjectiveUpdate.objects.create(
        plan=stored,
        objective=objective,
        objective_uid=objective.uid,
        status=status,
        rag=rag,
        evidence=evidence.strip(),
        recorded_by=actor,
        agency=_acting_agency(actor, stored),
        recorded_at=kernel.now(at),
    )
    log(actor, "care_plan.progress_recorded", stored, update, {"status": [None, status], "rag": [None, rag]})
    return update


def _score_errors(scores: Sequence[ScoreInput]) -> list[str]:
    problems: list[str] = []
    for number, s in enumerate(scores, start=1):
        who = s.name.strip() or (display_name(s.user) if s.user is not None else f"person {number}")
        if s.kind == PersonKind.PROFESSIONAL and s.user is None:
            problems.append(f"Score {number}: choose the professional.")
        elif s.kind != PersonKind.PROFESSIONAL and not s.name.strip():
            problems.append(f"Score {number}: enter the person's name.")
        if s.kind not in PersonKind.values:
            problems.append(f"Score {number}: say whether this is a professional, a family member or a network member.")
        if s.score is None or not SCALE_MIN <= s.score <= SCALE_MAX:
            problems.append(f"Score from {who}: enter a whole number from {SCALE_MIN} to {SCALE_MAX}.")
        if not (s.reason or "").strip():
            problems.append(f"Score from {who}: give their reason for the score.")
    return problems


def _review_errors(
    agreed: PlanVersion,
    held_on: date | None,
    attendance: str,
    decisions: str,
    next_review_on: date | None,
    scores: Sequence[ScoreInput],
) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    if held_on is None:
        errors["held_on"] = "Enter the date of the review meeting."
    elif held_on > timezone.localdate():
        errors["held_on"] = "The date of the review must be today or in the past."
    elif agreed.agreement and held_on < agreed.agreement.agreed_on:
        errors["held_on"] = "The review cannot be before the plan it reviews was agreed."
    if not (attendance or "").strip():
        errors["attendance"] = "List who attended."
    if not (decisions or "").strip():
        errors["decisions"] = "Record the decisions made."
    if next_review_on is not None and held_on is not None and next_review_on <= held_on:
        errors["next_review_on"] = "The next review must be after this one."
    problems = _score_errors(scores)
    if problems:
        errors["scores"] = problems
    return errors


@kernel.service
def record_review(
    *,
    actor: Person,
    plan: CarePlan,
    version: int,
    held_on: date,
    attendance: str,
    decisions: str,
    next_review_on: date | None = None,
    scores: Sequence[ScoreInput] = (),
    at: datetime | None = None,
) -> PlanReview:
    """A review meeting of the agreed plan: attendance, each person's scaling score and reason, decisions."""
    stored = locked(plan, version)
    kernel.require(permissions.can_hold_meeting(actor, stored), REVIEW_MESSAGE)
    kernel.require(permissions.can_record_review(actor, stored), REVIEW_AGREED_MESSAGE)
    agreed = stored.agreed_version()
    kernel.require(agreed is not None, REVIEW_AGREED_MESSAGE)
    assert agreed is not None
    errors = _review_errors(agreed, held_on, attendance, decisions, next_review_on, scores)
    if errors:
        raise ValidationError(errors)
    review = PlanReview.objects.create(
        plan=stored,
        version=agreed,
        held_on=held_on,
        attendance=attendance.strip(),
        decisions=decisions.strip(),
        next_review_on=next_review_on,
        recorded_by=actor,
        recorded_at=kernel.now(at),
    )
    ScalingScore.objects.bulk_create(
        [
            ScalingScore(
                review=review,
                plan=stored,
                role=s.role.strip(),
                score=int(s.score or 0),
                reason=s.reason.strip(),
                **person_values(s),
            )
            for s in scores
        ]
    )
    bump(stored, plan, version)
    changes = {"held_on": [None, held_on.isoformat()], "scores": [None, len(scores)]}
    log(actor, "care_plan.reviewed", stored, review, changes)
    following = f" Next review: {next_review_on:%d/%m/%Y}." if next_review_on else ""
    chronology(
        actor=actor,
        plan=stored,
        code="plan_reviewed",
        summary=f"{type_label(stored)} plan reviewed ({stored.reference}).{following}",
        on=held_on,
    )
    return review


@kernel.service
def flag_overdue_objective(objective: Objective, *, actor: Person | None = None, today: date | None = None) -> bool:
    """Flag one overdue objective once per due date (a scheduled job: `actor` is None): tell the lead
    professional and a professional owner, and write `plan_objective_overdue` to the children's chronology.
    False when it was flagged already."""
    plans = CarePlan.objects.select_related("lead_professional", "lead_agency")
    plan = kernel.lock(plans, objective.version.plan_id)
    if OverdueNotice.objects.filter(objective_uid=objective.uid, due_on=objective.due_on).exists():
        kernel.unchanged()
        return False
    OverdueNotice.objects.create(plan=plan, objective=objective, objective_uid=objective.uid, due_on=objective.due_on)
    log(actor, "care_plan.objective_overdue", plan, objective, {"due_on": [None, objective.due_on.isoformat()]})
    lead = plan.lead_professional
    if lead.is_active:
        chronology(
            actor=lead,
            plan=plan,
            code="plan_objective_overdue",
            summary=f"An objective of the {type_label(plan).lower()} plan ({plan.reference}) was due on "
            f"{objective.due_on:%d/%m/%Y} and is not recorded as achieved. Recorded automatically.",
            on=today or timezone.localdate(),
        )
    recipients = [lead]
    if objective.owner_kind == PersonKind.PROFESSIONAL and objective.owner_user is not None:
        recipients.append(objective.owner_user)
    notifications.objective_overdue(plan, objective, recipients)
    return True


def flag_overdue_objectives(today: date | None = None) -> OverdueResult:
    """Flag each overdue objective once per due date, each in its own transaction."""
    result = OverdueResult()
    for objective in overdue_objectives(today):
        if flag_overdue_objective(objective, actor=None, today=today):
            result.flagged += 1
            result.objectives.append(objective)
    return result


@kernel.service
def cite_objective(
    *, actor: Person, objective: Objective, note: str, escalation: Any = None, review: Any = None
) -> Citation:
    """Cite an objective in an escalation or a review the actor may see."""
    from safeguarding.escalations.queries import escalations_visible_to
    from safeguarding.reviews.queries import reviews_visible_to

    plan = objective.version.plan
    kernel.require(permissions.can_cite(actor, plan), "You cannot cite objectives of this plan.")
    errors: dict[str, str] = {}
    if (escalation is None) == (review is None):
        errors["target"] = "Choose one escalation or one review to cite the objective in."
    elif escalation is not None and not escalations_visible_to(actor).filter(pk=escalation.pk).exists():
        errors["target"] = "Choose an escalation you can see."
    elif review is not None and not reviews_visible_to(actor).filter(pk=review.pk).exists():
        errors["target"] = "Choose a review you can see."
    if not (note or "").strip():
        errors["note"] = "Say why you are citing this objective."
    if not errors and Citation.objects.filter(objective=objective, escalation=escalation, review=review).exists():
        errors["target"] = "This objective is already cited there."
    if errors:
        raise ValidationError(errors)
    citation = Citation.objects.create(
        plan=plan,
        objective=objective,
        objective_uid=objective.uid,
        escalation=escalation,
        review=review,
        note=note.strip(),
        cited_by=actor,
    )
    log(
        actor,
        "care_plan.objective_cited",
        plan,
        citation,
        {"escalation": [None, getattr(escalation, "pk", None)], "review": [None, getattr(review, "pk", None)]},
    )
    return citation
