"""State changes to an audit's plan: the programme, planning an audit, changing its plan, naming and
removing auditors. Each is a `kernel.service` (keyword-only `actor`, one transaction, the activity log
written) checking the rule in `workflow`. `services` re-exports them for existing callers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from safeguarding.agencies.models import Agency
from safeguarding.audits import workflow
from safeguarding.audits.enums import SAMPLING_STATUSES, AuditStatus, AuditType
from safeguarding.audits.models import Audit, AuditAuditor, AuditProgramme, AuditResponse, AuditTool
from safeguarding.core import kernel
from safeguarding.core.dates import long_date
from safeguarding.core.services import created_diff, diff, record_activity, snapshot
from safeguarding.reviews.models import Theme

if TYPE_CHECKING:
    from safeguarding.core.types import Person

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
# What `change_audit_plan` may change: the plan's own fields and the participating agencies.
PLAN_FIELDS = (*AUDIT_FIELDS, "agencies")
# The fields whose earlier values the stage rules compare with (`_plan_errors`).
COMPARED_FIELDS = ("start_on", "end_on", "period_from", "period_to", "tool_id", "lead_id", "baseline_id")

Errors = dict[str, list[str]]


@kernel.service
def create_programme(*, actor: Person, year: int, title: str) -> AuditProgramme:
    kernel.require(workflow.can_plan(actor), "Only the business unit can plan the audit programme.")
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


@kernel.service
def plan_audit(
    *,
    actor: Person,
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
    kernel.require(workflow.can_plan(actor), "Only the business unit can plan audits.")
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


# ---- changing the plan ----------------------------------------------------------------------------


def _names(items: Iterable[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _add(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


REQUIRED = {
    "programme_id": ("programme", "Choose the audit programme."),
    "lead_id": ("lead", "Choose the audit's lead."),
    "tool_id": ("tool", "Choose the audit tool."),
    "start_on": ("start_on", "Enter the date the audit starts."),
    "end_on": ("end_on", "Enter the date the audit ends."),
    "period_from": ("period_from", "Enter the start of the practice period."),
    "period_to": ("period_to", "Enter the end of the practice period."),
}


def _missing_errors(current: Audit) -> Errors:
    errors: Errors = {}
    for attname, (name, message) in REQUIRED.items():
        if getattr(current, attname) is None:
            _add(errors, name, message)
    return errors


def _field_errors(current: Audit, errors: Errors) -> None:
    """The plan's own consistency, whatever its stage."""
    if not current.title:
        _add(errors, "title", "Enter the title.")
    if not current.question:
        _add(errors, "question", "Enter the question the audit answers.")
    if current.audit_type not in AuditType.values:
        _add(errors, "audit_type", "Choose the type of audit.")
    elif current.audit_type == AuditType.SERVICE and not current.service_name:
        _add(errors, "service_name", "Enter the name of the service audited.")
    if current.end_on < current.start_on:
        _add(errors, "end_on", "The end date must be on or after the start date.")
    if current.period_to < current.period_from:
        _add(errors, "period_to", "The end of the period audited must be on or after its start.")


def _stage_errors(current: Audit, was: dict[str, Any], errors: Errors, today: date) -> None:
    """Auditing has started (in progress or later): the sample was drawn from the practice period and
    agencies grade against the tool, and the start date, once passed, is when auditors' access began."""

    def changed(name: str) -> bool:
        return bool(was[name] != getattr(current, name))

    if current.status not in SAMPLING_STATUSES:
        for name in ("period_from", "period_to"):
            if changed(name):
                _add(
                    errors,
                    name,
                    "The practice period cannot change once auditing has started: the sample was drawn "
                    "from it and the agencies are grading the practice in it.",
                )
        if changed("start_on") and was["start_on"] <= today:
            _add(
                errors,
                "start_on",
                f"Auditing started on {long_date(was['start_on'])}, so the start date can no longer change.",
            )
        if changed("tool_id"):
            _add(
                errors, "tool", "The audit tool cannot change once auditing has started: the agencies grade against it."
            )
    if (
        current.status == AuditStatus.IN_PROGRESS
        and changed("end_on")
        and current.end_on < today
        and "end_on" not in errors
    ):
        _add(
            errors,
            "end_on",
            "The audit is in progress, so the end date cannot be before today or the auditors could not finish "
            "grading. To end one person's access now, remove them as an auditor.",
        )
    if changed("lead_id") and (not current.lead.is_active or current.lead.is_system):
        _add(errors, "lead", "Choose a person who can sign in as the audit's lead.")


def _baseline_errors(current: Audit, was: dict[str, Any], errors: Errors) -> None:
    """A re-audit's baseline is another audit, and never one that is itself a re-audit of this one."""
    if was["baseline_id"] == current.baseline_id or current.baseline_id is None:
        return
    if current.baseline_id == current.pk:
        _add(errors, "baseline", "An audit cannot be its own baseline.")
        return
    seen, step = {current.baseline_id}, current.baseline
    while step is not None and step.baseline_id is not None and step.baseline_id not in seen:
        if step.baseline_id == current.pk:
            _add(errors, "baseline", "That audit is itself a re-audit of this one, so it cannot be its baseline.")
            return
        seen.add(step.baseline_id)
        step = step.baseline


