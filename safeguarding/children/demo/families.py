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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from safeguarding.agencies.enums import Role
from safeguarding.children.demo import partnership as p
from safeguarding.children.demo import words
from safeguarding.children.demo.featured import FEATURED_SURNAME, featured_household
from safeguarding.children.demo.plans import (
    CIN_SERVICE,
    CP_SERVICE,
    GrantPlan,
    HouseholdPlan,
    InvolvementPlan,
    LinkPlan,
    PersonPlan,
    age_on,
    school_start,
    school_year,
    school_year_label,
    years_before,
)
from safeguarding.children.enums import LawfulBasis, RelationshipKind, Sex
from safeguarding.children.validators import nhs_check_digit

__all__ = [
    "FEATURED_SURNAME",
    "SIZES",
    "FamilyBuilder",
    "GrantPlan",
    "HouseholdPlan",
    "InvolvementPlan",
    "LinkPlan",
    "PersonPlan",
    "age_on",
    "iter_households",
    "school_start",
    "school_year",
    "school_year_label",
    "years_before",
]

# Test-range NHS numbers: those starting 999 are never issued to real patients.
NHS_TEST_PREFIX = "999"


_Add = Callable[[InvolvementPlan], None]


@dataclass(frozen=True)
class _Adults:
    """Who the household's adults are, by index into `HouseholdPlan.adults` (0 mother, 1 father)."""

    pattern: str
    mother_surname: str
    mother_age: int
    mother_lives: bool
    partner: int | None
    carer: int | None


