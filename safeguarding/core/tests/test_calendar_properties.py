"""The working-day calendar at year ends, Easter, Christmas and the one-off bank holidays of 2012,
2020, 2022 and 2023; and against an independent rule-based England calendar for 2012–2029."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from safeguarding.core import calendar
from safeguarding.core.calendar import (
    CalendarOutOfRange,
    WorkingCalendar,
    add_working_days,
    is_working_day,
    statutory_deadline,
    subtract_working_days,
    working_days_between,
)

ONE_OFFS = {
    date(2012, 6, 4): "Spring bank holiday (moved)",
    date(2012, 6, 5): "Diamond Jubilee",
    date(2020, 5, 8): "Early May bank holiday (moved for VE Day)",
    date(2022, 6, 2): "Spring bank holiday (moved)",
    date(2022, 6, 3): "Platinum Jubilee",
    date(2022, 9, 19): "State Funeral of Queen Elizabeth II",
    date(2023, 5, 8): "Coronation of King Charles III",
}
# Days that were ordinary working days because their bank holiday moved.
MOVED_AWAY = [date(2012, 5, 28), date(2020, 5, 4), date(2022, 5, 30)]


def _easter(year: int) -> date:
    """Easter Sunday (the anonymous Gregorian algorithm), written independently of the `holidays` package."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _first_monday(year: int, month: int) -> date:
    day = date(year, month, 1)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=day.weekday())


def independent_england_bank_holidays(year: int) -> set[date]:
    """The Banking and Financial Dealings Act 1971 days as proclaimed for England, with substitutes."""
    days: set[date] = set()
    new_year = date(year, 1, 1)
    days.add(new_year + timedelta(days={5: 2, 6: 1}.get(new_year.weekday(), 0)))
    easter = _easter(year)
    days |= {easter - timedelta(days=2), easter + timedelta(days=1)}
    early_may = {2020: date(2020, 5, 8)}.get(year, _first_monday(year, 5))
    spring = {2012: date(2012, 6, 4), 2022: date(2022, 6, 2)}.get(year, _last_monday(year, 5))
    days |= {early_may, spring, _last_monday(year, 8)}
    christmas, boxing = date(year, 12, 25), date(year, 12, 26)
    if christmas.weekday() == 5:  # Saturday: Monday and Tuesday
        days |= {date(year, 12, 27), date(year, 12, 28)}
    elif christmas.weekday() == 6:  # Sunday: Boxing Day Monday, Christmas Tuesday
        days |= {boxing, date(year, 12, 27)}
    elif christmas.weekday() == 4:  # Friday: Boxing Day on Monday
        days |= {christmas, date(year, 12, 28)}
    else:
        days |= {christmas, boxing}
    days |= {d for d in ONE_OFFS if d.year == year and "moved" not in ONE_OFFS[d]}
    return days


@pytest.mark.parametrize("year", range(2012, 2030))
def test_the_calendar_matches_an_independent_rule_based_england_calendar(year: int) -> None:
    ours = {d for d, _ in calendar.package_bank_holidays(year).items() if d.weekday() < 5}
    assert ours == independent_england_bank_holidays(year)


@pytest.mark.parametrize("day", sorted(ONE_OFFS))
def test_the_one_off_bank_holidays_are_not_working_days(day: date) -> None:
    assert not is_working_day(day)


@pytest.mark.parametrize("day", MOVED_AWAY)
def test_the_days_a_bank_holiday_moved_away_from_are_working_days(day: date) -> None:
    assert is_working_day(day)


def test_explicit_clocks_over_the_one_offs() -> None:
    # Friday 1 June 2012: Monday 4 and Tuesday 5 June are bank holidays.
    assert add_working_days(date(2012, 6, 1), 1) == date(2012, 6, 6)
    # Thursday 7 May 2020: Friday 8 May (VE Day) is, Monday 4 May was not.
    assert add_working_days(date(2020, 5, 7), 1) == date(2020, 5, 11)
    assert add_working_days(date(2020, 5, 1), 1) == date(2020, 5, 4)
    # Wednesday 1 June 2022: Thursday 2 and Friday 3 June are; Monday 30 May was not.
    assert add_working_days(date(2022, 6, 1), 1) == date(2022, 6, 6)
    # Friday 16 September 2022: the State Funeral on Monday 19 September.
    assert add_working_days(date(2022, 9, 16), 1) == date(2022, 9, 20)
    # Friday 5 May 2023: the Coronation on Monday 8 May; 15 working days span the spring bank holiday too.
    assert add_working_days(date(2023, 5, 5), 1) == date(2023, 5, 9)
    assert add_working_days(date(2023, 5, 5), 15) == date(2023, 5, 30)