def _agency_errors(current: Audit, agencies: list[Agency], errors: Errors) -> None:
    """An agency leaves the audit only if it has recorded nothing and has no named auditors left."""
    if not agencies:
        _add(errors, "agencies", "Choose at least one participating agency.")
    leaving = set(current.agencies.values_list("pk", flat=True)) - {a.pk for a in agencies}
    if not leaving:
        return
    responses = AuditResponse.objects.filter(case__audit=current, agency_id__in=leaving)
    answered = list(Agency.objects.filter(pk__in=responses.values("agency_id")).order_by("name"))
    if answered:
        plural = len(answered) > 1
        _add(
            errors,
            "agencies",
            f"{_names(a.name for a in answered)} {'have' if plural else 'has'} already recorded responses, "
            f"so {'they' if plural else 'it'} cannot be removed from the participating agencies.",
        )
    named: dict[str, list[str]] = {}
    for auditor in current.auditors.filter(agency_id__in=leaving).select_related("agency", "user"):
        named.setdefault(auditor.agency.name, []).append(auditor.user.get_full_name() or auditor.user.username)
    for agency_name, people in sorted(named.items()):
        _add(
            errors,
            "agencies",
            f"{agency_name} still has named auditors ({_names(people)}): remove them as auditors before "
            "removing the agency.",
        )


def _plan_errors(current: Audit, was: dict[str, Any], agencies: list[Agency] | None) -> Errors:
    """What is wrong with the plan as it would be (`current`, changed in memory) compared with how it was
    (`was`). The stage rules apply only to what changes, so an audit that started early can still have
    its title corrected."""
    errors = _missing_errors(current)
    if errors:
        return errors
    _field_errors(current, errors)
    _stage_errors(current, was, errors, timezone.localdate())
    _baseline_errors(current, was, errors)
    if agencies is not None:
        _agency_errors(current, agencies, errors)
    return errors


@kernel.service
def change_audit_plan(*, actor: Person, audit: Audit, version: int, **fields: Any) -> Audit:
    """Change the audit's plan (title, type, theme, question, lead, dates, practice period, agencies, tool,
    baseline, programme) until it closes. `version` is the audit's version as the person read it: a change
    made since refuses the edit (StaleVersion) rather than overwriting it. The auditors' access follows
    the new dates at once: it is worked out from the audit's `start_on` and `end_on` on every request."""
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValueError(f"Not audit plan fields: {sorted(unknown)}")
    # The audit as it is now, locked: the rule, the stage and the version are checked against it, not
    # against what the caller read.
    current = kernel.lock(Audit.objects.select_related("lead", "baseline"), audit.pk, noun="audit")
    refusal = workflow.plan_change_refusal(actor, current)
    kernel.require(not refusal, refusal)
    if version != current.version:
        raise kernel.StaleVersion(workflow.STALE_MESSAGE)
    agencies = list(fields.pop("agencies")) if "agencies" in fields else None
    before = snapshot(current, AUDIT_FIELDS)
    before["agencies"] = sorted(current.agencies.values_list("pk", flat=True))
    was = {name: getattr(current, name) for name in COMPARED_FIELDS}
    for name, value in fields.items():
        setattr(current, name, value.strip() if isinstance(value, str) else value)
    errors = _plan_errors(current, was, agencies)
    if errors:
        raise ValidationError(errors)
    after = snapshot(current, AUDIT_FIELDS)
    after["agencies"] = sorted(a.pk for a in agencies) if agencies is not None else before["agencies"]
    changes = diff(before, after)
    if not changes:
        kernel.unchanged()
        return current
    kernel.update_versioned(
        current,
        version=version,
        changes={name: getattr(current, name) for name in AUDIT_FIELDS if name in changes},
        noun="audit",
    )
    if "agencies" in changes and agencies is not None:
        current.agencies.set(agencies)
    record_activity(actor=actor, action="audit.changed", target=current, changes=changes)
    audit.refresh_from_db()
    return current


# ---- auditors ---------------------------------------------------------------------------------------


@kernel.service
def name_auditor(*, actor: Person, audit: Audit, user: Person, agency: Agency) -> AuditAuditor:
    kernel.require(workflow.can_run(actor, audit), "Only the business unit or the audit's lead can name auditors.")
    kernel.require(audit.status != AuditStatus.CLOSED, "The audit is closed.")
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


@kernel.service
def take_auditor_off(*, actor: Person, audit: Audit, auditor: AuditAuditor, reason: str) -> None:
    """Take a person off the audit, with the reason. Their access ends at once: every check asks for
    their `AuditAuditor` row, which goes. The responses they recorded stay, still attributed to them
    (`AuditResponse.answered_by`); the log keeps who they were, for which agency and since when."""
    if auditor.audit_id != audit.pk:
        raise ValueError("The auditor is not on this audit.")
    current = kernel.lock(Audit, audit.pk, noun="audit")
    kernel.require(
        workflow.can_remove_auditor(actor, current), "Only the business unit or the audit's lead can remove auditors."
    )
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError({"reason": "Enter why this person is no longer an auditor, in at least 10 characters."})
    row = AuditAuditor.objects.select_for_update().filter(pk=auditor.pk).first()
    kernel.require(row is not None, "This person has already been removed as an auditor.")
    assert row is not None
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