@dataclass(frozen=True)
class _Services:
    """The household's agencies: the same school, GP, early help episode, social worker and police
    officer for every child in it."""

    need: int
    gp: str | None
    primary: str
    secondary: str
    abuse_at_home: bool
    housing: bool
    early_help_start: date
    early_help_end: date | None
    early_help_service: str
    early_help_lead: str | None
    csc_start: date
    csc_service: str
    csc_lead: str | None
    police_start: date
    police_end: date | None
    police_lead: str | None
    housing_start: date
    housing_lead: str | None
    probation: bool


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
        adults = self.adults(household, pattern, eldest_age=ages[0])
        fathers = self.children(household, adults, ages)
        self.link(household, adults, fathers)
        self.involve(household, need=rng.choices([1, 2, 3, 4], weights=[55, 24, 14, 7])[0])
        self.grant(household)
        return household

    def adults(self, household: HouseholdPlan, pattern: str, *, eldest_age: int) -> _Adults:
        """The mother and father (adults 0 and 1), and a partner or kinship carer for some patterns."""
        rng = self.rng
        mother_surname, father_surname = rng.choice(words.SURNAMES), rng.choice(words.SURNAMES)
        mother_age = eldest_age + rng.randint(17, 38)
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
        return _Adults(pattern, mother_surname, mother_age, mother_lives, partner, carer)

    def children(self, household: HouseholdPlan, adults: _Adults, ages: list[int]) -> list[int]:
        """The children, eldest first; returns each child's father (an index into the adults): the
        same father unless the mother has had children with someone else."""
        rng, pattern, partner = self.rng, adults.pattern, adults.partner
        mother_surname, mother_age = adults.mother_surname, adults.mother_age
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
        return fathers

    def link(self, household: HouseholdPlan, adults: _Adults, fathers: list[int]) -> None:
        """How each child relates to the adults and to the other children."""
        rng, mother_lives, partner, carer = self.rng, adults.mother_lives, adults.partner, adults.carer
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
        services = self.household_services(need)
        add = household.involvements.append
        for c, child in enumerate(household.children):
            self.universal_services(add, household, c, child, services)
            self.targeted_services(add, c, child, services)
            self.specialist_services(add, c, child, need)

    def household_services(self, need: int) -> _Services:
        """The agencies the household's children share, chosen once for the household."""
        rng, today, staff = self.rng, self.today, self.staff
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
        # A child protection plan starts at the initial conference, some weeks after the referral.
        csc_start = self.days_ago(14, 500) if need == 3 else self.days_ago(45, 500)
        csc_team, csc_service = (
            ("CIN", CIN_SERVICE)
            if need == 3
            else ("CPC", CP_SERVICE + rng.choice(["neglect", "emotional abuse", "physical abuse"]))
        )
        csc_lead = staff.lead(rng, p.CSC, csc_team)
        police_start = self.days_ago(7, 400)
        police_end = None if rng.random() < 0.6 else min(today, police_start + timedelta(days=rng.randint(7, 90)))
        police_lead = staff.lead(rng, p.POLICE, rng.choice(["PPU", "NPT"]))
        housing_start = self.days_ago(30, 600)
        housing_lead = staff.lead(rng, p.HOUSING, "TST")
        probation = abuse_at_home and rng.random() < 0.35
        return _Services(
            need=need,
            gp=gp,
            primary=primary,
            secondary=secondary,
            abuse_at_home=abuse_at_home,
            housing=housing,
            early_help_start=early_help_start,
            early_help_end=early_help_end,
            early_help_service=early_help_service,
            early_help_lead=early_help_lead,
            csc_start=csc_start,
            csc_service=csc_service,
            csc_lead=csc_lead,
            police_start=police_start,
            police_end=police_end,
            police_lead=police_lead,
            housing_start=housing_start,
            housing_lead=housing_lead,
            probation=probation,
        )

    def universal_services(self, add: _Add, household: HouseholdPlan, c: int, child: PersonPlan, s: _Services) -> None:
        """GP, health visiting or school, and a nursery place or school nursing for some."""
        rng, today, staff = self.rng, self.today, self.staff
        dob = child.date_of_birth
        age = age_on(dob, today)
        if s.gp:
            registered = min(today, max(dob + timedelta(days=14), household.moved_in))
            add(InvolvementPlan(c, s.gp, registered, None, "Registered patient", None))
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
            school = s.secondary if secondary_age else s.primary
            started = date(reception.year + (7 if secondary_age else 0), 9, 1)
            lead = staff.lead(rng, school) if s.need >= 2 else None
            add(InvolvementPlan(c, school, started, None, f"Pupil, {school_year_label(year_group)}", lead))
            if s.need >= 2 and rng.random() < 0.5:
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

    def targeted_services(self, add: _Add, c: int, child: PersonPlan, s: _Services) -> None:
        """Early help, social care, police and domestic abuse outreach, probation and housing, by need."""
        rng, staff = self.rng, self.staff
        dob = child.date_of_birth
        if s.need >= 2 and s.early_help_start >= dob:
            add(
                InvolvementPlan(
                    c,
                    p.EARLY_HELP,
                    s.early_help_start,
                    s.early_help_end,
                    s.early_help_service,
                    s.early_help_lead,
                    LawfulBasis.CONSENT,
                )
            )
        if s.need >= 3:
            add(InvolvementPlan(c, p.CSC, max(s.csc_start, dob), None, s.csc_service, s.csc_lead))
        if s.abuse_at_home:
            start = max(s.police_start, dob)
            add(
                InvolvementPlan(
                    c,
                    p.POLICE,
                    start,
                    s.police_end if s.police_end and s.police_end >= start else None,
                    "Domestic abuse incident at the home; child present",
                    s.police_lead,
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
        if s.probation:
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
        if s.housing:
            add(
                InvolvementPlan(
                    c,
                    p.HOUSING,
                    max(s.housing_start, dob),
                    None,
                    "Tenancy sustainment: rent arrears and the condition of the home",
                    s.housing_lead,
                )
            )

    def specialist_services(self, add: _Add, c: int, child: PersonPlan, need: int) -> None:
        """Mental health, youth justice and the emergency department, for some children."""
        rng, staff = self.rng, self.staff
        dob = child.date_of_birth
        age = age_on(dob, self.today)
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
        """The Whitlock brothers and their household (see `featured.featured_household`)."""
        return featured_household(self)


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
