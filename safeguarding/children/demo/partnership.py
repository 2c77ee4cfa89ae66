"""The demo partnership's agencies, teams and staff, as data for `agencies.services.load_partnership`.

The personas have fixed usernames and names (the README lists them); everyone else's name comes
from the seeded random generator.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

from safeguarding.agencies.enums import AgencyKind, PartnerStatus, Role
from safeguarding.children.demo import words

PARTNERSHIP_LABEL = "Northbridge Safeguarding Children Partnership (demo)"


@dataclass(frozen=True)
class Post:
    """A job in an agency. Personas carry a fixed username and name."""

    role: str
    team: str | None
    job_title: str
    username: str | None = None
    name: tuple[str, str] | None = None


@dataclass(frozen=True)
class DemoAgency:
    code: str
    name: str
    kind: str
    partner_status: str
    domain: str
    teams: tuple[tuple[str, str], ...]
    posts: tuple[Post, ...]


P, M, S, L = Role.PRACTITIONER, Role.MANAGER, Role.SENIOR_MANAGER, Role.SAFEGUARDING_LEAD
STATUTORY, RELEVANT, OTHER = PartnerStatus.STATUTORY, PartnerStatus.RELEVANT, PartnerStatus.OTHER

POLICE = "NBP"
CSC = "NBC-CSC"
ICB = "NB-ICB"
EARLY_HELP = "NBC-EH"
COMMUNITY_HEALTH = "NBCH"
HOSPITAL = "NGH"
PRIMARY_SCHOOLS = ("SCH-ALD", "SCH-ELM")
SECONDARY_SCHOOLS = ("SCH-NHS", "SCH-STH")
NURSERY = "NUR-ACN"
GP_PRACTICES = ("GP-CAN", "GP-HTH")
HOUSING = "NBH"
PROBATION = "PROB-NB"
YOUTH_JUSTICE = "NB-YJS"
MENTAL_HEALTH = "NBMH"
CHARITY = "HFS"
BUSINESS_UNIT = "NSCP-BU"
FEATURED_SCHOOL = "SCH-ALD"
# The partnership's front door: children's social care's Multi-Agency Safeguarding Hub, told when an
# agency shares information about a child who has no lead professional.
FRONT_DOOR = (CSC, "MASH")
# How the housing agency's chronology files read their shared tenancy reference.
IMPORT_COLUMNS = {HOUSING: {"Tenancy ref": "household"}}


def _school(code: str, name: str, domain: str, dsl: Post, pastoral: Post, extra: tuple[Post, ...] = ()) -> DemoAgency:
    return DemoAgency(
        code,
        name,
        AgencyKind.SCHOOL,
        RELEVANT,
        domain,
        (("PAST", "Pastoral Team"), ("SLT", "Senior Leadership Team")),
        (dsl, pastoral, Post(S, "SLT", "Headteacher"), *extra),
    )


AGENCIES: tuple[DemoAgency, ...] = (
    DemoAgency(
        POLICE,
        "Northbridge Police",
        AgencyKind.POLICE,
        STATUTORY,
        "northbridge-police.example",
        (
            ("PPU", "Public Protection Unit"),
            ("MASH", "Police MASH desk"),
            ("CAIT", "Child Abuse Investigation Team"),
            ("NPT", "Neighbourhood Policing Team"),
        ),
        (
            Post(P, "PPU", "Detective Constable", "practitioner.police", ("Callum", "Reid")),
            Post(P, "CAIT", "Detective Constable"),
            Post(P, "NPT", "Police Constable"),
            Post(P, "MASH", "Police Constable, MASH"),
            Post(M, "PPU", "Detective Sergeant"),
            Post(S, None, "Detective Chief Inspector, Public Protection"),
            Post(L, "PPU", "Detective Inspector, Safeguarding"),
        ),
    ),
    DemoAgency(
        CSC,
        "Northbridge Council Children's Social Care",
        AgencyKind.CHILDRENS_SOCIAL_CARE,
        STATUTORY,
        "northbridge-council.example",
        (
            ("MASH", "Multi-Agency Safeguarding Hub"),
            ("AST", "Assessment Team"),
            ("CIN", "Child in Need Team"),
            ("CPC", "Child Protection and Court Team"),
            ("CIC", "Children in Care Team"),
        ),
        (
            Post(P, "AST", "Social Worker", "practitioner.csc", ("Jordan", "Ellis")),
            Post(M, "AST", "Team Manager, Assessment Team", "manager.csc", ("Nadia", "Farooq")),
            Post(S, None, "Head of Service, Safeguarding and Assessment", "senior.csc", ("Lorraine", "Pickering")),
            Post(P, "AST", "Social Worker"),
            Post(P, "MASH", "Senior Social Worker, MASH"),
            Post(P, "CIN", "Social Worker"),
            Post(P, "CIN", "Social Worker"),
            Post(P, "CPC", "Social Worker"),
            Post(P, "CIC", "Social Worker"),
            Post(M, "CIN", "Team Manager, Child in Need Team"),
            Post(M, "MASH", "MASH Team Manager"),
            Post(L, None, "Principal Social Worker"),
        ),
    ),
    DemoAgency(
        ICB,
        "Northbridge Integrated Care Board",
        AgencyKind.HEALTH,
        STATUTORY,
        "northbridge-icb.example",
        (("DSP", "Designated Safeguarding Professionals"),),
        (
            Post(L, "DSP", "Designated Nurse for Safeguarding Children"),
            Post(L, "DSP", "Designated Doctor for Safeguarding Children"),
            Post(S, None, "Chief Nursing Officer"),
        ),
    ),
    DemoAgency(
        EARLY_HELP,
        "Northbridge Council Early Help",
        AgencyKind.EARLY_HELP,
        RELEVANT,
        "northbridge-council.example",
        (("FSN", "Family Support Team North"), ("FSS", "Family Support Team South")),
        (
            Post(P, "FSN", "Family Support Worker"),
            Post(P, "FSN", "Family Support Worker"),
            Post(P, "FSS", "Family Support Worker"),
            Post(M, "FSN", "Early Help Team Manager"),
            Post(S, None, "Head of Early Help"),
        ),
    ),
    DemoAgency(
        COMMUNITY_HEALTH,
        "Northbridge Community Health NHS Trust",
        AgencyKind.HEALTH,
        RELEVANT,
        "northbridge-health.example",
        (("HV", "Health Visiting"), ("SN", "School Nursing"), ("SGT", "Safeguarding Children Team")),
        (
            Post(P, "HV", "Health Visitor", "practitioner.hv", ("Hannah", "Greaves")),
            Post(P, "HV", "Health Visitor"),
            Post(P, "HV", "Community Nursery Nurse"),
            Post(P, "SN", "School Nurse"),
            Post(M, "HV", "Health Visiting Team Leader"),
            Post(L, "SGT", "Named Nurse for Safeguarding Children"),
        ),
    ),
    DemoAgency(
        HOSPITAL,
        "Northbridge General Hospital",
        AgencyKind.HEALTH,
        RELEVANT,
        "northbridge-hospital.example",
        (("ED", "Emergency Department"), ("PAED", "Paediatric Liaison"), ("MAT", "Maternity")),
        (
            Post(P, "ED", "Emergency Department Nurse"),
            Post(P, "PAED", "Paediatric Liaison Nurse"),
            Post(P, "MAT", "Community Midwife"),
            Post(M, "ED", "Emergency Department Nurse Manager"),
            Post(L, "PAED", "Named Nurse, Safeguarding Children"),
        ),
    ),
    _school(
        "SCH-ALD",
        "Alder Street Primary School",
        "alder-street.example",
        Post(L, "SLT", "Deputy Headteacher and Designated Safeguarding Lead", "dsl.school", ("Rachel", "Ambrose")),
        Post(P, "PAST", "Pastoral and Family Support Worker", "practitioner.school", ("Megan", "Thorpe")),
    ),
    _school(
        "SCH-ELM",
        "Elmfield Primary Academy",
        "elmfield.example",
        Post(L, "SLT", "Designated Safeguarding Lead"),
        Post(P, "PAST", "Learning Mentor"),
    ),
    _school(
        "SCH-NHS",
        "Northbridge High School",
        "northbridge-high.example",
        Post(L, "SLT", "Assistant Headteacher and Designated Safeguarding Lead"),
        Post(P, "PAST", "Pastoral Manager"),
        (Post(P, "PAST", "Head of Year 9"),),
    ),
    _school(
        "SCH-STH",
        "St Hilda's Church of England Academy",
        "st-hildas.example",
        Post(L, "SLT", "Designated Safeguarding Lead"),
        Post(P, "PAST", "Student Support Officer"),
    ),
    DemoAgency(
        NURSERY,
        "Little Acorns Day Nursery",
        AgencyKind.EARLY_YEARS,
        RELEVANT,
        "little-acorns.example",
        (("NUR", "Nursery Team"),),
        (Post(L, "NUR", "Nursery Manager and Designated Safeguarding Lead"), Post(P, "NUR", "Nursery Key Person")),
    ),
    DemoAgency(
        "GP-CAN",
        "Canal Street Medical Practice",
        AgencyKind.GP,
        RELEVANT,
        "canal-street-practice.example",
        (("CLN", "Clinical Team"),),
        (
            Post(L, "CLN", "GP Partner and Safeguarding Lead"),
            Post(P, "CLN", "Salaried GP"),
            Post(P, "CLN", "Practice Nurse"),
        ),
    ),
    DemoAgency(
        "GP-HTH",
        "Heathside Surgery",
        AgencyKind.GP,
        RELEVANT,
        "heathside-surgery.example",
        (("CLN", "Clinical Team"),),
        (Post(L, "CLN", "GP Safeguarding Lead"), Post(P, "CLN", "Salaried GP"), Post(P, "CLN", "Practice Nurse")),
    ),
    DemoAgency(
        HOUSING,
        "Northbridge Homes",
        AgencyKind.HOUSING,
        RELEVANT,
        "northbridge-homes.example",
        (("TST", "Tenancy Sustainment Team"), ("ASB", "Anti-social Behaviour Team")),
        (
            Post(P, "TST", "Tenancy Sustainment Officer", "practitioner.housing", ("Owen", "Pritchard")),
            Post(P, "ASB", "Anti-social Behaviour Officer"),
            Post(M, "TST", "Housing Services Manager"),
            Post(L, None, "Safeguarding Lead Officer"),
        ),
    ),
    DemoAgency(
        PROBATION,
        "Probation Service, Northbridge",
        AgencyKind.PROBATION,
        RELEVANT,
        "probation-northbridge.example",
        (("OMU", "Offender Management Unit"),),
        (
            Post(P, "OMU", "Probation Officer"),
            Post(P, "OMU", "Probation Officer"),
            Post(M, "OMU", "Senior Probation Officer"),
        ),
    ),
    DemoAgency(
        YOUTH_JUSTICE,
        "Northbridge Youth Justice Service",
        AgencyKind.YOUTH_JUSTICE,
        RELEVANT,
        "northbridge-council.example",
        (("YJT", "Youth Justice Team"),),
        (
            Post(P, "YJT", "Youth Justice Officer"),
            Post(P, "YJT", "Youth Justice Officer"),
            Post(M, "YJT", "Youth Justice Team Manager"),
        ),
    ),
    DemoAgency(
        MENTAL_HEALTH,
        "Northbridge and District Mental Health NHS Foundation Trust",
        AgencyKind.MENTAL_HEALTH,
        RELEVANT,
        "northbridge-mental-health.example",
        (
            ("CAMHS", "Child and Adolescent Mental Health Service"),
            ("PMH", "Perinatal Mental Health Team"),
            ("AMH", "Adult Community Mental Health Team"),
        ),
        (
            Post(P, "CAMHS", "CAMHS Clinician"),
            Post(P, "PMH", "Perinatal Mental Health Nurse"),
            Post(P, "AMH", "Community Psychiatric Nurse"),
            Post(M, "CAMHS", "CAMHS Team Manager"),
            Post(L, None, "Named Nurse for Safeguarding"),
        ),
    ),
    DemoAgency(
        CHARITY,
        "Harbour Family Support",
        AgencyKind.VOLUNTARY,
        RELEVANT,
        "harbour-family-support.example",
        (("DAO", "Domestic Abuse Outreach"), ("FM", "Family Mentoring")),
        (
            Post(P, "DAO", "Independent Domestic Violence Adviser"),
            Post(P, "FM", "Family Mentor"),
            Post(M, "DAO", "Services Manager"),
            Post(L, None, "Designated Safeguarding Lead"),
        ),
    ),
    DemoAgency(
        BUSINESS_UNIT,
        "Northbridge Safeguarding Children Partnership Business Unit",
        AgencyKind.BUSINESS_UNIT,
        OTHER,
        "northbridge-scp.example",
        (("BU", "Business Unit"),),
        (
            Post(Role.BUSINESS_UNIT, "BU", "Partnership Business Manager", "business.unit", ("Fiona", "McAllister")),
            Post(Role.BUSINESS_UNIT, "BU", "Quality Assurance Officer"),
            Post(Role.BUSINESS_UNIT, "BU", "Learning and Development Officer"),
            Post(Role.REVIEWER, None, "Independent Reviewer", "reviewer", ("David", "Okonjo")),
            Post(Role.REVIEWER, None, "Independent Reviewer"),
            Post(Role.SCRUTINEER, None, "Independent Scrutineer", "scrutineer", ("Margaret", "Holloway")),
            Post(Role.ADMINISTRATOR, "BU", "Partnership Systems Administrator", "admin", ("Ian", "Bramley")),
            Post(Role.DATA_STEWARD, "BU", "Partnership Data Steward", "data.steward", ("Priya", "Raman")),
        ),
    ),
)

SCHOOL_NAMES = {a.code: a.name for a in AGENCIES if a.kind == AgencyKind.SCHOOL}


@dataclass
class DemoStaff:
    """The partnership file's data, and who can be a lead professional where."""

    data: dict[str, Any]
    usernames: list[str]
    # "AGENCY/TEAM" and "AGENCY" -> practitioners' usernames, for choosing lead professionals.
    practitioners: dict[str, list[str]]
    # "AGENCY" -> usernames of its managers and safeguarding leads (who grant access).
    granters: dict[str, list[str]]

    def lead(self, rng: random.Random, agency: str, team: str | None = None) -> str | None:
        pool = self.practitioners.get(f"{agency}/{team}") or self.practitioners.get(agency)
        return rng.choice(pool) if pool else None


