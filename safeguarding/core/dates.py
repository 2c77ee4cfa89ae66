"""Dates typed into forms: day-first numeric, ISO, or '12 March 2016'. Anything else is refused,
never guessed (dateparser would silently swap an impossible day and month)."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError

DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%d-%m-%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y")


def parse_date(value: str) -> date:
    """The date in `value`, in one of DATE_FORMATS; a ValidationError saying what to type otherwise."""
    text = " ".join(value.split())
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError("Enter a real date, like 27/03/2019 or 2019-03-27.", code="invalid_date")


def long_date(day: date) -> str:
    """A date as people write it in a letter: '12 March 2016' (no leading zero)."""
    return f"{day.day} {day:%B %Y}"
