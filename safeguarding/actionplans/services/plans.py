"""Plans: create and change a plan, freeze a version of it, and record a committee's decision on a
version. A review's plan (source "review") is one per review."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from safeguarding.actionplans.enums import ActionSource, CommitteeOutcome
from safeguarding.actionplans.models import ActionPlan, ActionPlanVersion, CommitteeDecision
from safeguarding.actionplans.permissions import can_manage_plan
from safeguarding.actionplans.services.common import PLAN_FIELDS, is_person, required_text, today_of
from safeguarding.actionplans.versions import plan_snapshot
from safeguarding.core import kernel
from safeguarding.core.services import created_diff, diff, record_activity, snapshot
from safeguarding.reviews.models import Review

if TYPE_CHECKING:
    from safeguarding.core.types import Person

# What `edit_plan` may change (not the source or the review).
EDITABLE_PLAN_FIELDS = frozenset({"title", "owner_group", "chair", "deputy_chair", "source_reference"})
ONE_PLAN_PER_REVIEW = "This review already has an action plan: open it from the review's page."


def _check_plan(
    errors: dict[str, str],
    *,
    source: str,
    review: Review | None,
    source_reference: str,
    chair: Person | None,
    deputy_chair: Person | None,
    plan: ActionPlan | None = None,
) -> None:
    if source not in ActionSource.values:
        errors["source"] = "Choose where the plan comes from."
    elif source == ActionSource.REVIEW:
        if review is None:
            errors["review"] = "Choose the case review whose recommendations this plan answers."
        elif ActionPlan.objects.filter(review=review).exclude(pk=plan.pk if plan else 0).exists():
            errors["review"] = ONE_PLAN_PER_REVIEW
    else:
        if review is not None:
            errors["review"] = "Only a plan from case review recommendations is linked to a review."
        if not source_reference.strip():
            errors["source_reference"] = "Say what the plan answers, for example 'Ofsted inspection, March 2026'."
    if not is_person(chair):
        errors["chair"] = "Choose the chair of the owner group: a person with an active account."
    if deputy_chair is not None:
        if not is_person(deputy_chair):
            errors["deputy_chair"] = "Choose a person with an active account, or leave the deputy chair blank."
        elif chair is not None and deputy_chair.pk == chair.pk:
            errors["deputy_chair"] = "Choose someone other than the chair, or leave the deputy chair blank."


@kernel.service
def create_plan(
    *,
    actor: Person,
    title: str,
    source: str,
    owner_group: str,
    chair: Person,
    review: Review | None = None,
    source_reference: str = "",
    deputy_chair: Person | None = None,
    at: datetime | None = None,
) -> ActionPlan:
    """A new plan. A review's plan (source "review") is one per review; its actions are added one by
    one, each answering one of the review's recommendations."""
    kernel.require(can_manage_plan(actor), "Only the business unit or an administrator can create an action plan.")
    errors: dict[str, str] = {}
    title = required_text(errors, "title", title, "Enter the plan's title.")
    owner_group = required_text(errors, "owner_group", owner_group, "Enter the group that tracks the plan.")
    _check_plan(
        errors, source=source, review=review, source_reference=source_reference, chair=chair, deputy_chair=deputy_chair
    )
    if errors:
        raise ValidationError(errors)
    now = kernel.now(at)
    try:
        with transaction.atomic():
            plan = ActionPlan.objects.create(
                title=title,
                source=source,
                review=review,
                source_reference=source_reference.strip(),
                owner_group=owner_group,
                chair=chair,
                deputy_chair=deputy_chair,
                created_by=actor,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError as exc:  # two people started the review's plan at once
        raise ValidationError({"review": ONE_PLAN_PER_REVIEW}) from exc
    record_activity(actor=actor, action="actionplan.created", target=plan, changes=created_diff(plan, PLAN_FIELDS))
    return plan


@kernel.service
def edit_plan(*, actor: Person, plan: ActionPlan, version: int, **fields: Any) -> ActionPlan:
    """Change the title, owner group, chair, deputy chair or source reference (not the source or review).
    `version` is the plan's version as the person read it: a change made since refuses this one."""
    kernel.require(can_manage_plan(actor), "Only the business unit or an administrator can change an action plan.")
    unknown = set(fields) - EDITABLE_PLAN_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This cannot be changed here."))
    locked = kernel.lock(ActionPlan, plan.pk, version=version, noun="plan")
    before = snapshot(locked, PLAN_FIELDS)
    values = {name: value.strip() if isinstance(value, str) else value for name, value in fields.items()}
    for name, value in values.items():
        setattr(locked, name, value)
    errors: dict[str, str] = {}
    required_text(errors, "title", locked.title, "Enter the plan's title.")
    required_text(errors, "owner_group", locked.owner_group, "Enter the group that tracks the plan.")
    _check_plan(
        errors,
        source=locked.source,
        review=locked.review,
        source_reference=locked.source_reference,
        chair=locked.chair,
        deputy_chair=locked.deputy_chair,
        plan=locked,
    )
    if errors:
        raise ValidationError(errors)
    kernel.update_versioned(locked, version=version, changes={**values, "updated_at": timezone.now()}, noun="plan")
    record_activity(
        actor=actor, action="actionplan.edited", target=locked, changes=diff(before, snapshot(locked, PLAN_FIELDS))
    )
    for name in (*EDITABLE_PLAN_FIELDS, "version", "updated_at"):
        setattr(plan, name, getattr(locked, name))
    return plan


@kernel.service
def freeze_version(*, actor: Person, plan: ActionPlan, reason: str, at: datetime | None = None) -> ActionPlanVersion:
    """Freeze the plan as it stands (plan and actions as JSON), e.g. when it goes to a committee.
    The version never changes afterwards; later changes show against it (`changes_since`)."""
    kernel.require(
        can_manage_plan(actor), "Only the business unit or an administrator can freeze a version of the plan."
    )
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why this version is frozen, e.g. 'Submitted to the scrutiny committee'."})
    # Locked: versions are numbered one at a time, and the snapshot is of one state of the plan.
    locked = kernel.lock(ActionPlan.objects.select_related("review", "chair"), plan.pk, noun="plan")
    number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ActionPlanVersion.objects.create(
        plan=locked,
        number=number,
        snapshot=plan_snapshot(locked),
        reason=reason.strip()[:200],
        created_by=actor,
        created_at=kernel.now(at),
    )
    record_activity(actor=actor, action="actionplan.version_frozen", target=locked, changes={"version": [None, number]})
    return version


def _decision_errors(
    *,
    committee: str,
    meeting_on: date | None,
    outcome: str,
    questions: str,
    plan_version: ActionPlanVersion,
    today: date,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    required_text(errors, "committee", committee, "Enter the committee's name.")
    if outcome not in CommitteeOutcome.values:
        errors["outcome"] = "Choose what the committee decided."
    elif outcome == CommitteeOutcome.REFERRED_BACK and not questions:
        errors["questions"] = "Enter the committee's questions: a plan referred back needs them answered."
    frozen_on = timezone.localdate(plan_version.created_at)
    if meeting_on is None:
        errors["meeting_on"] = "Enter the date of the meeting."
    elif meeting_on > today:
        errors["meeting_on"] = "Record the decision after the meeting: the date must be today or in the past."
    elif meeting_on < frozen_on:
        errors["meeting_on"] = (
            f"The meeting must be on or after the date version {plan_version.number} was frozen ({frozen_on:%d/%m/%Y})."
        )
    return errors


@kernel.service
def record_committee_decision(
    *,
    actor: Person,
    plan_version: ActionPlanVersion,
    committee: str,
    meeting_on: date,
    outcome: str,
    questions: str = "",
    at: datetime | None = None,
) -> CommitteeDecision:
    """What a council's overview and scrutiny committee decided about the version it saw: accepted,
    or referred back with its questions (required then)."""
    kernel.require(
        can_manage_plan(actor), "Only the business unit or an administrator can record a committee's decision."
    )
    committee = (committee or "").strip()
    questions = (questions or "").strip()
    errors = _decision_errors(
        committee=committee,
        meeting_on=meeting_on,
        outcome=outcome,
        questions=questions,
        plan_version=plan_version,
        today=today_of(at),
    )
    if errors:
        raise ValidationError(errors)
    decision = CommitteeDecision.objects.create(
        plan_version=plan_version,
        committee=committee,
        meeting_on=meeting_on,
        outcome=outcome,
        questions=questions,
        recorded_by=actor,
        recorded_at=kernel.now(at),
    )
    record_activity(
        actor=actor,
        action="actionplan.committee_decision",
        target=decision,
        changes={"outcome": [None, outcome], "version": [None, plan_version.number]},
    )
    return decision
