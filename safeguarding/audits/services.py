"""State changes for audits. Each is a `kernel.service`: the acting person as keyword-only `actor`, the
rule checked (`workflow`), the write, the activity log, in one transaction. Pages, the API, commands and
the demo call these. The plan's own services (programme, planning, changing the plan, auditors) are in
`planning` and importable from here too."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone

from safeguarding.actionplans import services as actionplan_services
from safeguarding.actionplans.enums import ActionSource
from safeguarding.actionplans.models import Action, ActionPlan
from safeguarding.agencies.models import Agency
from safeguarding.audits import grading, sampling, workflow
from safeguarding.audits.enums import Area, AuditStatus, CaseMethod, FindingKind
from safeguarding.audits.models import (
    Audit,
    AuditCase,
    AuditFinding,
    AuditResponse,
    ModeratedGrade,
    ToolQuestion,
)
from safeguarding.audits.planning import (
    AUDIT_FIELDS,
    PLAN_FIELDS,
    change_audit_plan,
    create_programme,
    name_auditor,
    plan_audit,
    take_auditor_off,
)
from safeguarding.audits.workflow import STALE_MESSAGE, AuditError, NotAllowed, StaleVersion
from safeguarding.children.models import Child
from safeguarding.core import kernel
from safeguarding.core.services import created_diff, diff, record_activity, snapshot
from safeguarding.reviews.models import Theme

if TYPE_CHECKING:
    from safeguarding.core.types import Person

MAX_SAMPLE = 500
SAMPLE_FIXED = "The sample is fixed once auditing has started."

__all__ = [
    "AUDIT_FIELDS",
    "PLAN_FIELDS",
    "STALE_MESSAGE",
    "AuditError",
    "NotAllowed",
    "StaleVersion",
    "change_audit_plan",
    "create_programme",
    "name_auditor",
    "plan_audit",
    "take_auditor_off",
]


# ---- the sample -------------------------------------------------------------------------------------


def _start_sampling(actor: Person, audit: Audit, fields: dict[str, Any] | None = None) -> None:
    """A planned audit moves to sampling when its first case is drawn or chosen (the locked `audit`);
    `fields` are saved with the move, or on their own at sampling already."""
    if audit.status == AuditStatus.PLANNED:
        workflow.advance(audit, actor=actor, version=audit.version, fields=fields)
    elif fields:
        kernel.update_versioned(audit, version=audit.version, changes=fields, noun="audit")


@kernel.service
def draw_sample(
    *, actor: Person, audit: Audit, criteria: sampling.Criteria, size: int, seed: int, version: int | None = None
) -> list[AuditCase]:
    """Draw (or draw again) the sample by criteria. Replaces cases drawn before; hand-picked cases stay."""
    kernel.require(workflow.can_run(actor, audit), "Only the business unit or the audit's lead can draw the sample.")
    kernel.require(workflow.sample_open(audit), SAMPLE_FIXED)
    if not 1 <= size <= MAX_SAMPLE:
        raise ValidationError({"size": f"The sample size must be between 1 and {MAX_SAMPLE}."})
    audit = kernel.lock(Audit, audit.pk, version=version, noun="audit")
    kernel.require(workflow.sample_open(audit), SAMPLE_FIXED)
    ids = list(sampling.candidates(criteria).values_list("pk", flat=True))
    chosen = set(audit.cases.filter(method=CaseMethod.CHOSEN).values_list("child_id", flat=True))
    picked = sampling.draw([i for i in ids if i not in chosen], size, seed)
    audit.cases.filter(method=CaseMethod.DRAWN).delete()
    now = timezone.now()
    start = (audit.cases.aggregate(n=Max("number"))["n"] or 0) + 1
    cases = AuditCase.objects.bulk_create(
        AuditCase(
            audit=audit, child_id=child_id, number=start + i, method=CaseMethod.DRAWN, added_by=actor, added_at=now
        )
        for i, child_id in enumerate(picked)
    )
    _start_sampling(actor, audit, {"sample_criteria": criteria.as_json(), "sample_size": size, "sample_seed": seed})
    record_activity(
        actor=actor,
        action="audit.sample_drawn",
        target=audit,
        changes={
            "criteria": [None, audit.sample_criteria],
            "size": [None, size],
            "seed": [None, seed],
            "candidates": [None, len(ids)],
            "children": [None, picked],
        },
    )
    return cases


@kernel.service
def choose_case(*, actor: Person, audit: Audit, child: Child, reason: str) -> AuditCase:
    """Add a case by hand, with the reason it was chosen."""
    kernel.require(workflow.can_run(actor, audit), "Only the business unit or the audit's lead can choose cases.")
    kernel.require(workflow.sample_open(audit), SAMPLE_FIXED)
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError({"reason": "Enter why this case was chosen, in at least 10 characters."})
    audit = kernel.lock(Audit, audit.pk, noun="audit")
    kernel.require(workflow.sample_open(audit), SAMPLE_FIXED)
    if audit.cases.filter(child=child).exists():
        raise ValidationError({"child": "This child is already in the sample."})
    number = (audit.cases.aggregate(n=Max("number"))["n"] or 0) + 1
    case = AuditCase.objects.create(
        audit=audit,
        child=child,
        number=number,
        method=CaseMethod.CHOSEN,
        reason=reason,
        added_by=actor,
        added_at=timezone.now(),
    )
    _start_sampling(actor, audit)
    record_activity(
        actor=actor, action="audit.case_chosen", target=audit, child_id=child.pk, changes={"case": [None, number]}
    )
    return case


@kernel.service
def remove_case(*, actor: Person, case: AuditCase) -> None:
    audit = case.audit
    kernel.require(workflow.can_run(actor, audit), "Only the business unit or the audit's lead can change the sample.")
    kernel.require(workflow.sample_open(audit), SAMPLE_FIXED)
    record_activity(
        actor=actor,
        action="audit.case_removed",
        target=audit,
        child_id=case.child_id,
        changes={"case": [case.number, None]},
    )
    case.delete()


# ---- the status ---------------------------------------------------------------------------------------


@kernel.service
def move_audit(*, actor: Person, audit: Audit, version: int, reason: str = "") -> Audit:
    """Move the audit to its next status (`workflow.AUDIT_WORKFLOW`), once `workflow.blocker` allows it,
    writing its history row. `version` is the audit's version as the person read it."""
    current = kernel.lock(Audit, audit.pk, noun="audit")
    kernel.require(workflow.can_run(actor, current), workflow.MOVE_REFUSED)
    if version != current.version:
        raise kernel.StaleVersion(STALE_MESSAGE)
    why = workflow.blocker(current)
    kernel.require(not why, why)
    workflow.advance(current, actor=actor, version=version, reason=reason.strip())
    audit.refresh_from_db()
    return audit


