"""State changes of assessments and training records: one `verb_noun(*, actor, …)` function per action,
each a `kernel.service` (one transaction, the activity log written), checking the rule (the
trained-user guard above all) and the version, and writing the activity log. Pages, the API,
commands and the demo all call these, so all of them refuse alike.

`at` lets demo data date a change in the past; pages and the API never pass it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from safeguarding.agencies.models import Agency
from safeguarding.assessments.enums import AssessmentStatus
from safeguarding.assessments.models import (
    Assessment,
    AssessmentCitation,
    AssessmentTemplate,
    Grade,
    GradeCitation,
    TrainedAssessor,
)
from safeguarding.assessments.permissions import (
    ASSESSMENT_WORKFLOW,
    assessor_agency_ids,
    is_completed,
    is_person,
    is_trained,
    may_record_training_for,
    sees_assessment,
)
from safeguarding.assessments.structure import grade_key, units_of
from safeguarding.children.models import Child
from safeguarding.children.queries import children_visible_to
from safeguarding.core import kernel
from safeguarding.core.services import created_diff, record_activity

if TYPE_CHECKING:
    from safeguarding.core.types import Person

# Any refusal of an assessment service (kept for the modules that catch it by this name).
AssessmentError = kernel.ServiceError


class Locked(kernel.ServiceError):
    """The assessment is completed: it never changes (the API answers 409)."""


# Kept for the modules that import them from here.
NotAllowed = kernel.NotAllowed
StaleVersion = kernel.StaleVersion

STALE_MESSAGE = (
    "This assessment was saved somewhere else (another tab or device) while you were working on it, so "
    "your changes were not saved. Open it again to see the latest version, then make your changes again."
)


def not_trained_message(template: AssessmentTemplate) -> str:
    return (
        f"Only people recorded as trained for the {template.name} can start or complete it. "
        "Ask your agency's safeguarding lead to record your training."
    )


def locked_message(assessment: Assessment) -> str:
    day = assessment.completed_at.strftime("%d/%m/%Y") if assessment.completed_at else "an earlier date"
    return (
        f"Assessment {assessment.reference} was completed on {day} and cannot be changed. "
        "To record a change in the child's care, start a new assessment."
    )


def _check_trained(actor: Person, template: AssessmentTemplate) -> None:
    kernel.require(is_trained(actor, template), not_trained_message(template))


@kernel.service
def start_assessment(
    *,
    actor: Person,
    child: Child,
    template: AssessmentTemplate,
    agency: Agency | None = None,
    assessed_on: date | None = None,
    at: datetime | None = None,
) -> Assessment:
    """A draft with an empty grade for every unit of the template. The assessor must be trained for it."""
    kernel.require(is_person(actor), "Assessments are made by people trained for the template, not by agency systems.")
    _check_trained(actor, template)
    agencies = assessor_agency_ids(actor)
    kernel.require(agencies, "Only practitioners, managers and safeguarding leads who hold cases can assess a child.")
    errors: dict[str, str] = {}
    if not template.is_active:
        errors["template"] = "This template is no longer in use. Choose another."
    if not children_visible_to(actor).filter(pk=child.pk).exists():
        errors["child"] = "Choose a child your agency works with."
    if agency is None:
        involved = child.involvements.filter(agency_id__in=agencies).values_list("agency_id", flat=True).first()
        agency = Agency.objects.get(pk=involved if involved is not None else min(agencies))
    elif agency.pk not in agencies:
        errors["agency"] = "Choose an agency you assess for."
    now = kernel.now(at)
    day = assessed_on or timezone.localdate(now)
    if day > timezone.localdate():
        errors["assessed_on"] = "The date of the assessment must be today or in the past."
    if errors:
        raise ValidationError(errors)
    assessment = Assessment.objects.create(
        child=child,
        template=template,
        assessor=actor,
        agency=agency,
        assessed_on=day,
        status=AssessmentStatus.DRAFT,
        created_at=now,
        updated_at=now,
    )
    Grade.objects.bulk_create(
        [Grade(assessment=assessment, sub_area=u.sub_area, item=u.item) for u in units_of(template)]
    )
    record_activity(
        actor=actor,
        action="assessment.started",
        target=assessment,
        child_id=child.pk,
        changes=created_diff(assessment, ["child", "template", "agency", "assessed_on", "status"]),
    )
    return assessment


@dataclass(frozen=True)
class GradeInput:
    grade: int | None = None
    evidence: str = ""
    # Ids of chronology entries about the child that the assessor may see.
    events: Sequence[int] = field(default_factory=tuple)


def _locked(assessment: Assessment, version: int) -> Assessment:
    """The assessment as stored now, locked for this transaction: refused if completed, or changed since
    `version` (someone saved it in another tab)."""
    current = kernel.lock(Assessment.objects.select_related("template", "child"), assessment.pk)
    if current.status == AssessmentStatus.COMPLETED:
        raise Locked(locked_message(current))
    if current.version != version:
        raise StaleVersion(STALE_MESSAGE)
    return current


def _grade_errors(
    actor: Person, current: Assessment, rows: Mapping[str, Grade], grades: Mapping[str, GradeInput]
) -> dict[str, list[str]]:
    """Each grade given is part of the template and on its scale; cited entries are about the child and
    the assessor may see them."""
    template = current.template
    scale = set(template.scale.values_list("value", flat=True))
    errors: dict[str, list[str]] = {}
    wanted_events: set[int] = set()
    for key, value in grades.items():
        if key not in rows:
            errors.setdefault("grades", []).append(f"'{key}' is not part of the {template.name}.")
        elif value.grade is not None and value.grade not in scale:
            errors.setdefault(key, []).append(f"Choose a grade from {min(scale)} to {max(scale)}.")
        wanted_events |= set(value.events)
    if wanted_events:
        from safeguarding.chronology.queries import events_for_child

        seen = set(events_for_child(actor, current.child).filter(pk__in=wanted_events).values_list("pk", flat=True))
        if wanted_events - seen:
            errors.setdefault("grades", []).append("Cite only chronology entries about this child that you can see.")
    return errors


def _completion_errors(
    rows: Mapping[str, Grade], grades: Mapping[str, GradeInput], overall: str, steps: str
) -> dict[str, list[str]]:
    """What must be there before an assessment is completed: every unit graded, an overall view, next steps."""
    errors: dict[str, list[str]] = {}
    for key, row in rows.items():
        final = grades[key].grade if key in grades else row.grade
        if final is None:
            title = row.item.title if row.item_id else row.sub_area.title  # type: ignore[union-attr]
            errors.setdefault(key, []).append(f"Choose a grade for {title.lower()} before you complete.")
    if not overall:
        errors.setdefault("overall_view", []).append("Give your overall view before you complete.")
    if not steps:
        errors.setdefault("next_steps", []).append("Record the next steps agreed before you complete.")
    return errors


def _save_grades(rows: Mapping[str, Grade], grades: Mapping[str, GradeInput]) -> int:
    """Save the grades given, with their evidence and cited entries; how many units changed."""
    changed_units = 0
    for key, value in grades.items():
        row = rows[key]
        evidence = value.evidence.strip()
        old_events = set(row.citations.values_list("event_id", flat=True))
        if row.grade != value.grade or row.evidence != evidence or old_events != set(value.events):
            changed_units += 1
        row.grade, row.evidence = value.grade, evidence
        row.save(update_fields=["grade", "evidence"])
        if old_events != set(value.events):
            row.citations.exclude(event_id__in=list(value.events)).delete()
            GradeCitation.objects.bulk_create(
                [GradeCitation(grade=row, event_id=e) for e in sorted(set(value.events) - old_events)]
            )
    return changed_units


def _save_changes(current: Assessment, fields: Mapping[str, Any], version: int, changed_units: int) -> dict[str, Any]:
    changes: dict[str, Any] = {"units_changed": [None, changed_units], "version": [version, version + 1]}
    for name in ("overall_view", "next_steps"):
        if getattr(current, name) != fields[name]:
            changes[name] = ["•••", "•••"]  # free text about the family is never copied into the log
    if current.assessed_on != fields["assessed_on"]:
        changes["assessed_on"] = [current.assessed_on.isoformat(), fields["assessed_on"].isoformat()]
    return changes


@kernel.service
def save_assessment(
    *,
    actor: Person,
    assessment: Assessment,
    version: int,
    grades: Mapping[str, GradeInput] | None = None,
    overall_view: str | None = None,
    next_steps: str | None = None,
    assessed_on: date | None = None,
    complete: bool = False,
    at: datetime | None = None,
) -> Assessment:
    """Save a draft (grades by unit key; what is not given stays as it was); with `complete`, check that
    everything is there and lock it for good (through `ASSESSMENT_WORKFLOW`). Only the assessor, while
    trained for the template."""
    current = _locked(assessment, version)
    kernel.require(
        is_person(actor) and current.assessor_id == actor.pk,
        "Only the person who started this assessment can change it.",
    )
    _check_trained(actor, current.template)
    rows = {grade_key(g): g for g in current.grades.select_related("sub_area", "item")}
    grades = dict(grades or {})
    errors = _grade_errors(actor, current, rows, grades)
    day = assessed_on or current.assessed_on
    if day > timezone.localdate():
        errors.setdefault("assessed_on", []).append("The date of the assessment must be today or in the past.")
    overall = (overall_view if overall_view is not None else current.overall_view).strip()
    steps = (next_steps if next_steps is not None else current.next_steps).strip()
    if complete and not errors:
        errors = _completion_errors(rows, grades, overall, steps)
    if errors:
        raise ValidationError(errors)

    now = kernel.now(at)
    changed_units = _save_grades(rows, grades)
    fields: dict[str, Any] = {"overall_view": overall, "next_steps": steps, "assessed_on": day, "updated_at": now}
    changes = _save_changes(current, fields, version, changed_units)
    try:
        if complete:
            ASSESSMENT_WORKFLOW.apply(
                current,
                action="complete",
                actor=actor,
                version=version,
                fields={**fields, "completed_at": now},
                log_action="assessment.completed",
                log_changes=changes,
                child_id=current.child_id,
            )
        else:
            # The conditional UPDATE is the real check: two saves cannot both start from the same version.
            kernel.update_versioned(
                current, version=version, changes=fields, extra_filter={"status": AssessmentStatus.DRAFT}
            )
            record_activity(
                actor=actor, action="assessment.saved", target=current, child_id=current.child_id, changes=changes
            )
    except kernel.StaleVersion as exc:
        raise StaleVersion(STALE_MESSAGE) from exc
    assessment.refresh_from_db()
    return assessment


def complete_assessment(*, actor: Person, assessment: Assessment, version: int, **kwargs: Any) -> Assessment:
    return save_assessment(actor=actor, assessment=assessment, version=version, complete=True, **kwargs)


def record_assessment_view(*, actor: Person, assessment: Assessment, action: str = "assessment.viewed") -> None:
    """A view of an assessment is a view of the child's record (called after the access check)."""
    record_activity(actor=actor, action=action, target=assessment, child_id=assessment.child_id)


