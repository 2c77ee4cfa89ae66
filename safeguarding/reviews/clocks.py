"""The statutory clocks of case reviews (domain.md §7; Working Together 2023, chapter 5).

Working-day clocks exclude weekends and England bank holidays (`core.calendar`); the start day never
counts. Month clocks (publication, time online) are calendar months; the 31st rolls back to the
month's last day.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from django.conf import settings

from safeguarding.core.calendar import statutory_deadline, working_days_between
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


# Where the rapid review's clock starts (settings.RAPID_REVIEW_CLOCK_FROM).
FROM_AWARENESS = "awareness"
FROM_NOTIFICATION = "notification"
RAPID_REVIEW_RULES = {
    FROM_AWARENESS: "15 working days from the day the partners became aware (Working Together 2018, chapter 4; "
    "2023, chapter 5)",
    FROM_NOTIFICATION: "15 working days from the notification, as this partnership's procedure sets",
}


def notification_due(aware_on: date) -> date:
    """Notify the national panel within 5 working days of becoming aware of the incident."""
    return statutory_deadline(aware_on, NOTIFICATION_WORKING_DAYS, what="notification's due date")


def rapid_review_clock_from() -> str:
    """ "awareness" (the statutory default) or "notification" (a partnership's own procedure)."""
    return str(getattr(settings, "RAPID_REVIEW_CLOCK_FROM", FROM_AWARENESS))


def rapid_review_start(aware_on: date, notified_on: date | None, *, recorded_on: date, clock_from: str) -> date:
    """The day the rapid review's clock starts: the day of awareness; or, where the procedure counts
    from the notification, the day it was sent (the day it was recorded until it is sent)."""
    if clock_from == FROM_AWARENESS:
        return aware_on
    return notified_on or recorded_on


def rapid_review_due(started_on: date) -> date:
    """The rapid review within 15 working days of the day its clock starts (`rapid_review_start`)."""
    return statutory_deadline(started_on, RAPID_REVIEW_WORKING_DAYS, what="rapid review's due date")


def rapid_review_rule(clock_from: str) -> str:
    """The rule that set a rapid review's due date, in words for pages and documents."""
    return RAPID_REVIEW_RULES.get(clock_from, RAPID_REVIEW_RULES[FROM_AWARENESS])


def agency_summary_due(started_on: date) -> date:
    """Agencies' individual summaries: by about day 10 of the rapid review (the same start)."""
    return statutory_deadline(started_on, AGENCY_SUMMARY_WORKING_DAYS, what="agency summary's due date")


def target_publication(decided_on: date) -> date:
    """Publish within 6 months of the decision to hold a practice review."""
    return add_months(decided_on, PUBLICATION_MONTHS)


def target_completion(decided_on: date) -> date:
    """A serious case review is completed within 6 months of the decision to hold it (Working Together 2015,
    chapter 4): the same date as `target_publication`, kept in the same field, but a completion target."""
    return add_months(decided_on, PUBLICATION_MONTHS)


COMPLETION_RULE = "6 months after the decision to hold it (Working Together 2015, chapter 4)"


def earliest_takedown(published_on: date) -> date:
    """Published reports stay online for at least 12 months."""
    return add_months(published_on, MINIMUM_MONTHS_ONLINE)


@dataclass(frozen=True)
class Clock:
    label: str
    started_on: date
    due_on: date
    # The day the clock was met (sent, published), if it has been.
    met_on: date | None = None


def timeliness(clock: Clock, today: date) -> Timeliness:
    """The one answer for every page, document and figure. A clock met by `today` stays as it was
    met: on time when met on or before its due date, late when met after it, whatever day it is now.
    A running clock is late after its due date, at risk in its last fifth of working days (at least
    its last working day), otherwise on time."""
    if clock.met_on is not None and clock.met_on <= today:
        return Timeliness.LATE if clock.met_on > clock.due_on else Timeliness.ON_TIME
    if today > clock.due_on:
        return Timeliness.LATE
    length = max(working_days_between(clock.started_on, clock.due_on), 1)
    remaining = working_days_between(today, clock.due_on)
    if remaining <= max(1, length // AT_RISK_FRACTION):
        return Timeliness.AT_RISK
    return Timeliness.ON_TIME


def is_met(clock: Clock, today: date) -> bool:
    return clock.met_on is not None and clock.met_on <= today
