"""Actions: add one to a plan and change what it is (its status and RAG change only through updates,
`services.updates`), keeping a review recommendation's status with its actions."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Max, QuerySet
from django.utils import timezone

from safeguarding.actionplans.models import Action, ActionPlan
from safeguarding.actionplans.permissions import can_manage_plan
from safeguarding.actionplans.services.common import ACTION_FIELDS, MASKED, is_person, required_text
from safeguarding.agencies.enums import Role
from safeguarding.agencies.models import Agency
from safeguarding.core import kernel
from safeguarding.core.services import created_diff, diff, record_activity, snapshot
from safeguarding.reviews.enums import RecommendationStatus
from safeguarding.reviews.models import ReviewRecommendation
from safeguarding.reviews.services import follow_actions

if TYPE_CHECKING:
    from safeguarding.core.types import Person


def _works_in(officer: Person, agency: Agency) -> bool:
    return bool(
        officer.memberships.filter(agency=agency, is_active=True, agency__is_active=True)
        .exclude(role=Role.AGENCY_SYSTEM)
        .exists()
    )


def _check_dates(errors: dict[str, str], values: dict[str, Any]) -> None:
    start_on, due_on, recheck_on = values.get("start_on"), values.get("due_on"), values.get("recheck_on")
    if start_on is None:
        errors["start_on"] = "Enter the start date."
    if due_on is None:
        errors["due_on"] = "Enter the due date."
    if start_on is not None and due_on is not None and due_on < start_on:
        errors["due_on"] = "The due date must be on or after the start date."
    if start_on is not None and recheck_on is not None and recheck_on < start_on:
        errors["recheck_on"] = "The date to check the change held must be on or after the start date."


def _check_action(errors: dict[str, str], plan: ActionPlan, values: dict[str, Any]) -> None:
    rec: ReviewRecommendation | None = values.get("recommendation")
    if plan.review_id is not None:
        if rec is None:
            errors["recommendation"] = "Choose the recommendation this action answers."
        elif rec.review_id != plan.review_id:
            errors["recommendation"] = "Choose one of this review's recommendations."
    elif rec is not None:
        errors["recommendation"] = "Only actions in a case review's plan answer a recommendation."
    required_text(errors, "description", values.get("description"), "Describe what will be done.")
    required_text(errors, "success_measure", values.get("success_measure"), "Say how we will know it worked.")
    agency: Agency | None = values.get("lead_agency")
    officer = values.get("lead_officer")
    if agency is None or not agency.is_active:
        errors["lead_agency"] = "Choose the lead agency: one still active in the partnership."
    if not is_person(officer):
        errors["lead_officer"] = "Choose the lead officer: a person with an active account."
    elif agency is not None and officer is not None and not _works_in(officer, agency):
        errors["lead_officer"] = f"Choose a lead officer who works in {agency.name}, or change the lead agency."
    _check_dates(errors, values)


def follow(actor: Person, recommendation: ReviewRecommendation | None) -> None:
    """Keep a review recommendation's status with its actions: once it has actions it is "in an action
    plan", and "complete" when every one of them is signed off (a reopened action takes it back)."""
    if recommendation is None:
        return
    signed = [
        at is not None
        for at in Action.objects.filter(recommendation=recommendation).values_list("signed_off_at", flat=True)
    ]
    if not signed:  # its last action moved to another recommendation
        current = ReviewRecommendation.objects.values_list("status", flat=True).get(pk=recommendation.pk)
        if current == RecommendationStatus.IN_ACTION_PLAN:
            follow_actions(actor=actor, recommendation=recommendation, status=RecommendationStatus.AGREED)
        return
    status = RecommendationStatus.COMPLETE if all(signed) else RecommendationStatus.IN_ACTION_PLAN
    follow_actions(actor=actor, recommendation=recommendation, status=status)


def _with_related() -> QuerySet[Action]:
    return Action.objects.select_related("plan", "lead_agency", "lead_officer", "recommendation")


def locked_action(action: Action, version: int | None = None) -> Action:
    """The action as stored now, locked for the calling service's transaction; StaleVersion when
    `version` (the one the person read) is given and someone changed the action since."""
    return kernel.lock(_with_related(), action.pk, version=version, noun="action")


def sync(target: Action, source: Action) -> Action:
    """Copy the saved state onto the caller's object so it can go on using it."""
    for f in Action._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    return target


@kernel.service
def add_action(
    *,
    actor: Person,
    plan: ActionPlan,
    recommendation: ReviewRecommendation | None = None,
    description: str,
    lead_agency: Agency,
    lead_officer: Person | None,
    start_on: date,
    due_on: date,
    success_measure: str,
    recheck_on: date | None = None,
    at: datetime | None = None,
) -> Action:
    """Add an action, numbered next in the plan. In a review's plan it answers one of the review's
    recommendations; the lead officer must be an active member of the lead agency."""
    kernel.require(can_manage_plan(actor), "Only the business unit or an administrator can add actions.")
    locked = kernel.lock(ActionPlan, plan.pk, noun="plan")  # numbers are given one at a time
    values = {
        "recommendation": recommendation,
        "description": description,
        "lead_agency": lead_agency,
        "lead_officer": lead_officer,
        "start_on": start_on,
        "due_on": due_on,
        "success_measure": success_measure,
        "recheck_on": recheck_on,
    }
    errors: dict[str, str] = {}
    _check_action(errors, locked, values)
    if errors:
        raise ValidationError(errors)
    now = kernel.now(at)
    number = (locked.actions.aggregate(n=Max("number"))["n"] or 0) + 1
    action = Action.objects.create(
        plan=locked,
        number=number,
        **{**values, "description": description.strip(), "success_measure": success_measure.strip()},
        created_at=now,
        updated_at=now,
    )
    ActionPlan.objects.filter(pk=locked.pk).update(updated_at=now)
    record_activity(
        actor=actor,
        action="actionplan.action_added",
        target=action,
        changes=created_diff(action, ACTION_FIELDS, MASKED),
    )
    follow(actor, recommendation)
    return action


@kernel.service
def edit_action(*, actor: Person, action: Action, version: int, **fields: Any) -> Action:
    """Change what an action is (not its status or RAG, which updates set). `version` is the one the
    person read: a change made since refuses this one (StaleVersion), never overwritten silently."""
    kernel.require(can_manage_plan(actor), "Only the business unit or an administrator can change actions.")
    unknown = set(fields) - set(ACTION_FIELDS)
    if unknown:
        raise ValidationError(
            dict.fromkeys(sorted(unknown), "This cannot be changed here: status and RAG change through an update.")
        )
    locked = locked_action(action, version)
    before = snapshot(locked, ACTION_FIELDS)
    before_recommendation = locked.recommendation
    values = {name: getattr(locked, name) for name in ACTION_FIELDS}
    values.update(fields)
    errors: dict[str, str] = {}
    _check_action(errors, locked.plan, values)
    if errors:
        raise ValidationError(errors)
    cleaned = {name: value.strip() if isinstance(value, str) else value for name, value in fields.items()}
    for name, value in cleaned.items():
        setattr(locked, name, value)
    changes = diff(before, snapshot(locked, ACTION_FIELDS), MASKED)
    if not changes:
        kernel.unchanged()
        return sync(action, locked)
    kernel.update_versioned(locked, version=version, changes={**cleaned, "updated_at": timezone.now()}, noun="action")
    record_activity(actor=actor, action="actionplan.action_edited", target=locked, changes=changes)
    if "recommendation" in changes:
        follow(actor, before_recommendation)
        follow(actor, locked.recommendation)
    return sync(action, locked)
