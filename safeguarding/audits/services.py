"""State changes for audits. Each takes the acting person first as `actor` (keyword-only, except
`edit_audit` and `remove_auditor`, which also accept it positionally), checks the rule (workflow.py),
writes, and logs the activity in one transaction. Pages, the API, commands and the demo call these."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from safeguarding.actionplans import services as actionplan_services
from safeguarding.actionplans.enums import Source
from safeguarding.actionplans.models import Action, ActionPlan
from safeguarding.actionplans.permissions import ActionPlanError
from safeguarding.agencies.models import Agency
from safeguarding.audits import grading, sampling, workflow
from safeguarding.audits.enums import SAMPLING_STATUSES, Area, AuditType, CaseMethod, FindingKind, Status
from safeguarding.audits.models import (
    Audit,
    AuditAuditor,
    AuditCase,
    AuditFinding,
    AuditProgramme,
    AuditResponse,
    AuditTool,
    ModeratedGrade,
    ToolQuestion,
)
from safeguarding.audits.workflow import STALE_MESSAGE, AuditError, NotAllowed, StaleVersion
from safeguarding.children.models import Child
from safeguarding.core.dates import long_date
from safeguarding.core.services import created_diff, diff, record_activity, snapshot
from safeguarding.reviews.models import Theme

AUDIT_FIELDS = (
    "programme",
    "title",
    "audit_type",
    "service_name",
    "theme",
    "question",
    "lead",
    "start_on",
    "end_on",
    "period_from",
    "period_to",
    "tool",
    "baseline",
)
MAX_SAMPLE = 500

__all__ = ["AuditError", "NotAllowed", "StaleVersion"]


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise NotAllowed(message)


def _bump(audit: Audit, version: int | None) -> None:
    """Check the caller read the latest version and move it on (stale forms are refused, not applied)."""
    qs = Audit.objects.filter(pk=audit.pk)
    if version is not None:
        qs = qs.filter(version=version)
    if not qs.update(version=F("version") + 1):
        raise StaleVersion(STALE_MESSAGE)
    audit.version = Audit.objects.values_list("version", flat=True).get(pk=audit.pk)


@transaction.atomic
def create_programme(*, actor: Any, year: int, title: str) -> AuditProgramme:
    _require(workflow.can_plan(actor), "Only the business unit can plan the audit programme.")
    if AuditProgramme.objects.filter(year=year).exists():
        raise ValidationError({"year": f"There is already a programme for {year}: add the audit to it."})
    programme = AuditProgramme.objects.create(year=year, title=title.strip(), created_at=timezone.now())
    record_activity(actor=actor, action="audit_programme.created", target=programme, changes={"year": [None, year]})
    return programme


def _check_dates(start_on: date, end_on: date, period_from: date, period_to: date) -> None:
    errors = {}
    if end_on < start_on:
        errors["end_on"] = "The end date must be on or after the start date."
    if period_to < period_from:
        errors["period_to"] = "The end of the period audited must be on or after its start."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def plan_audit(
    *,
    actor: Any,
    programme: AuditProgramme,
    title: str,
    audit_type: str,
    question: str,
    lead: Any,
    start_on: date,
    end_on: date,
    period_from: date,
    period_to: date,
    agencies: Iterable[Agency],
    service_name: str = "",
    theme: Theme | None = None,
    tool: AuditTool | None = None,
    baseline: Audit | None = None,
) -> Audit:
    _require(workflow.can_plan(actor), "Only the business unit can plan audits.")
    _check_dates(start_on, end_on, period_from, period_to)
    agencies = list(agencies)
    if not agencies:
        raise ValidationError({"agencies": "Choose at least one participating agency."})
    if audit_type == AuditType.SERVICE and not service_name.strip():
        raise ValidationError({"service_name": "Enter the name of the service audited."})
    if tool is None:
        tool = AuditTool.objects.filter(is_active=True).order_by("pk").first()
        if tool is None:
            raise ValidationError("There is no audit tool: an administrator must add one first.")
    audit = Audit.objects.create(
        programme=programme,
        title=title.strip(),
        audit_type=audit_type,
        service_name=service_name.strip(),
        theme=theme,
        question=question.strip(),
        lead=lead,
        start_on=start_on,
        end_on=end_on,
        period_from=period_from,
        period_to=period_to,
        tool=tool,
        baseline=baseline,
        created_by=actor,
        created_at=timezone.now(),
    )
    audit.agencies.set(agencies)
    changes = created_diff(audit, AUDIT_FIELDS)
    changes["agencies"] = [None, sorted(a.pk for a in agencies)]
    record_activity(actor=actor, action="audit.planned", target=audit, changes=changes)
    return audit


# What `edit_audit` may change: the plan's own fields and the participating agencies.
PLAN_FIELDS = (*AUDIT_FIELDS, "agencies")


def _names(items: Iterable[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _plan_errors(current: Audit, was: dict[str, Any], agencies: list[Agency] | None) -> dict[str, list[str]]:
    """What is wrong with the plan as it would be (`current`, changed in memory) compared with how it was
    (`was`). The stage rules apply only to what changes, so an audit that started early can still have
    its title corrected."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    def changed(name: str) -> bool:
        return bool(was[name] != getattr(current, name))

    required = {
        "programme_id": ("programme", "Choose the audit programme."),
        "lead_id": ("lead", "Choose the audit's lead."),
        "tool_id": ("tool", "Choose the audit tool."),
        "start_on": ("start_on", "Enter the date the audit starts."),
        "end_on": ("end_on", "Enter the date the audit ends."),
        "period_from": ("period_from", "Enter the start of the practice period."),
        "period_to": ("period_to", "Enter the end of the practice period."),
    }
    for attname, (name, message) in required.items():
        if getattr(current, attname) is None:
            add(name, message)
    if errors:
        return errors
    today = timezone.localdate()
    if not current.title:
        add("title", "Enter the title.")
    if not current.question:
        add("question", "Enter the question the audit answers.")
    if current.audit_type not in AuditType.values:
        add("audit_type", "Choose the type of audit.")
    elif current.audit_type == AuditType.SERVICE and not current.service_name:
        add("service_name", "Enter the name of the service audited.")
    if current.end_on < current.start_on:
        add("end_on", "The end date must be on or after the start date.")
    if current.period_to < current.period_from:
        add("period_to", "The end of the period audited must be on or after its start.")
    # Auditing has started (in progress or later): the sample was drawn from the practice period and
    # agencies grade against the tool, and the start date, once passed, is when auditors' access began.
    if current.status not in SAMPLING_STATUSES:
        for name in ("period_from", "period_to"):
            if changed(name):
                add(
                    name,
                    "The practice period cannot change once auditing has started: the sample was drawn "
                    "from it and the agencies are grading the practice in it.",
                )
        if changed("start_on") and was["start_on"] <= today:
            add(
                "start_on",
                f"Auditing started on {long_date(was['start_on'])}, so the start date can no longer change.",
            )
        if changed("tool_id"):
            add("tool", "The audit tool cannot change once auditing has started: the agencies grade against it.")
    if current.status == Status.IN_PROGRESS and changed("end_on") and current.end_on < today and "end_on" not in errors:
        add(
            "end_on",
            "The audit is in progress, so the end date cannot be before today or the auditors could not finish "
            "grading. To end one person's access now, remove them as an auditor.",
        )
    if changed("lead_id") and (not current.lead.is_active or current.lead.is_system):
        add("lead", "Choose a person who can sign in as the audit's lead.")
    if changed("baseline_id") and current.baseline_id is not None:
        if current.baseline_id == current.pk:
            add("baseline", "An audit cannot be its own baseline.")
        else:
            seen, step = {current.baseline_id}, current.baseline
            while step is not None and step.baseline_id is not None and step.baseline_id not in seen:
                if step.baseline_id == current.pk:
                    add("baseline", "That audit is itself a re-audit of this one, so it cannot be its baseline.")
                    break
                seen.add(step.baseline_id)
                step = step.baseline
    if agencies is not None:
        if not agencies:
            add("agencies", "Choose at least one participating agency.")
        leaving = set(current.agencies.values_list("pk", flat=True)) - {a.pk for a in agencies}
        if leaving:
            responses = AuditResponse.objects.filter(case__audit=current, agency_id__in=leaving)
            answered = list(Agency.objects.filter(pk__in=responses.values("agency_id")).order_by("name"))
            if answered:
                plural = len(answered) > 1
                add(
                    "agencies",
                    f"{_names(a.name for a in answered)} {'have' if plural else 'has'} already recorded responses, "
                    f"so {'they' if plural else 'it'} cannot be removed from the participating agencies.",
                )
            named: dict[str, list[str]] = {}
            for auditor in current.auditors.filter(agency_id__in=leaving).select_related("agency", "user"):
                named.setdefault(auditor.agency.name, []).append(auditor.user.get_full_name() or auditor.user.username)
            for agency_name, people in sorted(named.items()):
                add(
                    "agencies",
                    f"{agency_name} still has named auditors ({_names(people)}): remove them as auditors before "
                    "removing the agency.",
                )
    return errors


