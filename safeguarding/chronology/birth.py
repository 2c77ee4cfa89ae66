"""Dates that cannot be: an entry about a time before the child was born.

The model has no expected date of birth, so an entry about an unborn child is one about a child whose
record has no date of birth yet: nothing to check it against, and it is accepted. Once a date of birth
is recorded, an entry whose whole period (the day, or its month or year at month or year precision)
ends before it is refused.

Who may be told the date of birth matters. A person or system that may see the child is told the date
(`before_birth_of`); an import row or a posted entry about a child the agency does not see is checked
only against the date of birth it gave itself (`BEFORE_GIVEN_BIRTH`), so the answer never tells it
anything about a record it may not see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from safeguarding.children.validators import BIRTH_IN_FUTURE as BIRTH_IN_FUTURE
from safeguarding.chronology.enums import Precision
from safeguarding.core.dates import long_date

if TYPE_CHECKING:
    from safeguarding.children.models import Child

BEFORE_GIVEN_BIRTH = (
    "The date of the event is before the child's date of birth given in this row. "
    "An entry cannot be about a time before the child was born: check both dates."
)
BEFORE_GIVEN_BIRTH_IN_ENTRY = (
    "The date of the event is before the date of birth given in children[{n}] of this entry. "
    "An entry cannot be about a time before the child was born: check both dates."
)


def last_day(day: dt.date, precision: str) -> dt.date:
    """The last day of the period a date stands for at its precision."""
    if precision == Precision.YEAR:
        return day.replace(month=12, day=31)
    if precision == Precision.MONTH:
        return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return day


def ends_before(day: dt.date, precision: str, born: dt.date | None) -> bool:
    """Whether the whole period `day` stands for ends before `born` (never, when `born` is unknown)."""
    return born is not None and last_day(day, precision) < born


def before_birth_of(children: Iterable[Child], day: dt.date, precision: str) -> str:
    """The message for an entry dated before the birth of one of `children` (all of whom the caller
    may see), naming the child and the date of birth; empty when there is none."""
    for child in children:
        if ends_before(day, precision, child.date_of_birth):
            assert child.date_of_birth is not None
            return (
                f"The date of the event is before {child.full_name}'s date of birth "
                f"({long_date(child.date_of_birth)}). An entry cannot be about a time before the child was born: "
                "check the date."
            )
    return ""
