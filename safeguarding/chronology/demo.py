"""Demo chronologies (`manage.py seed_demo`, after the partnership and families exist).

The featured Whitlock brothers get the picture practice reviews describe, so every highlight
kind shows: health visiting, a run of "was not brought", school hygiene and neglect concerns,
police domestic abuse call-outs, two referrals closed with no further action within a year,
early help closed for non-engagement followed by more concerns, months with no contact, a
strategy discussion recorded by both police and social care (shown once), and a restricted
entry about the mother's mental health. Every other child with an agency involved gets a
lighter chronology from those agencies.

Written in bulk (the same rows `services.record_event` writes, without an activity row per demo
entry), from a generator seeded by `--seed` and today's date: the same seed gives the same
entries. The large demo gives lighter chronologies to the first children only, to stay quick.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from safeguarding.agencies.enums import AgencyKind, Role
from safeguarding.agencies.models import Agency, Membership, User
from safeguarding.children.models import Child, Involvement
from safeguarding.chronology.enums import Precision, Source
from safeguarding.chronology.models import Event, EventChild, EventType
from safeguarding.core.demo import DemoContext
from safeguarding.core.enums import Confidentiality
from safeguarding.core.restriction import encode_roles

FEATURED_SURNAME = "Whitlock"
# The large demo (46,000 children) gives lighter chronologies to this many involvements only.
LARGE_INVOLVEMENT_LIMIT = 5_000
CHUNK = 2_000


@dataclass(frozen=True)
class Planned:
    """One entry to write: days before today, or an exact date."""

    agency: str
    type_code: str
    when: date
    summary: str
    children: tuple[int, ...]
    impact: str = ""
    action: str = ""
    category: str = ""
    value: Decimal | None = None
    author: str | None = None
    restricted_to: tuple[str, ...] | None = None  # roles, when restricted
    original_label: str = ""
    precision: str = Precision.DAY


class Writer:
    """Collects planned entries and writes them in bulk, with authors from each agency."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.types = {t.code: t for t in EventType.objects.all()}
        self.agencies = {a.code: a for a in Agency.objects.all()}
        self.users = {u.username: u for u in User.objects.filter(username__contains=".")}
        self._practitioners: dict[int, User | None] = {}
        self.pending: list[Planned] = []
        self.written = 0

    def practitioner(self, agency: Agency) -> User | None:
        if agency.pk not in self._practitioners:
            membership = (
                Membership.objects.filter(agency=agency, role=Role.PRACTITIONER, is_active=True)
                .select_related("user")
                .order_by("pk")
                .first()
            )
            self._practitioners[agency.pk] = membership.user if membership else None
        return self._practitioners[agency.pk]

    def add(self, planned: Planned) -> None:
        if planned.when <= self.today:
            self.pending.append(planned)
        if len(self.pending) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        events: list[Event] = []
        for plan in self.pending:
            agency = self.agencies[plan.agency]
            author = self.users.get(plan.author) if plan.author else self.practitioner(agency)
            hour = 9 + (len(events) % 8)
            events.append(
                Event(
                    agency=agency,
                    author=author,
                    event_type=self.types[plan.type_code],
                    original_type_label=plan.original_label,
                    category=plan.category,
                    value=plan.value,
                    occurred_on=plan.when,
                    precision=plan.precision,
                    recorded_at=timezone.make_aware(datetime.combine(plan.when, time(hour, 15))),
                    summary=plan.summary,
                    impact=plan.impact,
                    action_taken=plan.action,
                    source=Source.PAGE,
                    confidentiality=Confidentiality.RESTRICTED
                    if plan.restricted_to is not None
                    else Confidentiality.NORMAL,
                    restricted_to_roles=encode_roles(plan.restricted_to or ()),
                )
            )
        with transaction.atomic():
            Event.objects.bulk_create(events)
            EventChild.objects.bulk_create(
                [
                    EventChild(
                        event=event,
                        child_id=child_id,
                        occurred_on=event.occurred_on,
                        agency=event.agency,
                        is_current=True,
                    )
                    for event, plan in zip(events, self.pending, strict=True)
                    for child_id in plan.children
                ]
            )
        self.written += len(events)
        self.pending = []


def seed_chronologies(ctx: DemoContext) -> None:
    today = timezone.localdate()
    writer = Writer(today)
    brothers = list(Child.objects.filter(last_name=FEATURED_SURNAME).order_by("date_of_birth"))
    if len(brothers) == 2:
        plan_whitlock(writer, today, tyler=brothers[0], mason=brothers[1])
    limit = None if ctx.size == "small" else LARGE_INVOLVEMENT_LIMIT
    rng = random.Random(f"{ctx.seed}:chronology")  # noqa: S311 - synthetic demo data, not security
    plan_others(writer, today, rng, exclude={c.pk for c in brothers}, limit=limit)
    writer.flush()
    ctx.log(f"  {writer.written:,} chronology entries written.")
    if limit is not None:
        ctx.log(f"  Lighter chronologies were given to the first {limit:,} involvements only, to keep the seed quick.")


