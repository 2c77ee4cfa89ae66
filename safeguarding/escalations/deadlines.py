"""Deadlines for each stage: working days for standard escalations (weekends and England and Wales
bank holidays excluded, `core.calendar`), clock hours for urgent ones."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from safeguarding.core.calendar import add_working_days, working_days_between
from safeguarding.escalations.enums import Urgency

END_OF_DAY = time(23, 59, 59)


def end_of_day(day: date) -> datetime:
    """The last second of `day` in the partnership's time zone (Europe/London)."""
    return timezone.make_aware(datetime.combine(day, END_OF_DAY))


def standard_due_date(start: date, working_days: int) -> date:
    """The day a standard response is due: `working_days` working days after `start` (which does not count)."""
    return add_working_days(start, working_days)


def due_at(start: datetime, *, urgency: str, working_days: int, urgent_hours: int) -> datetime:
    """When a stage that opened at `start` must be answered."""
    if urgency == Urgency.URGENT:
        return start + timedelta(hours=urgent_hours)
    return end_of_day(standard_due_date(timezone.localtime(start).date(), working_days))


def working_days_taken(start: datetime, end: datetime) -> int:
    """Working days from `start` to `end` (0 when both fall on the same day)."""
    return working_days_between(timezone.localtime(start).date(), timezone.localtime(end).date())