def record_comparison_view(*, actor: Person, child: Child, count: int) -> None:
    record_activity(
        actor=actor,
        action="assessment.compared",
        target=child,
        child_id=child.pk,
        changes={"assessments": [None, count]},
    )


@kernel.service
def cite_assessment(
    *, actor: Person, assessment: Assessment, escalation: Any = None, review: Any = None, note: str = ""
) -> AssessmentCitation:
    """Cite a completed assessment in an escalation or a review about the same child, both of which the
    actor may see."""
    from safeguarding.assessments.queries import citable_escalations, citable_reviews

    if (escalation is None) == (review is None):
        raise ValidationError({"target": "Choose one escalation or one review to cite this assessment in."})
    # The two halves of `can_cite_assessment`, each with its own message.
    kernel.require(
        sees_assessment(actor, assessment), "You can only cite assessments of children your agency works with."
    )
    kernel.require(is_completed(actor, assessment), "Only a completed assessment can be cited. Complete it first.")
    if escalation is not None and not citable_escalations(actor, assessment).filter(pk=escalation.pk).exists():
        raise ValidationError({"escalation": "Choose an escalation about this child that you take part in."})
    if review is not None and not citable_reviews(actor, assessment).filter(pk=review.pk).exists():
        raise ValidationError({"review": "Choose a review about this child that you are a member of."})
    duplicate = AssessmentCitation.objects.filter(assessment=assessment, escalation=escalation, review=review)
    if duplicate.exists():
        raise ValidationError({"target": "This assessment is already cited there."})
    citation = AssessmentCitation.objects.create(
        assessment=assessment, escalation=escalation, review=review, note=note.strip(), cited_by=actor
    )
    record_activity(
        actor=actor,
        action="assessment.cited",
        target=assessment,
        child_id=assessment.child_id,
        changes={
            "escalation": [None, escalation.pk if escalation is not None else None],
            "review": [None, review.pk if review is not None else None],
        },
    )
    return citation


