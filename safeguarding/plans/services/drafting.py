"""Drafting a care plan: creating it, changing the draft's content, its objectives and the people in it.
An agreed version never changes: these refuse it (amend the plan first)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from safeguarding.agencies.models import Agency
from safeguarding.children.models import Child
from safeguarding.children.queries import children_visible_to
from safeguarding.core import kernel
from safeguarding.core.services import diff, snapshot
from safeguarding.plans import permissions
from safeguarding.plans.enums import PersonKind, PlanStatus, PlanType
from safeguarding.plans.models import (
    CONTENT_FIELD_NAMES,
    CarePlan,
    CarePlanChild,
    Objective,
    Participant,
    PlanVersion,
)
from safeguarding.plans.services.common import (
    EDIT_MESSAGE,
    ObjectiveInput,
    PersonInput,
    bump,
    chronology,
    clean_content,
    display_name,
    draft_objective,
    editing,
    locked,
    log,
    person_errors,
    person_values,
    today,
    type_label,
)

if TYPE_CHECKING:
    from safeguarding.core.types import Person

# Free-text content is personal: the activity log says it changed, not how.
MASKED_CONTENT = tuple(name for name in CONTENT_FIELD_NAMES if name not in ("review_date", "review_forum"))
OBJECTIVE_LOG_FIELDS = (
    "action",
    "owner_kind",
    "owner_user",
    "owner_agency",
    "owner_name",
    "owner_relationship",
    "due_on",
    "support_offered",
    "progress_measure",
)
MASKED_OBJECTIVE = ("action", "owner_name", "owner_relationship", "support_offered", "progress_measure")
CREATE_MESSAGE = "Only practitioners and managers of agencies that work with children can draft a plan."


def _plan_errors(
    actor: Person,
    unique: dict[int, Child],
    plan_type: str,
    lead_professional: Person | None,
    lead_agency: Agency | None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not unique:
        errors["children"] = "Choose at least one child the plan is for."
    elif children_visible_to(actor).filter(pk__in=list(unique)).count() != len(unique):
        errors["children"] = "Choose only children whose records you can see."
    if plan_type not in PlanType.values:
        errors["plan_type"] = "Choose the type of plan."
    if lead_professional is None or lead_agency is None:
        errors["lead_professional"] = "Choose the lead professional and their agency."
    elif not lead_professional.memberships.filter(
        agency=lead_agency, is_active=True, role__in=permissions.EDIT_ROLES
    ).exists():
        errors["lead_professional"] = "Choose a lead professional who works in the lead agency."
    elif unique and children_visible_to(lead_professional).filter(pk__in=list(unique)).count() != len(unique):
        errors["lead_professional"] = (
            "The lead professional cannot see every child in the plan. "
            "Choose someone whose agency works with each child."
        )
    return errors


@kernel.service
def create_plan(
    *,
    actor: Person,
    children: Sequence[Child],
    plan_type: str,
    lead_professional: Person,
    lead_agency: Agency,
    started_on: date | None = None,
    content: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> CarePlan:
    """Draft a new plan (version 1). Every child must be visible to the author and to the lead professional."""
    kernel.require(permissions.can_create_plan(actor), CREATE_MESSAGE)
    unique = {c.pk: c for c in children}
    errors = _plan_errors(actor, unique, plan_type, lead_professional, lead_agency)
    start = started_on or today(at)
    if start > timezone.localdate():
        errors["started_on"] = "The start date must be today or in the past."
    cleaned = clean_content(content or {})
    if errors:
        raise ValidationError(errors)
    now = kernel.now(at)
    plan = CarePlan.objects.create(
        plan_type=plan_type,
        lead_professional=lead_professional,
        lead_agency=lead_agency,
        status=PlanStatus.DRAFT,
        started_on=start,
        created_by=actor,
        created_at=now,
    )
    CarePlanChild.objects.bulk_create([CarePlanChild(plan=plan, child=c) for c in unique.values()])
    PlanVersion.objects.create(plan=plan, number=1, created_by=actor, created_at=now, **cleaned)
    Participant.objects.create(
        plan=plan,
        kind=PersonKind.PROFESSIONAL,
        user=lead_professional,
        agency=lead_agency,
        name=display_name(lead_professional),
        relationship="Lead professional",
        added_at=now,
    )
    log(
        actor,
        "care_plan.created",
        plan,
        changes={
            "plan_type": [None, plan_type],
            "lead_professional": [None, lead_professional.pk],
            "lead_agency": [None, lead_agency.pk],
            "children": [None, len(unique)],
        },
    )
    chronology(
        actor=actor,
        plan=plan,
        code="plan_started",
        summary=f"{type_label(plan)} plan started ({plan.reference}). Lead professional: "
        f"{display_name(lead_professional)}, {lead_agency.name}.",
        on=start,
    )
    return plan


@kernel.service
def update_draft(*, actor: Person, plan: CarePlan, version: int, content: dict[str, Any]) -> PlanVersion:
    """Change the draft's content. An agreed version is never changed: amend the plan first."""
    stored, draft = editing(actor, plan, version)
    cleaned = clean_content(content)
    before = snapshot(draft, cleaned.keys())
    for name, value in cleaned.items():
        setattr(draft, name, value)
    draft.save(update_fields=list(cleaned))
    bump(stored, plan, version)
    log(actor, "care_plan.draft_changed", stored, draft, diff(before, snapshot(draft, cleaned.keys()), MASKED_CONTENT))
    return draft


