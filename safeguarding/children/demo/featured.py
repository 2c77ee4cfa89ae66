"""The featured family: two brothers, about 2 and 7, in the kind of picture practice reviews
describe: health visiting and school, early help closed for non-engagement, police call-outs for
domestic abuse, then Mason's head injury, a strategy discussion, a section 47 enquiry, an initial
child protection conference and child protection plans. Other apps' demo data (chronology, plans,
escalations, reviews) tell their story; they find them by `FEATURED_SURNAME`, and take every date of
the statutory process from `whitlock_dates`, so one event has one date everywhere it appears.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from safeguarding.children.demo import partnership as p
from safeguarding.children.demo.plans import (
    CP_SERVICE,
    GrantPlan,
    HouseholdPlan,
    InvolvementPlan,
    LinkPlan,
    PersonPlan,
    school_start,
    school_year,
    school_year_label,
    years_before,
)
from safeguarding.children.enums import LawfulBasis, RelationshipKind, Sex

if TYPE_CHECKING:
    from safeguarding.children.demo.families import FamilyBuilder

FEATURED_SURNAME = "Whitlock"  # not in words.SURNAMES, so only the featured family has it
# Mason's head injury: the emergency department attendance, the hospital's referral, the serious
# incident the rapid review is about. Days before today.
INJURY_DAYS_AGO = 121
CP_CATEGORY = "neglect"


@dataclass(frozen=True)
class WhitlockDates:
    """The brothers' journey through the child protection process (Working Together 2023), one date
    per event: the referral after the injury, a strategy discussion the next working day that finds
    the section 47 threshold met, the enquiry, the initial conference within 15 working days of the
    strategy discussion (where the plans are made), the core groups, and the review conference three
    months on (then every six months)."""

    injury: date
    strategy_discussion: date
    medical: date
    enquiry_completed: date
    initial_conference: date
    first_core_group: date
    review_conference: date
    next_review_conference: date


def _add_months(day: date, months: int) -> date:
    """The same day `months` months on (the month's last day when it has fewer days)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    next_month = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, min(day.day, (next_month - timedelta(days=1)).day))


def _working_day_on_or_before(day: date) -> date:
    from safeguarding.core.calendar import is_working_day

    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def whitlock_dates(today: date) -> WhitlockDates:
    """Every date of the statutory process, on working days (the working-day calendar)."""
    from safeguarding.core.calendar import add_working_days

    injury = today - timedelta(days=INJURY_DAYS_AGO)
    strategy = add_working_days(injury, 1)
    conference = add_working_days(strategy, 14)
    review = _working_day_on_or_before(_add_months(conference, 3))
    return WhitlockDates(
        injury=injury,
        strategy_discussion=strategy,
        medical=add_working_days(strategy, 1),
        enquiry_completed=add_working_days(strategy, 9),
        initial_conference=conference,
        first_core_group=add_working_days(conference, 8),
        review_conference=review,
        next_review_conference=_working_day_on_or_before(_add_months(review, 6)),
    )


def featured_household(builder: FamilyBuilder) -> HouseholdPlan:
    """The Whitlock household: Kayleigh, the boys' father Ryan (who lives elsewhere), her partner
    Dean Marsh, Tyler and Mason; the agencies involved; the independent reviewer's access."""
    today = builder.today
    tyler_dob = years_before(today, 7) - timedelta(days=97)
    mason_dob = years_before(today, 2) - timedelta(days=203)
    household = HouseholdPlan(
        reference="NB-H-000001", address_line_1="14 Foundry Lane", postcode="NB3 4QT", moved_in=tyler_dob
    )
    _people(builder, household, tyler_dob, mason_dob)
    household.involvements = _health_and_school(builder, tyler_dob, mason_dob)
    household.grants = [
        GrantPlan(
            c,
            "reviewer",
            "business.unit",
            "Rapid review: the independent reviewer reads the agencies' records for the review.",
            1,
            28,
        )
        for c in (0, 1)
    ]
    household.involvements += _early_help_police_and_social_care(builder)
    return household


def _people(builder: FamilyBuilder, household: HouseholdPlan, tyler_dob: date, mason_dob: date) -> None:
    today = builder.today
    household.adults = [
        PersonPlan("Kayleigh", FEATURED_SURNAME, Sex.FEMALE, years_before(today, 26) - timedelta(days=41)),
        PersonPlan("Ryan", FEATURED_SURNAME, Sex.MALE, years_before(today, 29) - timedelta(days=260)),
        PersonPlan("Dean", "Marsh", Sex.MALE, years_before(today, 31) - timedelta(days=122)),
    ]
    household.resident_adults = [0, 2]
    household.children = [
        PersonPlan("Tyler", FEATURED_SURNAME, Sex.MALE, tyler_dob, builder.fixed_nhs_number("999100000")),
        PersonPlan("Mason", FEATURED_SURNAME, Sex.MALE, mason_dob, builder.fixed_nhs_number("999100010")),
    ]
    for c in (0, 1):
        household.links += [
            LinkPlan(c, RelationshipKind.MOTHER, adult=0, parental_responsibility=True, lives_with_child=True),
            LinkPlan(c, RelationshipKind.FATHER, adult=1, parental_responsibility=True, lives_with_child=False),
            LinkPlan(c, RelationshipKind.PARENTS_PARTNER, adult=2, lives_with_child=True),
            LinkPlan(c, RelationshipKind.SIBLING, other_child=1 - c, lives_with_child=True),
        ]


def _health_and_school(builder: FamilyBuilder, tyler_dob: date, mason_dob: date) -> list[InvolvementPlan]:
    """Health visiting, school nursing, Tyler's school, the GP, and Mason's head injury."""
    today = builder.today
    reception = school_start(tyler_dob)
    hv, school_nurse = "practitioner.hv", builder.staff.lead(builder.rng, p.COMMUNITY_HEALTH, "SN")
    return [
        InvolvementPlan(0, p.COMMUNITY_HEALTH, tyler_dob + timedelta(days=12), reception, "Health visiting", hv),
        InvolvementPlan(1, p.COMMUNITY_HEALTH, mason_dob + timedelta(days=12), None, "Health visiting", hv),
        InvolvementPlan(0, p.COMMUNITY_HEALTH, reception, None, "School nursing", school_nurse),
        InvolvementPlan(
            0,
            p.FEATURED_SCHOOL,
            reception,
            None,
            f"Pupil, {school_year_label(school_year(tyler_dob, today) or 0)}",
            "practitioner.school",
        ),
        InvolvementPlan(0, "GP-CAN", tyler_dob + timedelta(days=14), None, "Registered patient", None),
        InvolvementPlan(1, "GP-CAN", mason_dob + timedelta(days=14), None, "Registered patient", None),
        InvolvementPlan(
            1,
            p.HOSPITAL,
            today - timedelta(days=INJURY_DAYS_AGO),
            today - timedelta(days=INJURY_DAYS_AGO),
            "Emergency department attendance: head injury",
            None,
            LawfulBasis.VITAL_INTERESTS,
        ),
    ]


def _early_help_police_and_social_care(builder: FamilyBuilder) -> list[InvolvementPlan]:
    """Early help closed for non-engagement, the police's domestic abuse call-outs, and social
    care from the referral after Mason's head injury (child protection plans since the conference):
    the same for both boys."""
    today = builder.today
    early_help = (today - timedelta(days=425), today - timedelta(days=240))
    police_start = today - timedelta(days=150)
    social_care_start = today - timedelta(days=INJURY_DAYS_AGO)
    early_help_lead = builder.staff.lead(builder.rng, p.EARLY_HELP)
    involvements: list[InvolvementPlan] = []
    for c in (0, 1):
        involvements += [
            InvolvementPlan(
                c,
                p.EARLY_HELP,
                *early_help,
                "Early help: family support (closed: non-engagement)",
                early_help_lead,
                LawfulBasis.CONSENT,
            ),
            InvolvementPlan(
                c,
                p.POLICE,
                police_start,
                None,
                "Domestic abuse incidents at the home; children present",
                "practitioner.police",
            ),
            InvolvementPlan(
                c,
                p.CSC,
                social_care_start,
                None,
                CP_SERVICE + CP_CATEGORY,
                "practitioner.csc",
            ),
        ]
    return involvements
