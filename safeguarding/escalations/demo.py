"""Demo escalations for `seed_demo`: every stage and status, some overdue, some resolved, between the
demo agencies and raised by the persona accounts (so `practitioner.school` has one awaiting a
response, `manager.csc` one overdue at stage 2, and the business unit's report has something to count).

Built through the same services as the pages, dated in the past with their `at` argument.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone

from safeguarding.agencies.models import Agency, User
from safeguarding.children.models import Child, Involvement
from safeguarding.children.queries import children_visible_to
from safeguarding.core.calendar import is_working_day
from safeguarding.core.demo import DemoContext
from safeguarding.escalations import notifications, services
from safeguarding.escalations.enums import LevelOfNeed, ResponseKind, Urgency
from safeguarding.escalations.models import Escalation, EscalationReason

if TYPE_CHECKING:
    from safeguarding.core.types import Person


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _days_ago(working_days: int) -> datetime:
    """A time `working_days` working days ago, at 10:00 (so deadlines fall where the procedure says)."""
    day = timezone.localdate()
    while working_days > 0:
        day -= timedelta(days=1)
        if is_working_day(day):
            working_days -= 1
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=10))


def _later(at: datetime, hours: int) -> datetime:
    return min(at + timedelta(hours=hours), timezone.now())


def _children_of(
    agency: Agency, surname: str | None = None, limit: int = 2, *, seen_by: User | None = None
) -> list[Child]:
    """Children `agency` works with now; with `seen_by`, only those that person may see (a restricted
    involvement, such as a mental health service's, is hidden from the agency's practitioners)."""
    involved = Involvement.objects.active_on().filter(agency=agency).values("child_id")
    qs = children_visible_to(seen_by) if seen_by is not None else Child.objects.all()
    qs = qs.filter(pk__in=involved)
    if surname:
        qs = qs.filter(last_name=surname)
    return list(qs.order_by("date_of_birth", "pk")[:limit])


def _reason(code: str) -> EscalationReason:
    return EscalationReason.objects.get(code=code)


# The persona accounts the stories need, in the order `_Cast` takes them.
_PERSONAS = (
    "practitioner.hv",
    "practitioner.school",
    "dsl.school",
    "practitioner.csc",
    "manager.csc",
    "senior.csc",
    "practitioner.police",
    "business.unit",
)


@dataclass
class _Cast:
    """The people, agencies and children of the demo escalations, and how many were raised."""

    hv: User
    school: User
    dsl: User
    csc: User
    manager: User
    senior: User
    police: User
    business: User
    health: Agency
    alder: Agency
    social_care: Agency
    police_agency: Agency
    brothers: list[Child]
    tyler: list[Child]
    made: int = 0


def _cast(ctx: DemoContext) -> _Cast | None:
    people = [u for u in (_user(name) for name in _PERSONAS) if u is not None]
    if len(people) != len(_PERSONAS):
        ctx.log("Escalations: the demo personas are missing, so no demo escalations were added.")
        return None
    agencies = {a.code: a for a in Agency.objects.filter(code__in=["NBCH", "SCH-ALD", "NBC-CSC", "NBP"])}
    health, alder, social_care, police_agency = (agencies[c] for c in ("NBCH", "SCH-ALD", "NBC-CSC", "NBP"))
    brothers = _children_of(health, "Whitlock")
    tyler = _children_of(alder, "Whitlock", 1)
    if not brothers or not tyler:
        ctx.log("Escalations: the featured family is missing, so no demo escalations were added.")
        return None
    hv, school, dsl, csc, manager, senior, police, business = people
    return _Cast(
        hv=hv,
        school=school,
        dsl=dsl,
        csc=csc,
        manager=manager,
        senior=senior,
        police=police,
        business=business,
        health=health,
        alder=alder,
        social_care=social_care,
        police_agency=police_agency,
        brothers=brothers,
        tyler=tyler,
    )


def _raise(
    c: _Cast,
    actor: Person,
    raising: Agency,
    receiving: Agency,
    children: list[Child],
    reason: str,
    at: datetime,
    **kw: Any,
) -> Escalation:
    c.made += 1
    return services.raise_escalation(
        actor=actor,
        children=children,
        raising_agency=raising,
        receiving_agency=receiving,
        reason=_reason(reason),
        at=at,
        disputed_decision=kw.pop("decision"),
        desired_outcome=kw.pop("wants"),
        raiser_level_of_need=kw.pop("need", LevelOfNeed.TARGETED),
        **kw,
    )


def seed_escalations(ctx: DemoContext) -> None:
    if Escalation.objects.exists():
        return
    cast = _cast(ctx)
    if cast is None:
        return
    with notifications.muted():
        for story in STORIES:
            story(cast)
        if ctx.size == "large":
            cast.made += _many(ctx)
    ctx.log(f"  {cast.made} demo escalations (every stage; some overdue, some resolved).")


def _awaiting_a_response(c: _Cast) -> None:
    """Stage 1, awaiting a response (not yet due): health visiting asks for Mason's speech delay in the plan."""
    _raise(
        c,
        c.hv,
        c.health,
        c.social_care,
        c.brothers,
        "plan-adequacy",
        _days_ago(1),
        decision="Mason's speech delay, found at this week's joint visit, is not in the child protection plan.",
        wants="An objective for speech and language therapy, agreed at the next core group.",
        need=LevelOfNeed.SPECIALIST,
        receiving_person=c.csc,
    )