_NOT_LETTERS = re.compile(r"[^a-z]")
# Work numbers from Ofcom's ranges for drama, which no real telephone has: mobiles 07700 900000–900999
# for the people who work with families, landlines 01632 960000–960999 for the teams.
_WORK_PHONE_ROLES = frozenset({Role.PRACTITIONER, Role.MANAGER, Role.SENIOR_MANAGER, Role.SAFEGUARDING_LEAD})


def _drama_mobile(n: int) -> str:
    return f"07700 900{n % 1000:03d}"


def _drama_landline(n: int) -> str:
    return f"01632 960{n % 1000:03d}"


def _teams(agency: DemoAgency, numbered: list[int]) -> list[dict[str, Any]]:
    teams = []
    for code, name in agency.teams:
        numbered[0] += 1
        team: dict[str, Any] = {"code": code, "name": name, "phone": _drama_landline(numbered[0])}
        if (agency.code, code) == FRONT_DOOR:
            team["front_door"] = True
        teams.append(team)
    return teams


def build_staff(rng: random.Random) -> DemoStaff:
    taken = {post.username for agency in AGENCIES for post in agency.posts if post.username}
    users: list[dict[str, Any]] = []
    practitioners: dict[str, list[str]] = {}
    granters: dict[str, list[str]] = {}
    for agency in AGENCIES:
        for post in agency.posts:
            if post.name and post.username:
                (first, last), username = post.name, post.username
                email = f"{_slug(first)}.{_slug(last)}@{agency.domain}"
            else:
                first = rng.choice(words.WOMEN if rng.random() < 0.7 else words.MEN)
                last = rng.choice(words.SURNAMES)
                username = _unique_username(first, last, taken)
                email = f"{username}@{agency.domain}"
            membership: dict[str, Any] = {"agency": agency.code, "role": str(post.role)}
            if post.team:
                membership["team"] = post.team
            users.append(
                {
                    "username": username,
                    "first_name": first,
                    "last_name": last,
                    "email": email,
                    "job_title": post.job_title,
                    **({"work_phone": _drama_mobile(len(users))} if post.role in _WORK_PHONE_ROLES else {}),
                    "memberships": [membership],
                }
            )
            if post.role == Role.PRACTITIONER:
                practitioners.setdefault(f"{agency.code}/{post.team}", []).append(username)
                practitioners.setdefault(agency.code, []).append(username)
            if post.role in (Role.MANAGER, Role.SAFEGUARDING_LEAD):
                granters.setdefault(agency.code, []).append(username)
    numbered = [0]
    data = {
        "partnership": PARTNERSHIP_LABEL,
        "agencies": [
            {
                "code": agency.code,
                "name": agency.name,
                "kind": str(agency.kind),
                "partner_status": str(agency.partner_status),
                "teams": _teams(agency, numbered),
                **({"import_columns": IMPORT_COLUMNS[agency.code]} if agency.code in IMPORT_COLUMNS else {}),
            }
            for agency in AGENCIES
        ],
        "users": users,
    }
    return DemoStaff(data, [u["username"] for u in users], practitioners, granters)


def _slug(name: str) -> str:
    return _NOT_LETTERS.sub("", name.lower())


def _unique_username(first: str, last: str, taken: set[str]) -> str:
    base = f"{_slug(first)}.{_slug(last)}"
    username, number = base, 1
    while username in taken:
        number += 1
        username = f"{base}{number}"
    taken.add(username)
    return username