# ---- grading, moderation, findings ------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    question: ToolQuestion
    grade: str
    narrative: str


@kernel.service
def record_responses(
    *, actor: Person, case: AuditCase, agency: Agency, answers: Iterable[Answer], today: date | None = None
) -> list[AuditResponse]:
    """An agency's part for one case: a grade and narrative per question (a later answer replaces an earlier one)."""
    audit = Audit.objects.select_related("tool").get(pk=case.audit_id)  # its status now, not as the caller read it
    allowed = workflow.responding_agency_ids(actor, audit, today)
    if agency.pk not in allowed:
        kernel.require(
            audit.status == AuditStatus.IN_PROGRESS, "Responses can be recorded only while the audit is in progress."
        )
        raise kernel.NotAllowed("You are not an auditor for this agency on this audit, or the audit period has ended.")
    tool = audit.tool
    errors: dict[str, str] = {}
    answers = list(answers)
    for answer in answers:
        if answer.question.tool_id != tool.pk:
            errors[f"q{answer.question.pk}"] = "This question is not in the audit's tool."
        elif answer.grade not in tool.grade_codes:
            errors[f"q{answer.question.number}_grade"] = f"Choose a grade for question {answer.question.number}."
        elif not answer.narrative.strip():
            errors[f"q{answer.question.number}_narrative"] = f"Explain the grade for question {answer.question.number}."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    saved = []
    logged = False
    for answer in answers:
        response, created = AuditResponse.objects.select_for_update().get_or_create(
            case=case,
            agency=agency,
            question=answer.question,
            defaults={
                "grade": answer.grade,
                "narrative": answer.narrative.strip(),
                "answered_by": actor,
                "answered_at": now,
            },
        )
        if not created:
            before = snapshot(response, ("grade", "narrative"))
            response.grade = answer.grade
            response.narrative = answer.narrative.strip()
            response.answered_by = actor
            response.answered_at = now
            response.version += 1
            response.save(update_fields=["grade", "narrative", "answered_by", "answered_at", "version"])
            changes = diff(before, snapshot(response, ("grade", "narrative")), masked=AuditResponse.MASKED_FIELDS)
        else:
            changes = created_diff(response, ("grade", "narrative"), masked=AuditResponse.MASKED_FIELDS)
        if changes:
            record_activity(
                actor=actor, action="audit.response_recorded", target=response, child_id=case.child_id, changes=changes
            )
            logged = True
        saved.append(response)
    if not logged:
        kernel.unchanged()  # every answer given again as it was: no grade or narrative changed
    return saved