def _awaiting_the_school(c: _Cast) -> None:
    """Stage 1, awaiting practitioner.school's response (social care asks the school for information)."""
    _raise(
        c,
        c.csc,
        c.social_care,
        c.alder,
        c.tyler,
        "information-sharing",
        _days_ago(1),
        decision="Attendance and welfare notes asked for at the review conference have not been shared.",
        wants="The school shares attendance, welfare notes and the last two terms' concerns this week.",
        receiving_person=c.school,
    )


def _overdue_at_stage_two(c: _Cast) -> None:
    """Stage 2 and overdue: no core group for two months; the school escalated to manager level."""
    esc = _raise(
        c,
        c.school,
        c.alder,
        c.social_care,
        c.tyler,
        "drift",
        _days_ago(14),
        decision="No core group meeting has been held since the first one, two months ago, and the school has "
        "had no minutes or visit notes.",
        wants="A core group meeting within ten working days, with the minutes shared.",
    )
    services.respond_to_escalation(
        actor=c.csc,
        escalation=esc,
        version=esc.version,
        kind=ResponseKind.DISAGREE,
        at=_days_ago(12),
        reasons="Visits have happened; the records are catching up.",
        level_of_need=LevelOfNeed.TARGETED,
    )
    services.escalate_to_next_stage(
        actor=c.dsl,
        escalation=esc,
        version=esc.version,
        reason="No core group for two months.",
        at=_days_ago(11),
    )
    services.mark_overdue_escalations()


def _responded_at_stage_three(c: _Cast) -> None:
    """Stage 3: after the third call-out, police ask for the plan to be looked at again; agreed at stage 3."""
    esc = _raise(
        c,
        c.police,
        c.police_agency,
        c.social_care,
        c.brothers,
        "child-protection",
        _days_ago(48),
        decision="After the third domestic abuse call-out (Dean back at the home in breach of bail) the child "
        "protection plan was not looked at again.",
        wants="An early review child protection conference.",
        need=LevelOfNeed.SPECIALIST,
    )
    services.respond_to_escalation(
        actor=c.csc,
        escalation=esc,
        version=esc.version,
        kind=ResponseKind.DISAGREE,
        at=_days_ago(47),
        reasons="The core group has strengthened the safety plan.",
    )
    services.escalate_to_next_stage(
        actor=c.police, escalation=esc, version=esc.version, reason="Risk is escalating.", at=_days_ago(46)
    )
    services.respond_to_escalation(
        actor=c.manager,
        escalation=esc,
        version=esc.version,
        kind=ResponseKind.ALTERNATIVE,
        at=_days_ago(43),
        reasons="An early conference is not needed yet.",
        proposal="A core group meeting with the police within five working days.",
    )
    services.escalate_to_next_stage(
        actor=c.police,
        escalation=esc,
        version=esc.version,
        reason="A core group is not a review of the plan.",
        at=_days_ago(42),
    )
    services.respond_to_escalation(
        actor=c.senior,
        escalation=esc,
        version=esc.version,
        kind=ResponseKind.AGREE,
        at=_days_ago(35),
        reasons="Agreed: the police attend the review conference, which looks at the plan in full; another "
        "incident with the children present means a strategy discussion the same day.",
        level_of_need=LevelOfNeed.SPECIALIST,
    )


