"""The statutory clocks as the pages, the API and the dashboard show them: one answer everywhere.

The CR-0003 shape: a rapid review due 1 December 2026, sent 30 November, at the decision stage, seen
on 7 December. It was met on time: every place says so, whatever day it is now."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from safeguarding.core.calendar import CalendarOutOfRange, add_working_days
from safeguarding.dashboards.figures import review_figures
from safeguarding.dashboards.periods import custom
from safeguarding.reviews import clocks, queries, services
from safeguarding.reviews.enums import Stage, Timeliness
from safeguarding.reviews.tests.conftest import ReviewCast, at

SEEN_ON = datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Europe/London"))
AWARE = date(2026, 11, 10)  # Tuesday: 15 working days on is Tuesday 1 December 2026


def _cr_0003(rc: ReviewCast, time_machine: Any, *, sent_on: date) -> Any:
    time_machine.move_to(SEEN_ON, tick=False)
    review = rc.notify(aware_on=AWARE)
    assert review.rapid_review.due_on == date(2026, 12, 1)
    return rc.to_decision(review, sent_on=sent_on)


def test_timeliness_of_a_met_clock_never_changes() -> None:
    met = clocks.Clock("Rapid review", AWARE, date(2026, 12, 1), date(2026, 11, 30))
    late = clocks.Clock("Rapid review", AWARE, date(2026, 12, 1), date(2026, 12, 2))
    for today in (date(2026, 12, 2), date(2026, 12, 7), date(2030, 1, 1)):
        assert clocks.timeliness(met, today) == Timeliness.ON_TIME
        assert clocks.timeliness(late, today) == Timeliness.LATE
    # Before it was met (a figure as at an earlier day), the clock was still running.
    assert clocks.timeliness(met, date(2026, 11, 27)) == Timeliness.AT_RISK
    running = clocks.Clock("Rapid review", AWARE, date(2026, 12, 1))
    assert clocks.timeliness(running, date(2026, 12, 2)) == Timeliness.LATE


def test_a_rapid_review_sent_on_time_is_on_time_on_monitoring_the_review_page_and_the_dashboard(
    rc: ReviewCast, time_machine: Any, client_for: Any
) -> None:
    review = _cr_0003(rc, time_machine, sent_on=date(2026, 11, 30))
    assert review.stage == Stage.DECISION
    row = next(r for r in queries.monitoring_rows() if r.review.pk == review.pk)
    assert (row.clock.label, row.clock.met_on, row.timeliness) == ("Rapid review", date(2026, 11, 30), "on_time")
    html = client_for(rc.business).get(f"/reviews/{review.pk}/").content.decode()
    panel = html.split('id="current-clock">', 1)[1].split("</div>", 1)[0]
    assert "due by 1 December 2026" in panel
    assert "Met on 30 November 2026" in panel
    assert "On time" in panel
    assert "Late" not in panel
    monitoring = client_for(rc.business).get("/reviews/monitoring/").content.decode()
    assert "Late" not in monitoring.split(review.reference, 1)[1].split("</tr>", 1)[0]
    rapid = next(c for c in review_figures(custom(date(2026, 11, 1), date(2026, 12, 7)), date(2026, 12, 7)).clocks
                 if c.clock == "Rapid review")  # fmt: skip
    assert (rapid.met_on_time, rapid.met_late, rapid.running_overdue) == (1, 0, 0)


def test_a_rapid_review_sent_after_its_due_date_is_late_everywhere(
    rc: ReviewCast, time_machine: Any, client_for: Any
) -> None:
    review = _cr_0003(rc, time_machine, sent_on=date(2026, 12, 2))
    row = next(r for r in queries.monitoring_rows() if r.review.pk == review.pk)
    assert row.timeliness == Timeliness.LATE
    rapid = next(c for c in review_figures(custom(date(2026, 11, 1), date(2026, 12, 7)), date(2026, 12, 7)).clocks
                 if c.clock == "Rapid review")  # fmt: skip
    assert (rapid.met_on_time, rapid.met_late) == (0, 1)


def test_a_late_notification_does_not_extend_the_rapid_review(rc: ReviewCast, time_machine: Any) -> None:
    # Aware Monday 3 March 2025; notification due 10 March; sent late on 17 March.
    time_machine.move_to(datetime(2025, 4, 1, 10, tzinfo=ZoneInfo("Europe/London")), tick=False)
    review = rc.notify(aware_on=date(2025, 3, 3))
    services.record_notification_sent(
        actor=rc.business, review=review, version=review.version, sent_on=date(2025, 3, 17), at=at(date(2025, 3, 17))
    )
    review.refresh_from_db()
    rapid = review.rapid_review
    assert (rapid.opened_on, rapid.due_on, rapid.clock_from) == (date(2025, 3, 3), date(2025, 3, 24), "awareness")
    notification = queries.notification_clock(review)
    assert notification is not None
    assert notification.due_on == date(2025, 3, 10)
    assert clocks.timeliness(notification, date(2025, 4, 1)) == Timeliness.LATE


def test_a_late_notification_shows_late_on_the_page_and_in_the_api(rc: ReviewCast, time_machine: Any) -> None:
    from safeguarding.api.tests.factories import signed_in_client

    time_machine.move_to(datetime(2025, 3, 18, 10, tzinfo=ZoneInfo("Europe/London")), tick=False)
    review = rc.notify(aware_on=date(2025, 3, 3))
    services.record_notification_sent(
        actor=rc.business, review=review, version=review.version, sent_on=date(2025, 3, 17), at=at(date(2025, 3, 17))
    )
    detail = signed_in_client(rc.business, verified=True).get(f"/api/v1/reviews/{review.pk}/").json()
    # The notification was due 10 March: late for good. The rapid review (due 24 March) is still running.
    assert (detail["notification_due_on"], detail["notification_timeliness"]) == ("2025-03-10", "late")
    assert (detail["rapid_review_due_on"], detail["rapid_review_timeliness"]) == ("2025-03-24", "on_time")
    html = signed_in_client(rc.business, verified=True).get(f"/reviews/{review.pk}/").content.decode()
    notification_part = html[html.index("Notification due") :][:600]
    assert "Late" in notification_part


def test_the_procedure_setting_counts_from_the_notification_and_says_so(
    rc: ReviewCast, time_machine: Any, settings: Any, client_for: Any
) -> None:
    settings.RAPID_REVIEW_CLOCK_FROM = "notification"
    time_machine.move_to(datetime(2025, 4, 1, 10, tzinfo=ZoneInfo("Europe/London")), tick=False)
    review = rc.notify(aware_on=date(2025, 3, 3))
    services.record_notification_sent(
        actor=rc.business, review=review, version=review.version, sent_on=date(2025, 3, 17), at=at(date(2025, 3, 17))
    )
    review.refresh_from_db()
    assert review.rapid_review.due_on == date(2025, 4, 7)  # 15 working days from 17 March
    html = client_for(rc.business).get(f"/reviews/{review.pk}/").content.decode()
    assert "15 working days from the notification, as this partnership&#x27;s procedure sets" in html
    assert "Working Together 2018, chapter 4" not in html


def test_the_review_page_states_the_statutory_rule_by_default(rc: ReviewCast, client_for: Any) -> None:
    review = rc.notify(aware_on=date(2026, 3, 2))
    html = client_for(rc.business).get(f"/reviews/{review.pk}/").content.decode()
    assert "15 working days from the day the partners became aware (Working Together 2018, chapter 4" in html


def test_agency_summary_default_follows_the_rapid_review_start(rc: ReviewCast, time_machine: Any) -> None:
    time_machine.move_to(datetime(2025, 3, 4, 10, tzinfo=ZoneInfo("Europe/London")), tick=False)
    review = rc.notify(aware_on=date(2025, 3, 3))
    assert clocks.agency_summary_due(review.rapid_review.opened_on) == add_working_days(date(2025, 3, 3), 10)


def test_a_deadline_beyond_the_known_range_is_refused_with_a_clear_message(
    rc: ReviewCast, settings: Any, client_for: Any
) -> None:
    settings.CALENDAR_KNOWN_UNTIL = date(2026, 3, 5)
    with pytest.raises(CalendarOutOfRange, match="falls after 5 March 2026"):
        rc.notify(aware_on=date(2026, 3, 2))
    response = client_for(rc.business).post(
        "/reviews/notify/",
        {
            "incident_on": "02/03/2026",
            "aware_on": "02/03/2026",
            "harm": "serious_harm",
            "abuse_or_neglect": "yes",
            "looked_after": "no",
            "harm_outside_england": "no",
            "summary": "Head injury.",
            "child_1_nhs": rc.cast.child.nhs_number,
            "child_1_pseudonym": "Child A",
        },
    )
    assert response.status_code == 200
    assert "the last day the working-day calendar knows the bank holidays for" in response.content.decode()


def test_the_data_migration_counts_stored_rapid_reviews_from_awareness(rc: ReviewCast, settings: Any) -> None:
    import importlib

    from django.apps import apps

    from safeguarding.reviews.models import RapidReview

    migration = importlib.import_module("safeguarding.reviews.migrations.0003_rapid_review_clock_from")
    review = rc.notify(aware_on=date(2025, 3, 3))
    # As stored before: counted from a late notification sent on 17 March 2025.
    RapidReview.objects.filter(review=review).update(opened_on=date(2025, 3, 17), due_on=date(2025, 4, 7))
    migration.forwards(apps, None)
    rapid = RapidReview.objects.get(review=review)
    assert (rapid.opened_on, rapid.due_on, rapid.clock_from) == (date(2025, 3, 3), date(2025, 3, 24), "awareness")
    review.notification.sent_to_panel_on = date(2025, 3, 17)
    review.notification.save(update_fields=["sent_to_panel_on"])
    migration.backwards(apps, None)
    rapid.refresh_from_db()
    assert (rapid.opened_on, rapid.due_on, rapid.clock_from) == (date(2025, 3, 17), date(2025, 4, 7), "notification")
    settings.RAPID_REVIEW_CLOCK_FROM = "notification"
    migration.forwards(apps, None)  # a partnership counting from the notification keeps its dates
    rapid.refresh_from_db()
    assert (rapid.opened_on, rapid.due_on, rapid.clock_from) == (date(2025, 3, 17), date(2025, 4, 7), "notification")


def test_the_api_says_which_rule_set_the_rapid_review_due_date(
    rc: ReviewCast, time_machine: Any, settings: Any
) -> None:
    from safeguarding.api.tests.factories import signed_in_client

    review = _cr_0003(rc, time_machine, sent_on=date(2026, 11, 30))
    detail = signed_in_client(rc.business, verified=True).get(f"/api/v1/reviews/{review.pk}/").json()
    assert detail["rapid_review_due_on"] == "2026-12-01"
    assert detail["rapid_review_clock_from"] == "awareness"
    assert detail["rapid_review_rule"].startswith("15 working days from the day the partners became aware")


def test_the_committee_report_text_says_which_rule_set_the_rapid_review_due_date(rc: ReviewCast) -> None:
    from safeguarding.core.dates import long_date
    from safeguarding.publishing import prefill

    review = rc.to_in_progress(rc.notify())
    due = review.rapid_review.due_on
    assert due == add_working_days(review.notification.aware_on, 15)
    commissioning = " ".join(prefill.text_for(review)["commissioning"].split())
    assert (
        f"The rapid review was due by {long_date(due)}, 15 working days from the day the partners became aware "
        "(Working Together 2018, chapter 4; 2023, chapter 5)"
    ) in commissioning
