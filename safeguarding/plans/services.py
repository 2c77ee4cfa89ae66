"""State changes of care plans: one `verb_noun(*, actor, …)` per action, each in a transaction, checking
the access rule and the plan's `version`, writing the activity log (one row per child, so each child's
record shows it) and, for the plan's milestones, the child's chronology. Pages, the API, commands and
tasks all call these.

Chronology: `plan_started` when the plan is created, `plan_agreed` at every agreement, `plan_reviewed`
at every review meeting, `plan_ended` when it ends (category: the plan type), and
`plan_objective_overdue` when the overdue check flags an objective. Summaries hold no plan content.

`at` lets demo data date a change in the past; pages and the API never pass it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from safeguarding.agencies.models import Agency
from safeguarding.children.models import Child
from safeguarding.children.queries import children_visible_to
from safeguarding.children.services import record_child_view
from safeguarding.core import kernel
from safeguarding.core.services import diff, record_activity, snapshot
from safeguarding.plans import notifications, permissions
from safeguarding.plans.enums import (
    SCALE_MAX,
    SCALE_MIN,
    AgreementMethod,
    ObjectiveStatus,
    PersonKind,
    PlanStatus,
    PlanType,
    Rag,
    VersionState,
)
from safeguarding.plans.models import (
    CONTENT_FIELD_NAMES,
    AgreedVersionLocked,
    Agreement,
    AgreementPerson,
    CarePlan,
    CarePlanChild,
    Citation,
    Objective,
    ObjectiveUpdate,
    OverdueNotice,
    Participant,
    PlanError,
    PlanReview,
    PlanVersion,
    ScalingScore,
)
from safeguarding.plans.queries import overdue_objectives

STALE_MESSAGE = "Someone else changed this plan since you opened it. Check the plan as it is now, then try again."
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


class NotAllowed(PlanError, kernel.NotAllowed):
    default_message = "You cannot do this on this plan."


class StaleVersion(PlanError, kernel.StaleVersion):
    default_message = STALE_MESSAGE


@dataclass(frozen=True)
class PersonInput:
    """A professional (user and agency) or a family or network member (name and relationship)."""

    kind: str
    name: str = ""
    relationship: str = ""
    user: Any = None
    agency: Agency | None = None


@dataclass(frozen=True)
class ObjectiveInput:
    action: str
    owner_kind: str
    due_on: date | None
    progress_measure: str
    support_offered: str = ""
    owner_user: Any = None
    owner_agency: Agency | None = None
    owner_name: str = ""
    owner_relationship: str = ""


@dataclass(frozen=True)
class ScoreInput:
    kind: str
    score: int | None
    reason: str
    name: str = ""
    role: str = ""
    user: Any = None
    agency: Agency | None = None


@dataclass
class OverdueResult:
    flagged: int = 0
    objectives: list[Objective] = field(default_factory=list)


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _today(at: datetime | None) -> date:
    return timezone.localdate(at) if at else timezone.localdate()


def _display_name(user: Any) -> str:
    return str(user.get_full_name() or user.username)


def _child_ids(plan: CarePlan) -> list[int]:
    return list(plan.child_links.values_list("child_id", flat=True))


def _log(actor: Any, action: str, plan: CarePlan, target: Any = None, changes: dict[str, Any] | None = None) -> None:
    """One activity row per child in the plan, so each child's record shows the change."""
    for child_id in _child_ids(plan):
        record_activity(actor=actor, action=action, target=target or plan, child_id=child_id, changes=changes)


def _locked(plan: CarePlan, version: int) -> CarePlan:
    """The plan as stored now, locked for this transaction; refused if it changed since `version`."""
    current = CarePlan.objects.select_for_update(of=("self",)).get(pk=plan.pk)
    if current.version != version:
        raise StaleVersion()
    return current


def _bump(stored: CarePlan, caller: CarePlan, fields: Sequence[str] = ()) -> CarePlan:
    stored.version += 1
    stored.save(update_fields=["version", *fields])
    for f in CarePlan._meta.concrete_fields:
        setattr(caller, f.attname, getattr(stored, f.attname))
    return caller


