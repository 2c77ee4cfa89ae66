"""The Whitlock brothers' child protection chapters: Mason's head injury, the strategy discussion,
the section 47 enquiry, the initial conference where the plans are made, and the review conference
three months on. Every date of the process is `children.demo.featured.whitlock_dates`'s, which the
plans, escalations and reviews demos use too.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from safeguarding.chronology.demo.writer import Planned

if TYPE_CHECKING:
    from safeguarding.chronology.demo.whitlock import _Family

# The demo accounts who write most entries (other entries: the agency's first practitioner).
HV = "practitioner.hv"
SCHOOL = "practitioner.school"
DSL = "dsl.school"
POLICE = "practitioner.police"
CSC = "practitioner.csc"


def injury_and_referral(family: _Family) -> None:
    """Mason's head injury, the hospital's referral the same day, and social care's screening."""
    add, m, both, d = family.add, family.m, family.both, family.dates
    add(
        Planned(
            "NGH",
            "emergency_department_attendance",
            d.injury,
            "Mason brought to the emergency department with a bruise to the forehead and a swelling behind the "
            "left ear; mother says he fell from the sofa the day before.",
            (m,),
            "Head injury to a two-year-old; a day's delay before coming, and an explanation that does not "
            "account for both injuries.",
            "Safeguarding referral made by the paediatric liaison nurse; Mason kept in overnight.",
        )
    )
    add(
        Planned(
            "NGH",
            "referral_to_csc",
            d.injury,
            "Referral from the paediatric liaison nurse after the emergency department attendance.",
            both,
        )
    )
    add(
        Planned(
            "NBC-CSC",
            "referral_outcome",
            d.injury,
            "Referral screened with the police the same day: strategy discussion needed.",
            both,
            category="strategy_discussion",
            author=CSC,
        )
    )


def section_47_and_conference(family: _Family) -> None:
    """The strategy discussion (the next working day), the joint enquiry and the initial conference
    within 15 working days of it, where both boys' plans are made (the plans app records the plan,
    started on the conference's date)."""
    m, both, d = family.m, family.both, family.dates
    add = family.add
    # The same strategy discussion recorded by police and by social care: shown once, both sources.
    add(
        Planned(
            "NBC-CSC",
            "strategy_discussion",
            d.strategy_discussion,
            "Strategy discussion with police, health and school. Threshold for section 47 enquiries met: a "
            "joint enquiry with the police, and a child protection medical for Mason.",
            both,
            action="Section 47 enquiry for both boys; safety plan: Dean not to stay at the home.",
            author=CSC,
        )
    )
    add(
        Planned(
            "NBP",
            "strategy_discussion",
            d.strategy_discussion,
            "Attended the strategy discussion; shared the two domestic abuse incidents and the welfare check.",
            both,
            action="Joint section 47 enquiry; flag on the address.",
            author=POLICE,
        )
    )
    add(
        Planned(
            "NGH",
            "health_appointment_attended",
            d.medical,
            "Child protection medical by the consultant paediatrician: the injuries are not consistent with a "
            "fall from a sofa; an inflicted injury cannot be ruled out.",
            (m,),
            "Possible physical abuse, on a background of neglect.",
            "Findings shared with social care and police the same day.",
        )
    )
    add(
        Planned(
            "NBC-CSC",
            "assessment_completed",
            d.enquiry_completed,
            "Section 47 enquiry completed: concerns of neglect and of emotional harm from domestic abuse "
            "substantiated for both boys.",
            both,
            action="Initial child protection conference requested.",
            author=CSC,
        )
    )
    add(
        Planned(
            "NBC-CSC",
            "child_protection_conference",
            d.initial_conference,
            "Initial child protection conference: Tyler and Mason made the subject of child protection plans "
            "(category: neglect). Kayleigh, Ryan and Dean attended with the professionals.",
            both,
            action="Core group within 10 working days; review conference in three months.",
            author=CSC,
        )
    )


def while_the_plans_run(family: _Family) -> None:
    """What the agencies record while the plans run, up to the review conference three months on."""
    add, ago, t, m, both = family.add, family.ago, family.t, family.m, family.both
    add(
        Planned(
            "SCH-ALD",
            "concern_raised",
            ago(100),
            "Tyler said 'Dean shouts at Mum and I hide'. Withdrawn in class.",
            (t,),
            "Emotional harm.",
            "DSL recorded the disclosure and shared it with the social worker the same day.",
            category="domestic_abuse",
            author=DSL,
        )
    )
    add(
        Planned(
            "NBP",
            "police_domestic_abuse_incident",
            ago(70),
            "Third call-out: partner back at the address in breach of bail. Mason crying; Tyler not in bed at 11pm.",
            both,
            "Continuing exposure to abuse.",
            "Partner arrested for breach; DASH risk high; MARAC referral; social worker told.",
            author=POLICE,
        )
    )
    add(
        Planned(
            "SCH-ALD",
            "school_attendance",
            ago(60),
            "Attendance for the term so far.",
            (t,),
            value=Decimal("79.5"),
            author=SCHOOL,
        )
    )
    add(
        Planned(
            "NBC-CSC",
            "home_visit",
            ago(30),
            "Child protection visit: both boys seen and spoken to alone. Tyler showed his bedroom; no bedding.",
            both,
            "Basic care not met; emotional harm from abuse at home.",
            "Bedding provided through the local charity; shared with the core group.",
            author=CSC,
        )
    )
    add(
        Planned(
            "NBCH",
            "was_not_brought",
            ago(24),
            "Mason was not brought to his immunisation appointment.",
            (m,),
            "Immunisations still not up to date.",
            "Health visitor told the social worker; home visit offered.",
            author=HV,
        )
    )


def review_conference(family: _Family) -> None:
    """A call-out days before the review conference three months on, the conference, and after it."""
    add, ago, m, both, d = family.add, family.ago, family.m, family.both, family.dates
    add(
        Planned(
            "NBP",
            "police_domestic_abuse_incident",
            d.review_conference - timedelta(days=4),
            "Called by a neighbour: raised voices; Dean at the address. Both boys at home.",
            both,
            "Continuing exposure to abuse.",
            "DASH risk high; social worker told the next morning.",
            author=POLICE,
        )
    )
    add(
        Planned(
            "NBC-CSC",
            "child_protection_conference",
            d.review_conference,
            "Review child protection conference: the plans continue (category: neglect). Police were called to "
            "the home again days before; Mason's immunisations are still outstanding.",
            both,
            action=f"Plans continue; next review conference on {d.next_review_conference:%-d %B %Y}.",
            author=CSC,
        )
    )
    add(
        Planned(
            "NBCH",
            "health_visitor_contact",
            ago(3),
            "Joint visit with the social worker. Mason's speech delayed (a few words at two and a half).",
            (m,),
            "Possible developmental delay.",
            "Referral to speech and language therapy.",
            author=HV,
        )
    )
