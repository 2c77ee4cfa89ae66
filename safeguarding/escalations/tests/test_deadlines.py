"""Working-day deadlines: property tests across weekends, bank holidays and year ends."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from safeguarding.core.calendar import is_working_day, working_days_between
from safeguarding.escalations.deadlines import due_at, standard_due_date, working_days_taken

LONDON = ZoneInfo("Europe/London")
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
year_ends = st.builds(lambda y, d: date(y, 12, 20) + timedelta(days=d), st.integers(2020, 2029), st.integers(0, 16))


@settings(max_examples=200, deadline=None)
@given(start=st.one_of(days, year_ends), n=st.integers(min_value=1, max_value=15))
def test_standard_due_date_is_exactly_n_working_days_later_on_a_working_day(start: date, n: int) -> None:
    due = standard_due_date(start, n)

    assert is_working_day(due)
    assert due > start
    assert working_days_between(start, due) == n
    assert working_days_between(start, due - timedelta(days=1)) == n - 1


@settings(max_examples=100, deadline=None)
@given(start=days, n=st.integers(min_value=1, max_value=10))
def test_due_date_grows_with_the_time_allowed(start: date, n: int) -> None:
    assert standard_due_date(start, n + 1) > standard_due_date(start, n)


def test_due_date_skips_christmas_boxing_day_and_new_year() -> None:
    # Friday 22 December 2023: 25, 26 December and 1 January are bank holidays.
    assert standard_due_date(date(2023, 12, 22), 2) == date(2023, 12, 28)
    assert standard_due_date(date(2023, 12, 22), 5) == date(2024, 1, 3)


def test_due_date_skips_easter() -> None:
    # Thursday 28 March 2024; Good Friday 29 March and Easter Monday 1 April.
    assert standard_due_date(date(2024, 3, 28), 1) == date(2024, 4, 2)


def test_standard_deadline_is_the_end_of_the_due_day_in_london() -> None:
    start = datetime(2024, 3, 28, 16, 30, tzinfo=LONDON)
    due = due_at(start, urgency="standard", working_days=2, urgent_hours=4).astimezone(LONDON)
    assert (due.date(), due.hour, due.minute) == (date(2024, 4, 3), 23, 59)


def test_urgent_deadline_counts_clock_hours_over_weekends() -> None:
    start = datetime(2024, 3, 29, 20, 0, tzinfo=LONDON)  # Good Friday evening
    assert due_at(start, urgency="urgent", working_days=2, urgent_hours=4) == start + timedelta(hours=4)


@settings(max_examples=100, deadline=None)
@given(start=days, n=st.integers(min_value=0, max_value=20))
def test_working_days_taken_matches_the_calendar(start: date, n: int) -> None:
    begin = datetime(start.year, start.month, start.day, 10, tzinfo=LONDON)
    end_day = standard_due_date(start, n) if n else start
    end = datetime(end_day.year, end_day.month, end_day.day, 9, tzinfo=LONDON)
    assert working_days_taken(begin, end) == n