@transaction.atomic
def edit_audit(actor: Any, audit: Audit, version: int, **fields: Any) -> Audit:
    """Change the audit's plan (title, type, theme, question, lead, dates, practice period, agencies, tool,
    baseline, programme) until it closes. `version` is the audit's version as the person read it: a change
    made since refuses the edit (StaleVersion) rather than overwriting it. The auditors' access follows
    the new dates at once: it is worked out from the audit's `start_on` and `end_on` on every request."""
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValueError(f"Not audit plan fields: {sorted(unknown)}")
    # The audit as it is now, locked: the rule, the stage and the version are checked against it, not
    # against what the caller read.
    current = Audit.objects.select_for_update(of=("self",)).select_related("lead", "baseline").get(pk=audit.pk)
    refusal = workflow.plan_change_refusal(actor, current)
    if refusal:
        raise NotAllowed(refusal)
    if version != current.version:
        raise StaleVersion(STALE_MESSAGE)
    agencies = list(fields.pop("agencies")) if "agencies" in fields else None
    before = snapshot(current, AUDIT_FIELDS)
    before["agencies"] = sorted(current.agencies.values_list("pk", flat=True))
    was = {
        name: getattr(current, name)
        for name in ("start_on", "end_on", "period_from", "period_to", "tool_id", "lead_id", "baseline_id")
    }
    for name, value in fields.items():
        setattr(current, name, value.strip() if isinstance(value, str) else value)
    errors = _plan_errors(current, was, agencies)
    if errors:
        raise ValidationError(errors)
    after = snapshot(current, AUDIT_FIELDS)
    after["agencies"] = sorted(a.pk for a in agencies) if agencies is not None else before["agencies"]
    changes = diff(before, after)
    if not changes:
        return current
    _bump(current, version)
    changed_fields = [name for name in AUDIT_FIELDS if name in changes]
    if changed_fields:
        current.save(update_fields=changed_fields)
    if "agencies" in changes and agencies is not None:
        current.agencies.set(agencies)
    record_activity(actor=actor, action="audit.changed", target=current, changes=changes)
    audit.refresh_from_db()
    return current


