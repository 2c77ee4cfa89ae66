"""The reporting periods of the dashboard and the yearly report data pack.

A period is whole days, both ends included: an item dated on the last day counts, one dated the day
after does not. The partnership's year is the financial year (1 April to 31 March), as its yearly
report is; a calendar year, the last 12 months or any from/to dates can be chosen too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import models
from django.utils import timezone

from safeguarding.escalations import reports as escalation_reports
from safeguarding.reviews.clocks import add_months


class PeriodKind(models.TextChoices):
    FINANCIAL_YEAR = "financial_year", "Financial year (April to March)"
    CALENDAR_YEAR = "calendar_year", "Calendar year (January to December)"
    LAST_12_MONTHS = "last_12_months", "Last 12 months"
    CUSTOM = "custom", "Choose the dates"


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date

    @property
    def label(self) -> str:
        span = f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"
        if self.kind == PeriodKind.FINANCIAL_YEAR:
            return f"Financial year {self.start.year} to {self.end.year} ({span})"
        if self.kind == PeriodKind.CALENDAR_YEAR:
            return f"Calendar year {self.start.year} ({span})"
        if self.kind == PeriodKind.LAST_12_MONTHS:
            return f"Last 12 months ({span})"
        return span

    @property
    def slug(self) -> str:
        return f"{self.start:%Y-%m-%d}-to-{self.end:%Y-%m-%d}"

    def as_at(self, today: date) -> date:
        """The day "now" figures (overdue, open) are counted on: the period's last day, or today if earlier."""
        return min(self.end, today)

    @property
    def starts_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def ends_before(self) -> datetime:
        """The first moment after the period (timestamps are compared with `<`)."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def for_escalations(self) -> escalation_reports.Period:
        """The same days as the escalation report's period (its log and statistics are reused)."""
        return escalation_reports.Period(self.start, self.end)


def financial_year(start_year: int) -> Period:
    """1 April of `start_year` to 31 March of the next year."""
    return Period(PeriodKind.FINANCIAL_YEAR, date(start_year, 4, 1), date(start_year + 1, 3, 31))


def calendar_year(year: int) -> Period:
    return Period(PeriodKind.CALENDAR_YEAR, date(year, 1, 1), date(year, 12, 31))


def last_12_months(today: date) -> Period:
    """The 12 months up to and including today."""
    return Period(PeriodKind.LAST_12_MONTHS, add_months(today, -12) + timedelta(days=1), today)


def custom(start: date, end: date) -> Period:
    return Period(PeriodKind.CUSTOM, start, end)


def current_financial_year_start(today: date) -> int:
    return today.year if today.month >= 4 else today.year - 1


def default_period(today: date) -> Period:
    """The financial year we are in."""
    return financial_year(current_financial_year_start(today))
