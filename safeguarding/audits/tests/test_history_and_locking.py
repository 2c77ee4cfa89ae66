"""An audit's history (`AuditTransition`, one row per status change, shown on the audit page), and every
service that locks the audit (or a response) running outside the test transaction, as on PostgreSQL
under autocommit: each `select_for_update` must run inside the service's own transaction."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safeguarding.audits import services, workflow
from safeguarding.audits.enums import Area, AuditStatus, FindingKind
from safeguarding.audits.models import Audit, AuditTransition
from safeguarding.audits.tests.helpers import grade_all
from safeguarding.audits.workflow import STALE_MESSAGE, NotAllowed, StaleVersion
from safeguarding.core.models import ActivityLog


def _steps(audit: Audit) -> list[tuple[str, str]]:
    return list(audit.transitions.order_by("at", "id").values_list("from_status", "to_status"))


def test_every_status_change_writes_a_history_row(ac):
    audit = ac.running()

    assert _steps(audit) == [
        (AuditStatus.PLANNED, AuditStatus.SAMPLING),
        (AuditStatus.SAMPLING, AuditStatus.IN_PROGRESS),
    ]
    started = audit.transitions.get(to_status=AuditStatus.IN_PROGRESS)
    assert started.actor == ac.business
    assert started.actor_agency == ac.business.active_memberships[0].agency
    # The activity log keeps its own row for each change, as before.
    assert list(
        ActivityLog.objects.filter(action="audit.status_changed", target_id=str(audit.pk))
        .order_by("pk")
        .values_list("changes", flat=True)
    ) == [{"status": ["planned", "sampling"]}, {"status": ["sampling", "in_progress"]}]


def test_move_records_the_reason_given(ac):
    audit = ac.running()
    grade_all(ac.cast.involved, audit.cases.order_by("number").first(), ac.cast.agency, "good")
    audit.refresh_from_db()

    services.move_audit(actor=ac.lead, audit=audit, version=audit.version, reason="  Grading finished early  ")

    step = audit.transitions.get(to_status=AuditStatus.MODERATION)
    assert (step.from_status, step.actor, step.reason) == (AuditStatus.IN_PROGRESS, ac.lead, "Grading finished early")
    assert audit.status == AuditStatus.MODERATION  # the caller's object is brought up to date


def test_a_refused_move_writes_no_history(ac):
    audit = ac.running()
    before = _steps(audit)

    with pytest.raises(NotAllowed, match="No agency has graded a case yet"):
        services.move_audit(actor=ac.business, audit=audit, version=audit.version)
    with pytest.raises(NotAllowed) as refused:
        services.move_audit(actor=ac.cast.involved, audit=audit, version=audit.version)
    assert refused.value.message == workflow.MOVE_REFUSED
    with pytest.raises(StaleVersion) as stale:
        services.move_audit(actor=ac.business, audit=audit, version=audit.version - 1)
    assert stale.value.message == STALE_MESSAGE

    assert _steps(audit) == before


def test_history_rows_are_never_changed(ac):
    audit = ac.running()
    step = audit.transitions.first()
    assert step is not None
    step.reason = "Rewritten"
    with pytest.raises(ValueError, match="never changed"):
        step.save()
    assert AuditTransition.objects.get(pk=step.pk).reason == ""


def test_the_move_button_follows_the_workflow_permission(ac):
    audit = ac.running()
    assert ac.business.has_perm("audits.move", audit)
    assert ac.lead.has_perm("audits.move", audit)
    assert not ac.cast.involved.has_perm("audits.move", audit)
    assert not ac.scrutineer.has_perm("audits.move", audit)
    Audit.objects.filter(pk=audit.pk).update(status=AuditStatus.CLOSED)
    audit.refresh_from_db()
    assert not ac.business.has_perm("audits.move", audit)


def test_audit_page_shows_the_history(ac, client_for):
    audit = ac.running()

    body = client_for(ac.business).get(reverse("audits:detail", args=[audit.pk])).content.decode()

    history = body[body.index('id="history"') :]
    assert "Planned to Sampling" in history
    assert "Sampling to In progress" in history
    assert "Test Business Unit" in history


def test_a_new_audit_page_says_it_has_not_moved_on(ac, client_for):
    audit = ac.plan()
    body = client_for(ac.business).get(reverse("audits:detail", args=[audit.pk])).content.decode()
    assert "The audit has not moved on since it was planned." in body


# ---- the locking paths, outside the test transaction (PostgreSQL: select_for_update needs one) ------


@pytest.mark.django_db(transaction=True)
def test_move_audit_locks_in_its_own_transaction(ac):
    audit = ac.running()
    grade_all(ac.cast.involved, audit.cases.order_by("number").first(), ac.cast.agency, "good")
    audit.refresh_from_db()
    services.move_audit(actor=ac.business, audit=audit, version=audit.version)
    assert Audit.objects.get(pk=audit.pk).status == AuditStatus.MODERATION
    assert audit.transitions.filter(to_status=AuditStatus.MODERATION).exists()


@pytest.mark.django_db(transaction=True)
def test_change_audit_plan_locks_in_its_own_transaction(ac):
    audit = ac.plan()
    services.change_audit_plan(actor=ac.business, audit=audit, version=audit.version, title="Renamed")
    with pytest.raises(StaleVersion):
        services.change_audit_plan(actor=ac.lead, audit=audit, version=audit.version - 1, title="Stale")
    assert Audit.objects.get(pk=audit.pk).title == "Renamed"


@pytest.mark.django_db(transaction=True)
def test_removing_an_auditor_locks_in_its_own_transaction(ac):
    audit = ac.running()
    auditor = audit.auditors.get(user=ac.police_auditor)
    services.take_auditor_off(actor=ac.business, audit=audit, auditor=auditor, reason="Moved to another team")
    assert not audit.auditors.filter(user=ac.police_auditor).exists()


@pytest.mark.django_db(transaction=True)
def test_drawing_and_choosing_the_sample_lock_in_their_own_transaction(ac):
    audit = ac.plan()
    services.draw_sample(actor=ac.business, audit=audit, criteria=ac.criteria(audit), size=2, seed=7, version=1)
    services.choose_case(actor=ac.business, audit=audit, child=ac.cast.other_child, reason="Known to police")
    audit.refresh_from_db()
    assert (audit.status, audit.cases.count(), audit.version) == (AuditStatus.SAMPLING, 3, 2)
    with pytest.raises(StaleVersion):
        services.draw_sample(actor=ac.business, audit=audit, criteria=ac.criteria(audit), size=2, seed=8, version=1)


@pytest.mark.django_db(transaction=True)
def test_grading_moderating_and_findings_lock_in_their_own_transaction(ac):
    audit = ac.running(cases=1)
    case = audit.cases.order_by("number").first()
    grade_all(ac.cast.involved, case, ac.cast.agency, "good")
    grade_all(ac.police_auditor, case, ac.cast.partner_agency, "good", {"planning": "inadequate"})
    grade_all(ac.police_auditor, case, ac.cast.partner_agency, "good", {"planning": "requires_improvement"})
    audit.refresh_from_db()
    services.move_audit(actor=ac.business, audit=audit, version=audit.version)
    services.moderate(
        actor=ac.lead, case=case, area=Area.PLANNING, final_grade="good", rationale="Agreed at the moderation meeting."
    )
    finding = services.add_finding(actor=ac.lead, audit=audit, kind=FindingKind.STRENGTH, text="Plans reviewed.")
    assert finding.number == 1
    assert case.moderated_grades.get(area=Area.PLANNING).final_grade == "good"