@transaction.atomic
def name_auditor(*, actor: Any, audit: Audit, user: Any, agency: Agency) -> AuditAuditor:
    _require(workflow.can_run(actor, audit), "Only the business unit or the audit's lead can name auditors.")
    _require(audit.status != Status.CLOSED, "The audit is closed.")
    if not audit.agencies.filter(pk=agency.pk).exists():
        raise ValidationError({"agency": "Choose one of the audit's participating agencies."})
    if not user.is_active or user.is_system or agency.pk not in {m.agency_id for m in user.active_memberships}:
        raise ValidationError({"user": "Choose a person who works in that agency."})
    if audit.auditors.filter(user=user).exists():
        raise ValidationError({"user": "This person is already an auditor on this audit."})
    auditor = AuditAuditor.objects.create(audit=audit, user=user, agency=agency, added_at=timezone.now())
    record_activity(
        actor=actor,
        action="audit.auditor_named",
        target=audit,
        changes={"auditor": [None, user.pk], "agency": [None, agency.pk]},
    )
    return auditor


@transaction.atomic
def remove_auditor(actor: Any, audit: Audit, auditor: AuditAuditor, reason: str) -> None:
    """Take a person off the audit, with the reason. Their access ends at once: every check asks for
    their `AuditAuditor` row, which goes. The responses they recorded stay, still attributed to them
    (`AuditResponse.answered_by`); the log keeps who they were, for which agency and since when."""
    if auditor.audit_id != audit.pk:
        raise ValueError("The auditor is not on this audit.")
    current = Audit.objects.select_for_update().get(pk=audit.pk)
    _require(
        workflow.can_remove_auditor(actor, current), "Only the business unit or the audit's lead can remove auditors."
    )
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError({"reason": "Enter why this person is no longer an auditor, in at least 10 characters."})
    row = AuditAuditor.objects.select_for_update().filter(pk=auditor.pk).first()
    if row is None:
        raise NotAllowed("This person has already been removed as an auditor.")
    record_activity(
        actor=actor,
        action="audit.auditor_removed",
        target=current,
        changes={
            "auditor": [row.user_id, None],
            "agency": [row.agency_id, None],
            "added_at": [row.added_at.isoformat(), None],
            "reason": [None, reason],
        },
    )
    row.delete()


