"""The period selector: a financial year (April to March), a calendar year, the last 12 months, or
from/to dates typed day first (`core.dates`). What was typed is kept and shown back with the error."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from safeguarding.dashboards import periods
from safeguarding.dashboards.periods import Period, PeriodKind
from safeguarding.escalations.forms import PeriodForm as EscalationPeriodForm

FIRST_YEAR = 2000
# A period longer than this is refused: the pack is a yearly report, not a history of everything.
MAX_DAYS = 3 * 366


class PeriodForm(EscalationPeriodForm):
    """The escalation report's from/to fields (day-first dates, end not before start), plus the kinds of period."""

    field_order = ["period", "year", "start", "end"]
    period = forms.ChoiceField(
        label="Period", choices=PeriodKind.choices, widget=forms.RadioSelect, initial=PeriodKind.FINANCIAL_YEAR
    )
    year = forms.CharField(
        label="Year",
        required=False,
        help_text="For a financial year, the year it starts in: 2025 means 1 April 2025 to 31 March 2026",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-4", "inputmode": "numeric"}),
    )
    govuk_mark_optional = False

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["start"].help_text = "When you choose the dates. For example, 1/4/2025"
        self.fields["end"].help_text = "For example, 31/3/2026"
        self.today = today
        self.resolved: Period | None = None

    def clean_year(self) -> int | None:
        text = (self.cleaned_data.get("year") or "").strip()
        if not text:
            return None
        if not (text.isascii() and text.isdigit() and len(text) == 4):
            raise forms.ValidationError("Enter the year as 4 digits, like 2025")
        year = int(text)
        if not FIRST_YEAR <= year <= self.today.year:
            raise forms.ValidationError(f"Enter a year from {FIRST_YEAR} to {self.today.year}")
        return year

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("period")
        year = cleaned.get("year")
        if kind != PeriodKind.CUSTOM:
            # The dates are only for "Choose the dates": what is left in them otherwise is ignored.
            for name in ("start", "end"):
                self.errors.pop(name, None)
        if kind == PeriodKind.FINANCIAL_YEAR:
            self.resolved = periods.financial_year(year or periods.current_financial_year_start(self.today))
        elif kind == PeriodKind.CALENDAR_YEAR:
            self.resolved = periods.calendar_year(year or self.today.year)
        elif kind == PeriodKind.LAST_12_MONTHS:
            self.resolved = periods.last_12_months(self.today)
        elif kind == PeriodKind.CUSTOM:
            self._clean_custom(cleaned)
        return cleaned

    def _clean_custom(self, cleaned: dict[str, Any]) -> None:
        start, end = cleaned.get("start"), cleaned.get("end")
        if "start" not in self.errors and start is None:
            self.add_error("start", "Enter the first day of the period, like 1/4/2025")
        if "end" not in self.errors and end is None:
            self.add_error("end", "Enter the last day of the period, like 31/3/2026")
        if start is None or end is None or "end" in self.errors:  # e.g. the end before the start
            return
        if (end - start).days > MAX_DAYS:
            self.add_error("end", "Choose a period of 3 years or less")
        else:
            self.resolved = periods.custom(start, end)


def period_from(data: Any, today: date) -> tuple[PeriodForm, Period]:
    """The form bound to the query string (if it has a period), and the period to show.

    With errors, the default period (this financial year) is shown under the error summary.
    """
    bound = data if data and "period" in data else None
    form = PeriodForm(data=bound, today=today, initial={"period": PeriodKind.FINANCIAL_YEAR})
    if form.is_bound and form.is_valid() and form.resolved is not None:
        return form, form.resolved
    return form, periods.default_period(today)
