"""Changing an audit's plan (`services.change_audit_plan`): the version check, each validation rule, who may,
the activity log, and that moving the audit's dates moves the auditors' access (one source of truth)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from safeguarding.agencies.enums import Role
from safeguarding.audits import services, workflow
from safeguarding.audits.enums import AuditStatus, AuditType
from safeguarding.audits.models import Audit, AuditTool
from safeguarding.audits.tests.conftest import set_dates
from safeguarding.audits.tests.helpers import grade_all
from safeguarding.audits.workflow import STALE_MESSAGE, NotAllowed, StaleVersion
from safeguarding.core.models import ActivityLog
from safeguarding.testing import factories as f


def _errors(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def _set_status(audit: Audit, status: AuditStatus) -> None:
    Audit.objects.filter(pk=audit.pk).update(status=status)
    audit.refresh_from_db()


# ---- changes, version, log ------------------------------------------------------------------------


def test_edit_audit_changes_the_plan_and_logs_a_diff(ac):
    audit = ac.plan()
    today = timezone.localdate()
    old_end, old_lead = audit.end_on, audit.lead_id
    new_lead = f.member(ac.business.active_memberships[0].agency, Role.BUSINESS_UNIT, username="new.lead")
    agencies = [ac.cast.agency, ac.cast.partner_agency, ac.cast.unrelated_agency]

    saved = services.change_audit_plan(
        actor=ac.business,
        audit=audit,
        version=audit.version,
        title="  Early help audit (extended)  ",
        end_on=today + timedelta(days=60),
        lead=new_lead,
        agencies=agencies,
    )

    saved.refresh_from_db()
    assert saved.title == "Early help audit (extended)"
    assert saved.end_on == today + timedelta(days=60)
    assert saved.lead == new_lead
    assert set(saved.agencies.all()) == set(agencies)
    assert saved.version == 2
    assert audit.version == 2  # the caller's object is brought up to date too
    log = ActivityLog.objects.get(action="audit.changed")
    assert log.actor == ac.business
    assert log.target_id == str(audit.pk)
    assert log.changes == {
        "title": ["Early help service audit", "Early help audit (extended)"],
        "end_on": [old_end.isoformat(), (today + timedelta(days=60)).isoformat()],
        "lead": [old_lead, new_lead.pk],
        "agencies": [
            sorted([ac.cast.agency.pk, ac.cast.partner_agency.pk]),
            sorted(a.pk for a in agencies),
        ],
    }


def test_edit_audit_refuses_a_stale_version(ac):
    audit = ac.plan()
    read_by_second_person = audit.version
    services.change_audit_plan(
        actor=ac.business, audit=audit, version=audit.version, title="Changed by the business unit"
    )

    stale = Audit.objects.get(pk=audit.pk)
    with pytest.raises(StaleVersion) as excinfo:
        services.change_audit_plan(actor=ac.lead, audit=stale, version=read_by_second_person, title="Overwrite")

    assert excinfo.value.message == STALE_MESSAGE
    audit.refresh_from_db()
    assert audit.title == "Changed by the business unit"
    assert audit.version == 2
    assert ActivityLog.objects.filter(action="audit.changed").count() == 1


def test_edit_audit_refuses_a_version_moved_on_by_a_status_change(ac):
    audit = ac.plan()
    services.name_auditor(actor=ac.business, audit=audit, user=ac.cast.involved, agency=ac.cast.agency)
    services.choose_case(actor=ac.business, audit=audit, child=ac.cast.other_child, reason="Chosen for the test")
    read = Audit.objects.get(pk=audit.pk).version
    services.move_audit(actor=ac.business, audit=Audit.objects.get(pk=audit.pk), version=read)
    with pytest.raises(StaleVersion):
        services.change_audit_plan(actor=ac.business, audit=audit, version=read, title="Too late")


def test_edit_audit_with_nothing_changed_keeps_the_version_and_logs_nothing(ac):
    audit = ac.plan()
    services.change_audit_plan(
        actor=ac.business,
        audit=audit,
        version=audit.version,
        title=audit.title,
        agencies=[ac.cast.partner_agency, ac.cast.agency],
    )
    audit.refresh_from_db()
    assert audit.version == 1
    assert not ActivityLog.objects.filter(action="audit.changed").exists()


def test_edit_audit_refuses_fields_that_are_not_the_plan(ac):
    audit = ac.plan()
    with pytest.raises(ValueError):
        services.change_audit_plan(actor=ac.business, audit=audit, version=audit.version, status=AuditStatus.CLOSED)


# ---- validation ------------------------------------------------------------------------------------


def test_edit_audit_end_must_be_on_or_after_start(ac):
    audit = ac.plan()
    with pytest.raises(ValidationError) as excinfo:
        services.change_audit_plan(
            actor=ac.business, audit=audit, version=audit.version, end_on=audit.start_on - timedelta(days=1)
        )
    assert _errors(excinfo) == {"end_on": ["The end date must be on or after the start date."]}
    with pytest.raises(ValidationError) as excinfo:
        services.change_audit_plan(
            actor=ac.business, audit=audit, version=audit.version, period_to=audit.period_from - timedelta(days=1)
        )
    assert _errors(excinfo) == {"period_to": ["The end of the period audited must be on or after its start."]}
    audit.refresh_from_db()
    assert audit.version == 1


def test_edit_audit_service_audit_needs_the_service(ac):
    audit = ac.plan(audit_type=AuditType.THEMATIC, service_name="")
    with pytest.raises(ValidationError) as excinfo:
        services.change_audit_plan(actor=ac.business, audit=audit, version=audit.version, audit_type=AuditType.SERVICE)
    assert _errors(excinfo) == {"service_name": ["Enter the name of the service audited."]}


def test_edit_audit_needs_at_least_one_agency(ac):
    audit = ac.plan()
    with pytest.raises(ValidationError) as excinfo:
        services.change_audit_plan(actor=ac.business, audit=audit, version=audit.version, agencies=[])
    assert _errors(excinfo) == {"agencies": ["Choose at least one participating agency."]}


def test_edit_audit_agency_with_responses_cannot_leave_and_is_named(ac):
    audit = ac.running(cases=1)
    grade_all(ac.police_auditor, ac.hand_picked(audit), ac.cast.partner_agency, "good")
    services.take_auditor_off(
        actor=ac.business,
        audit=audit,
        auditor=audit.auditors.get(user=ac.police_auditor),
        reason="Moved to another team",
    )

    with pytest.raises(ValidationError) as excinfo:
        services.change_audit_plan(actor=ac.business, audit=audit, version=audit.version, agencies=[ac.cast.agency])

    assert _errors(excinfo) == {
        "agencies": [
            "Test Police has already recorded responses, so it cannot be removed from the participating agencies."
        ]
    }
    assert set(audit.agencies.all()) == {ac.cast.agency, ac.cast.partner_agency}


def test_edit_audit_agency_with_named_auditors_cannot_leave(ac):
    audit = ac.plan()
    services.name_auditor(actor=ac.business, audit=audit, user=ac.police_auditor, agency=ac.cast.partner_agency)
    with pytest.raises(ValidationError) as excinfo:
        services.change_audit_plan(actor=ac.business, audit=audit, version=audit.version, agencies=[ac.cast.agency])
    name = ac.police_auditor.get_full_name() or ac.police_auditor.username
    assert _errors(excinfo) == {
        "agencies": [
            f"Test Police still has named auditors ({name}): remove them as auditors before removing the agency."
        ]
    }


def test_edit_audit_agency_without_responses_or_auditors_can_leave(ac):
    audit = ac.plan(agencies=[ac.cast.agency, ac.cast.partner_agency, ac.cast.unrelated_agency])
    services.change_audit_plan(
        actor=ac.business, audit=audit, version=audit.version, agencies=[ac.cast.agency, ac.cast.partner_agency]
    )
    assert set(audit.agencies.all()) == {ac.cast.agency, ac.cast.partner_agency}
    assert ActivityLog.objects.get(action="audit.changed").changes == {
        "agencies": [
            sorted([ac.cast.agency.pk, ac.cast.partner_agency.pk, ac.cast.unrelated_agency.pk]),
            sorted([ac.cast.agency.pk, ac.cast.partner_agency.pk]),
        ]
    }


def test_edit_audit_before_auditing_starts_everything_may_move(ac):
    audit = ac.plan()
    today = timezone.localdate()
    other_tool = AuditTool.objects.create(name="Short tool")
    services.change_audit_plan(
        actor=ac.business,
        audit=audit,
        version=audit.version,
        start_on=today + timedelta(days=10),
        end_on=today + timedelta(days=40),
        period_from=today - timedelta(days=200),
        period_to=today - timedelta(days=10),
        tool=other_tool,
    )
    audit.refresh_from_db()
    assert (audit.start_on, audit.period_to, audit.tool) == (
        today + timedelta(days=10),
        today - timedelta(days=10),
        other_tool,
    )


def test_edit_audit_once_auditing_has_started_the_practice_period_and_tool_are_fixed(ac):
    audit = ac.running(cases=1)
    with pytest.raises(ValidationError) as excinfo:
        services.change_audit_plan(
            actor=ac.business,
            audit=audit,
            version=audit.version,
            period_from=audit.period_from - timedelta(days=30),
            tool=AuditTool.objects.create(name="Short tool"),
        )
    assert _errors(excinfo) == {
        "period_from": [
            "The practice period cannot change once auditing has started: the sample was drawn from it and the "
            "agencies are grading the practice in it."
        ],
        "tool": ["The audit tool cannot change once auditing has started: the agencies grade against it."],
    }


def test_edit_audit_a_start_date_that_has_passed_is_fixed_once_auditing_started(ac):
    audit = ac.running(cases=1)
    started = audit.start_on
    with pytest.raises(ValidationError) as excinfo:
        services.change_audit_plan(
            actor=ac.business, audit=audit, version=audit.version, start_on=started + timedelta(days=1)
        )
    assert _errors(excinfo) == {
        "start_on": [f"Auditing started on {started.day} {started:%B %Y}, so the start date can no longer change."]
    }
    # An audit moved to "in progress" before its start date: the start date may still move.
    today = timezone.localdate()
    set_dates(audit, today + timedelta(days=3), today + timedelta(days=30))
    services.change_audit_plan(
        actor=ac.business, audit=audit, version=audit.version, start_on=today + timedelta(days=7)
    )
    assert audit.start_on == today + timedelta(days=7)


def test_edit_audit_in_progress_end_date_cannot_be_before_today(ac):
    audit = ac.running(cases=1)
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        services.change_audit_plan(actor=ac.business, audit=audit, version=audit.version, end_on=yesterday)
    assert _errors(excinfo) == {
        "end_on": [
            "The audit is in progress, so the end date cannot be before today or the auditors could not finish "
            "grading. To end one person's access now, remove them as an auditor."
        ]
    }
    # Other changes still save while the stage rules hold.
    services.change_audit_plan(
        actor=ac.business, audit=audit, version=audit.version, question="Is early help still good?"
    )
    assert audit.question == "Is early help still good?"


def test_edit_audit_baseline_cannot_be_itself_or_a_re_audit_of_it(ac):
    audit = ac.plan()
    re_audit = ac.plan(title="Re-audit", baseline=audit)
    with pytest.raises(ValidationError) as excinfo:
        services.change_audit_plan(actor=ac.business, audit=audit, version=audit.version, baseline=audit)
    assert _errors(excinfo) == {"baseline": ["An audit cannot be its own baseline."]}
    third = ac.plan(title="Third", baseline=re_audit)
    with pytest.raises(ValidationError) as excinfo:
        services.change_audit_plan(actor=ac.business, audit=audit, version=audit.version, baseline=third)
    assert _errors(excinfo) == {
        "baseline": ["That audit is itself a re-audit of this one, so it cannot be its baseline."]
    }


def test_closed_audit_cannot_be_edited(ac):
    audit = ac.plan()
    _set_status(audit, AuditStatus.CLOSED)
    with pytest.raises(NotAllowed) as excinfo:
        services.change_audit_plan(actor=ac.business, audit=audit, version=audit.version, title="Too late")
    assert excinfo.value.message == "The audit is closed, so its details can no longer be changed."


# ---- who may -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["involved", "police_auditor", "scrutineer", "partner", "unrelated"])
def test_edit_audit_refused_to_auditors_scrutineers_and_others(ac, persona):
    audit = ac.running(cases=1)
    person = {
        "involved": ac.cast.involved,
        "police_auditor": ac.police_auditor,
        "scrutineer": ac.scrutineer,
        "partner": ac.cast.partner,
        "unrelated": ac.cast.unrelated,
    }[persona]
    assert not workflow.can_change_plan(person, audit)
    assert not person.has_perm("audits.change_plan", audit)
    with pytest.raises(NotAllowed) as excinfo:
        services.change_audit_plan(actor=person, audit=audit, version=audit.version, title="Mine now")
    assert excinfo.value.message == "Only the business unit or the audit's lead can change the audit's details."
    audit.refresh_from_db()
    assert audit.title == "Early help service audit"


def test_edit_audit_allowed_to_business_unit_administrator_and_lead(ac):
    audit = ac.plan()
    admin = f.member(ac.business.active_memberships[0].agency, Role.ADMINISTRATOR, username="admin")
    for n, person in enumerate((ac.business, admin, ac.lead)):
        assert person.has_perm("audits.change_plan", audit)
        services.change_audit_plan(actor=person, audit=audit, version=audit.version, title=f"Title {n}")
    audit.refresh_from_db()
    assert audit.title == "Title 2"
    assert audit.version == 4
    # A lead who is not in the business unit may change their own audit, and only that one.
    practitioner_lead = f.member(ac.cast.agency, Role.MANAGER, username="practitioner.lead")
    own = ac.plan(lead=practitioner_lead)
    services.change_audit_plan(actor=practitioner_lead, audit=own, version=own.version, title="Led by a manager")
    with pytest.raises(NotAllowed):
        services.change_audit_plan(actor=practitioner_lead, audit=audit, version=audit.version, title="Not mine")
    assert not practitioner_lead.has_perm("audits.change_plan", audit)


# ---- dates move access ---------------------------------------------------------------------------


def test_moving_the_end_date_moves_the_auditors_access(ac, client_for):
    audit = ac.running(cases=1)
    case = ac.hand_picked(audit)
    url = reverse("audits:case", args=[audit.pk, case.pk])
    auditor = client_for(ac.cast.involved)
    today = timezone.localdate()

    set_dates(audit, today - timedelta(days=30), today - timedelta(days=1))  # the audit period has run out
    assert auditor.get(url).status_code == 404
    services.change_audit_plan(
        actor=ac.business, audit=audit, version=audit.version, end_on=today + timedelta(days=7)
    )  # extended
    assert auditor.get(url).status_code == 200
    assert "Audits you are grading" in auditor.get(reverse("core:home")).content.decode()  # the home panel follows

    _set_status(audit, AuditStatus.MODERATION)
    services.change_audit_plan(
        actor=ac.lead, audit=audit, version=audit.version, end_on=today - timedelta(days=1)
    )  # access ended early
    assert auditor.get(url).status_code == 404
    assert not workflow.can_view_case(ac.cast.involved, Audit.objects.get(pk=audit.pk))


def test_moving_the_start_date_moves_when_auditors_access_begins(ac, client_for):
    audit = ac.plan()
    services.name_auditor(actor=ac.business, audit=audit, user=ac.cast.involved, agency=ac.cast.agency)
    case = services.choose_case(actor=ac.business, audit=audit, child=ac.cast.other_child, reason="Chosen for a test")
    audit.refresh_from_db()
    url = reverse("audits:case", args=[audit.pk, case.pk])
    auditor = client_for(ac.cast.involved)
    assert auditor.get(url).status_code == 200
    today = timezone.localdate()
    services.change_audit_plan(
        actor=ac.business, audit=audit, version=audit.version, start_on=today + timedelta(days=2)
    )
    assert auditor.get(url).status_code == 404
