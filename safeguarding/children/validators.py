"""NHS number: 10 digits, the last a modulus 11 check digit (NHS Data Dictionary); a date of birth
that has happened; the census identifiers: a unique pupil number (UPN, the DfE's check letter) and the
local authority's child ID; the census's disability codes."""

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
    """A date of birth in the future cannot be: an unborn child's record has no date of birth until
    the child is born, only an expected date of birth (`Child.expected_date_of_birth`)."""
    if value is not None and value > timezone.localdate():
        raise ValidationError(BIRTH_IN_FUTURE, code="future_date_of_birth")


# The DfE's check letters (A Guide to Unique Pupil Numbers, 1.2): the remainder mod 23 picks one; I, O
# and S are never used. A temporary UPN ends with one of these letters, counted as its position here.
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN_LAST = frozenset(UPN_LETTERS) | frozenset("0123456789")


def _la_codes() -> frozenset[str]:
    """Characters 2-4 of a UPN: a post-April 1998 local authority code or a recognised pseudo-LA code
    (the list in the census specification, as the validator's rule 1530 holds it)."""
    ranges = [(1, 5), (201, 213), (301, 320), (330, 336), (340, 344), (350, 359), (370, 373), (380, 384)]
    ranges += [(390, 394), (660, 681), (701, 708), (800, 803), (805, 808), (810, 813), (820, 823)]
    ranges += [(835, 839), (850, 852), (855, 857), (865, 896), (935, 938), (940, 941)]
    singles = [420, 815, 816, 825, 826, 830, 831, 840, 841, 845, 846, 860, 861, 908, 909, 916, 919]
    singles += [921, 925, 926, 928, 929, 931, 933, 942, 943]
    codes = {n for low, high in ranges for n in range(low, high + 1)} | set(singles)
    return frozenset(f"{n:03d}" for n in codes)


UPN_LA_CODES = _la_codes()


def upn_check_letter(last_twelve: str) -> str:
    """The check letter for characters 2-13 of a UPN: each character times its position (2 to 13),
    summed, modulo 23; a letter in position 13 (a temporary UPN) counts as its value in the table."""
    total = 0
    for position, char in enumerate(last_twelve, start=2):
        value = UPN_LETTERS.index(char) if char.isalpha() else int(char)
        total += value * position
    return UPN_LETTERS[total % 23]


def validate_upn(value: str) -> None:
    """A unique pupil number: 13 characters, a check letter, a local authority code, 8 digits and a
    digit or letter (I, O and S never), the check letter right."""
    upn = (value or "").strip().upper()
    if len(upn) != 13:
        raise ValidationError("Enter a UPN of 13 characters, like A123456789012.", code="upn_length")
    if not upn[1:12].isdigit() or upn[12] not in _UPN_LAST:
        raise ValidationError(
            "Enter a UPN whose characters 2 to 12 are digits and whose last character is a digit or a "
            "letter other than I, O or S.",
            code="upn_characters",
        )
    if upn[1:4] not in UPN_LA_CODES:
        raise ValidationError(
            f"Enter a valid UPN: characters 2 to 4 ({upn[1:4]}) are not a local authority code.", code="upn_la_code"
        )
    if upn[0] != upn_check_letter(upn[1:]):
        raise ValidationError(
            "Enter a valid UPN: the check letter (the first character) does not match. Check for a mistyped character.",
            code="upn_check_letter",
        )


def validate_la_child_id(value: str) -> None:
    """The local authority's child ID (CIN LAchildID): letters and digits only, at most 20 (rules 1570, 1580)."""
    if len(value) > 20:
        raise ValidationError("Enter an LA child ID of at most 20 characters.", code="la_child_id_length")
    if not value.isascii() or not value.isalnum():
        raise ValidationError("Enter an LA child ID of letters and digits only.", code="la_child_id_characters")


def validate_disability_codes(value: object) -> None:
    """A list of the census's disability codes, each once; "NONE" alone or not at all (rules 8540, 8790, 8794)."""
    from safeguarding.children.enums import Disability

    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError("Disabilities must be a list of codes.", code="disability_list")
    unknown = [code for code in value if code not in Disability.values]
    if unknown:
        raise ValidationError(
            f"Unknown disability code {unknown[0]!r}: use one of {', '.join(Disability.values)}.",
            code="disability_code",
        )
    if len(set(value)) != len(value):
        raise ValidationError("Give each disability code once.", code="disability_repeated")
    if Disability.NONE in value and len(value) > 1:
        raise ValidationError('"NONE" (no disability) cannot go with other disability codes.', code="disability_none")