def _require(rule: Any, actor: Any, plan: CarePlan, message: str) -> None:
    if not rule(actor, plan):
        raise NotAllowed(message)


def _draft(plan: CarePlan) -> PlanVersion:
    draft = plan.draft_version()
    if draft is None:
        raise AgreedVersionLocked()
    return draft


EDIT_MESSAGE = "Only the lead professional and the agencies in the plan can edit it."


def _editing(actor: Any, plan: CarePlan, version: int) -> tuple[CarePlan, PlanVersion]:
    """The plan locked at `version`, checked editable by `actor`, and its draft (an agreed version: refused)."""
    stored = _locked(plan, version)
    _require(permissions.can_edit_draft, actor, stored, EDIT_MESSAGE)
    return stored, _draft(stored)


def _draft_objective(draft: PlanVersion, uid: Any) -> Objective:
    objective = draft.objectives.filter(uid=uid).first()
    if objective is None:
        raise AgreedVersionLocked("This objective is not in the draft. Amend the plan to change it.")
    return objective


def record_plan_view(*, actor: Any, plan: CarePlan, action: str = "care_plan.viewed") -> None:
    """Every view or download of a plan is a view of each child's record (called after the access check)."""
    for child in plan.children.all():
        record_child_view(actor=actor, child=child, action=action)


def _chronology(*, actor: Any, plan: CarePlan, code: str, summary: str, on: date) -> Any:
    """Write a milestone to the children's chronology for the lead agency (or the actor's own agency)."""
    from safeguarding.chronology.models import EventType
    from safeguarding.chronology.permissions import may_record_for_agency
    from safeguarding.chronology.services import record_event

    event_type = EventType.objects.filter(code=code, is_active=True).first()
    if event_type is None or actor is None:
        return None
    agency: Agency | None = plan.lead_agency
    if not may_record_for_agency(actor, agency):
        agency = (
            Agency.objects.filter(pk__in=getattr(actor, "case_agency_ids", set()), is_active=True)
            .order_by("pk")
            .first()
        )
    if agency is None:
        return None
    category = plan.plan_type if plan.plan_type in event_type.category_codes else ""
    try:
        return record_event(
            actor=actor,
            agency=agency,
            children=list(plan.children.all()),
            event_type=event_type,
            occurred_on=min(on, timezone.localdate()),
            summary=summary,
            category=category,
        )
    except (ValidationError, PermissionDenied):
        # The recorder no longer works with one of the children: the plan change still stands.
        return None


def _type_label(plan: CarePlan) -> str:
    return str(PlanType(plan.plan_type).label)


def _clean_content(content: dict[str, Any]) -> dict[str, Any]:
    unknown = set(content) - set(CONTENT_FIELD_NAMES)
    if unknown:
        raise ValueError(f"Unknown plan fields: {sorted(unknown)}")
    out: dict[str, Any] = {}
    for name, value in content.items():
        out[name] = value if name == "review_date" else (value or "").strip()
    return out


# Plan ------------------------------------------------------------------------------------------


