"""NHS number: 10 digits, the last a modulus 11 check digit (NHS Data Dictionary); a date of birth
that has happened."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

_NON_DIGITS = re.compile(r"[\s-]")


def normalise_nhs_number(value: str) -> str:
    return _NON_DIGITS.sub("", value or "")


def nhs_number_is_valid(value: str) -> bool:
    digits = normalise_nhs_number(value)
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - (total % 11)
    if check == 11:
        check = 0
    if check == 10:
        return False
    return check == int(digits[9])


def validate_nhs_number(value: str) -> None:
    digits = normalise_nhs_number(value)
    if len(digits) != 10 or not digits.isdigit():
        raise ValidationError("Enter an NHS number of 10 digits, like 943 476 5919.", code="nhs_length")
    if not nhs_number_is_valid(digits):
        raise ValidationError(
            "Enter a valid NHS number: the check digit does not match. Check for a mistyped digit.",
            code="nhs_checksum",
        )


def nhs_check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None when no valid number starts with them."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - (total % 11)
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


BIRTH_IN_FUTURE = "The date of birth is in the future. Enter a date of birth that is today or earlier."


def validate_born(value: date | None) -> None:
    """A date of birth in the future cannot be (the model has no expected date of birth: an unborn
    child's record has none until the child is born)."""
    if value is not None and value > timezone.localdate():
        raise ValidationError(BIRTH_IN_FUTURE, code="future_date_of_birth")
