"""The featured Whitlock brothers' chronology: the picture practice reviews describe, told in the
order the agencies met the family (see `children.demo.families.FamilyBuilder.featured`).

Each chapter adds its entries in date order; `plan_whitlock` runs them in turn, so the entries
(and the order they are written in) are one story.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from safeguarding.agencies.enums import Role
from safeguarding.children.demo.featured import WhitlockDates, whitlock_dates
from safeguarding.children.models import Child
from safeguarding.chronology.demo.whitlock_cp import (
    DSL,
    HV,
    POLICE,
    SCHOOL,
    injury_and_referral,
    review_conference,
    section_47_and_conference,
    while_the_plans_run,
)
from safeguarding.chronology.demo.writer import Planned, Writer


@dataclass(frozen=True)
class _Family:
    add: Callable[[Planned], None]
    today: date
    mason_born: date
    dates: WhitlockDates
    t: int  # Tyler
    m: int  # Mason

    @property
    def both(self) -> tuple[int, int]:
        return (self.t, self.m)

    def ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def born(self, days: int) -> date:
        """Days after Mason's birth."""
        return self.mason_born + timedelta(days=days)


def plan_whitlock(writer: Writer, today: date, *, tyler: Child, mason: Child) -> None:
    """The featured family (see `children.demo.families.FamilyBuilder.featured`)."""
    assert tyler.date_of_birth is not None
    assert mason.date_of_birth is not None
    family = _Family(
        add=writer.add,
        today=today,
        mason_born=mason.date_of_birth,
        dates=whitlock_dates(today),
        t=tyler.pk,
        m=mason.pk,
    )
    for chapter in CHAPTERS:
        chapter(family)


def _first_years(family: _Family) -> None:
    """Health visiting for Mason from birth, Tyler's school entry check and attendance."""
    add, ago, born, t, m = family.add, family.ago, family.born, family.t, family.m
    # Health visiting for Mason from birth; a health check for Tyler at school.
    add(
        Planned(
            "NBCH",
            "health_visitor_contact",
            born(12),
            "New birth visit at home. Mother tearful, says she is coping. Tyler present and chatty.",
            (m,),
            "Baby feeding well.",
            "Next contact at 6 to 8 weeks.",
            author=HV,
        )
    )
    add(
        Planned(
            "NBCH",
            "health_visitor_contact",
            born(52),
            "6 to 8 week review at home. Home cluttered; dog faeces on the kitchen floor.",
            (m,),
            "Risk of infection to the baby.",
            "Advice on home conditions given to mother.",
            author=HV,
        )
    )
    add(Planned("GP-CAN", "gp_consultation", born(60), "First immunisations given.", (m,)))
    add(
        Planned(
            "NBCH",
            "health_appointment_attended",
            born(95),
            "Brought to baby clinic by mother's partner. Weight on the 9th centile.",
            (m,),
            action="Weigh again in one month.",
            author=HV,
        )
    )
    add(
        Planned(
            "NBCH",
            "health_appointment_attended",
            ago(1000),
            "School entry health check.",
            (t,),
            "Hearing and vision normal.",
            "None needed.",
        )
    )
    add(
        Planned(
            "SCH-ALD",
            "school_attendance",
            ago(720),
            "Attendance for the summer term.",
            (t,),
            value=Decimal("94.0"),
            author=SCHOOL,
        )
    )


def _missed_appointments_and_first_referral(family: _Family) -> None:
    """Months with no contact, a run of "was not brought", then a referral closed with no further action."""
    add, ago, m, both = family.add, family.ago, family.m, family.both
    # A run of "was not brought" (after months with no contact for either boy).
    for days, clinic in ((560, "9 to 12 month review"), (532, "Baby clinic"), (505, "Rearranged 9 to 12 month review")):
        add(
            Planned(
                "NBCH",
                "was_not_brought",
                ago(days),
                f"Mason was not brought to the {clinic}.",
                (m,),
                "Development and weight not checked.",
                "Letter sent offering another appointment.",
                author=HV,
            )
        )
    add(
        Planned(
            "NBCH",
            "health_visitor_contact",
            ago(470),
            "Unannounced home visit. Home conditions poor: little food, mattresses on the floor. Mother low in mood.",
            both,
            "Children's basic needs not met.",
            "Discussed with safeguarding supervisor; referral to children's social care.",
            author=HV,
        )
    )
    add(
        Planned(
            "NBCH",
            "concern_raised",
            ago(468),
            "Mother disclosed thoughts of self-harm and that she has "
            "stopped her medication. Shared with her consent with her GP only.",
            both,
            "The children's care may be affected by mother's mental health.",
            "GP informed the same day; mother given crisis line number.",
            category="parental_mental_health",
            author=HV,
            restricted_to=(Role.PRACTITIONER, Role.SAFEGUARDING_LEAD),
        )
    )
    add(
        Planned(
            "NBCH",
            "referral_to_csc",
            ago(466),
            "Referral to children's social care: home conditions, missed health appointments, mother's low mood.",
            both,
            author=HV,
        )
    )
    add(
        Planned(
            "NBC-CSC",
            "referral_outcome",
            ago(459),
            "Referral screened: no further action by social care; family signposted to early help.",
            both,
            action="Step down to early help.",
            category="nfa",
        )
    )
    add(
        Planned(
            "NBC-EH",
            "early_help_opened",
            ago(425),
            "Early help assessment agreed with mother (consent).",
            both,
            action="Family support worker allocated; weekly visits.",
        )
    )


