"""Who may see and do what on an audit (declared once, the app's one module of access rules), and the
status transition table with its guards (`AUDIT_WORKFLOW`; `services.move_audit` applies it).

Pages, the API, templates (through the `rules` permissions registered below) and the services ask the
same predicates, so a button is shown exactly when the action would be allowed.

- The business unit and administrators plan and run audits (every audit).
- The audit's lead runs it and moderates.
- Those who run an audit change its plan until it closes (`plan_change_refusal`), and remove auditors
  at any time (`can_remove_auditor`): a removed auditor's access ends at once, because access is
  worked out from the `AuditAuditor` rows and the audit's own dates on every request.
- Named auditors complete their own agency's responses, and see the sampled children only between the
  audit's start and end dates (and never once it is closed).
- An agency system (API token) posts its agency's responses while the audit is in progress.
- Scrutineers read summaries: grade distributions, findings, comparisons; no case-level data.
- Everyone else: 404.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, TypeGuard

import rules
from django.db.models import Q
from django.utils import timezone

from safeguarding.agencies.enums import Role
from safeguarding.audits.enums import SAMPLING_STATUSES, STATUS_ORDER, AuditStatus
from safeguarding.audits.models import Audit, AuditTransition
from safeguarding.core import facts, kernel
from safeguarding.core.access import is_active_person

if TYPE_CHECKING:
    from safeguarding.core.types import Person, Viewer

RUNNING_ROLES = frozenset({Role.BUSINESS_UNIT, Role.ADMINISTRATOR})


# The kernel's errors, under the names other modules import from here.
AuditError = kernel.ServiceError
NotAllowed = kernel.NotAllowed
StaleVersion = kernel.StaleVersion
STALE_MESSAGE = kernel.stale_message("audit")


# ---- who -----------------------------------------------------------------------------------------


def _person(user: Viewer | None) -> TypeGuard[Person]:
    return is_active_person(user) and not user.is_system


def is_business_unit(user: Viewer) -> bool:
    return _person(user) and bool(user.roles & RUNNING_ROLES)


def is_scrutineer(user: Viewer) -> bool:
    return _person(user) and user.has_role(Role.SCRUTINEER)


def is_lead(user: Viewer, audit: Audit) -> bool:
    return _person(user) and audit.lead_id == user.pk


def auditor_agency_ids(user: Viewer, audit: Audit) -> set[int]:
    """The agencies this person audits for on this audit (cached on the audit object per request)."""
    if not _person(user):
        return set()
    cache = audit.__dict__.setdefault("_auditor_agencies", {})
    if user.pk not in cache:
        cache[user.pk] = set(audit.auditors.filter(user_id=user.pk).values_list("agency_id", flat=True))
    return set(cache[user.pk])


def system_agency_ids(user: Viewer, audit: Audit) -> set[int]:
    """An agency system's own agency, when that agency takes part in the audit."""
    if not (is_active_person(user) and user.is_system):
        return set()
    own = user.agency_ids_with_role({Role.AGENCY_SYSTEM})
    return own & set(audit.agencies.values_list("pk", flat=True))


def can_plan(user: Viewer) -> bool:
    return is_business_unit(user)


def can_use_audits(user: Viewer) -> bool:
    """Whether the audits pages are for this person at all (navigation)."""
    if not _person(user):
        return False
    if is_business_unit(user) or is_scrutineer(user):
        return True
    # Asked with the navigation's other facts: one query a page for all of them.
    return facts.holds(user, "audits.leads_or_audits")


facts.register(
    "audits.leads_or_audits", lambda user: Audit.objects.filter(Q(lead_id=user.pk) | Q(auditors__user_id=user.pk))
)


def can_run(user: Viewer, audit: Audit) -> bool:
    """Draw the sample, name auditors, move the status, write findings, create actions."""
    return is_business_unit(user) or is_lead(user, audit)