@kernel.service
def mark_trained(
    *, actor: Person | None, user: Person, template: AssessmentTemplate, trained_on: date, check_actor: bool = True
) -> TrainedAssessor:
    """Record that `user` is trained for `template` (every version of it). `check_actor=False` is for the
    operators' management command (no person signed in); pages and the API always check."""
    kernel.require(
        not check_actor or may_record_training_for(actor, user),
        "Only an administrator, or the safeguarding lead of the person's agency, can record their training.",
    )
    if not is_person(user):
        raise ValidationError({"user": "Training is recorded for people, not agency systems."})
    if trained_on > timezone.localdate():
        raise ValidationError({"trained_on": "The training date must be today or in the past."})
    existing = TrainedAssessor.objects.current().filter(user=user, template__code=template.code).first()
    if existing is not None:
        raise ValidationError(
            {"user": f"{user} is already recorded as trained for this template (on {existing.trained_on:%d/%m/%Y})."}
        )
    record = TrainedAssessor.objects.create(
        user=user, template=template, trained_on=trained_on, recorded_by=actor if is_person(actor) else None
    )
    record_activity(
        actor=actor,
        action="assessment_training.recorded",
        target=record,
        changes=created_diff(record, ["user", "template", "trained_on"]),
    )
    return record


@kernel.service
def revoke_training(*, actor: Person, record: TrainedAssessor) -> TrainedAssessor:
    kernel.require(
        may_record_training_for(actor, record.user),
        "Only an administrator, or the safeguarding lead of the person's agency, can do this.",
    )
    if record.revoked_at is not None:
        raise ValidationError({"record": "This training record was already revoked."})
    now = timezone.now()
    TrainedAssessor.objects.filter(pk=record.pk, revoked_at__isnull=True).update(revoked_at=now, revoked_by=actor)
    record.revoked_at, record.revoked_by = now, actor
    record_activity(
        actor=actor, action="assessment_training.revoked", target=record, changes={"revoked": [False, True]}
    )
    return record