def _early_help_closed_for_non_engagement(family: _Family) -> None:
    """Early help that could not get in, closed for non-engagement; then school's first concerns."""
    add, ago, t, both = family.add, family.ago, family.t, family.both
    add(
        Planned(
            "NBC-EH",
            "no_access_visit",
            ago(390),
            "No answer at the door at the planned visit.",
            both,
            action="Card left; text message sent.",
        )
    )
    add(
        Planned(
            "NBC-EH",
            "home_visit",
            ago(360),
            "Visit held on the doorstep; mother says things are fine.",
            both,
            "Children not seen.",
            "Next visit arranged.",
        )
    )
    add(Planned("NBC-EH", "no_access_visit", ago(330), "Second visit with no answer. Curtains drawn.", both))
    add(
        Planned(
            "SCH-ALD",
            "school_attendance",
            ago(300),
            "Attendance for the autumn term.",
            (t,),
            value=Decimal("91.2"),
            author=SCHOOL,
        )
    )
    add(
        Planned(
            "NBC-EH",
            "early_help_closed_non_engagement",
            ago(240),
            "Early help closed: family not engaging (three missed visits, texts unanswered).",
            both,
            action="Closure letter sent to mother; school and health visitor told.",
        )
    )
    add(
        Planned(
            "SCH-ALD",
            "concern_raised",
            ago(226),
            "Tyler came to school in the same unwashed uniform all week; smelt of urine; hungry at breakfast club.",
            (t,),
            "Other children avoiding him.",
            "Spare uniform given; DSL informed.",
            category="hygiene",
            author=SCHOOL,
        )
    )


def _concerns_after_early_help(family: _Family) -> None:
    """More concerns from school and health after early help closed."""
    add, ago, t, m = family.add, family.ago, family.t, family.m
    add(
        Planned(
            "SCH-ALD",
            "school_absence",
            ago(212),
            "Three days' unexplained absence.",
            (t,),
            action="First-day calls unanswered; home visit by the attendance officer.",
            author=DSL,
        )
    )
    add(
        Planned(
            "NBCH",
            "was_not_brought",
            ago(200),
            "Mason was not brought to his 2-year review.",
            (m,),
            action="Letter and phone call to mother.",
            author=HV,
        )
    )
    add(
        Planned(
            "NBCH",
            "was_not_brought",
            ago(186),
            "Mason was not brought to the rearranged 2-year review.",
            (m,),
            action="Discussed at safeguarding supervision.",
            author=HV,
        )
    )
    add(
        Planned(
            "SCH-ALD",
            "school_attendance",
            ago(180),
            "Attendance for the spring term.",
            (t,),
            value=Decimal("86.4"),
            author=SCHOOL,
        )
    )
    add(
        Planned(
            "SCH-ALD",
            "concern_raised",
            ago(160),
            "Tyler has head lice again and untreated tooth decay; says there was no tea last night.",
            (t,),
            "Pain when eating.",
            "DSL spoke to mother at the gate.",
            category="neglect",
            author=DSL,
        )
    )


def _police_call_outs_and_second_referral(family: _Family) -> None:
    """Domestic abuse call-outs and a second referral closed with no further action."""
    add, ago, both = family.add, family.ago, family.both
    # Police call-outs for domestic abuse, and a second referral closed with no further action.
    add(
        Planned(
            "NBP",
            "police_domestic_abuse_incident",
            ago(150),
            "Called by neighbour: shouting and banging. Mother's partner had left. Both children at home, awake.",
            both,
            "Children frightened.",
            "DASH risk assessment (standard). Referral to children's social care.",
            author=POLICE,
        )
    )
    add(
        Planned(
            "NBP",
            "referral_to_csc",
            ago(149),
            "Police notification of domestic abuse with children present.",
            both,
            author=POLICE,
        )
    )
    add(
        Planned(
            "NBC-CSC",
            "referral_outcome",
            ago(145),
            "Screened: no further action; information shared with school and health visitor.",
            both,
            category="nfa",
        )
    )
    add(
        Planned(
            "NBP",
            "police_domestic_abuse_incident",
            ago(128),
            "Mother reported partner pushed her against the wall. Tyler told officers he hid under the bed with Mason.",
            both,
            "Children witnessed the assault.",
            "Partner arrested; DASH risk medium.",
            author=POLICE,
        )
    )
    # Recorded under the police's own label, which the vocabulary maps to "Other".
    add(
        Planned(
            "NBP",
            "other",
            ago(124),
            "Welfare check after a 999 call that was cut off; no answer at the address.",
            both,
            action="Log passed to the day shift.",
            original_label="Concern for welfare - no trace",
            author=POLICE,
        )
    )


CHAPTERS: tuple[Callable[[_Family], None], ...] = (
    _first_years,
    _missed_appointments_and_first_referral,
    _early_help_closed_for_non_engagement,
    _concerns_after_early_help,
    _police_call_outs_and_second_referral,
    injury_and_referral,
    section_47_and_conference,
    while_the_plans_run,
    review_conference,
)