@kernel.service
def moderate(*, actor: Person, case: AuditCase, area: str, final_grade: str, rationale: str) -> ModeratedGrade:
    """Agree the final grade for a case and area where the agencies' grades differ (the lead, at moderation)."""
    audit = Audit.objects.select_related("tool", "lead").get(pk=case.audit_id)
    kernel.require(
        workflow.can_moderate(actor, audit), "Only the audit's lead can moderate, while the audit is at moderation."
    )
    if area not in Area.values:
        raise ValidationError({"area": "Choose an area."})
    if final_grade not in audit.tool.grade_codes:
        raise ValidationError({"final_grade": "Choose the agreed grade."})
    rationale = (rationale or "").strip()
    if len(rationale) < 10:
        raise ValidationError({"rationale": "Explain how the grade was agreed, in at least 10 characters."})
    grades = grading.area_grades(audit).get((case.pk, area), {})
    if len(set(grades.values())) < 2:
        raise ValidationError("The agencies' grades for this area do not differ: there is nothing to moderate.")
    recorded = {str(agency_id): grade for agency_id, grade in sorted(grades.items())}
    moderated, _created = ModeratedGrade.objects.update_or_create(
        case=case,
        area=area,
        defaults={
            "agency_grades": recorded,
            "final_grade": final_grade,
            "rationale": rationale,
            "moderated_by": actor,
            "moderated_at": timezone.now(),
        },
    )
    record_activity(
        actor=actor,
        action="audit.grade_moderated",
        target=moderated,
        child_id=case.child_id,
        changes={"area": [None, area], "agency_grades": [None, recorded], "final_grade": [None, final_grade]},
    )
    return moderated


@kernel.service
def add_finding(*, actor: Person, audit: Audit, kind: str, text: str, themes: Iterable[Theme] = ()) -> AuditFinding:
    kernel.require(workflow.can_run(actor, audit), "Only the business unit or the audit's lead can record findings.")
    kernel.require(
        audit.status in (AuditStatus.MODERATION, AuditStatus.FINDINGS),
        "Findings are recorded at moderation or findings.",
    )
    if kind not in FindingKind.values:
        raise ValidationError({"kind": "Choose strength or area for development."})
    if not text.strip():
        raise ValidationError({"text": "Enter the finding."})
    audit = kernel.lock(Audit, audit.pk, noun="audit")
    number = (audit.findings.aggregate(n=Max("number"))["n"] or 0) + 1
    finding = AuditFinding.objects.create(
        audit=audit, number=number, kind=kind, text=text.strip(), created_by=actor, created_at=timezone.now()
    )
    finding.themes.set(list(themes))
    record_activity(
        actor=actor,
        action="audit.finding_added",
        target=finding,
        changes={"audit": [None, audit.pk], "number": [None, number], "kind": [None, kind]},
    )
    return finding


def plan_for_audit(audit: Audit) -> ActionPlan | None:
    """The action plan this audit's findings feed (source = audit, referenced by the audit's reference)."""
    return ActionPlan.objects.filter(source=ActionSource.AUDIT, source_reference=audit.reference).order_by("pk").first()


@kernel.service
def create_action_from_finding(
    *,
    actor: Person,
    finding: AuditFinding,
    description: str,
    lead_agency: Agency,
    lead_officer: Person | None,
    due_on: date,
    success_measure: str,
    start_on: date | None = None,
    owner_group: str = "Quality assurance subgroup",
    chair: Person | None = None,
) -> Action:
    """An action in the audit's action plan (source = audit; created with the first action), linked to the finding."""
    audit = finding.audit
    kernel.require(workflow.can_run(actor, audit), "Only the business unit or the audit's lead can create actions.")
    start_on = start_on or timezone.localdate()
    errors = {}
    if not description.strip():
        errors["description"] = "Enter what will be done."
    if not success_measure.strip():
        errors["success_measure"] = "Enter how you will know it worked."
    if due_on < start_on:
        errors["due_on"] = "The due date must be on or after the start date."
    if errors:
        raise ValidationError(errors)
    try:
        plan = plan_for_audit(audit) or actionplan_services.create_plan(
            actor=actor,
            title=f"Audit action plan: {audit.title}",
            source=ActionSource.AUDIT,
            owner_group=owner_group,
            chair=chair or audit.lead,
            source_reference=audit.reference,
        )
        action = actionplan_services.add_action(
            actor=actor,
            plan=plan,
            recommendation=None,
            description=description.strip(),
            lead_agency=lead_agency,
            lead_officer=lead_officer,
            start_on=start_on,
            due_on=due_on,
            success_measure=success_measure.strip(),
            recheck_on=due_on + timedelta(days=182),
        )
    except kernel.ServiceError as exc:
        # The action plans' own rules (e.g. who may create plans) say no: the same message here.
        raise kernel.NotAllowed(exc.message) from exc
    finding.actions.add(action)
    record_activity(
        actor=actor, action="audit.finding_action_created", target=finding, changes={"action": [None, action.pk]}
    )
    return action