def _resolved_and_flagged_for_learning(c: _Cast) -> None:
    """Resolved at stage 1 with an agreed action, and flagged for learning."""
    esc = _raise(
        c,
        c.hv,
        c.health,
        c.social_care,
        c.brothers[:1],
        "plan-adequacy",
        _days_ago(40),
        decision="Tyler's child protection plan has no action on his untreated tooth decay.",
        wants="A dental appointment added to the plan.",
        need=LevelOfNeed.SPECIALIST,
    )
    services.respond_to_escalation(
        actor=c.csc,
        escalation=esc,
        version=esc.version,
        kind=ResponseKind.AGREE,
        at=_days_ago(39),
        reasons="Agreed: an oversight.",
    )
    services.record_outcome(
        actor=c.csc,
        escalation=esc,
        version=esc.version,
        at=_days_ago(38),
        outcome="A dental check for Tyler added to the plan at the core group.",
        actions=[
            services.ActionInput("Book Tyler's dental check", c.social_care, "Jordan Ellis", timezone.localdate())
        ],
    )
    services.accept_outcome(actor=c.hv, escalation=esc, version=esc.version, at=_days_ago(37))
    services.flag_for_learning(
        actor=c.business,
        escalation=esc,
        version=esc.version,
        at=_days_ago(30),
        note="Plans that leave out children's health needs: a theme for the next practice workshop.",
    )


def _resolved_by_referral(c: _Cast) -> None:
    """Resolved by referral."""
    esc = _raise(
        c,
        c.dsl,
        c.alder,
        c.health,
        c.tyler,
        "other",
        _days_ago(25),
        urgency=Urgency.URGENT,
        decision="No reply to a request for a school nurse review.",
        wants="A review this week.",
    )
    services.resolve_by_referral(
        actor=c.dsl,
        escalation=esc,
        version=esc.version,
        at=_days_ago(25) + timedelta(hours=2),
        reason="A new disclosure at school: shared straight away with Tyler's social worker and the police.",
    )


def _withdrawn(c: _Cast) -> None:
    """Closed (withdrawn)."""
    esc = _raise(
        c,
        c.school,
        c.alder,
        c.police_agency,
        c.tyler,
        "information-sharing",
        _days_ago(30),
        decision="No notification of a call-out to the home.",
        wants="Notifications of call-outs.",
    )
    services.close_escalation(
        actor=c.school,
        escalation=esc,
        version=esc.version,
        at=_days_ago(29),
        reason="Notification found in the MASH inbox.",
    )