def _start_sampling(actor: Any, audit: Audit) -> None:
    if audit.status == Status.PLANNED:
        Audit.objects.filter(pk=audit.pk).update(status=Status.SAMPLING)
        audit.status = Status.SAMPLING
        record_activity(
            actor=actor, action="audit.status_changed", target=audit, changes={"status": ["planned", "sampling"]}
        )


@transaction.atomic
def draw_sample(
    *, actor: Any, audit: Audit, criteria: sampling.Criteria, size: int, seed: int, version: int | None = None
) -> list[AuditCase]:
    """Draw (or draw again) the sample by criteria. Replaces cases drawn before; hand-picked cases stay."""
    _require(workflow.can_run(actor, audit), "Only the business unit or the audit's lead can draw the sample.")
    _require(workflow.sample_open(audit), "The sample is fixed once auditing has started.")
    if not 1 <= size <= MAX_SAMPLE:
        raise ValidationError({"size": f"The sample size must be between 1 and {MAX_SAMPLE}."})
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    _bump(audit, version)
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
    audit.sample_criteria = criteria.as_json()
    audit.sample_size = size
    audit.sample_seed = seed
    audit.save(update_fields=["sample_criteria", "sample_size", "sample_seed"])
    _start_sampling(actor, audit)
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


@transaction.atomic
def choose_case(*, actor: Any, audit: Audit, child: Child, reason: str) -> AuditCase:
    """Add a case by hand, with the reason it was chosen."""
    _require(workflow.can_run(actor, audit), "Only the business unit or the audit's lead can choose cases.")
    _require(workflow.sample_open(audit), "The sample is fixed once auditing has started.")
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError({"reason": "Enter why this case was chosen, in at least 10 characters."})
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
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