@transaction.atomic
def create_plan(
    *,
    actor: Any,
    children: Sequence[Child],
    plan_type: str,
    lead_professional: Any,
    lead_agency: Agency,
    started_on: date | None = None,
    content: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> CarePlan:
    """Draft a new plan (version 1). Every child must be visible to the author and to the lead professional."""
    if not permissions.can_create_plan(actor):
        raise NotAllowed("Only practitioners and managers of agencies that work with children can draft a plan.")
    errors: dict[str, str] = {}
    unique = {c.pk: c for c in children}
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
    start = started_on or _today(at)
    if start > timezone.localdate():
        errors["started_on"] = "The start date must be today or in the past."
    cleaned = _clean_content(content or {})
    if errors:
        raise ValidationError(errors)
    now = _now(at)
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
        name=_display_name(lead_professional),
        relationship="Lead professional",
        added_at=now,
    )
    _log(
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
    _chronology(
        actor=actor,
        plan=plan,
        code="plan_started",
        summary=f"{_type_label(plan)} plan started ({plan.reference}). Lead professional: "
        f"{_display_name(lead_professional)}, {lead_agency.name}.",
        on=start,
    )
    return plan


@transaction.atomic
def update_draft(*, actor: Any, plan: CarePlan, version: int, content: dict[str, Any]) -> PlanVersion:
    """Change the draft's content. An agreed version is never changed: amend the plan first."""
    stored, draft = _editing(actor, plan, version)
    cleaned = _clean_content(content)
    before = snapshot(draft, cleaned.keys())
    for name, value in cleaned.items():
        setattr(draft, name, value)
    draft.save(update_fields=list(cleaned))
    _bump(stored, plan)
    _log(actor, "care_plan.draft_changed", stored, draft, diff(before, snapshot(draft, cleaned.keys()), MASKED_CONTENT))
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
    professional = data.owner_kind == PersonKind.PROFESSIONAL
    return {
        "action": data.action.strip(),
        "owner_kind": data.owner_kind,
        "owner_user": data.owner_user if professional else None,
        "owner_agency": data.owner_agency if professional else None,
        "owner_name": _display_name(data.owner_user) if professional else data.owner_name.strip(),
        "owner_relationship": (data.owner_relationship or "").strip(),
        "due_on": data.due_on,
        "support_offered": (data.support_offered or "").strip(),
        "progress_measure": data.progress_measure.strip(),
    }


@transaction.atomic
def add_objective(*, actor: Any, plan: CarePlan, version: int, data: ObjectiveInput) -> Objective:
    stored, draft = _editing(actor, plan, version)
    errors = _objective_errors(data)
    if errors:
        raise ValidationError(errors)
    order = (draft.objectives.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    objective = Objective.objects.create(version=draft, order=order, **_objective_values(data))
    _bump(stored, plan)
    _log(
        actor,
        "care_plan.objective_added",
        stored,
        objective,
        diff({}, snapshot(objective, OBJECTIVE_LOG_FIELDS), MASKED_OBJECTIVE),
    )
    return objective


@transaction.atomic
def change_objective(*, actor: Any, plan: CarePlan, version: int, uid: Any, data: ObjectiveInput) -> Objective:
    stored, draft = _editing(actor, plan, version)
    objective = _draft_objective(draft, uid)
    errors = _objective_errors(data)
    if errors:
        raise ValidationError(errors)
    before = snapshot(objective, OBJECTIVE_LOG_FIELDS)
    for name, value in _objective_values(data).items():
        setattr(objective, name, value)
    objective.save()
    _bump(stored, plan)
    _log(
        actor,
        "care_plan.objective_changed",
        stored,
        objective,
        diff(before, snapshot(objective, OBJECTIVE_LOG_FIELDS), MASKED_OBJECTIVE),
    )
    return objective


@transaction.atomic
def remove_objective(*, actor: Any, plan: CarePlan, version: int, uid: Any) -> None:
    stored, draft = _editing(actor, plan, version)
    objective = _draft_objective(draft, uid)
    if objective.citations.exists() or objective.updates.exists():
        raise NotAllowed("This objective has progress updates or is cited elsewhere, so it stays in the record.")
    objective_id = objective.pk
    objective.delete()
    _bump(stored, plan)
    _log(
        actor,
        "care_plan.objective_removed",
        stored,
        changes={"objective": [objective_id, None], "uid": [str(uid), None]},
    )


def _person_errors(person: PersonInput) -> str | None:
    if person.kind == PersonKind.PROFESSIONAL:
        if person.user is None or person.agency is None:
            return "Choose the professional and their agency."
        if not person.user.memberships.filter(agency=person.agency, is_active=True).exists():
            return "Choose a professional who works in the agency named."
        return None
    if person.kind not in (PersonKind.FAMILY, PersonKind.NETWORK):
        return "Say whether this is a professional, a family member or a network member."
    if not person.name.strip():
        return "Enter the person's name."
    if not person.relationship.strip():
        return "Enter their relationship to the child."
    return None


@transaction.atomic
def add_participant(*, actor: Any, plan: CarePlan, version: int, person: PersonInput) -> Participant:
    stored = _locked(plan, version)
    _require(permissions.can_edit_draft, actor, stored, EDIT_MESSAGE)
    problem = _person_errors(person)
    if problem:
        raise ValidationError({"name" if person.kind != PersonKind.PROFESSIONAL else "user": problem})
    participant = Participant.objects.create(
        plan=stored,
        kind=person.kind,
        user=person.user if person.kind == PersonKind.PROFESSIONAL else None,
        agency=person.agency if person.kind == PersonKind.PROFESSIONAL else None,
        name=_display_name(person.user) if person.kind == PersonKind.PROFESSIONAL else person.name.strip(),
        relationship=person.relationship.strip(),
    )
    _bump(stored, plan)
    _log(
        actor,
        "care_plan.participant_added",
        stored,
        participant,
        {"kind": [None, person.kind], "agency": [None, participant.agency_id]},
    )
    return participant


@transaction.atomic
def remove_participant(*, actor: Any, plan: CarePlan, version: int, participant: Participant) -> None:
    stored = _locked(plan, version)
    _require(permissions.can_edit_draft, actor, stored, EDIT_MESSAGE)
    if participant.plan_id != stored.pk:
        raise NotAllowed("This person is not in this plan.")
    if participant.user_id == stored.lead_professional_id and participant.kind == PersonKind.PROFESSIONAL:
        raise NotAllowed("The lead professional stays in the plan.")
    participant_id = participant.pk
    participant.delete()
    _bump(stored, plan)
    _log(actor, "care_plan.participant_removed", stored, changes={"participant": [participant_id, None]})


# Agreement and versions -------------------------------------------------------------------------


@transaction.atomic
def agree_version(
    *,
    actor: Any,
    plan: CarePlan,
    version: int,
    agreed_on: date,
    method: str,
    people: Sequence[PersonInput],
    family_disputes: str = "",
    at: datetime | None = None,
) -> Agreement:
    """Record the meeting at which the draft was agreed: from now on that version never changes."""
    stored = _locked(plan, version)
    _require(
        permissions.can_hold_meeting,
        actor,
        stored,
        "Only the lead professional or their manager can record the agreement.",
    )
    draft = _draft(stored)
    errors: dict[str, str] = {}
    if not draft.objectives.exists():
        errors["__all__"] = "Add at least one objective (who will do what, by when) before the plan is agreed."
    if agreed_on is None:
        errors["agreed_on"] = "Enter the date the plan was agreed."
    elif agreed_on > _today(at) or agreed_on > timezone.localdate():
        errors["agreed_on"] = "The date the plan was agreed must be today or in the past."
    elif agreed_on < stored.started_on:
        errors["agreed_on"] = "The date the plan was agreed cannot be before the plan started."
    if method not in AgreementMethod.values:
        errors["method"] = "Choose how the plan was agreed."
    problems = [p for p in (_person_errors(person) for person in people) if p]
    if problems:
        errors["people"] = problems[0]
    elif not any(p.kind == PersonKind.FAMILY for p in people):
        errors["people"] = "Name at least one family member who agreed the plan, and their relationship to the child."
    elif not any(p.kind == PersonKind.PROFESSIONAL for p in people):
        errors["people"] = "Name at least one professional who agreed the plan."
    if errors:
        raise ValidationError(errors)
    now = _now(at)
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
        [
            AgreementPerson(
                agreement=agreement,
                kind=p.kind,
                user=p.user if p.kind == PersonKind.PROFESSIONAL else None,
                agency=p.agency if p.kind == PersonKind.PROFESSIONAL else None,
                name=_display_name(p.user) if p.kind == PersonKind.PROFESSIONAL else p.name.strip(),
                relationship=p.relationship.strip(),
            )
            for p in people
        ]
    )
    first = stored.status == PlanStatus.DRAFT
    stored.status = PlanStatus.AGREED
    _bump(stored, plan, ["status"])
    _log(
        actor,
        "care_plan.agreed",
        stored,
        draft,
        {"version": [None, draft.number], "method": [None, method], "people": [None, len(people)]},
    )
    disputed = " The family disputes part of it (recorded in the plan)." if agreement.family_disputes else ""
    _chronology(
        actor=actor,
        plan=stored,
        code="plan_agreed",
        summary=f"{_type_label(stored)} plan {'agreed' if first else 'changes agreed'} with the family "
        f"({stored.reference}, version {draft.number}; {AgreementMethod(method).label.lower()}).{disputed}",
        on=agreed_on,
    )
    return agreement


@transaction.atomic
def amend_plan(*, actor: Any, plan: CarePlan, version: int, at: datetime | None = None) -> PlanVersion:
    """Start a new draft copying the latest agreed version (objectives keep their uid)."""
    stored = _locked(plan, version)
    _require(
        permissions.can_edit_draft,
        actor,
        stored,
        "Only the lead professional and the agencies in the plan can amend it.",
    )
    if stored.draft_version() is not None:
        raise NotAllowed("There is already a draft of this plan. Change that draft, or have it agreed first.")
    agreed = stored.agreed_version()
    if agreed is None:
        raise NotAllowed("The plan has not been agreed yet: change its draft instead.")
    values = {name: getattr(agreed, name) for name in CONTENT_FIELD_NAMES}
    draft = PlanVersion.objects.create(
        plan=stored, number=stored.latest_version().number + 1, created_by=actor, created_at=_now(at), **values
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
    _bump(stored, plan)
    _log(actor, "care_plan.amended", stored, draft, {"version": [agreed.number, draft.number]})
    return draft


# Monitoring -------------------------------------------------------------------------------------


def _acting_agency(actor: Any, plan: CarePlan) -> Agency | None:
    ids = actor.agency_ids_with_role(permissions.UPDATE_ROLES) & permissions.plan_agency_ids(plan)
    if not ids:
        return None
    return Agency.objects.filter(pk__in=ids).order_by("pk").first()


@transaction.atomic
def record_objective_update(
    *,
    actor: Any,
    plan: CarePlan,
    uid: Any,
    status: str,
    rag: str,
    evidence: str,
    at: datetime | None = None,
) -> ObjectiveUpdate:
    """Progress on an objective of the agreed plan in force."""
    stored = CarePlan.objects.select_for_update(of=("self",)).get(pk=plan.pk)
    _require(
        permissions.can_record_update,
        actor,
        stored,
        "Progress is recorded on an agreed plan, by the lead professional and the agencies in it.",
    )
    agreed = stored.agreed_version()
    objective = agreed.objectives.filter(uid=uid).first() if agreed else None
    if objective is None:
        raise NotAllowed("This objective is not in the agreed plan. Record progress on the plan in force.")
    errors: dict[str, str] = {}
    if status not in ObjectiveStatus.values:
        errors["status"] = "Choose the status of the objective."
    if rag not in Rag.values:
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
        recorded_at=_now(at),
    )
    _log(actor, "care_plan.progress_recorded", stored, update, {"status": [None, status], "rag": [None, rag]})
    return update


def _score_errors(scores: Sequence[ScoreInput]) -> list[str]:
    problems: list[str] = []
    for number, s in enumerate(scores, start=1):
        who = s.name.strip() or (_display_name(s.user) if s.user is not None else f"person {number}")
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


@transaction.atomic
def record_review(
    *,
    actor: Any,
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
    stored = _locked(plan, version)
    _require(
        permissions.can_hold_meeting, actor, stored, "Only the lead professional or their manager can record a review."
    )
    agreed = stored.agreed_version()
    if agreed is None or stored.status != PlanStatus.AGREED:
        raise NotAllowed("A plan is reviewed once it has been agreed.")
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
        recorded_at=_now(at),
    )
    ScalingScore.objects.bulk_create(
        [
            ScalingScore(
                review=review,
                plan=stored,
                kind=s.kind,
                user=s.user if s.kind == PersonKind.PROFESSIONAL else None,
                agency=s.agency if s.kind == PersonKind.PROFESSIONAL else None,
                name=_display_name(s.user) if s.kind == PersonKind.PROFESSIONAL else s.name.strip(),
                role=s.role.strip(),
                score=int(s.score or 0),
                reason=s.reason.strip(),
            )
            for s in scores
        ]
    )
    _bump(stored, plan)
    _log(
        actor,
        "care_plan.reviewed",
        stored,
        review,
        {"held_on": [None, held_on.isoformat()], "scores": [None, len(scores)]},
    )
    following = f" Next review: {next_review_on:%d/%m/%Y}." if next_review_on else ""
    _chronology(
        actor=actor,
        plan=stored,
        code="plan_reviewed",
        summary=f"{_type_label(stored)} plan reviewed ({stored.reference}).{following}",
        on=held_on,
    )
    return review


@transaction.atomic
def end_plan(*, actor: Any, plan: CarePlan, version: int, ended_on: date, reason: str) -> CarePlan:
    stored = _locked(plan, version)
    _require(
        permissions.can_hold_meeting, actor, stored, "Only the lead professional or their manager can end the plan."
    )
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
    stored.status, stored.ended_on, stored.end_reason = PlanStatus.ENDED, ended_on, reason.strip()
    _bump(stored, plan, ["status", "ended_on", "end_reason"])
    _log(
        actor,
        "care_plan.ended",
        stored,
        changes={"status": [None, PlanStatus.ENDED], "ended_on": [None, ended_on.isoformat()]},
    )
    _chronology(
        actor=actor,
        plan=stored,
        code="plan_ended",
        summary=f"{_type_label(stored)} plan ended ({stored.reference}).",
        on=ended_on,
    )
    return plan


def flag_overdue_objectives(today: date | None = None) -> OverdueResult:
    """Flag each overdue objective once per due date: tell the lead professional and a professional owner,
    and write `plan_objective_overdue` to the children's chronology."""
    result = OverdueResult()
    for objective in overdue_objectives(today):
        with transaction.atomic():
            plan = (
                CarePlan.objects.select_for_update(of=("self",))
                .select_related("lead_professional", "lead_agency")
                .get(pk=objective.version.plan_id)
            )
            if OverdueNotice.objects.filter(objective_uid=objective.uid, due_on=objective.due_on).exists():
                continue
            OverdueNotice.objects.create(
                plan=plan, objective=objective, objective_uid=objective.uid, due_on=objective.due_on
            )
            _log(None, "care_plan.objective_overdue", plan, objective, {"due_on": [None, objective.due_on.isoformat()]})
            lead = plan.lead_professional
            if lead.is_active:
                _chronology(
                    actor=lead,
                    plan=plan,
                    code="plan_objective_overdue",
                    summary=f"An objective of the {_type_label(plan).lower()} plan ({plan.reference}) was due on "
                    f"{objective.due_on:%d/%m/%Y} and is not recorded as achieved. Recorded automatically.",
                    on=today or timezone.localdate(),
                )
            recipients = [lead]
            if objective.owner_kind == PersonKind.PROFESSIONAL and objective.owner_user is not None:
                recipients.append(objective.owner_user)
            notifications.objective_overdue(plan, objective, recipients)
            result.flagged += 1
            result.objectives.append(objective)
    return result


# Links ------------------------------------------------------------------------------------------


@transaction.atomic
def cite_objective(
    *, actor: Any, objective: Objective, note: str, escalation: Any = None, review: Any = None
) -> Citation:
    """Cite an objective in an escalation or a review the actor may see."""
    from safeguarding.escalations.queries import escalations_visible_to
    from safeguarding.reviews.queries import reviews_visible_to

    plan = objective.version.plan
    _require(permissions.can_cite, actor, plan, "You cannot cite objectives of this plan.")
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
    _log(
        actor,
        "care_plan.objective_cited",
        plan,
        citation,
        {"escalation": [None, getattr(escalation, "pk", None)], "review": [None, getattr(review, "pk", None)]},
    )
    return citation