def plan_whitlock(writer: Writer, today: date, *, tyler: Child, mason: Child) -> None:
    """The featured family (see `children.demo.families.FamilyBuilder.featured`)."""
    t, m = tyler.pk, mason.pk
    both = (t, m)
    hv, school, dsl, police, csc = (
        "practitioner.hv",
        "practitioner.school",
        "dsl.school",
        "practitioner.police",
        "practitioner.csc",
    )
    assert tyler.date_of_birth is not None
    assert mason.date_of_birth is not None
    mason_born = mason.date_of_birth

    def ago(days: int) -> date:
        return today - timedelta(days=days)

    add = writer.add
    # Health visiting for Mason from birth; a health check for Tyler at school.
    add(
        Planned(
            "NBCH",
            "health_visitor_contact",
            mason_born + timedelta(days=12),
            "New birth visit at home. Mother tearful, says she is coping. Tyler present and chatty.",
            (m,),
            "Baby feeding well.",
            "Next contact at 6 to 8 weeks.",
            author=hv,
        )
    )
    add(
        Planned(
            "NBCH",
            "health_visitor_contact",
            mason_born + timedelta(days=52),
            "6 to 8 week review at home. Home cluttered; dog faeces on the kitchen floor.",
            (m,),
            "Risk of infection to the baby.",
            "Advice on home conditions given to mother.",
            author=hv,
        )
    )
    add(Planned("GP-CAN", "gp_consultation", mason_born + timedelta(days=60), "First immunisations given.", (m,)))
    add(
        Planned(
            "NBCH",
            "health_appointment_attended",
            mason_born + timedelta(days=95),
            "Brought to baby clinic by mother's partner. Weight on the 9th centile.",
            (m,),
            action="Weigh again in one month.",
            author=hv,
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
            author=school,
        )
    )
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
                author=hv,
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
            author=hv,
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
            author=hv,
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
            author=hv,
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
            author=school,
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
            author=school,
        )
    )
    add(
        Planned(
            "SCH-ALD",
            "school_absence",
            ago(212),
            "Three days' unexplained absence.",
            (t,),
            action="First-day calls unanswered; home visit by the attendance officer.",
            author=dsl,
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
            author=hv,
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
            author=hv,
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
            author=school,
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
            author=dsl,
        )
    )
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
            author=police,
        )
    )
    add(
        Planned(
            "NBP",
            "referral_to_csc",
            ago(149),
            "Police notification of domestic abuse with children present.",
            both,
            author=police,
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
            author=police,
        )
    )
    # Recorded under the police's own label, which the vocabulary maps to "Other".
    add(
        Planned(
            "NBP",
            "other",
            ago(110),
            "Welfare check after a 999 call that was cut off; no answer at the address.",
            both,
            action="Log passed to the day shift.",
            original_label="Concern for welfare - no trace",
            author=police,
        )
    )
    add(
        Planned(
            "SCH-ALD",
            "concern_raised",
            ago(100),
            "Tyler said 'Dean shouts at Mum and I hide'. Withdrawn in class.",
            (t,),
            "Emotional harm.",
            "DSL recorded the disclosure; consulted police.",
            category="domestic_abuse",
            author=dsl,
        )
    )
    add(
        Planned(
            "NGH",
            "emergency_department_attendance",
            ago(96),
            "Mason brought to the emergency department with "
            "a bruise to the forehead; mother says he fell from the sofa. Delay of a day before coming.",
            (m,),
            "Head injury in a non-mobile-enough child; explanation plausible but delay noted.",
            "Safeguarding referral made by the paediatric liaison nurse.",
        )
    )
    add(
        Planned(
            "NGH",
            "referral_to_csc",
            ago(96),
            "Referral from the paediatric liaison nurse after the emergency department attendance.",
            both,
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
            "Partner arrested for breach; DASH risk high; MARAC referral.",
            author=police,
        )
    )
    add(
        Planned(
            "SCH-ALD",
            "school_attendance",
            ago(60),
            "Attendance for the summer term so far.",
            (t,),
            value=Decimal("79.5"),
            author=school,
        )
    )
    add(
        Planned(
            "NBC-CSC",
            "referral_outcome",
            ago(43),
            "Referrals reviewed together: strategy discussion needed.",
            both,
            category="strategy_discussion",
            author=csc,
        )
    )
    # The same strategy discussion recorded by police and by social care: shown once, both sources.
    add(
        Planned(
            "NBC-CSC",
            "strategy_discussion",
            ago(41),
            "Strategy discussion with police, health and school. "
            "Threshold for section 47 enquiries not met; child and family assessment to continue.",
            both,
            action="Child and family assessment (section 17); safety plan with mother.",
            author=csc,
        )
    )
    add(
        Planned(
            "NBP",
            "strategy_discussion",
            ago(41),
            "Attended strategy discussion; shared three domestic abuse incidents.",
            both,
            action="Flag on the address; MARAC on 3rd of next month.",
            author=police,
        )
    )
    add(
        Planned(
            "NBC-CSC",
            "home_visit",
            ago(20),
            "Assessment visit: both boys seen and spoken to. Tyler showed his bedroom; no bedding.",
            both,
            "Basic care not met; emotional harm from abuse at home.",
            "Bedding provided through the local charity; assessment continuing.",
            author=csc,
        )
    )
    add(
        Planned(
            "NBCH",
            "health_visitor_contact",
            ago(12),
            "Joint visit with the social worker. Mason's speech delayed (a few words at two and a half).",
            (m,),
            "Possible developmental delay.",
            "Referral to speech and language therapy.",
            author=hv,
        )
    )