@transaction.atomic
def remove_case(*, actor: Any, case: AuditCase) -> None:
    audit = case.audit
    _require(workflow.can_run(actor, audit), "Only the business unit or the audit's lead can change the sample.")
    _require(workflow.sample_open(audit), "The sample is fixed once auditing has started.")
    record_activity(
        actor=actor,
        action="audit.case_removed",
        target=audit,
        child_id=case.child_id,
        changes={"case": [case.number, None]},
    )
    case.delete()


@transaction.atomic
def move_audit(*, actor: Any, audit: Audit, version: int) -> Audit:
    return workflow.apply_transition(actor=actor, audit=audit, version=version)


@dataclass(frozen=True)
class Answer:
    question: ToolQuestion
    grade: str
    narrative: str


@transaction.atomic
def record_responses(
    *, actor: Any, case: AuditCase, agency: Agency, answers: Iterable[Answer], today: date | None = None
) -> list[AuditResponse]:
    """An agency's part for one case: a grade and narrative per question (a later answer replaces an earlier one)."""
    audit = Audit.objects.select_related("tool").get(pk=case.audit_id)  # its status now, not as the caller read it
    allowed = workflow.responding_agency_ids(actor, audit, today)
    if agency.pk not in allowed:
        if audit.status != Status.IN_PROGRESS:
            raise NotAllowed("Responses can be recorded only while the audit is in progress.")
        raise NotAllowed("You are not an auditor for this agency on this audit, or the audit period has ended.")
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
        saved.append(response)
    return saved


@transaction.atomic
def moderate(*, actor: Any, case: AuditCase, area: str, final_grade: str, rationale: str) -> ModeratedGrade:
    """Agree the final grade for a case and area where the agencies' grades differ (the lead, at moderation)."""
    audit = Audit.objects.select_related("tool", "lead").get(pk=case.audit_id)
    _require(
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


@transaction.atomic
def add_finding(*, actor: Any, audit: Audit, kind: str, text: str, themes: Iterable[Theme] = ()) -> AuditFinding:
    _require(workflow.can_run(actor, audit), "Only the business unit or the audit's lead can record findings.")
    _require(
        audit.status in (Status.MODERATION, Status.FINDINGS),
        "Findings are recorded at moderation or findings.",
    )
    if kind not in FindingKind.values:
        raise ValidationError({"kind": "Choose strength or area for development."})
    if not text.strip():
        raise ValidationError({"text": "Enter the finding."})
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
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
    return ActionPlan.objects.filter(source=Source.AUDIT, source_reference=audit.reference).order_by("pk").first()


@transaction.atomic
def create_action_from_finding(
    *,
    actor: Any,
    finding: AuditFinding,
    description: str,
    lead_agency: Agency,
    lead_officer: Any,
    due_on: date,
    success_measure: str,
    start_on: date | None = None,
    owner_group: str = "Quality assurance subgroup",
    chair: Any = None,
) -> Action:
    """An action in the audit's action plan (source = audit; created with the first action), linked to the finding."""
    audit = finding.audit
    _require(workflow.can_run(actor, audit), "Only the business unit or the audit's lead can create actions.")
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
            actor,
            title=f"Audit action plan: {audit.title}",
            source=Source.AUDIT,
            owner_group=owner_group,
            chair=chair or audit.lead,
            source_reference=audit.reference,
        )
        action = actionplan_services.add_action(
            actor,
            plan,
            recommendation=None,
            description=description.strip(),
            lead_agency=lead_agency,
            lead_officer=lead_officer,
            start_on=start_on,
            due_on=due_on,
            success_measure=success_measure.strip(),
            recheck_on=due_on + timedelta(days=182),
        )
    except ActionPlanError as exc:
        # The action plans' own rules (e.g. who may create plans) say no: the same message here.
        raise NotAllowed(str(getattr(exc, "message", exc))) from exc
    finding.actions.add(action)
    record_activity(
        actor=actor, action="audit.finding_action_created", target=finding, changes={"action": [None, action.pk]}
    )
    return action