def _objective_errors(data: ObjectiveInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not (data.action or "").strip():
        errors["action"] = "Say what will be done."
    if not (data.progress_measure or "").strip():
        errors["progress_measure"] = "Say how progress will be measured."
    if data.due_on is None:
        errors["due_on"] = "Enter the date by when it will be done."
    if data.owner_kind == PersonKind.PROFESSIONAL:
        if data.owner_user is None or data.owner_agency is None:
            errors["owner_user"] = "Choose the professional who will do it."
        elif not data.owner_user.memberships.filter(agency=data.owner_agency, is_active=True).exists():
            errors["owner_user"] = "Choose a professional who works in the agency named."
    elif data.owner_kind in (PersonKind.FAMILY, PersonKind.NETWORK):
        if not (data.owner_name or "").strip():
            errors["owner_name"] = "Enter the name of the family or network member who will do it."
    else:
        errors["owner_kind"] = "Choose who will do it: a professional, or a family or network member."
    return errors


def _objective_values(data: ObjectiveInput) -> dict[str, Any]:
    errors = _objective_errors(data)
    if errors:
        raise ValidationError(errors)
    professional = data.owner_kind == PersonKind.PROFESSIONAL
    return {
        "action": data.action.strip(),
        "owner_kind": data.owner_kind,
        "owner_user": data.owner_user if professional else None,
        "owner_agency": data.owner_agency if professional else None,
        "owner_name": display_name(data.owner_user) if professional and data.owner_user else data.owner_name.strip(),
        "owner_relationship": (data.owner_relationship or "").strip(),
        "due_on": data.due_on,
        "support_offered": (data.support_offered or "").strip(),
        "progress_measure": data.progress_measure.strip(),
    }


@kernel.service
def add_objective(*, actor: Person, plan: CarePlan, version: int, data: ObjectiveInput) -> Objective:
    stored, draft = editing(actor, plan, version)
    values = _objective_values(data)
    order = (draft.objectives.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    objective = Objective.objects.create(version=draft, order=order, **values)
    bump(stored, plan, version)
    log(
        actor,
        "care_plan.objective_added",
        stored,
        objective,
        diff({}, snapshot(objective, OBJECTIVE_LOG_FIELDS), MASKED_OBJECTIVE),
    )
    return objective


@kernel.service
def change_objective(*, actor: Person, plan: CarePlan, version: int, uid: Any, data: ObjectiveInput) -> Objective:
    stored, draft = editing(actor, plan, version)
    objective = draft_objective(draft, uid)
    values = _objective_values(data)
    before = snapshot(objective, OBJECTIVE_LOG_FIELDS)
    for name, value in values.items():
        setattr(objective, name, value)
    objective.save()
    bump(stored, plan, version)
    log(
        actor,
        "care_plan.objective_changed",
        stored,
        objective,
        diff(before, snapshot(objective, OBJECTIVE_LOG_FIELDS), MASKED_OBJECTIVE),
    )
    return objective


@kernel.service
def remove_objective(*, actor: Person, plan: CarePlan, version: int, uid: Any) -> None:
    stored, draft = editing(actor, plan, version)
    objective = draft_objective(draft, uid)
    if objective.citations.exists() or objective.updates.exists():
        raise kernel.NotAllowed("This objective has progress updates or is cited elsewhere, so it stays in the record.")
    objective_id = objective.pk
    objective.delete()
    bump(stored, plan, version)
    log(
        actor,
        "care_plan.objective_removed",
        stored,
        changes={"objective": [objective_id, None], "uid": [str(uid), None]},
    )


@kernel.service
def add_participant(*, actor: Person, plan: CarePlan, version: int, person: PersonInput) -> Participant:
    stored = locked(plan, version)
    kernel.require(permissions.can_edit_draft(actor, stored), EDIT_MESSAGE)
    problem = person_errors(person)
    if problem:
        raise ValidationError({"name" if person.kind != PersonKind.PROFESSIONAL else "user": problem})
    participant = Participant.objects.create(
        plan=stored, relationship=person.relationship.strip(), **person_values(person)
    )
    bump(stored, plan, version)
    log(
        actor,
        "care_plan.participant_added",
        stored,
        participant,
        {"kind": [None, person.kind], "agency": [None, participant.agency_id]},
    )
    return participant


@kernel.service
def remove_participant(*, actor: Person, plan: CarePlan, version: int, participant: Participant) -> None:
    stored = locked(plan, version)
    kernel.require(permissions.can_edit_draft(actor, stored), EDIT_MESSAGE)
    kernel.require(participant.plan_id == stored.pk, "This person is not in this plan.")
    is_lead = participant.user_id == stored.lead_professional_id and participant.kind == PersonKind.PROFESSIONAL
    kernel.require(not is_lead, "The lead professional stays in the plan.")
    participant_id = participant.pk
    participant.delete()
    bump(stored, plan, version)
    log(actor, "care_plan.participant_removed", stored, changes={"participant": [participant_id, None]})