def plan_change_refusal(user: Viewer, audit: Audit) -> str:
    """Why this person may not change the audit's plan now ('' when they may). The one rule for the
    page, the API, the template link and `services.change_audit_plan`."""
    if not can_run(user, audit):
        return "Only the business unit or the audit's lead can change the audit's details."
    if audit.status == AuditStatus.CLOSED:
        return "The audit is closed, so its details can no longer be changed."
    return ""


def can_change_plan(user: Viewer, audit: Audit) -> bool:
    return not plan_change_refusal(user, audit)


def can_remove_auditor(user: Viewer, audit: Audit) -> bool:
    """Removing an auditor is always possible for those who run the audit, even once it is closed:
    taking access away must never be blocked."""
    return can_run(user, audit)


def can_moderate(user: Viewer, audit: Audit) -> bool:
    return is_lead(user, audit) and audit.status == AuditStatus.MODERATION


def can_see_case_data(user: Viewer, audit: Audit) -> bool:
    """The sample and the grades case by case (not scrutineers: they read summaries). Agency systems
    of participating agencies too (the API), for their own agency's responses."""
    return can_run(user, audit) or bool(auditor_agency_ids(user, audit)) or bool(system_agency_ids(user, audit))


def within_audit_period(audit: Audit, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return audit.start_on <= today <= audit.end_on and audit.status != AuditStatus.CLOSED


def can_view_case(user: Viewer, audit: Audit, today: date | None = None) -> bool:
    """A sampled child's audit page (child summary and the chronology the audit needs).

    Auditors: only between the audit's start and end dates and before it closes. The lead and the
    business unit: while the audit is open (they draw and moderate the sample)."""
    if can_run(user, audit):
        return audit.status != AuditStatus.CLOSED
    own = auditor_agency_ids(user, audit) or system_agency_ids(user, audit)
    return bool(own) and within_audit_period(audit, today)


def own_agency_ids(user: Viewer, audit: Audit) -> set[int]:
    """The agencies whose responses this person or system sees: every participating one for the
    business unit and the lead; their own for auditors and agency systems."""
    if can_run(user, audit):
        return set(audit.agencies.values_list("pk", flat=True))
    return auditor_agency_ids(user, audit) | system_agency_ids(user, audit)


def responding_agency_ids(user: Viewer, audit: Audit, today: date | None = None) -> set[int]:
    """Agencies whose responses this person (or agency system) may record now."""
    if audit.status != AuditStatus.IN_PROGRESS:
        return set()
    if is_active_person(user) and user.is_system:
        return system_agency_ids(user, audit) if within_audit_period(audit, today) else set()
    if not within_audit_period(audit, today):
        return set()
    return auditor_agency_ids(user, audit)


def can_see_summary(user: Viewer, audit: Audit) -> bool:
    return can_see_case_data(user, audit) or is_scrutineer(user)


# ---- transitions ---------------------------------------------------------------------------------


def next_status(audit: Audit) -> AuditStatus | None:
    index = STATUS_ORDER.index(AuditStatus(audit.status))
    return STATUS_ORDER[index + 1] if index + 1 < len(STATUS_ORDER) else None


NEXT_LABELS: dict[str, str] = {
    AuditStatus.SAMPLING: "Start sampling",
    AuditStatus.IN_PROGRESS: "Start auditing",
    AuditStatus.MODERATION: "Start moderation",
    AuditStatus.FINDINGS: "Close moderation",
    AuditStatus.CLOSED: "Close the audit",
}


def blocker(audit: Audit) -> str:
    """Why the audit cannot move to its next status yet ('' when it can)."""
    target = next_status(audit)
    if target is None:
        return "The audit is closed."
    if target == AuditStatus.IN_PROGRESS:
        if not audit.cases.exists():
            return "Draw or choose the sample first."
        if not audit.auditors.exists():
            return "Name at least one auditor first."
    if target == AuditStatus.MODERATION and not audit.cases.filter(responses__isnull=False).exists():
        return "No agency has graded a case yet."
    if target == AuditStatus.FINDINGS:
        from safeguarding.audits.grading import unmoderated_differences

        missing = unmoderated_differences(audit)
        if missing:
            return (
                f"{len(missing)} differing grade{'s' if len(missing) != 1 else ''} still to moderate: "
                "agree a final grade for each before closing moderation."
            )
    if target == AuditStatus.CLOSED and not audit.findings.exists():
        return "Record at least one finding first."
    return ""


MOVE_REFUSED = "Only the business unit or the audit's lead can move the audit on."

# An audit moves one way, each step to the next status in `STATUS_ORDER` (its target is computed by
# `next_status`, so `apply` is given it); `blocker` says what must be done before the step.
AUDIT_WORKFLOW = kernel.Workflow(
    name="audit",
    noun="audit",
    app_label="audits",
    transitions=[
        kernel.Transition(
            action="move",
            label="Move the audit on",
            sources=frozenset(STATUS_ORDER[:-1]),
            target=None,
            not_allowed=MOVE_REFUSED,
            who=lambda user, audit: can_run(user, audit),
        ),
    ],
)


def _actor_agency_id(actor: Person) -> int | None:
    """The agency the person acted for: their first active membership (none for a scheduled job)."""
    memberships = getattr(actor, "active_memberships", None) or []
    return next((m.agency_id for m in memberships), None)


def advance(
    audit: Audit, *, actor: Person, version: int, reason: str = "", fields: dict[str, Any] | None = None
) -> kernel.Moved:
    """Move the (locked) audit to its next status through `AUDIT_WORKFLOW`, saving `fields` with it, and
    write its history row (`AuditTransition`) and the activity log. Called inside a service, after the
    service has checked `blocker`."""

    def history(moved: kernel.Moved) -> None:
        AuditTransition.objects.create(
            audit=audit,
            from_status=moved.from_status,
            to_status=moved.to_status,
            actor=actor,
            actor_agency_id=_actor_agency_id(actor),
            reason=reason,
            at=timezone.now(),
        )

    target = next_status(audit)
    kernel.require(target is not None, "The audit is closed.")
    return AUDIT_WORKFLOW.apply(
        audit,
        action="move",
        actor=actor,
        version=version,
        fields=fields,
        target=str(target),
        history=history,
        log_action="audit.status_changed",
    )


def sample_open(audit: Audit) -> bool:
    return audit.status in SAMPLING_STATUSES


@rules.predicate
def _plan(user: Viewer) -> bool:
    return can_plan(user)


@rules.predicate
def _use(user: Viewer) -> bool:
    return can_use_audits(user)


@rules.predicate
def _see_summary(user: Viewer, audit: Audit | None) -> bool:
    return audit is not None and can_see_summary(user, audit)


@rules.predicate
def _view_case(user: Viewer, audit: Audit | None) -> bool:
    return audit is not None and can_view_case(user, audit)


@rules.predicate
def _run(user: Viewer, audit: Audit | None) -> bool:
    return audit is not None and can_run(user, audit)


@rules.predicate
def _change_plan(user: Viewer, audit: Audit | None) -> bool:
    return audit is not None and can_change_plan(user, audit)


@rules.predicate
def _remove_auditor(user: Viewer, audit: Audit | None) -> bool:
    return audit is not None and can_remove_auditor(user, audit)


@rules.predicate
def _moderate(user: Viewer, audit: Audit | None) -> bool:
    return audit is not None and can_moderate(user, audit)


@rules.predicate
def _see_cases(user: Viewer, audit: Audit | None) -> bool:
    return audit is not None and can_see_case_data(user, audit)


rules.add_perm("audits.use", _use)
rules.add_perm("audits.plan", _plan)
rules.add_perm("audits.see_summary", _see_summary)
rules.add_perm("audits.view_case", _view_case)
rules.add_perm("audits.run", _run)
rules.add_perm("audits.change_plan", _change_plan)
rules.add_perm("audits.remove_auditor", _remove_auditor)
rules.add_perm("audits.moderate", _moderate)
rules.add_perm("audits.see_cases", _see_cases)
