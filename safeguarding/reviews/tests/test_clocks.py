from __future__ import annotations

from datetime import date, timedelta

from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from safeguarding.core.calendar import is_working_day, working_days_between
from safeguarding.core.tests.test_calendar_properties import independent_england_bank_holidays
from safeguarding.core.tests.test_calendar_properties import starts as calendar_starts
from safeguarding.reviews import clocks
from safeguarding.reviews.enums import Timeliness


def test_notification_due_is_5_working_days_after_awareness() -> None:
    # Thursday 2 April 2026: Good Friday (3rd) and Easter Monday (6th) are bank holidays.
    assert clocks.notification_due(date(2026, 4, 2)) == date(2026, 4, 13)


def test_notification_due_skips_a_weekend() -> None:
    assert clocks.notification_due(date(2026, 3, 6)) == date(2026, 3, 13)


def test_rapid_review_due_is_15_working_days_across_christmas() -> None:
    # Friday 18 December 2026: Christmas (Fri 25th), Boxing Day observed (Mon 28th) and 1 January excluded.
    due = clocks.rapid_review_due(date(2026, 12, 18))
    assert due == date(2027, 1, 13)
    assert working_days_between(date(2026, 12, 18), due) == 15


def test_agency_summary_default_is_day_10() -> None:
    assert clocks.agency_summary_due(date(2026, 3, 2)) == date(2026, 3, 16)


def test_target_publication_is_6_calendar_months_after_decision() -> None:
    assert clocks.target_publication(date(2026, 3, 20)) == date(2026, 9, 20)
    assert clocks.target_publication(date(2026, 8, 31)) == date(2027, 2, 28)


def test_earliest_takedown_is_12_months_after_publication() -> None:
    assert clocks.earliest_takedown(date(2024, 2, 29)) == date(2025, 2, 28)


def test_timeliness_on_time_at_risk_and_late() -> None:
    clock = clocks.Clock("Rapid review", date(2026, 3, 2), date(2026, 3, 23))  # 15 working days
    assert clocks.timeliness(clock, date(2026, 3, 3)) == Timeliness.ON_TIME
    assert clocks.timeliness(clock, date(2026, 3, 18)) == Timeliness.AT_RISK  # 3 working days left
    assert clocks.timeliness(clock, date(2026, 3, 24)) == Timeliness.LATE


@settings(deadline=None)  # a shared machine under load is slow; the answer, not the time, is tested
@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)))
def test_working_day_clocks_land_on_working_days(start: date) -> None:
    with override_settings(CALENDAR_KNOWN_UNTIL=date(2031, 12, 31)):
        pairs = ((clocks.notification_due(start), 5), (clocks.rapid_review_due(start), 15))
    for due, days in pairs:
        assert is_working_day(due)
        assert working_days_between(start, due) == days
        assert due - start >= timedelta(days=days)


def _independent_add(start: date, days: int) -> date:
    """Count working days one by one with the independent rule-based England calendar (not `core.calendar`)."""
    day = start
    while days:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in independent_england_bank_holidays(day.year):
            days -= 1
    return day


@settings(max_examples=300, deadline=None)
@given(start=calendar_starts)
def test_the_statutory_clocks_match_an_independent_count_at_year_ends_easter_christmas_and_one_offs(
    start: date,
) -> None:
    # Starts around the year ends and Christmas, Easter, and the one-off days of 2012, 2020, 2022, 2023.
    with override_settings(CALENDAR_KNOWN_UNTIL=date(2029, 12, 31)):
        assert clocks.notification_due(start) == _independent_add(start, 5)
        assert clocks.rapid_review_due(start) == _independent_add(start, 15)
        assert clocks.agency_summary_due(start) == _independent_add(start, 10)