def test_explicit_clocks_over_easter_christmas_and_the_year_end() -> None:
    assert add_working_days(date(2024, 3, 28), 1) == date(2024, 4, 2)  # Good Friday, Easter Monday
    assert add_working_days(date(2021, 12, 24), 1) == date(2021, 12, 29)  # 27, 28 December substitutes
    assert add_working_days(date(2021, 12, 31), 1) == date(2022, 1, 4)  # New Year on Monday 3 January
    assert add_working_days(date(2022, 12, 23), 2) == date(2022, 12, 29)  # 26, 27 December


one_off_starts = st.builds(lambda d, n: d + timedelta(days=n), st.sampled_from(sorted(ONE_OFFS)), st.integers(-20, 5))
year_end_starts = st.builds(
    lambda y, n: date(y, 12, 15) + timedelta(days=n), st.integers(2012, 2027), st.integers(0, 25)
)
easter_starts = st.builds(lambda y, n: _easter(y) + timedelta(days=n), st.integers(2012, 2028), st.integers(-10, 5))
starts = st.one_of(one_off_starts, year_end_starts, easter_starts, st.dates(date(2012, 1, 1), date(2028, 6, 30)))


@settings(max_examples=300, deadline=None)
@given(start=starts, n=st.integers(min_value=1, max_value=25))
def test_add_working_days_lands_on_a_working_day_after_the_start_and_counts_back(start: date, n: int) -> None:
    due = add_working_days(start, n)
    assert is_working_day(due)
    assert due > start
    assert due not in ONE_OFFS
    assert working_days_between(start, due) == n
    assert working_days_between(start, due - timedelta(days=1)) == n - 1
    # Counting back from the due date gives the latest start with the same due date.
    back = subtract_working_days(due, n)
    assert back >= start
    assert add_working_days(back, n) == due


@settings(max_examples=200, deadline=None)
@given(start=starts, gap=st.integers(min_value=0, max_value=40), n=st.integers(min_value=1, max_value=20))
def test_add_working_days_is_monotone_in_the_start_date(start: date, gap: int, n: int) -> None:
    assert add_working_days(start, n) <= add_working_days(start + timedelta(days=gap), n)


@settings(max_examples=100, deadline=None)
@given(start=starts, n=st.integers(min_value=1, max_value=15), extra=st.integers(min_value=1, max_value=15))
def test_an_extra_bank_holiday_is_skipped_and_delays_by_at_most_a_day(start: date, n: int, extra: int) -> None:
    holiday = add_working_days(start, extra)
    amended = WorkingCalendar({holiday: "An extra bank holiday"})
    due, plain = amended.add_working_days(start, n), add_working_days(start, n)
    assert due != holiday
    assert amended.is_working_day(due)
    assert plain <= due <= add_working_days(plain, 1)


def test_a_cancelled_bank_holiday_counts_as_a_working_day() -> None:
    amended = WorkingCalendar({date(2027, 5, 3): None})  # early May bank holiday 2027 cancelled
    assert amended.add_working_days(date(2027, 4, 30), 1) == date(2027, 5, 3)
    assert date(2027, 5, 3) not in amended.bank_holidays(2027)


@time_machine.travel(date(2026, 12, 7), tick=False)
def test_the_known_range_ends_with_the_year_after_this_one() -> None:
    assert calendar.known_range() == (date(2012, 1, 1), date(2027, 12, 31))
    assert statutory_deadline(date(2027, 12, 1), 15) == date(2027, 12, 22)
    with pytest.raises(CalendarOutOfRange, match="falls after 31 December 2027"):
        statutory_deadline(date(2027, 12, 20), 15, what="rapid review's due date")
    with pytest.raises(CalendarOutOfRange, match="checked only from 1 January 2012"):
        statutory_deadline(date(2011, 12, 30), 5)


@time_machine.travel(date(2026, 12, 7), tick=False)
def test_the_known_range_follows_the_setting() -> None:
    with override_settings(CALENDAR_KNOWN_UNTIL=date(2029, 6, 30)):
        assert calendar.known_until() == date(2029, 6, 30)
        assert statutory_deadline(date(2028, 12, 20), 15) == add_working_days(date(2028, 12, 20), 15)
