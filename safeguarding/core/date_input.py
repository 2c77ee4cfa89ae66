"""The GOV.UK date input (day, month and year boxes) for dates people know, such as a date of birth.

`GovUKDateField(label="Date of birth", past_only=True)` renders as the Design System's date input
(https://design-system.service.gov.uk/components/date-input/) inside a fieldset with its legend, and
validates the GOV.UK way: "Date of birth must include a month", "… must be a real date", "Year must
include 4 numbers", "… must be today or in the past" — and highlights only the boxes that are wrong
(all three when the date as a whole is wrong). What was typed is shown back unchanged. The error
summary links to the first box at fault.

A request that sends the date as one value under the field's own name (a link such as
`/children/?date_of_birth=27/03/2019`, or an older form) is still understood: day first or ISO.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from safeguarding.core.dates import parse_date

PARTS = ("day", "month", "year")


class GovUKDateInput(forms.MultiWidget):
    template_name = "govuk/forms/date_input.html"
    use_fieldset = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        def box(width: int) -> forms.TextInput:
            classes = f"govuk-input govuk-date-input__input govuk-input--width-{width}"
            return forms.TextInput(attrs={"class": classes, "inputmode": "numeric"})

        super().__init__({"day": box(2), "month": box(2), "year": box(4)}, attrs)
        # Which boxes to highlight after validation (set by GovUKDateField); None: none at fault.
        self.error_parts: tuple[str, ...] | None = None

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        if isinstance(value, str) and value.strip():
            try:
                day = parse_date(value)
            except ValidationError:
                return [None, None, None]
            return [day.day, day.month, day.year]
        return [None, None, None]

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        parts = super().value_from_datadict(data, files, name)
        if not any(parts) and data.get(name):
            return data.get(name)  # the date sent as one value
        return parts

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and super().value_omitted_from_data(data, files, name)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        attrs = dict(attrs or {})
        invalid = attrs.pop("aria-invalid", None)
        context = super().get_context(name, value, attrs)
        at_fault = (self.error_parts or PARTS) if invalid else ()
        for part, sub in zip(PARTS, context["widget"]["subwidgets"], strict=True):
            sub["label"] = part.capitalize()
            sub["attrs"].pop("aria-describedby", None)
            if part in at_fault:
                sub["attrs"]["class"] = f"{sub['attrs'].get('class', '')} govuk-input--error".strip()
                sub["attrs"]["aria-invalid"] = "true"
            if part == "year":
                sub["attrs"].setdefault("autocomplete", attrs.get("autocomplete", "off"))
        return context

    def first_error_id(self, auto_id: str) -> str:
        """The id of the first box at fault, for the error summary's link."""
        parts = self.error_parts or PARTS
        return f"{auto_id}_{PARTS.index(parts[0])}"


class GovUKDateField(forms.Field):
    """A date typed in three boxes, checked with the Design System's messages (named after the label)."""

    widget = GovUKDateInput

    def __init__(self, *, past_only: bool = False, **kwargs: Any) -> None:
        self.past_only = past_only
        super().__init__(**kwargs)

    @property
    def _name(self) -> str:
        return str(self.label or "The date")

    def _fail(self, message: str, code: str, parts: tuple[str, ...] = PARTS) -> ValidationError:
        assert isinstance(self.widget, GovUKDateInput)
        self.widget.error_parts = parts
        return ValidationError(message, code=code)

    def to_python(self, value: Any) -> date | None:
        assert isinstance(self.widget, GovUKDateInput)
        self.widget.error_parts = None
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            if not value.strip():
                return None
            try:
                return self._check(parse_date(value))
            except ValidationError as exc:
                if exc.code == "invalid_date":
                    raise self._fail(f"{self._name} must be a real date", "invalid_date") from exc
                raise
        day, month, year = (str(v or "").strip() for v in (value or ("", "", "")))
        if not (day or month or year):
            return None
        missing = tuple(p for p, v in zip(PARTS, (day, month, year), strict=True) if not v)
        if missing:
            words = " and ".join(missing)
            raise self._fail(f"{self._name} must include a {words}", "incomplete", missing)
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise self._fail(f"{self._name} must be a real date", "invalid_date")
        if len(year) != 4:
            raise self._fail("Year must include 4 numbers", "year_digits", ("year",))
        try:
            typed = date(int(year), int(month), int(day))
        except ValueError as exc:
            raise self._fail(f"{self._name} must be a real date", "invalid_date") from exc
        return self._check(typed)

    def _check(self, typed: date) -> date:
        if self.past_only and typed > timezone.localdate():
            raise self._fail(f"{self._name} must be today or in the past", "future_date")
        return typed

    def validate(self, value: Any) -> None:
        if value in self.empty_values and self.required:
            raise self._fail(str(self.error_messages["required"]), "required")

    def prepare_value(self, value: Any) -> Any:
        return value
