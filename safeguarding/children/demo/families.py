"""Synthetic families for the demo partnership: a plan in plain data, built from a seeded random
generator and today's date, so the same seed gives the same people (and tests can compare plans
without a database). `seed.write_households` turns the plan into rows.

Household make-up, ages, the agencies involved and their lead professionals follow how services
work in England: health visiting from birth to school age, school from the September after a
child turns four, early help by consent, children's social care under sections 17 and 47 of the
Children Act 1989, police and domestic abuse services where there is abuse at home.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from safeguarding.agencies.enums import Role
from safeguarding.children.demo import partnership as p
from safeguarding.children.demo import words
from safeguarding.children.enums import LawfulBasis, RelationshipKind, Sex
from safeguarding.children.validators import nhs_check_digit

# Test-range NHS numbers: those starting 999 are never issued to real patients.
NHS_TEST_PREFIX = "999"
FEATURED_SURNAME = "Whitlock"  # not in words.SURNAMES, so only the featured family has it


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


class FamilyBuilder:
    """Builds households one at a time; every random choice goes through `self.rng`."""

    def __init__(self, rng: random.Random, staff: p.DemoStaff, today: date) -> None:
        self.rng = rng
        self.staff = staff
        self.today = today
        self.nhs_used: set[str] = set()
        self.street_postcodes: dict[str, str] = {}

    # --- small helpers --------------------------------------------------------------------------

    def days_ago(self, low: int, high: int) -> date:
        return self.today - timedelta(days=self.rng.randint(low, high))

    def nhs_number(self) -> str:
        while True:
            nine = NHS_TEST_PREFIX + f"{self.rng.randrange(1_000_000):06d}"
            check = nhs_check_digit(nine)
            if check is None:
                continue
            number = f"{nine}{check}"
            if number not in self.nhs_used:
                self.nhs_used.add(number)
                return number

    def fixed_nhs_number(self, nine: str) -> str:
        """The first valid unused number counting up from `nine` (for the featured family)."""
        value = int(nine)
        while True:
            candidate = f"{value:09d}"
            check = nhs_check_digit(candidate)
            number = f"{candidate}{check}"
            if check is not None and number not in self.nhs_used:
                self.nhs_used.add(number)
                return number
            value += 1

    def dob_for_age(self, age: int) -> date:
        return years_before(self.today, age) - timedelta(days=self.rng.randint(0, 364))

    def adult(self, sex: str, surname: str, age: int, nhs_share: float = 0.5) -> PersonPlan:
        names = words.WOMEN if sex == Sex.FEMALE else words.MEN
        nhs = self.nhs_number() if self.rng.random() < nhs_share else None
        return PersonPlan(self.rng.choice(names), surname, sex, self.dob_for_age(age), nhs)

    def child(self, surname: str, age: int) -> PersonPlan:
        sex = Sex.FEMALE if self.rng.random() < 0.49 else Sex.MALE
        names = words.GIRLS if sex == Sex.FEMALE else words.BOYS
        nhs = self.nhs_number() if self.rng.random() < 0.85 else None
        return PersonPlan(self.rng.choice(names), surname, sex, self.dob_for_age(age), nhs)

    def address(self) -> tuple[str, str]:
        street = f"{self.rng.choice(words.STREETS)} {self.rng.choice(words.STREET_KINDS)}"
        if street not in self.street_postcodes:
            district, sector = self.rng.randint(1, 9), self.rng.randint(1, 9)
            unit = "".join(self.rng.choice(words.POSTCODE_LETTERS) for _ in range(2))
            self.street_postcodes[street] = f"NB{district} {sector}{unit}"
        return f"{self.rng.randint(1, 180)} {street}", self.street_postcodes[street]

    # --- households -----------------------------------------------------------------------------

    def household(self, number: int, max_children: int) -> HouseholdPlan:
        rng = self.rng
        line, postcode = self.address()
        household = HouseholdPlan(
            reference=f"NB-H-{number:06d}", address_line_1=line, postcode=postcode, moved_in=self.days_ago(60, 4000)
        )
        wanted = rng.choices([1, 2, 3, 4, 5], weights=[35, 35, 20, 7, 3])[0]
        ages = [rng.randint(0, 17)]
        while len(ages) < min(wanted, max_children) and ages[-1] >= 1:
            ages.append(max(0, ages[-1] - rng.randint(1, 4)))
        pattern = rng.choices(
            ["two_parents", "single_mother", "mother_and_partner", "single_father", "kinship"],
            weights=[35, 30, 18, 5, 7],
        )[0]
        mother_surname, father_surname = rng.choice(words.SURNAMES), rng.choice(words.SURNAMES)
        mother_age = ages[0] + rng.randint(17, 38)
        mother = self.adult(Sex.FEMALE, mother_surname, mother_age)
        father = self.adult(Sex.MALE, father_surname, mother_age + rng.randint(-2, 8))
        household.adults = [mother, father]
        mother_lives = pattern != "single_father" and pattern != "kinship"
        father_lives = pattern in ("two_parents", "single_father")
        household.resident_adults = [i for i, lives in ((0, mother_lives), (1, father_lives)) if lives]
        partner = None
        if pattern == "mother_and_partner":
            partner = len(household.adults)
            household.adults.append(self.adult(Sex.MALE, rng.choice(words.SURNAMES), mother_age + rng.randint(-4, 6)))
            household.resident_adults.append(partner)
        carer = None
        if pattern == "kinship":
            carer = len(household.adults)
            household.adults.append(self.adult(Sex.FEMALE, mother_surname, mother_age + rng.randint(18, 26)))
            household.resident_adults.append(carer)

        # Children: the same father unless the mother has had children with someone else.
        fathers: list[int] = []
        second_father = None
        for index, age in enumerate(ages):
            father_index = 1
            if index > 0 and pattern in ("single_mother", "mother_and_partner") and rng.random() < 0.3:
                if partner is not None:
                    father_index = partner
                else:
                    if second_father is None:
                        second_father = len(household.adults)
                        household.adults.append(
                            self.adult(Sex.MALE, rng.choice(words.SURNAMES), mother_age + rng.randint(-2, 6))
                        )
                    father_index = second_father
            surname = household.adults[father_index].last_name if rng.random() < 0.6 else mother_surname
            household.children.append(self.child(surname, age))
            fathers.append(father_index)

        for c, father_index in enumerate(fathers):
            household.links.append(
                LinkPlan(
                    c, RelationshipKind.MOTHER, adult=0, parental_responsibility=True, lives_with_child=mother_lives
                )
            )
            household.links.append(
                LinkPlan(
                    c,
                    RelationshipKind.FATHER,
                    adult=father_index,
                    parental_responsibility=rng.random() < 0.85,
                    lives_with_child=father_index in household.resident_adults,
                )
            )
            if partner is not None and father_index != partner:
                household.links.append(
                    LinkPlan(c, RelationshipKind.PARENTS_PARTNER, adult=partner, lives_with_child=True)
                )
            if carer is not None:
                household.links.append(
                    LinkPlan(
                        c,
                        RelationshipKind.KINSHIP_CARER,
                        adult=carer,
                        parental_responsibility=True,
                        lives_with_child=True,
                        notes="Maternal grandmother; special guardianship order.",
                    )
                )
            for other, other_father in enumerate(fathers):
                if other != c:
                    kind = RelationshipKind.SIBLING if other_father == father_index else RelationshipKind.HALF_SIBLING
                    household.links.append(LinkPlan(c, kind, other_child=other, lives_with_child=True))

        self.involve(household, need=rng.choices([1, 2, 3, 4], weights=[55, 24, 14, 7])[0])
        self.grant(household)
        return household

    def grant(self, household: HouseholdPlan) -> None:
        """The hospital's paediatric liaison nurse follows up some emergency department attendances."""
        liaison = self.staff.practitioners[f"{p.HOSPITAL}/PAED"][0]
        for inv in household.involvements:
            if inv.agency == p.HOSPITAL and self.rng.random() < 0.5:
                household.grants.append(
                    GrantPlan(
                        inv.child,
                        liaison,
                        self.rng.choice(self.staff.granters[p.HOSPITAL]),
                        "Paediatric liaison follow-up after an emergency department attendance.",
                        self.rng.randint(1, 5),
                        14,
                    )
                )

    # --- agencies involved ----------------------------------------------------------------------

    def involve(self, household: HouseholdPlan, need: int) -> None:
        rng, today, staff = self.rng, self.today, self.staff
        add = household.involvements.append
        gp = rng.choice(p.GP_PRACTICES) if rng.random() < 0.92 else None
        primary, secondary = rng.choice(p.PRIMARY_SCHOOLS), rng.choice(p.SECONDARY_SCHOOLS)
        abuse_at_home = rng.random() < (0.45 if need >= 3 else 0.06)
        housing = rng.random() < (0.12 if need >= 2 else 0.03)

        early_help_start = self.days_ago(40, 700)
        early_help_end = None
        if need == 2 and rng.random() < 0.6:
            early_help_service = "Early help: family support"
        else:
            early_help_end = min(today - timedelta(days=1), early_help_start + timedelta(days=rng.randint(60, 300)))
            early_help_service = rng.choice(
                [
                    "Early help: family support (closed: plan completed)",
                    "Early help: family support (closed: family withdrew consent)",
                    "Early help: family support (closed: non-engagement)",
                ]
            )
        early_help_lead = staff.lead(rng, p.EARLY_HELP)
        csc_start = self.days_ago(14, 500)
        csc_team, csc_service = (
            ("CIN", "Child in need (section 17)")
            if need == 3
            else (
                "CPC",
                "Child protection plan (section 47); category: "
                + rng.choice(["neglect", "emotional abuse", "physical abuse"]),
            )
        )
        csc_lead = staff.lead(rng, p.CSC, csc_team)
        police_start = self.days_ago(7, 400)
        police_end = None if rng.random() < 0.6 else min(today, police_start + timedelta(days=rng.randint(7, 90)))
        police_lead = staff.lead(rng, p.POLICE, rng.choice(["PPU", "NPT"]))
        housing_start = self.days_ago(30, 600)
        housing_lead = staff.lead(rng, p.HOUSING, "TST")
        probation = abuse_at_home and rng.random() < 0.35

        for c, child in enumerate(household.children):
            dob = child.date_of_birth
            age = age_on(dob, today)
            if gp:
                registered = min(today, max(dob + timedelta(days=14), household.moved_in))
                add(InvolvementPlan(c, gp, registered, None, "Registered patient", None))
            reception = school_start(dob)
            if reception > today:
                add(
                    InvolvementPlan(
                        c,
                        p.COMMUNITY_HEALTH,
                        min(today, dob + timedelta(days=rng.randint(10, 14))),
                        None,
                        "Health visiting (healthy child programme, 0 to 5)",
                        staff.lead(rng, p.COMMUNITY_HEALTH, "HV"),
                    )
                )
                if age >= 2 and rng.random() < 0.4:
                    add(
                        InvolvementPlan(
                            c,
                            p.NURSERY,
                            self.days_ago(30, 300),
                            None,
                            "Funded early education place",
                            staff.lead(rng, p.NURSERY),
                        )
                    )
            year_group = school_year(dob, today)
            if year_group is not None and (year_group <= 11 or rng.random() < 0.5):
                secondary_age = year_group >= 7
                school = secondary if secondary_age else primary
                started = date(reception.year + (7 if secondary_age else 0), 9, 1)
                lead = staff.lead(rng, school) if need >= 2 else None
                add(InvolvementPlan(c, school, started, None, f"Pupil, {school_year_label(year_group)}", lead))
                if need >= 2 and rng.random() < 0.5:
                    add(
                        InvolvementPlan(
                            c,
                            p.COMMUNITY_HEALTH,
                            max(started, self.days_ago(30, 500)),
                            None,
                            "School nursing (healthy child programme, 5 to 19)",
                            staff.lead(rng, p.COMMUNITY_HEALTH, "SN"),
                        )
                    )
            if need >= 2 and early_help_start >= dob:
                add(
                    InvolvementPlan(
                        c,
                        p.EARLY_HELP,
                        early_help_start,
                        early_help_end,
                        early_help_service,
                        early_help_lead,
                        LawfulBasis.CONSENT,
                    )
                )
            if need >= 3:
                add(InvolvementPlan(c, p.CSC, max(csc_start, dob), None, csc_service, csc_lead))
            if abuse_at_home:
                start = max(police_start, dob)
                add(
                    InvolvementPlan(
                        c,
                        p.POLICE,
                        start,
                        police_end if police_end and police_end >= start else None,
                        "Domestic abuse incident at the home; child present",
                        police_lead,
                    )
                )
                add(
                    InvolvementPlan(
                        c,
                        p.CHARITY,
                        max(start, self.days_ago(5, 200)),
                        None,
                        "Domestic abuse outreach for the family (IDVA)",
                        staff.lead(rng, p.CHARITY, "DAO"),
                        LawfulBasis.CONSENT,
                    )
                )
            if probation:
                add(
                    InvolvementPlan(
                        c,
                        p.PROBATION,
                        max(dob, self.days_ago(30, 400)),
                        None,
                        "Child of a person on probation: risk management plan",
                        staff.lead(rng, p.PROBATION),
                    )
                )
            if housing:
                add(
                    InvolvementPlan(
                        c,
                        p.HOUSING,
                        max(housing_start, dob),
                        None,
                        "Tenancy sustainment: rent arrears and the condition of the home",
                        housing_lead,
                    )
                )
            if age <= 1 and need >= 2 and rng.random() < 0.35:
                # Perinatal mental health care is the mother's, and sensitive: only the trust's
                # safeguarding lead sees that the service is involved with the baby.
                add(
                    InvolvementPlan(
                        c,
                        p.MENTAL_HEALTH,
                        max(dob, self.days_ago(10, 200)),
                        None,
                        "Perinatal mental health support for the mother",
                        staff.lead(rng, p.MENTAL_HEALTH, "PMH"),
                        restricted_to=(Role.SAFEGUARDING_LEAD,),
                    )
                )
            if age >= 11 and need >= 2 and rng.random() < 0.2:
                add(
                    InvolvementPlan(
                        c,
                        p.MENTAL_HEALTH,
                        self.days_ago(20, 400),
                        None,
                        "Child and adolescent mental health service (CAMHS)",
                        staff.lead(rng, p.MENTAL_HEALTH, "CAMHS"),
                        restricted_to=(Role.SAFEGUARDING_LEAD, Role.MANAGER) if rng.random() < 0.4 else (),
                    )
                )
            if age >= 10 and need >= 2 and rng.random() < 0.2:
                add(
                    InvolvementPlan(
                        c,
                        p.YOUTH_JUSTICE,
                        self.days_ago(20, 300),
                        None,
                        rng.choice(["Youth justice: referral order", "Youth justice: out-of-court disposal"]),
                        staff.lead(rng, p.YOUTH_JUSTICE),
                        LawfulBasis.LEGAL_OBLIGATION,
                    )
                )
            if rng.random() < 0.05:
                attended = max(dob, self.days_ago(1, 90))
                add(
                    InvolvementPlan(
                        c,
                        p.HOSPITAL,
                        attended,
                        attended,
                        "Emergency department attendance",
                        None,
                        LawfulBasis.VITAL_INTERESTS,
                    )
                )

    # --- the featured family --------------------------------------------------------------------

    def featured(self) -> HouseholdPlan:
        """Two brothers, about 2 and 7, in the kind of picture practice reviews describe: health
        visiting and school, early help closed for non-engagement, then police call-outs for
        domestic abuse and a social care assessment."""
        today, staff, rng = self.today, self.staff, self.rng
        tyler_dob = years_before(today, 7) - timedelta(days=97)
        mason_dob = years_before(today, 2) - timedelta(days=203)
        household = HouseholdPlan(
            reference="NB-H-000001", address_line_1="14 Foundry Lane", postcode="NB3 4QT", moved_in=tyler_dob
        )
        household.adults = [
            PersonPlan("Kayleigh", FEATURED_SURNAME, Sex.FEMALE, years_before(today, 26) - timedelta(days=41)),
            PersonPlan("Ryan", FEATURED_SURNAME, Sex.MALE, years_before(today, 29) - timedelta(days=260)),
            PersonPlan("Dean", "Marsh", Sex.MALE, years_before(today, 31) - timedelta(days=122)),
        ]
        household.resident_adults = [0, 2]
        household.children = [
            PersonPlan("Tyler", FEATURED_SURNAME, Sex.MALE, tyler_dob, self.fixed_nhs_number("999100000")),
            PersonPlan("Mason", FEATURED_SURNAME, Sex.MALE, mason_dob, self.fixed_nhs_number("999100010")),
        ]
        for c in (0, 1):
            household.links += [
                LinkPlan(c, RelationshipKind.MOTHER, adult=0, parental_responsibility=True, lives_with_child=True),
                LinkPlan(c, RelationshipKind.FATHER, adult=1, parental_responsibility=True, lives_with_child=False),
                LinkPlan(c, RelationshipKind.PARENTS_PARTNER, adult=2, lives_with_child=True),
                LinkPlan(c, RelationshipKind.SIBLING, other_child=1 - c, lives_with_child=True),
            ]
        reception = school_start(tyler_dob)
        early_help = (today - timedelta(days=425), today - timedelta(days=240))
        police_start = today - timedelta(days=150)
        social_care_start = today - timedelta(days=42)
        hv, school_nurse = "practitioner.hv", staff.lead(rng, p.COMMUNITY_HEALTH, "SN")
        household.involvements = [
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
                today - timedelta(days=96),
                today - timedelta(days=96),
                "Emergency department attendance: head injury",
                None,
                LawfulBasis.VITAL_INTERESTS,
            ),
        ]
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
        early_help_lead = staff.lead(rng, p.EARLY_HELP)
        for c in (0, 1):
            household.involvements += [
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
                    "Child and family assessment (section 17); strategy discussion",
                    "practitioner.csc",
                ),
            ]
        return household


SIZES = {"small": 200, "large": 46_000}


def iter_households(rng: random.Random, staff: p.DemoStaff, today: date, children: int) -> Iterator[HouseholdPlan]:
    """Households until `children` children exist, the featured family first. A generator, so a
    large seed holds only the households it is writing."""
    builder = FamilyBuilder(rng, staff, today)
    featured = builder.featured()
    total = len(featured.children)
    yield featured
    number = 1
    while total < children:
        number += 1
        household = builder.household(number, max_children=children - total)
        total += len(household.children)
        yield household
