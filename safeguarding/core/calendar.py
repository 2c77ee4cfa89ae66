"""Working days for statutory clocks: weekends and bank holidays in England excluded.

The bank holidays are the `holidays` package's England ones (its rules, and the one-off days it
knows, such as the 2022 State Funeral), amended by the partnership's own list
(`core.models.BankHolidayAmendment`): an extra bank holiday announced after the package was
released, or a package holiday cancelled or moved. Changes to that list take effect at once in the
process that makes them and, through the shared cache, everywhere within `CACHE_SECONDS`.

A statutory deadline is computed only inside the calendar's known range (`known_range()`): from
`KNOWN_FROM` to `CALENDAR_KNOWN_UNTIL` (default: 31 December of the year after the current year, the
horizon within which one-off bank holidays are normally announced). Beyond it `statutory_deadline`
raises `CalendarOutOfRange` instead of silently counting unknown days as working days.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from safeguarding.core.kernel import ServiceError

# The first day the calendar is trusted for: the independent rule-based check
# (core/tests/test_calendar_independent.py) verifies the package's England days from this year on.
KNOWN_FROM = date(2012, 1, 1)
CACHE_KEY = "core.calendar.amendments.v1"
CACHE_SECONDS = 300
# Inside one process, the amendments read are reused this long before the shared cache is asked again.
MEMO_SECONDS = 2.0


class CalendarOutOfRange(ServiceError):
    """A statutory deadline would be counted over days the calendar does not know (pages show the
    message at the top of the form; the API answers 400)."""


@lru_cache(maxsize=256)
def package_bank_holidays(year: int) -> Mapping[date, str]:
    """The `holidays` package's England bank holidays of `year` (day → name)."""
    return dict(holidays.country_holidays("GB", subdiv="ENG", years=year).items())


@dataclass(frozen=True)
class WorkingCalendar:
    """England's bank holidays amended by the partnership's list: `amendments` maps a day to its
    name when it is an extra bank holiday, or to None when the package's bank holiday is cancelled."""

    amendments: Mapping[date, str | None] = field(default_factory=dict)

    def bank_holiday_name(self, day: date) -> str | None:
        if day in self.amendments:
            return self.amendments[day]
        return package_bank_holidays(day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and self.bank_holiday_name(day) is None

    def bank_holidays(self, year: int) -> dict[date, str]:
        """The bank holidays of `year` as this calendar counts them (weekday or not), by day."""
        days = dict(package_bank_holidays(year))
        for day, name in self.amendments.items():
            if day.year != year:
                continue
            if name is None:
                days.pop(day, None)
            else:
                days[day] = name
        return dict(sorted(days.items()))

    def add_working_days(self, start: date, days: int) -> date:
        """The date `days` working days after `start` (start itself does not count)."""
        if days < 0:
            raise ValueError("days must not be negative")
        current, remaining = start, days
        while remaining:
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def subtract_working_days(self, end: date, days: int) -> date:
        """The latest date from which `end` is `days` working days on (for `days` ≥ 1, `end` a working day)."""
        if days < 0:
            raise ValueError("days must not be negative")
        current, remaining = end, days
        while remaining:
            if self.is_working_day(current):
                remaining -= 1
            current -= timedelta(days=1)
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        count, current = 0, start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count


# ---- the calendar in use: the package amended by the partnership's list ---------------------------

_memo: tuple[float, WorkingCalendar] | None = None
_override: WorkingCalendar | None = None


def _load_amendments() -> dict[date, str | None]:
    from safeguarding.core.models import BankHolidayAmendment

    return {row.day: row.holiday_name for row in BankHolidayAmendment.objects.all()}


def current() -> WorkingCalendar:
    """The calendar in use (amendments read at most every `MEMO_SECONDS` in a process)."""
    global _memo
    if _override is not None:
        return _override
    if _memo is not None and time.monotonic() - _memo[0] < MEMO_SECONDS:
        return _memo[1]
    stored = cache.get(CACHE_KEY)
    if stored is None:
        amendments = _load_amendments()
        cache.set(CACHE_KEY, {day.isoformat(): name for day, name in amendments.items()}, CACHE_SECONDS)
    else:
        amendments = {date.fromisoformat(day): name for day, name in stored.items()}
    calendar = WorkingCalendar(amendments)
    _memo = (time.monotonic(), calendar)
    return calendar


def forget() -> None:
    """Drop the amendments read (called when the list changes, now and again after commit)."""
    global _memo
    _memo = None
    cache.delete(CACHE_KEY)


@contextmanager
def use(calendar: WorkingCalendar) -> Iterator[WorkingCalendar]:
    """Count with `calendar` instead of the stored list (tests; a data migration's historical list)."""
    global _override
    before, _override = _override, calendar
    try:
        yield calendar
    finally:
        _override = before


def is_bank_holiday(day: date) -> bool:
    return current().bank_holiday_name(day) is not None


def is_working_day(day: date) -> bool:
    return current().is_working_day(day)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (start itself does not count). No range check: for
    procedure timescales and demo dates; statutory deadlines use `statutory_deadline`."""
    return current().add_working_days(start, days)


def subtract_working_days(end: date, days: int) -> date:
    return current().subtract_working_days(end, days)


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    return current().working_days_between(start, end)


# ---- the known range ---------------------------------------------------------------------------------


def known_until(today: date | None = None) -> date:
    """The last day the calendar is trusted for: `CALENDAR_KNOWN_UNTIL`, else 31 December of the year
    after `today`'s (one-off bank holidays are announced months ahead: the 2023 Coronation in November
    2022; the 2022 State Funeral only ten days ahead, which is what the partnership's list is for)."""
    configured: date | None = getattr(settings, "CALENDAR_KNOWN_UNTIL", None)
    if configured is not None:
        return configured
    return date((today or timezone.localdate()).year + 1, 12, 31)


def known_range(today: date | None = None) -> tuple[date, date]:
    return KNOWN_FROM, known_until(today)


def statutory_deadline(start: date, days: int, *, what: str = "statutory deadline") -> date:
    """`days` working days after `start`, refused with `CalendarOutOfRange` when any day counted lies
    outside `known_range()`."""
    first, last = known_range()
    if start < first:
        raise CalendarOutOfRange(
            f"The {what} cannot be counted from {start:%-d %B %Y}: the working-day calendar is checked only "
            f"from {first:%-d %B %Y}. Enter the due date by hand or check the date entered."
        )
    due = add_working_days(start, days)
    if due > last:
        raise CalendarOutOfRange(
            f"The {what} ({days} working days from {start:%-d %B %Y}) falls after {last:%-d %B %Y}, the last "
            "day the working-day calendar knows the bank holidays for. Ask an administrator to add any "
            "announced bank holidays and extend CALENDAR_KNOWN_UNTIL, then try again."
        )
    return due
