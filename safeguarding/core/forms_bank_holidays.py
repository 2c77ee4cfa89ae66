"""The form of the bank holidays page (`core.views_bank_holidays`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from safeguarding.core.dates import parse_date
from safeguarding.core.forms import GovUKForm


class DateTextField(forms.CharField):
    """A date typed day first (27/03/2027) or ISO (2027-03-27); anything else refused, never guessed."""

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = super().to_python(value)
        return parse_date(text) if text else None


class BankHolidayForm(GovUKForm):
    change = forms.ChoiceField(
        label="What is changing?",
        choices=[
            ("add", "An extra bank holiday (or a cancelled one restored)"),
            ("cancel", "A bank holiday cancelled or moved away from this day (it becomes a working day)"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether a bank holiday is added or cancelled"},
    )
    day = DateTextField(
        label="Day",
        help_text="For example, 03/05/2027",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "autocomplete": "off"}),
        error_messages={"required": "Enter the day"},
    )
    name = forms.CharField(
        label="Name of the bank holiday",
        required=False,
        max_length=100,
        help_text="Needed for an extra bank holiday, for example 'Coronation of King Charles III'.",
    )
    reason = forms.CharField(
        label="Why (optional)", required=False, max_length=300, help_text="For example, the proclamation's date."
    )
