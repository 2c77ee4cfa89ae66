"""The statutory clocks of case reviews (domain.md §7; Working Together 2023, chapter 5).

Working-day clocks exclude weekends and England bank holidays (`core.calendar`); the start day never
counts. Month clocks (publication, time online) are calendar months; the 31st rolls back to the
month's last day.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from safeguarding.core.calendar import add_working_days, working_days_between
from safeguarding.reviews.enums import Timeliness

NOTIFICATION_WORKING_DAYS = 5
RAPID_REVIEW_WORKING_DAYS = 15
AGENCY_SUMMARY_WORKING_DAYS = 10
PUBLICATION_MONTHS = 6
MINIMUM_MONTHS_ONLINE = 12
# A working-day clock is "at risk" in its last fifth (at least its last working day).
AT_RISK_FRACTION = 5


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def notification_due(aware_on: date) -> date:
    """Notify the national panel within 5 working days of becoming aware of the incident."""
    return add_working_days(aware_on, NOTIFICATION_WORKING_DAYS)


def rapid_review_due(notified_on: date) -> date:
    """Complete the rapid review within 15 working days of the notification."""
    return add_working_days(notified_on, RAPID_REVIEW_WORKING_DAYS)


def agency_summary_due(notified_on: date) -> date:
    """Agencies' individual summaries: by about day 10 of the rapid review."""
    return add_working_days(notified_on, AGENCY_SUMMARY_WORKING_DAYS)


def target_publication(decided_on: date) -> date:
    """Publish within 6 months of the decision to hold a practice review."""
    return add_months(decided_on, PUBLICATION_MONTHS)


def earliest_takedown(published_on: date) -> date:
    """Published reports stay online for at least 12 months."""
    return add_months(published_on, MINIMUM_MONTHS_ONLINE)


@dataclass(frozen=True)
class Clock:
    label: str
    started_on: date
    due_on: date


def timeliness(clock: Clock, today: date) -> Timeliness:
    """Late after the due date; at risk in the clock's last fifth of working days; otherwise on time."""
    if today > clock.due_on:
        return Timeliness.LATE
    length = max(working_days_between(clock.started_on, clock.due_on), 1)
    remaining = working_days_between(today, clock.due_on)
    if remaining <= max(1, length // AT_RISK_FRACTION):
        return Timeliness.AT_RISK
    return Timeliness.ON_TIME
