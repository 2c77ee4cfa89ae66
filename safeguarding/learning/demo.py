"""Demo learning for `seed_demo`: a year of learning events (workshops, briefings, a conference, group and
joint supervision) with invitations, registrations and attendance from every kind of agency in the demo
partnership, evaluations and follow-up answers, walk-ins (people who came without registering) at one
workshop, upcoming events — one of them full, with a waiting list (and one person already moved from it
into a place somebody gave up) — and a published learning briefing from the featured review "Child A and
Child B". Built through the same services as the pages, dated in the past with their `at` argument. Where
an agency has too few staff to attend, clearly synthetic attendees are added ("Synthetic Attendee …"), and
the walk-in without an account is "Synthetic Walk-in …". All details are fictional.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from safeguarding.agencies.enums import AgencyKind, Role
from safeguarding.agencies.models import Agency, Membership, User
from safeguarding.core.demo import DemoContext
from safeguarding.learning import briefings, queries, services, walk_ins
from safeguarding.learning.enums import Delivery, EventKind, EventStatus, PracticeChanged
from safeguarding.learning.models import FollowUpRequest, LearningBriefing, LearningEvent
from safeguarding.reviews.models import Review, Theme

ALL_KINDS = [k for k in AgencyKind if k != AgencyKind.BUSINESS_UNIT]
ATTENDING_ROLES = (Role.PRACTITIONER, Role.MANAGER, Role.SAFEGUARDING_LEAD, Role.SENIOR_MANAGER)


@dataclass(frozen=True)
class DemoEvent:
    days: int  # from today: negative in the past
    kind: str
    title: str
    themes: tuple[str, ...]
    kinds: tuple[str, ...]  # agency kinds invited (every role unless `role`)
    capacity: int
    role: str = ""
    per_agency: int = 2
    online: bool = False
    waiting: int = 0  # people beyond the capacity, who join the waiting list (upcoming events)
    walk_ins: int = 0  # people who come without registering (past events)


EVENTS = (
    DemoEvent(
        -340, EventKind.WORKSHOP, "Neglect: seeing the whole picture", ("neglect",), tuple(ALL_KINDS), 60, per_agency=2
    ),
    DemoEvent(
        -300,
        EventKind.BRIEFING,
        "Was not brought: what a missed appointment can mean",
        ("was-not-brought", "neglect"),
        (AgencyKind.HEALTH, AgencyKind.GP, AgencyKind.EARLY_YEARS, AgencyKind.SCHOOL),
        40,
        online=True,
    ),
    DemoEvent(
        -265,
        EventKind.GROUP_SUPERVISION,
        "Group supervision: information sharing at the front door",
        ("information-sharing", "thresholds"),
        (AgencyKind.CHILDRENS_SOCIAL_CARE, AgencyKind.POLICE, AgencyKind.HEALTH),
        12,
        role=Role.PRACTITIONER,
        per_agency=3,
    ),
    DemoEvent(
        -220,
        EventKind.CONFERENCE,
        "Annual safeguarding conference: the child's lived experience",
        ("voice-of-the-child", "professional-curiosity"),
        tuple(ALL_KINDS),
        150,
        per_agency=3,
    ),
    DemoEvent(
        -180,
        EventKind.JOINT_SUPERVISION,
        "Joint supervision: domestic abuse and children in the home",
        ("domestic-abuse",),
        (AgencyKind.POLICE, AgencyKind.CHILDRENS_SOCIAL_CARE, AgencyKind.EARLY_HELP, AgencyKind.PROBATION),
        10,
        per_agency=2,
    ),
    DemoEvent(
        -150,
        EventKind.WORKSHOP,
        "Professional curiosity: asking the second question",
        ("professional-curiosity",),
        (AgencyKind.SCHOOL, AgencyKind.EARLY_YEARS, AgencyKind.HOUSING, AgencyKind.VOLUNTARY, AgencyKind.YOUTH_JUSTICE),
        30,
        walk_ins=2,
    ),
    DemoEvent(
        -110,
        EventKind.BRIEFING,
        "Thresholds: using the partnership's threshold document",
        ("thresholds",),
        (AgencyKind.SCHOOL, AgencyKind.GP, AgencyKind.MENTAL_HEALTH, AgencyKind.EARLY_HELP, AgencyKind.OTHER),
        50,
        online=True,
    ),
    DemoEvent(
        -75,
        EventKind.GROUP_SUPERVISION,
        "Group supervision: the voice of the child in plans",
        ("voice-of-the-child",),
        (AgencyKind.EARLY_HELP, AgencyKind.CHILDRENS_SOCIAL_CARE),
        12,
        role=Role.PRACTITIONER,
        per_agency=3,
    ),
    DemoEvent(
        -40,
        EventKind.JOINT_SUPERVISION,
        "Joint supervision: resolving professional differences",
        ("escalation",),
        (AgencyKind.HEALTH, AgencyKind.CHILDRENS_SOCIAL_CARE, AgencyKind.SCHOOL),
        10,
        role=Role.MANAGER,
        per_agency=1,
    ),
)


def _at(day: Any, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour))


def _attendees(agency: Agency, roles: tuple[str, ...], want: int) -> list[User]:
    """People in `agency` holding one of `roles`; synthetic attendees are added when there are too few."""
    people = list(
        User.objects.filter(
            is_active=True,
            is_system=False,
            memberships__agency=agency,
            memberships__is_active=True,
            memberships__role__in=roles,
        )
        .distinct()
        .order_by("username")
    )
    number = 1
    while len(people) < want:
        username = f"learning.attendee.{agency.code.lower()}.{number}"
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": "Synthetic", "last_name": f"Attendee {agency.code}-{number}", "email": ""},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(user=user, agency=agency, role=roles[0])
        if user not in people:
            people.append(user)
        number += 1
    return people


def _hold(
    spec: DemoEvent,
    *,
    bu: User,
    facilitator: User | None,
    agencies: list[Agency],
    themes: dict[str, Theme],
    rng: random.Random,
    review: Review | None = None,
    title: str | None = None,
    case_study: str = "",
) -> LearningEvent:
    """Publish the event, register people from the invited agencies and, for a past event, record who
    came, the walk-ins and the evaluations."""
    today = timezone.localdate()
    day = today + timedelta(days=spec.days)
    starts = _at(day, 14 if spec.kind == EventKind.BRIEFING else 9)
    created = starts - timedelta(days=45)
    event = _publish(
        spec,
        bu=bu,
        facilitator=facilitator,
        themes=themes,
        review=review,
        title=title,
        case_study=case_study,
        starts=starts,
        created=created,
    )
    registered = _register(spec, event, agencies=agencies, rng=rng, starts=starts, created=created)
    if spec.days >= 0 or not registered:
        return event
    _attend_and_evaluate(spec, event, registered, actor=facilitator or bu, rng=rng)
    return event


def _publish(
    spec: DemoEvent,
    *,
    bu: User,
    facilitator: User | None,
    themes: dict[str, Theme],
    review: Review | None,
    title: str | None,
    case_study: str,
    starts: datetime,
    created: datetime,
) -> LearningEvent:
    """The event, published 45 days before it starts, and its invitations."""
    event = services.create_event(
        actor=bu,
        themes=[themes[c] for c in spec.themes if c in themes],
        kind=spec.kind,
        title=title or spec.title,
        description="A partnership learning event (demo).",
        review=review,
        case_study=case_study,
        starts_at=starts,
        ends_at=starts
        + timedelta(hours=2 if spec.kind == EventKind.BRIEFING else 6 if spec.kind == "conference" else 3),
        delivery=Delivery.ONLINE if spec.online else Delivery.IN_PERSON,
        venue="Online: the joining link is sent to those registered" if spec.online else "Northbridge Civic Centre",
        facilitator=facilitator,
        facilitator_name="" if facilitator else "Independent trainer (demo)",
        capacity=spec.capacity,
        status=EventStatus.PUBLISHED,
        follow_up_after_days=60,
        at=created,
    )
    for kind in spec.kinds:
        services.add_invitation(actor=bu, event=event, agency_kind=kind, role=spec.role)
    return event


def _register(
    spec: DemoEvent,
    event: LearningEvent,
    *,
    agencies: list[Agency],
    rng: random.Random,
    starts: datetime,
    created: datetime,
) -> list[User]:
    """Registrations from each invited agency, up to the places and the waiting list; returns those
    given a place. At an event with a waiting list, one person then gives their place up."""
    roles = (spec.role,) if spec.role else ATTENDING_ROLES
    invited = [a for a in agencies if a.kind in spec.kinds]
    registered: list[User] = []
    asked: list[User] = []
    for agency in invited:
        for person in _attendees(agency, roles, spec.per_agency)[: spec.per_agency]:
            if len(asked) >= spec.capacity + spec.waiting or person in asked:
                continue
            when = (
                starts - timedelta(days=rng.randint(3, 30))
                if not spec.waiting
                else created + timedelta(hours=len(asked))
            )
            try:
                registration = services.register_for_event(actor=person, event=event, at=when)
            except services.LearningError:
                continue
            asked.append(person)
            if registration.has_place:
                registered.append(person)
    if spec.waiting and registered:
        # Somebody gives up their place: the first on the waiting list is moved into it (and emailed).
        services.cancel_registration(actor=registered[-1], event=event, at=created + timedelta(days=3))
    return registered


def _attend_and_evaluate(
    spec: DemoEvent, event: LearningEvent, registered: list[User], *, actor: User, rng: random.Random
) -> None:
    """Most registered people came (always the first); the walk-ins; three in four who came evaluate it."""
    came = {p.pk: rng.random() < 0.82 for p in registered}
    came[registered[0].pk] = True
    ended = event.ends_at
    services.record_attendance(actor=actor, event=event, attended=came, at=ended)
    _walk_ins(spec, event, actor=actor, at=ended)
    for person in registered:
        if came[person.pk] and rng.random() < 0.75:
            before = rng.randint(1, 3)
            services.submit_evaluation(
                actor=person,
                event=event,
                confidence_before=before,
                confidence_after=min(5, before + rng.choice((0, 1, 1, 2, 2))),
                practice_change=rng.choice(
                    (
                        "I will ask to see where the children sleep on every home visit.",
                        "I will share missed appointments with the school nurse the same week.",
                        "I will record what the child says in their own words.",
                        "I will use the escalation procedure sooner when I disagree.",
                    )
                ),
                at=ended + timedelta(hours=2),
            )


def _walk_ins(spec: DemoEvent, event: LearningEvent, *, actor: User, at: datetime) -> None:
    """People who came without registering: someone with an account, then someone without one."""
    if not spec.walk_ins:
        return
    person = queries.walk_in_candidates(event).first()
    if person is not None:
        walk_ins.record_walk_in(actor=actor, event=event, user=person, at=at)
    agency = queries.invited_agencies(event).first()
    for number in range(1, spec.walk_ins if person is not None else spec.walk_ins + 1):
        if agency is None:
            break
        walk_ins.record_walk_in(
            actor=actor,
            event=event,
            name=f"Synthetic Walk-in {agency.code}-{number}",
            agency=agency,
            role=Role.PRACTITIONER,
            at=at,
        )


# Coming up: one of them full, with a waiting list.
UPCOMING = (
    DemoEvent(
        14,
        EventKind.WORKSHOP,
        "Neglect toolkit: using the graded care profile",
        ("neglect",),
        (AgencyKind.HEALTH, AgencyKind.EARLY_HELP, AgencyKind.SCHOOL, AgencyKind.CHILDRENS_SOCIAL_CARE),
        25,
    ),
    DemoEvent(
        35,
        EventKind.BRIEFING,
        "Briefing: learning from Child A and Child B",
        ("neglect", "was-not-brought"),
        tuple(ALL_KINDS),
        80,
        online=True,
    ),
    DemoEvent(
        21,
        EventKind.JOINT_SUPERVISION,
        "Joint supervision: seeing the men in the child's life",
        ("professional-curiosity", "domestic-abuse"),
        (AgencyKind.HEALTH, AgencyKind.EARLY_HELP, AgencyKind.SCHOOL, AgencyKind.CHILDRENS_SOCIAL_CARE),
        6,
        per_agency=2,
        waiting=4,
    ),
)


def seed_learning(ctx: DemoContext) -> None:
    if LearningEvent.objects.exists():
        return
    bu = User.objects.filter(username="business.unit").first()
    if bu is None:
        return
    rng = random.Random(f"{ctx.seed}:learning")  # noqa: S311 - synthetic demo data, not security
    themes = {t.code: t for t in Theme.objects.all()}
    agencies = list(Agency.objects.filter(is_active=True).exclude(kind=AgencyKind.BUSINESS_UNIT).order_by("code"))
    facilitators = [
        User.objects.filter(
            memberships__agency__kind=AgencyKind.BUSINESS_UNIT, job_title__icontains="Learning"
        ).first(),
        User.objects.filter(username="manager.csc").first(),
        None,
    ]
    for index, spec in enumerate(EVENTS):
        _hold(spec, bu=bu, facilitator=facilitators[index % 3], agencies=agencies, themes=themes, rng=rng)
    review = Review.objects.filter(title="Child A and Child B").first()
    if review is not None:
        _review_workshop(review, bu=bu, facilitator=facilitators[0], agencies=agencies, themes=themes, rng=rng)
        _briefing(review, bu)
    for spec in UPCOMING:
        _hold(spec, bu=bu, facilitator=facilitators[0], agencies=agencies, themes=themes, rng=rng)
    _follow_ups(rng)
    ctx.log(
        f"Learning: {LearningEvent.objects.count()} events, {LearningBriefing.objects.published().count()} "
        "published briefing(s)"
    )


def _review_workshop(
    review: Review,
    *,
    bu: User,
    facilitator: User | None,
    agencies: list[Agency],
    themes: dict[str, Theme],
    rng: random.Random,
) -> None:
    """A workshop on the featured review, its case study prefilled from the review."""
    prefill = services.case_study_from_review(review)
    workshop = DemoEvent(
        -20,
        EventKind.WORKSHOP,
        prefill.title,
        tuple(t.code for t in prefill.themes),
        (AgencyKind.HEALTH, AgencyKind.SCHOOL, AgencyKind.POLICE, AgencyKind.EARLY_HELP, AgencyKind.GP),
        40,
    )
    _hold(
        workshop,
        bu=bu,
        facilitator=facilitator,
        agencies=agencies,
        themes=themes,
        rng=rng,
        review=review,
        case_study=prefill.case_study,
    )


def _follow_ups(rng: random.Random) -> None:
    """The follow-up surveys that are due go out; half of them are answered."""
    # seed_demo keeps emails in memory: the follow-up survey emails go nowhere.
    sent = services.send_due_follow_ups()
    for request in FollowUpRequest.objects.select_related("event", "user").order_by("pk")[: sent // 2]:
        services.submit_follow_up(
            actor=request.user,
            event=request.event,
            practice_changed=rng.choice(
                [PracticeChanged.YES, PracticeChanged.YES, PracticeChanged.PARTLY, PracticeChanged.NO]
            ),
            example="I now check who else is working with the family before I close a case.",
        )


def _briefing(review: Review, bu: User) -> None:
    briefing = briefings.create_briefing(
        actor=bu,
        review=review,
        findings=list(review.findings.order_by("number")),
        title="Learning briefing: Child A and Child B",
        what_happened=(
            "Child B, aged 2, was taken to hospital with a head injury. A picture of persistent neglect of both "
            "brothers emerged: missed health appointments, Child A arriving at school hungry, a cold and cluttered "
            "home, and police call-outs for domestic abuse. Each agency knew part of the picture."
        ),
        what_we_learned=(
            "No agency saw the whole picture of neglect. Early help closed the case for non-engagement while "
            "concerns continued. The children's lived experience was not recorded, and supervision did not test "
            "the drift in the plan."
        ),
        do_differently=(
            "Treat repeated 'was not brought' appointments as a safeguarding concern. Share hunger and hygiene "
            "concerns with the health visitor when there are siblings under five. Do not close for non-engagement "
            "without a multi-agency discussion. After a domestic abuse call-out, tell children's social care and "
            "the school."
        ),
        supervision_questions=(
            "What is a day like for this child?\n"
            "Who else is working with the family, and what do they know?\n"
            "What has changed for the child since the plan started?\n"
            "When did I last challenge another agency's decision, and how?"
        ),
        at=timezone.now() - timedelta(days=15),
    )
    briefings.publish_briefing(
        actor=bu, briefing=briefing, version=briefing.version, at=timezone.now() - timedelta(days=14)
    )
