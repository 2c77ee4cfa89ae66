"""The learning reports give exact numbers: attendance by agency and role against invitations, evaluation
results, and themes covered against learning flags and review findings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from safeguarding.agencies.enums import Role
from safeguarding.escalations.models import Escalation, EscalationReason, EscalationStage
from safeguarding.learning import reports, services
from safeguarding.learning.models import LearningEvent
from safeguarding.learning.tests.conftest import LearnCast
from safeguarding.reviews.models import Theme


def _move(event: LearningEvent, days_ago: int) -> LearningEvent:
    starts = timezone.now() - timedelta(days=days_ago)
    LearningEvent.objects.filter(pk=event.pk).update(starts_at=starts, ends_at=starts + timedelta(hours=2))
    event.refresh_from_db()
    return event


@pytest.fixture
def held(lc: LearnCast) -> dict[str, Any]:
    """Event 1: every role in health agencies + police practitioners; 3 registered, 2 came.
    Event 2: housing practitioners; 1 registered, 1 came. Event 3: over a year ago (outside the period)."""
    c = lc.cast
    neglect = Theme.objects.get(code="neglect")
    one = lc.event(title="Workshop one", themes=[neglect])
    services.add_invitation(actor=lc.business, event=one, agency=c.partner_agency, role=Role.PRACTITIONER)
    two = lc.event(title="Briefing two", kind="briefing", invite_kind=None)
    services.add_invitation(actor=lc.business, event=two, agency=c.unrelated_agency, role=Role.PRACTITIONER)
    three = lc.event(title="Old conference", kind="conference")
    for person in (c.involved, lc.facilitator, c.partner):
        services.register_for_event(actor=person, event=one)
    services.register_for_event(actor=c.unrelated, event=two)
    services.register_for_event(actor=c.involved, event=three)
    one, two, three = _move(one, 20), _move(two, 10), _move(three, 400)
    services.record_attendance(
        actor=lc.business, event=one, attended={c.involved.pk: True, lc.facilitator.pk: False, c.partner.pk: True}
    )
    services.record_attendance(actor=lc.business, event=two, attended={c.unrelated.pk: True})
    services.record_attendance(actor=lc.business, event=three, attended={c.involved.pk: True})
    evaluate = services.submit_evaluation
    evaluate(actor=c.involved, event=one, confidence_before=2, confidence_after=4, practice_change="a")
    evaluate(actor=c.partner, event=one, confidence_before=3, confidence_after=3, practice_change="b")
    evaluate(actor=c.unrelated, event=two, confidence_before=1, confidence_after=4, practice_change="c")
    evaluate(actor=c.involved, event=three, confidence_before=5, confidence_after=1, practice_change="d")
    period = reports.Period(timezone.localdate() - timedelta(days=60), timezone.localdate())
    return {"one": one, "two": two, "three": three, "period": period}


def test_attendance_report_by_agency_against_invitations(lc: LearnCast, held: dict[str, Any]) -> None:
    report = reports.attendance_report(held["period"], charts=False)
    rows = {r.label: (r.invited_events, r.registered, r.attended, r.percent_attended) for r in report.by_agency}
    assert rows == {
        "Test Community Health": (1, 2, 1, 50),
        "Test Police": (1, 1, 1, 100),
        "Test Housing": (1, 1, 1, 100),
    }


def test_attendance_report_by_role_against_invitations(lc: LearnCast, held: dict[str, Any]) -> None:
    report = reports.attendance_report(held["period"], charts=False)
    rows = {r.label: (r.invited_events, r.registered, r.attended, r.percent_attended) for r in report.by_role}
    # Practitioners: invited to both events (every role at event one, practitioners at event two).
    assert rows == {"Practitioner": (2, 3, 3, 100), "Manager": (1, 1, 0, 0)}


def test_attendance_report_by_event(lc: LearnCast, held: dict[str, Any]) -> None:
    report = reports.attendance_report(held["period"], charts=False)
    rows = {
        r.event.title: (r.invited_agencies, r.agencies_attended, r.registered, r.attended, r.percent_attended)
        for r in report.events
    }
    assert rows == {"Workshop one": (2, 2, 3, 2, 67), "Briefing two": (1, 1, 1, 1, 100)}
    assert (report.total.registered, report.total.attended) == (4, 3)


def test_attendance_report_all_time_counts_the_old_event_not_upcoming_ones(lc: LearnCast, held: dict[str, Any]) -> None:
    upcoming = lc.event(title="Upcoming workshop")
    services.register_for_event(actor=lc.facilitator, event=upcoming)
    report = reports.attendance_report(reports.Period(), charts=False)
    rows = {r.label: (r.invited_events, r.registered, r.attended) for r in report.by_agency}
    assert rows["Test Community Health"] == (2, 3, 2)
    assert "Upcoming workshop" not in [r.event.title for r in report.events]


def test_evaluation_report_means_distribution_and_change(lc: LearnCast, held: dict[str, Any]) -> None:
    report = reports.evaluation_report(held["period"], charts=False)
    assert report.count == 3
    assert (report.mean_before, report.mean_after, report.mean_change) == (2.0, 3.67, 1.67)
    assert [(before, after) for _, before, after in report.distribution] == [(1, 0), (1, 0), (1, 1), (0, 2), (0, 0)]
    assert (report.improved, report.same, report.worse) == (2, 1, 0)
    by_event = {r.event.title: (r.count, r.mean_before, r.mean_after, r.mean_change) for r in report.events}
    assert by_event == {"Workshop one": (2, 2.5, 3.5, 1.0), "Briefing two": (1, 1.0, 4.0, 3.0)}


def _flag(lc: LearnCast, reason: str, note: str, flagged: bool = True) -> Escalation:
    stage = EscalationStage.objects.order_by("number").first()
    assert stage is not None
    return Escalation.objects.create(
        raised_by=lc.cast.involved,
        raising_agency=lc.cast.agency,
        receiving_agency=lc.cast.partner_agency,
        reason=EscalationReason.objects.get(code=reason),
        disputed_decision="d",
        desired_outcome="o",
        raiser_level_of_need=3,
        stage=stage,
        stage_due_at=timezone.now() + timedelta(days=2),
        flagged_for_learning=flagged,
        flagged_at=timezone.now() if flagged else None,
        learning_note=note,
    )


def test_theme_report_shows_themes_with_learning_flags_but_no_event(lc: LearnCast, held: dict[str, Any]) -> None:
    _flag(lc, "information-sharing", "The hospital did not pass the discharge on.")
    _flag(lc, "information-sharing", "Was not brought to clinic three times; nobody told the school.")
    _flag(lc, "other", "A picture of neglect nobody put together.")
    _flag(lc, "information-sharing", "Not flagged: not counted.", flagged=False)
    report = reports.theme_report(held["period"], charts=False)
    rows = {r.theme.code: (r.events, r.learning_flags, r.findings, r.gap) for r in report.rows}
    assert rows["neglect"] == (1, 1, 1, False)
    assert rows["information-sharing"] == (0, 2, 0, True)
    assert rows["was-not-brought"] == (0, 1, 1, True)
    assert rows["voice-of-the-child"] == (0, 0, 1, True)
    assert rows["domestic-abuse"] == (0, 0, 0, False)
    assert [r.theme.code for r in report.gaps] == ["information-sharing", "was-not-brought", "voice-of-the-child"]


def test_theme_report_period_excludes_old_flags(lc: LearnCast, held: dict[str, Any]) -> None:
    old = _flag(lc, "information-sharing", "Long ago.")
    Escalation.objects.filter(pk=old.pk).update(flagged_at=timezone.now() - timedelta(days=300))
    report = reports.theme_report(held["period"], charts=False)
    assert {r.theme.code: r.learning_flags for r in report.rows}["information-sharing"] == 0


def test_report_page_for_business_unit_and_scrutineer_with_charts_and_tables(
    lc: LearnCast, held: dict[str, Any], client_for
) -> None:
    start = (timezone.localdate() - timedelta(days=60)).strftime("%d/%m/%Y")
    for person in (lc.business, lc.scrutineer):
        response = client_for(person).get(f"/learning/reports/?start={start}")
        assert response.status_code == 200
        body = response.content.decode()
        assert body.count('<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img"') == 3
        for table in ("table-attendance-agency", "table-attendance-role", "table-confidence", "table-themes"):
            assert f'id="{table}"' in body
        assert "Test Police" in body
        assert "67%" in body
        assert "Old conference" not in body
    for person in (lc.cast.involved, lc.cast.partner, lc.cast.unrelated, lc.facilitator):
        assert client_for(person).get("/learning/reports/").status_code == 404


def test_report_period_form_keeps_a_wrong_date(lc: LearnCast, client_for) -> None:
    body = client_for(lc.business).get("/learning/reports/?start=31/02/2026").content.decode()
    assert "Enter a real date" in body
    assert "31/02/2026" in body
