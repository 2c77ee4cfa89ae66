"""Dates shown to people read as GOV.UK writes them: "7 November 2026", never "07 November 2026"."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from safeguarding.assessments.compare import Comparison
from safeguarding.core.dates import long_date

SOURCE = Path(__file__).resolve().parents[2]
# A day formatted with a leading zero inside an f-string or a strftime call of words ("%d %B", "%d %b").
ZERO_PADDED_DAY_IN_WORDS = re.compile(r":%A? ?%d %[Bb]")


def test_no_module_formats_a_day_in_words_with_a_leading_zero() -> None:
    offenders = [
        f"{path.relative_to(SOURCE)}:{number}"
        for path in SOURCE.rglob("*.py")
        if "tests" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ZERO_PADDED_DAY_IN_WORDS.search(line)
    ]
    assert offenders == []


def test_long_date_and_the_compare_pages_column_have_no_leading_zero() -> None:
    assert long_date(dt.datetime(2026, 11, 7, 9, 30)) == "7 November 2026"

    class _Agency:
        name = "Northbridge Council Children's Social Care"

    class _Assessment:
        assessed_on = dt.date(2026, 11, 7)
        agency = _Agency()

    label = Comparison([], [], []).column_label(_Assessment())  # type: ignore[arg-type]
    assert label.startswith("7 Nov 2026, ")
