"""What every care-plan service shares: the inputs, the plan locked at the version the person read,
the activity log (one row per child), the status moves through `PLAN_WORKFLOW`, and the milestones
written to the children's chronology."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from safeguarding.agencies.models import Agency
from safeguarding.children.services import record_child_view
from safeguarding.core import kernel
from safeguarding.core.services import record_activity
from safeguarding.plans import permissions
from safeguarding.plans.enums import PersonKind, PlanType
from safeguarding.plans.models import CONTENT_FIELD_NAMES, AgreedVersionLocked, CarePlan, Objective, PlanVersion

if TYPE_CHECKING:
    from safeguarding.core.types import Person

NotAllowed = kernel.NotAllowed
StaleVersion = kernel.StaleVersion
NOUN = "plan"
STALE_MESSAGE = kernel.stale_message(NOUN)
EDIT_MESSAGE = "Only the lead professional and the agencies in the plan can edit it."


@dataclass(frozen=True)
class PersonInput:
    """A professional (user and agency) or a family or network member (name and relationship)."""

    kind: str
    name: str = ""
    relationship: str = ""
    user: Person | None = None
    agency: Agency | None = None


@dataclass(frozen=True)
class ObjectiveInput:
    action: str
    owner_kind: str
    due_on: date | None
    progress_measure: str
    support_offered: str = ""
    owner_user: Person | None = None
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
    user: Person | None = None
    agency: Agency | None = None


@dataclass
class OverdueResult:
    flagged: int = 0
    objectives: list[Objective] = field(default_factory=list)


def today(at: datetime | None) -> date:
    return timezone.localdate(at) if at else timezone.localdate()


def display_name(user: Person) -> str:
    return str(user.get_full_name() or user.username)


def child_ids(plan: CarePlan) -> list[int]:
    return list(plan.child_links.values_list("child_id", flat=True))


def log(
    actor: Person | None, action: str, plan: CarePlan, target: Any = None, changes: dict[str, Any] | None = None
) -> None:
    """One activity row per child in the plan, so each child's record shows the change."""
    for child_id in child_ids(plan):
        record_activity(actor=actor, action=action, target=target or plan, child_id=child_id, changes=changes)


def locked(plan: CarePlan, version: int | None) -> CarePlan:
    """The plan as stored now, locked for this transaction; refused if it changed since `version`."""
    return kernel.lock(CarePlan, plan.pk, version=version, noun=NOUN)


def _sync(stored: CarePlan, caller: CarePlan) -> CarePlan:
    """The caller's plan object follows what was saved (its `version` above all)."""
    for f in CarePlan._meta.concrete_fields:
        setattr(caller, f.attname, getattr(stored, f.attname))
    return caller


def bump(stored: CarePlan, caller: CarePlan, version: int) -> CarePlan:
    """Count a change of the plan's content (drafts, objectives, people, reviews) in its `version`."""
    kernel.update_versioned(stored, version=version, changes={}, noun=NOUN)
    return _sync(stored, caller)


def move(
    actor: Person,
    stored: CarePlan,
    caller: CarePlan,
    *,
    action: str,
    version: int,
    log_action: str,
    fields: Mapping[str, Any] | None = None,
    changes: Mapping[str, Any] | None = None,
) -> kernel.Moved:
    """Move the plan's status through `PLAN_WORKFLOW` (guard, version, the activity log for the first
    child), then log it for each other child in the plan."""
    children = child_ids(stored)
    moved = permissions.PLAN_WORKFLOW.apply(
        stored,
        action=action,
        actor=actor,
        version=version,
        fields=fields,
        log_action=log_action,
        log_changes=changes,
        child_id=children[0] if children else None,
    )
    for child_id in children[1:]:
        record_activity(
            actor=actor,
            action=log_action,
            target=stored,
            child_id=child_id,
            changes={"status": [moved.from_status, moved.to_status], **(changes or {})},
        )
    _sync(stored, caller)
    return moved


def draft_of(plan: CarePlan) -> PlanVersion:
    draft = plan.draft_version()
    if draft is None:
        raise AgreedVersionLocked()
    return draft


def editing(actor: Person, plan: CarePlan, version: int) -> tuple[CarePlan, PlanVersion]:
    """The plan locked at `version`, checked editable by `actor`, and its draft (an agreed version: refused)."""
    stored = locked(plan, version)
    kernel.require(permissions.can_edit_draft(actor, stored), EDIT_MESSAGE)
    return stored, draft_of(stored)


def draft_objective(draft: PlanVersion, uid: Any) -> Objective:
    objective = draft.objectives.filter(uid=uid).first()
    if objective is None:
        raise AgreedVersionLocked("This objective is not in the draft. Amend the plan to change it.")
    return objective


def record_plan_view(*, actor: Person, plan: CarePlan, action: str = "care_plan.viewed") -> None:
    """Every view or download of a plan is a view of each child's record (called after the access check)."""
    for child in plan.children.all():
        record_child_view(actor=actor, child=child, action=action)


def chronology(*, actor: Person, plan: CarePlan, code: str, summary: str, on: date) -> Any:
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


def type_label(plan: CarePlan) -> str:
    return str(PlanType(plan.plan_type).label)


def clean_content(content: dict[str, Any]) -> dict[str, Any]:
    unknown = set(content) - set(CONTENT_FIELD_NAMES)
    if unknown:
        raise ValueError(f"Unknown plan fields: {sorted(unknown)}")
    out: dict[str, Any] = {}
    for name, value in content.items():
        out[name] = value if name == "review_date" else (value or "").strip()
    return out


def person_errors(person: PersonInput) -> str | None:
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


def person_values(person: PersonInput | ScoreInput) -> dict[str, Any]:
    """Who a person is, as stored: a professional by user and agency, anyone else by name."""
    professional = person.kind == PersonKind.PROFESSIONAL
    return {
        "kind": person.kind,
        "user": person.user if professional else None,
        "agency": person.agency if professional else None,
        "name": display_name(person.user) if professional and person.user else person.name.strip(),
    }
