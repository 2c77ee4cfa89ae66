"""The demo families as plain data (what `seed.write_households` turns into rows), and the date
rules they follow: ages, and the school year a child is in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from safeguarding.children.enums import LawfulBasis

# Children's social care services, as the involvements name them (the chronology's demo reads them).
CIN_SERVICE = "Child in need (section 17)"
CP_SERVICE = "Child protection plan (section 47); category: "


@dataclass
class PersonPlan:
    first_name: str
    last_name: str
    sex: str
    date_of_birth: date
    nhs_number: str | None = None


@dataclass
class LinkPlan:
    """A Relationship row: how an adult (or another child) of the household relates to a child."""

    child: int
    kind: str
    adult: int | None = None
    other_child: int | None = None
    parental_responsibility: bool = False
    lives_with_child: bool = False
    notes: str = ""


@dataclass
class InvolvementPlan:
    child: int
    agency: str
    start: date
    end: date | None
    service: str
    lead: str | None
    lawful_basis: str = LawfulBasis.PUBLIC_TASK
    restricted_to: tuple[str, ...] = ()


@dataclass
class HouseholdPlan:
    reference: str
    address_line_1: str
    postcode: str
    moved_in: date
    adults: list[PersonPlan] = field(default_factory=list)
    resident_adults: list[int] = field(default_factory=list)
    children: list[PersonPlan] = field(default_factory=list)
    links: list[LinkPlan] = field(default_factory=list)
    involvements: list[InvolvementPlan] = field(default_factory=list)
    grants: list[GrantPlan] = field(default_factory=list)


@dataclass
class GrantPlan:
    child: int
    user: str
    granted_by: str
    reason: str
    started_days_ago: int
    lasts_days: int


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def age_on(dob: date, day: date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def school_start(dob: date) -> date:
    """Reception starts on the 1 September after the fourth birthday: a school year takes children
    born from 1 September to 31 August."""
    fourth = years_before(dob, -4)
    return date(fourth.year if fourth < date(fourth.year, 9, 1) else fourth.year + 1, 9, 1)


def school_year(dob: date, today: date) -> int | None:
    """0 for Reception, 1 to 13 for Years 1 to 13, None for a child not of school age."""
    start = school_start(dob)
    if start > today:
        return None
    year_group = today.year - start.year - (1 if today < date(today.year, 9, 1) else 0)
    return year_group if year_group <= 13 else None


def school_year_label(year_group: int) -> str:
    return "Reception" if year_group == 0 else f"Year {year_group}"