def _outcome_awaiting_acceptance(c: _Cast) -> None:
    """Stage 4 (partnership) with an outcome recorded, awaiting acceptance."""
    esc = _raise(
        c,
        c.hv,
        c.health,
        c.social_care,
        c.brothers,
        "threshold",
        _days_ago(45),
        decision="Two referrals about the brothers were closed with no further action before Mason's injury.",
        wants="A multi-agency look at how the referrals were screened.",
    )
    for responder, day in ((c.csc, 43), (c.manager, 38)):
        services.respond_to_escalation(
            actor=responder,
            escalation=esc,
            version=esc.version,
            kind=ResponseKind.DISAGREE,
            at=_days_ago(day),
            reasons="The referrals were screened correctly at the time.",
        )
        services.escalate_to_next_stage(
            actor=c.hv, escalation=esc, version=esc.version, reason="Still disagree.", at=_days_ago(day - 1)
        )
    services.respond_to_escalation(
        actor=c.senior,
        escalation=esc,
        version=esc.version,
        kind=ResponseKind.DISAGREE,
        at=_days_ago(30),
        reasons="The referrals were screened correctly at the time.",
    )
    services.escalate_to_next_stage(
        actor=c.hv, escalation=esc, version=esc.version, reason="A partnership view is needed.", at=_days_ago(29)
    )
    services.respond_to_escalation(
        actor=c.senior,
        escalation=esc,
        version=esc.version,
        kind=ResponseKind.ALTERNATIVE,
        at=_days_ago(20),
        reasons="A partnership meeting chaired independently.",
        proposal="Joint audit of the referrals.",
    )
    services.record_outcome(
        actor=c.business,
        escalation=esc,
        version=esc.version,
        at=_days_ago(5),
        outcome="A joint audit of the two referrals, reported to the quality assurance group.",
        actions=[
            services.ActionInput(
                "Joint audit of referrals",
                c.social_care,
                "Head of Service",
                timezone.localdate() + timedelta(days=28),
            )
        ],
    )


# In this order: the overdue marking in the third story sees the first three escalations only.
STORIES: tuple[Callable[[_Cast], None], ...] = (
    _awaiting_a_response,
    _awaiting_the_school,
    _overdue_at_stage_two,
    _responded_at_stage_three,
    _resolved_and_flagged_for_learning,
    _resolved_by_referral,
    _withdrawn,
    _outcome_awaiting_acceptance,
)


def _user_in(agency: Agency, role: str) -> User | None:
    return User.objects.filter(memberships__agency=agency, memberships__role=role, memberships__is_active=True).first()


def _many(ctx: DemoContext) -> int:
    """For the large demo: a year of stage-1 escalations between random agencies, most resolved."""
    import random

    rng = random.Random(f"{ctx.seed}:escalations")  # noqa: S311 - synthetic demo data
    reasons = list(EscalationReason.objects.active())
    count = 0
    agencies = list(Agency.objects.active().exclude(Q(kind="business_unit")))
    for _ in range(150):
        raising, receiving = rng.sample(agencies, 2)
        raiser = _user_in(raising, "practitioner")
        # Only children the raiser can see: the service refuses any other ("Choose only children your
        # agency works with."), which stopped the large demo when a restricted involvement came up.
        children = _children_of(raising, limit=50, seen_by=raiser) if raiser is not None else []
        if raiser is None or not children:
            continue
        start = _days_ago(rng.randint(5, 250))
        esc = services.raise_escalation(
            actor=raiser,
            children=[rng.choice(children)],
            raising_agency=raising,
            receiving_agency=receiving,
            reason=rng.choice(reasons),
            at=start,
            disputed_decision="Synthetic disagreement.",
            desired_outcome="Synthetic request.",
            raiser_level_of_need=rng.randint(2, 4),
        )
        responder = _user_in(receiving, "practitioner")
        if responder is not None and rng.random() < 0.8:
            services.respond_to_escalation(
                actor=responder,
                escalation=esc,
                version=esc.version,
                kind=rng.choice(list(ResponseKind)),
                reasons="Synthetic reasons.",
                proposal="Synthetic proposal.",
                at=_later(start, rng.randint(4, 120)),
            )
            if rng.random() < 0.7:
                services.record_outcome(
                    actor=raiser, escalation=esc, version=esc.version, outcome="Agreed.", at=_later(start, 130)
                )
                services.accept_outcome(actor=raiser, escalation=esc, version=esc.version, at=_later(start, 140))
        count += 1
    services.mark_overdue_escalations()
    return count
