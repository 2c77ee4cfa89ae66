"""A plan's lifecycle: the meeting that agrees a draft (from then on that version never changes),
amending an agreed plan into a new draft, and ending the plan. Status moves only through
`permissions.PLAN_WORKFLOW`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from safeguarding.core import kernel
from safeguarding.plans import permissions
from safeguarding.plans.enums import AgreementMethod, PersonKind, PlanStatus, PlanType, VersionState
from safeguarding.plans.models import CONTENT_FIELD_NAMES, Agreement, AgreementPerson, CarePlan, Objective, PlanVersion
from safeguarding.plans.services.common import (
    PersonInput,
    bump,
    chronology,
    draft_of,
    locked,
    log,
    move,
    person_errors,
    person_values,
    today,
    type_label,
)

if TYPE_CHECKING:
    from safeguarding.core.types import Person


def _agreement_errors(
    stored: CarePlan, draft: PlanVersion, agreed_on: date, method: str, people: Sequence[PersonInput], at: Any
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not draft.objectives.exists():
        errors["__all__"] = "Add at least one objective (who will do what, by when) before the plan is agreed."
    if agreed_on is None:
        errors["agreed_on"] = "Enter the date the plan was agreed."
    elif agreed_on > today(at) or agreed_on > timezone.localdate():
        errors["agreed_on"] = "The date the plan was agreed must be today or in the past."
    elif agreed_on < stored.started_on:
        errors["agreed_on"] = "The date the plan was agreed cannot be before the plan started."
    if method not in AgreementMethod.values:
        errors["method"] = "Choose how the plan was agreed."
    elif method == AgreementMethod.CONFERENCE and stored.plan_type != PlanType.CHILD_PROTECTION:
        errors["method"] = (
            "Only a child protection plan is made at a child protection conference: choose how this plan was agreed."
        )
    problems = [p for p in (person_errors(person) for person in people) if p]
    if problems:
        errors["people"] = problems[0]
    elif not any(p.kind == PersonKind.FAMILY for p in people):
        errors["people"] = "Name at least one family member who agreed the plan, and their relationship to the child."
    elif not any(p.kind == PersonKind.PROFESSIONAL for p in people):
        errors["people"] = "Name at least one professional who agreed the plan."
    return errors


@kernel.service
def agree_version(
    *,
    actor: Person,
    plan: CarePlan,
    version: int,
    agreed_on: date,
    method: str,
    people: Sequence[PersonInput],
    family_disputes: str = "",
    at: datetime | None = None,
) -> Agreement:
    """Record the meeting at which the draft was agreed: from now on that version never changes."""
    stored = locked(plan, version)
    permissions.PLAN_WORKFLOW.check("agree", actor, stored)
    draft = draft_of(stored)
    errors = _agreement_errors(stored, draft, agreed_on, method, people, at)
    if errors:
        raise ValidationError(errors)
    now = kernel.now(at)
    draft.state = VersionState.AGREED
    draft.agreed_at = now
    draft.save(update_fields=["state", "agreed_at"])
    agreement = Agreement.objects.create(
        version=draft,
        agreed_on=agreed_on,
        method=method,
        family_disputes=(family_disputes or "").strip(),
        recorded_by=actor,
        recorded_at=now,
    )
    AgreementPerson.objects.bulk_create(
        [AgreementPerson(agreement=agreement, relationship=p.relationship.strip(), **person_values(p)) for p in people]
    )
    first = stored.status == PlanStatus.DRAFT
    move(
        actor,
        stored,
        plan,
        action="agree",
        version=version,
        log_action="care_plan.agreed",
        changes={"version": [None, draft.number], "method": [None, method], "people": [None, len(people)]},
    )
    disputed = " The family disputes part of it (recorded in the plan)." if agreement.family_disputes else ""
    if method == AgreementMethod.CONFERENCE:
        made = "made" if first else "changed"
        summary = f"{type_label(stored)} plan {made} at the child protection conference ({stored.reference}, "
    else:
        made = "agreed" if first else "changes agreed"
        summary = f"{type_label(stored)} plan {made} with the family ({stored.reference}, "
    chronology(
        actor=actor,
        plan=stored,
        code="plan_agreed",
        summary=f"{summary}version {draft.number}; {AgreementMethod(method).label.lower()}).{disputed}",
        on=agreed_on,
    )
    return agreement


AMEND_MESSAGE = "Only the lead professional and the agencies in the plan can amend it."


@kernel.service
def amend_plan(*, actor: Person, plan: CarePlan, version: int, at: datetime | None = None) -> PlanVersion:
    """Start a new draft copying the latest agreed version (objectives keep their uid)."""
    stored = locked(plan, version)
    kernel.require(permissions.can_edit_draft(actor, stored), AMEND_MESSAGE)
    kernel.require(
        stored.draft_version() is None,
        "There is already a draft of this plan. Change that draft, or have it agreed first.",
    )
    agreed = stored.agreed_version()
    if agreed is None:
        raise kernel.NotAllowed("The plan has not been agreed yet: change its draft instead.")
    values = {name: getattr(agreed, name) for name in CONTENT_FIELD_NAMES}
    draft = PlanVersion.objects.create(
        plan=stored, number=stored.latest_version().number + 1, created_by=actor, created_at=kernel.now(at), **values
    )
    Objective.objects.bulk_create(
        [
            Objective(
                version=draft,
                uid=o.uid,
                order=o.order,
                **{name: getattr(o, name) for name in ("action", "owner_kind", "owner_name", "owner_relationship")},
                owner_user_id=o.owner_user_id,
                owner_agency_id=o.owner_agency_id,
                due_on=o.due_on,
                support_offered=o.support_offered,
                progress_measure=o.progress_measure,
            )
            for o in agreed.objectives.all()
        ]
    )
    bump(stored, plan, version)
    log(actor, "care_plan.amended", stored, draft, {"version": [agreed.number, draft.number]})
    return draft


@kernel.service
def end_plan(*, actor: Person, plan: CarePlan, version: int, ended_on: date, reason: str) -> CarePlan:
    stored = locked(plan, version)
    permissions.PLAN_WORKFLOW.check("end", actor, stored)
    errors: dict[str, str] = {}
    if ended_on is None:
        errors["ended_on"] = "Enter the date the plan ended."
    elif ended_on > timezone.localdate():
        errors["ended_on"] = "The end date must be today or in the past."
    elif ended_on < stored.started_on:
        errors["ended_on"] = "The end date cannot be before the plan started."
    if not (reason or "").strip():
        errors["reason"] = "Say why the plan is ending."
    if errors:
        raise ValidationError(errors)
    move(
        actor,
        stored,
        plan,
        action="end",
        version=version,
        log_action="care_plan.ended",
        fields={"ended_on": ended_on, "end_reason": reason.strip()},
        changes={"ended_on": [None, ended_on.isoformat()]},
    )
    chronology(
        actor=actor,
        plan=stored,
        code="plan_ended",
        summary=f"{type_label(stored)} plan ended ({stored.reference}).",
        on=ended_on,
    )
    return plan
