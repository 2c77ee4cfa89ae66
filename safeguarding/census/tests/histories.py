"""Small synthetic social care histories for the census tests, written through the chronology's own
service (as a page or the API would), in the 2025-26 census year (1 April 2025 to 31 March 2026)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from safeguarding.agencies.enums import AgencyKind, Role
from safeguarding.agencies.models import Agency, User
from safeguarding.census.models import CensusDetail
from safeguarding.children.models import Child
from safeguarding.chronology.models import Event, EventType
from safeguarding.chronology.services import record_event
from safeguarding.testing import factories as f

D = dt.date
# The tests run with the clock here: after the census year, so nothing is in the future.
NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC)


@dataclass
class Histories:
    csc: Agency
    school: Agency
    social_worker: User
    teacher: User
    protected: Child  # referral, section 47, conference, CP plan, review, closure
    nfa: Child  # a referral with no further action in the year
    earlier: Child  # a referral with no further action before the year: not in its return


def entry(actor: User, agency: Agency, child: Child, code: str, day: dt.date, category: str = "") -> Event:
    return record_event(
        actor=actor,
        agency=agency,
        children=[child],
        event_type=EventType.objects.get(code=code),
        occurred_on=day,
        summary=f"Synthetic {code} entry.",
        category=category,
    )


def build_histories() -> Histories:
    csc = f.AgencyFactory(code="CSC", name="Test Children's Social Care", kind=AgencyKind.CHILDRENS_SOCIAL_CARE)
    school = f.AgencyFactory(code="SCH", name="Test Primary School", kind=AgencyKind.SCHOOL)
    social_worker = f.member(csc, Role.PRACTITIONER, username="social.worker")
    teacher = f.member(school, Role.SAFEGUARDING_LEAD, username="teacher")
    protected = f.ChildFactory(
        first_name="Rowan",
        sex="male",
        la_child_id="T0001",
        upn="Y201026000123",
        ethnicity="WBRI",
        disabilities=["NONE"],
    )
    nfa = f.ChildFactory(first_name="Sky", la_child_id="T0002", upn="M201026000124", ethnicity="MWBC", sex="female")
    earlier = f.ChildFactory(first_name="Ash", la_child_id="T0003", ethnicity="WOTH", disabilities=["MOB"])
    for child, start in ((protected, D(2025, 5, 5)), (nfa, D(2025, 10, 1)), (earlier, D(2025, 2, 1))):
        f.InvolvementFactory(agency=csc, child=child, start=start)
        f.InvolvementFactory(agency=school, child=child, start=D(2024, 9, 1))
    sw, p = social_worker, protected
    entry(teacher, school, p, "concern_raised", D(2025, 4, 22), "neglect")
    entry(teacher, school, p, "referral_to_csc", D(2025, 5, 5))
    entry(sw, csc, p, "referral_outcome", D(2025, 5, 6), "strategy_discussion")
    entry(sw, csc, p, "strategy_discussion", D(2025, 5, 7))
    entry(sw, csc, p, "section_47_enquiry", D(2025, 5, 7))
    entry(sw, csc, p, "assessment_completed", D(2025, 5, 20))
    entry(sw, csc, p, "child_protection_conference", D(2025, 5, 28), "initial")
    entry(sw, csc, p, "plan_started", D(2025, 5, 28), "child_protection")
    entry(sw, csc, p, "child_protection_conference", D(2025, 8, 28))  # a review: the plan is open
    entry(sw, csc, p, "plan_ended", D(2026, 2, 20), "child_protection")
    entry(sw, csc, p, "cin_closed", D(2026, 2, 27), "RC7")
    entry(sw, csc, nfa, "referral_to_csc", D(2025, 10, 1), "6")
    entry(sw, csc, nfa, "referral_outcome", D(2025, 10, 2), "nfa")
    entry(sw, csc, earlier, "referral_to_csc", D(2025, 2, 1), "2A")
    entry(sw, csc, earlier, "referral_outcome", D(2025, 2, 3), "nfa")
    return Histories(csc, school, social_worker, teacher, protected, nfa, earlier)


def add_detail(event: Event, **fields: object) -> CensusDetail:
    return CensusDetail.objects.create(event=event, **fields)