@dataclass(frozen=True)
class Pattern:
    """What an agency of this kind records about a child: (type, category, summary, action)."""

    entries: tuple[tuple[str, str, str, str], ...]


PATTERNS: dict[str, Pattern] = {
    AgencyKind.HEALTH: Pattern(
        (
            ("health_visitor_contact", "", "Routine developmental review at home.", "Next review as scheduled."),
            ("health_appointment_attended", "", "Brought to clinic; weight and growth checked.", "None needed."),
            ("was_not_brought", "", "Not brought to the planned appointment.", "Letter offering another date."),
            ("concern_raised", "home_conditions", "Home cluttered and cold at the visit.", "Advice given."),
        )
    ),
    AgencyKind.GP: Pattern(
        (
            ("gp_consultation", "", "Seen with a chest infection; antibiotics prescribed.", "Review if no better."),
            ("gp_consultation", "", "Immunisations given.", "None needed."),
            ("was_not_brought", "", "Not brought to the immunisation appointment.", "Practice nurse to call."),
        )
    ),
    AgencyKind.SCHOOL: Pattern(
        (
            ("school_attendance", "", "Attendance for the term.", ""),
            ("school_absence", "", "Two days' unexplained absence.", "First-day call made."),
            ("concern_raised", "hygiene", "Came to school in unwashed clothes.", "Spare uniform; DSL told."),
            ("exclusion", "", "One-day suspension after a fight in the playground.", "Reintegration meeting."),
        )
    ),
    AgencyKind.EARLY_YEARS: Pattern(
        (
            ("concern_raised", "neglect", "Often collected late and hungry.", "Key worker spoke to the parent."),
            ("school_absence", "", "Absent for a week with no explanation.", "Calls to the parent."),
        )
    ),
    AgencyKind.POLICE: Pattern(
        (
            (
                "police_domestic_abuse_incident",
                "",
                "Verbal argument between the adults; children present.",
                "DASH risk assessment; notification to social care.",
            ),
            ("police_attendance", "", "Attended a report of a disturbance at the address.", "Words of advice."),
            ("missing_episode", "", "Reported missing overnight; found at a friend's house.", "Return interview."),
        )
    ),
    AgencyKind.CHILDRENS_SOCIAL_CARE: Pattern(
        (
            ("referral_to_csc", "", "Referral received from a partner agency.", "Screened by the front door."),
            ("referral_outcome", "assessment", "Decision: child and family assessment.", "Social worker allocated."),
            ("home_visit", "", "Assessment visit; the child seen alone.", "Assessment continuing."),
            ("assessment_completed", "", "Child and family assessment completed.", "Child in need plan."),
        )
    ),
    AgencyKind.EARLY_HELP: Pattern(
        (
            ("early_help_opened", "", "Early help assessment agreed with the family.", "Family worker allocated."),
            ("home_visit", "", "Family support session at home.", "Next session booked."),
            ("early_help_closed", "", "Early help closed: the plan's goals were met.", "Closure letter sent."),
        )
    ),
    AgencyKind.HOUSING: Pattern(
        (
            ("housing_complaint", "", "Tenant reported damp and mould in the children's bedroom.", "Repair raised."),
            ("home_visit", "", "Tenancy visit; rent arrears discussed.", "Referral for debt advice."),
        )
    ),
    AgencyKind.MENTAL_HEALTH: Pattern(
        (("concern_raised", "parental_mental_health", "Parent's mental health has worsened.", "Care plan reviewed."),)
    ),
}
DEFAULT_PATTERN = Pattern((("home_visit", "", "Contact with the family.", "None needed."),))


def plan_others(writer: Writer, today: date, rng: random.Random, *, exclude: set[int], limit: int | None) -> None:
    """Two to five entries from each agency involved with each other child, inside the involvement."""
    involvements = Involvement.objects.exclude(child_id__in=exclude).select_related("agency").order_by("pk")
    if limit is not None:
        involvements = involvements[:limit]
    for involvement in involvements:
        agency = involvement.agency
        pattern = PATTERNS.get(agency.kind, DEFAULT_PATTERN)
        end = min(involvement.end or today, today)
        span = (end - involvement.start).days
        if span < 0:
            continue
        restricted = tuple(involvement.restricted_roles) if involvement.is_restricted else None
        for _ in range(rng.randint(2, 5)):
            type_code, category, summary, action = rng.choice(pattern.entries)
            value = Decimal(rng.randint(700, 1000)) / 10 if type_code == "school_attendance" else None
            writer.add(
                Planned(
                    agency.code,
                    type_code,
                    involvement.start + timedelta(days=rng.randint(0, span)),
                    summary,
                    (involvement.child_id,),
                    action=action,
                    category=category,
                    value=value,
                    restricted_to=restricted,
                )
            )
