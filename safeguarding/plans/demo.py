"""Demo care plans for `seed_demo`, at every stage: a draft, agreed plans with and without reviews, one
reviewed several times with scores that improve, one whose scores fall, one ended — and the featured
family's child protection plan (Tyler and Mason Whitlock), amended once, where the professionals' and
the family's scores drift apart.

Built through the same services as the pages, dated in the past; emails are muted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from safeguarding.agencies.models import Agency, User
from safeguarding.children.demo.featured import WhitlockDates, whitlock_dates
from safeguarding.children.demo.plans import CIN_SERVICE, years_before
from safeguarding.children.models import Child, Involvement, Relationship
from safeguarding.children.queries import children_visible_to
from safeguarding.core.demo import DemoContext
from safeguarding.plans import notifications, services
from safeguarding.plans.enums import AgreementMethod, ObjectiveRag, ObjectiveStatus, PersonKind, PlanType
from safeguarding.plans.models import CarePlan, Objective
from safeguarding.plans.permissions import EDIT_ROLES

Score = tuple[str, int, str]  # (person key in the plan's people, score, reason)


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def _professional(user: User, agency: Agency) -> services.PersonInput:
    return services.PersonInput(PersonKind.PROFESSIONAL, user=user, agency=agency)


def _family(name: str, relationship: str) -> services.PersonInput:
    return services.PersonInput(PersonKind.FAMILY, name=name, relationship=relationship)


def _objective(action: str, who: Any, due: date, measure: str, support: str = "") -> services.ObjectiveInput:
    if isinstance(who, tuple) and isinstance(who[0], User):
        return services.ObjectiveInput(
            action, PersonKind.PROFESSIONAL, due, measure, support, owner_user=who[0], owner_agency=who[1]
        )
    name, relationship = who
    return services.ObjectiveInput(
        action, PersonKind.FAMILY, due, measure, support, owner_name=name, owner_relationship=relationship
    )


def _review(
    plan: CarePlan,
    lead: User,
    days_ago: int | date,
    scores: list[services.ScoreInput],
    decisions: str,
    next_review_on: date | None = None,
) -> None:
    held_on = days_ago if isinstance(days_ago, date) else _ago(days_ago)
    services.record_review(
        actor=lead,
        plan=plan,
        version=plan.version,
        held_on=held_on,
        attendance="\n".join(s.name or (s.user.get_full_name() if s.user else "") for s in scores),
        decisions=decisions,
        next_review_on=next_review_on or held_on + timedelta(days=28),
        scores=scores,
    )


def _pro_score(user: User, agency: Agency, role: str, score: int, reason: str) -> services.ScoreInput:
    return services.ScoreInput(PersonKind.PROFESSIONAL, score, reason, role=role, user=user, agency=agency)


def _fam_score(name: str, role: str, score: int, reason: str) -> services.ScoreInput:
    return services.ScoreInput(PersonKind.FAMILY, score, reason, name=name, role=role)


@dataclass(frozen=True)
class _Whitlocks:
    """Who works on the Whitlock brothers' plan: the social worker leads it."""

    csc_user: User
    hv: User
    school: User
    police: User
    csc: Agency
    health: Agency
    alder: Agency
    police_agency: Agency
    brothers: list[Child]
    dates: WhitlockDates


def _whitlock(ctx: DemoContext) -> None:
    w = _whitlock_cast(ctx)
    if w is None:
        return
    plan = _whitlock_plan(w)
    _agree_and_review(w, plan)
    agreed = plan.agreed_version()
    if agreed is None:
        return
    _amend_and_review_again(w, plan, list(agreed.objectives.order_by("order")))
    ctx.log(f"Plans: the Whitlock brothers' child protection plan {plan.reference} (two versions, two reviews).")


def _whitlock_cast(ctx: DemoContext) -> _Whitlocks | None:
    csc_user, manager = _user("practitioner.csc"), _user("manager.csc")
    hv, school, police = _user("practitioner.hv"), _user("practitioner.school"), _user("practitioner.police")
    if csc_user is None or manager is None or hv is None or school is None or police is None:
        ctx.log("Plans: the demo personas are missing, so the featured family's plan was not added.")
        return None
    agencies = {a.code: a for a in Agency.objects.filter(code__in=["NBC-CSC", "NBCH", "SCH-ALD", "NBP"])}
    csc, health, alder, police_agency = (agencies.get(c) for c in ("NBC-CSC", "NBCH", "SCH-ALD", "NBP"))
    brothers = list(Child.objects.filter(last_name="Whitlock").order_by("-date_of_birth"))
    if len(brothers) < 2 or csc is None or health is None or alder is None or police_agency is None:
        ctx.log("Plans: the featured family is missing, so their plan was not added.")
        return None
    if children_visible_to(csc_user).filter(pk__in=[c.pk for c in brothers]).count() != len(brothers):
        ctx.log("Plans: the featured social worker cannot see both brothers, so their plan was not added.")
        return None
    dates = whitlock_dates(timezone.localdate())
    return _Whitlocks(csc_user, hv, school, police, csc, health, alder, police_agency, brothers, dates)


def _whitlock_content(d: WhitlockDates) -> dict[str, Any]:
    """The plan's words, as written at the initial conference: what has happened, the worries, the
    strengths, the goals and the safety network (its dates are the chronology's)."""
    return {
        "harm": "Police have been called to the home twice after arguments between Kayleigh and Dean; Tyler and "
        f"Mason were in the house each time. On {d.injury:%-d %B %Y} Mason was taken to hospital with a head "
        "injury that the paediatrician could not explain by a fall. Mason has missed several health reviews.",
        "danger_statements": "We are worried that if the arguments carry on, Tyler and Mason could be hurt, "
        "physically or by being frightened, and that Mason's health needs will be missed.",
        "complicating_factors": "Dean drinks heavily at weekends. Early help closed after three missed visits: the "
        "family did not take up the support.",
        "strengths": "Kayleigh takes Tyler to school every day and he is doing well in reading. Tyler talks "
        "warmly about his nan.",
        "existing_safety": "Sandra Whitlock (nan) lives nearby and has the boys to stay when things are hard.",
        "safety_goals": "For six months: no police call-outs to arguments at home, Mason brought to every health "
        "appointment, and Tyler telling school he feels safe at home.",
        "contingency": "If there is another incident with the children present, a strategy discussion will be "
        "held the same day and the boys may stay with their nan while it is looked at.",
        "safety_network": "Sandra Whitlock (nan); Ryan Whitlock (father); Hannah Greaves (health visitor); "
        "Tyler's class teacher.",
        "family_words": "Kayleigh: 'I want the shouting to stop. I'll do the course if it helps the boys.'",
        "child_views": "Tyler: 'I don't like it when it's loud. I like it at Nan's.'",
        "review_forum": "Review child protection conference",
        "review_date": d.review_conference,
    }


def _whitlock_plan(w: _Whitlocks) -> CarePlan:
    """The plan as first written: its people and four objectives."""
    plan = services.create_plan(
        actor=w.csc_user,
        children=w.brothers,
        plan_type=PlanType.CHILD_PROTECTION,
        lead_professional=w.csc_user,
        lead_agency=w.csc,
        started_on=w.dates.initial_conference,
        content=_whitlock_content(w.dates),
    )
    for person in (
        _professional(w.hv, w.health),
        _professional(w.school, w.alder),
        _professional(w.police, w.police_agency),
        _family("Kayleigh Whitlock", "Mother"),
        # Ryan lives elsewhere but has parental responsibility: he is part of the plan.
        _family("Ryan Whitlock", "Father"),
        _family("Dean Marsh", "Mother's partner"),
        services.PersonInput(PersonKind.NETWORK, name="Sandra Whitlock", relationship="Grandmother"),
    ):
        services.add_participant(actor=w.csc_user, plan=plan, version=plan.version, person=person)
    for item in (
        _objective(
            "Kayleigh will go to the domestic abuse programme every week.",
            ("Kayleigh Whitlock", "Mother"),
            _ago(-40),
            "Attendance record from the programme.",
            "Social worker arranges the place and childcare.",
        ),
        _objective(
            "Dean will see the alcohol service and stay away from the home when he has been drinking.",
            ("Dean Marsh", "Mother's partner"),
            _ago(5),
            "Alcohol service confirms appointments kept; no police call-outs.",
        ),
        _objective(
            "Bring Mason to every health review and catch up his immunisations.",
            (w.hv, w.health),
            _ago(-14),
            "Health visitor records each review attended.",
            "Health visitor offers home visits.",
        ),
        _objective(
            "Check in with Tyler every week at school and share any worries the same day.",
            (w.school, w.alder),
            _ago(-60),
            "Weekly notes shared with the social worker.",
        ),
    ):
        services.add_objective(actor=w.csc_user, plan=plan, version=plan.version, data=item)
    return plan


def _agree_and_review(w: _Whitlocks, plan: CarePlan) -> None:
    """Made at the initial child protection conference; at the first core group the scores agree."""
    services.agree_version(
        actor=w.csc_user,
        plan=plan,
        version=plan.version,
        agreed_on=w.dates.initial_conference,
        method=AgreementMethod.CONFERENCE,
        people=[
            _professional(w.csc_user, w.csc),
            _professional(w.hv, w.health),
            _professional(w.school, w.alder),
            _professional(w.police, w.police_agency),
            _family("Kayleigh Whitlock", "Mother"),
            _family("Ryan Whitlock", "Father"),
            _family("Dean Marsh", "Mother's partner"),
        ],
        family_disputes="Dean: 'I don't have a drink problem. I'll go to the appointments but it's not me who "
        "starts it.'",
    )
    first = [
        _pro_score(w.csc_user, w.csc, "Social worker", 4, "Call-outs have stopped for now, but it is early days."),
        _pro_score(w.hv, w.health, "Health visitor", 5, "Mason was brought to his review."),
        _pro_score(w.school, w.alder, "Class teacher", 5, "Tyler is settled in class."),
        _fam_score("Kayleigh Whitlock", "Mother", 7, "We've had no rows for weeks."),
    ]
    _review(
        plan,
        w.csc_user,
        w.dates.first_core_group,
        first,
        "Core group: carry on with the plan. Add an objective about Mason's nursery place at the review conference.",
    )


def _amend_and_review_again(w: _Whitlocks, plan: CarePlan, objectives: list[Objective]) -> None:
    """Progress on two objectives; the review conference three months on, where the professionals' and
    the family's scores drift apart, and its change to the plan (Mason's nursery place)."""
    services.record_objective_update(
        actor=w.csc_user,
        plan=plan,
        uid=objectives[0].uid,
        status=ObjectiveStatus.IN_PROGRESS,
        rag=ObjectiveRag.GREEN,
        evidence="Kayleigh has attended four of four sessions.",
    )
    services.record_objective_update(
        actor=w.hv,
        plan=plan,
        uid=objectives[2].uid,
        status=ObjectiveStatus.IN_PROGRESS,
        rag=ObjectiveRag.AMBER,
        evidence="Mason seen at home; one immunisation still outstanding.",
    )
    second = [
        _pro_score(w.csc_user, w.csc, "Social worker", 3, "Police were called again last weekend; the boys were home."),
        _pro_score(w.hv, w.health, "Health visitor", 3, "Mason was not brought to his immunisation appointment."),
        _pro_score(w.school, w.alder, "Class teacher", 4, "Tyler was tired and upset on Monday."),
        _fam_score("Kayleigh Whitlock", "Mother", 8, "It was one argument. Things are much better."),
    ]
    _review(
        plan,
        w.csc_user,
        w.dates.review_conference,
        second,
        "Review child protection conference: the plans continue (category: neglect). The scores have moved "
        "apart: the core group meets fortnightly, and another incident with the children present means a "
        "strategy discussion the same day.",
        next_review_on=w.dates.next_review_conference,
    )
    services.amend_plan(actor=w.csc_user, plan=plan, version=plan.version)
    # The review conference sets the next one, six months on.
    content = _whitlock_content(w.dates)
    content["harm"] += (
        " Since the initial conference police have been called to the home twice more, and Mason was not "
        "brought to an immunisation appointment."
    )
    content["review_date"] = w.dates.next_review_conference
    services.update_draft(actor=w.csc_user, plan=plan, version=plan.version, content=content)
    services.add_objective(
        actor=w.csc_user,
        plan=plan,
        version=plan.version,
        data=_objective(
            "Find Mason a funded nursery place three mornings a week.",
            (w.hv, w.health),
            _ago(-30),
            "Mason attends nursery on the days agreed.",
            "Health visitor helps with the application.",
        ),
    )
    services.agree_version(
        actor=w.csc_user,
        plan=plan,
        version=plan.version,
        agreed_on=w.dates.review_conference,
        method=AgreementMethod.CONFERENCE,
        people=[
            _professional(w.csc_user, w.csc),
            _professional(w.hv, w.health),
            _professional(w.police, w.police_agency),
            _family("Kayleigh Whitlock", "Mother"),
            _family("Ryan Whitlock", "Father"),
        ],
    )


def _candidates(
    agency_code: str, service: str, started_before: date, exclude_surname: str = "Whitlock"
) -> list[tuple[Child, User, Agency]]:
    """School-age children the agency works with in `service` (since before `started_before`, so the
    plan follows the assessment), and a case-holding person there who can see them."""
    agency = Agency.objects.filter(code=agency_code).first()
    if agency is None:
        return []
    staff = [
        m.user
        for m in agency.memberships.filter(is_active=True, role__in=list(EDIT_ROLES), user__is_active=True)
        .select_related("user")
        .order_by("user__username")
    ]
    if not staff:
        return []
    rows = (
        Involvement.objects.active_on()
        .filter(agency=agency, service__startswith=service, start__lte=started_before)
        .filter(child__date_of_birth__range=(years_before(_ago(0), 15), years_before(_ago(0), 6)))
        .exclude(child__last_name=exclude_surname)
        .exclude(child__care_plan_links__isnull=False)
        .select_related("child", "lead_professional")
        .order_by("child_id")[:40]
    )
    out: list[tuple[Child, User, Agency]] = []
    for involvement in rows:
        lead = involvement.lead_professional if involvement.lead_professional in staff else staff[0]
        if lead is not None and children_visible_to(lead).filter(pk=involvement.child_id).exists():
            out.append((involvement.child, lead, agency))
    return out


def _parents(child: Child) -> list[tuple[str, str]]:
    """The child's adults with parental responsibility, as (name, relationship): each is part of the plan."""
    links = (
        Relationship.objects.filter(child=child, parental_responsibility=True, adult__isnull=False)
        .select_related("adult")
        .order_by("kind", "pk")
    )
    return [(f"{r.adult.first_name} {r.adult.last_name}", r.get_kind_display()) for r in links if r.adult]


def _simple_plan(child: Child, lead: User, agency: Agency, plan_type: str, started: int) -> CarePlan:
    plan = services.create_plan(
        actor=lead,
        children=[child],
        plan_type=plan_type,
        lead_professional=lead,
        lead_agency=agency,
        started_on=_ago(started),
        content={
            "harm": f"{child.first_name} has often come to school hungry and in unwashed clothes this term.",
            "danger_statements": f"If nothing changes, {child.first_name} will keep missing meals and may be "
            "isolated from other children.",
            "strengths": "Their family is warm with them and wants help with money and routines.",
            "safety_goals": "For three months: fed before school every day and clean clothes at least three days "
            "a week.",
            "contingency": "If things do not improve, the agencies will meet to decide whether more help is needed.",
            "family_words": "'We just need help getting back on track.'",
            "child_views": "'I like breakfast club.'",
            "review_forum": "Child in need review" if plan_type == PlanType.CHILD_IN_NEED else "Team around the family",
            "review_date": _ago(started - 30),
        },
    )
    parents = _parents(child)
    for name, relationship in parents:
        services.add_participant(actor=lead, plan=plan, version=plan.version, person=_family(name, relationship))
    for action, days, measure in (
        ("Set up a breakfast club place.", 14, "School confirms attendance at breakfast club."),
        ("Apply for the household support fund.", 21, "Application sent and decided."),
        ("Wash school uniform twice a week.", 30, "School notes clean uniform on most days."),
    ):
        who: Any = (lead, agency) if days != 30 else parents[0]
        services.add_objective(
            actor=lead, plan=plan, version=plan.version, data=_objective(action, who, _ago(started - days), measure)
        )
    return plan


def _agree_simple(plan: CarePlan, lead: User, days_ago: int) -> None:
    child = plan.children.get()
    services.agree_version(
        actor=lead,
        plan=plan,
        version=plan.version,
        agreed_on=_ago(days_ago),
        method=AgreementMethod.IN_PERSON,
        people=[_professional(lead, plan.lead_agency), *(_family(n, r) for n, r in _parents(child))],
    )


def _achieve_all(plan: CarePlan, lead: User) -> None:
    agreed = plan.agreed_version()
    for objective in agreed.objectives.all() if agreed else []:
        services.record_objective_update(
            actor=lead,
            plan=plan,
            uid=objective.uid,
            status=ObjectiveStatus.ACHIEVED,
            rag=ObjectiveRag.GREEN,
            evidence="Seen at visits and confirmed by school.",
        )


def _trajectory(plan: CarePlan, lead: User, reviews: list[tuple[int, int, int]], start_days: int) -> None:
    """Reviews every four weeks: (lead's score, parent's score, days between)."""
    parent, relationship = _parents(plan.children.get())[0]
    day = start_days
    for lead_score, parent_score, gap in reviews:
        day -= gap
        _review(
            plan,
            lead,
            day,
            [
                _pro_score(lead, plan.lead_agency, "Lead professional", lead_score, "What I have seen at visits."),
                _fam_score(parent, relationship, parent_score, "How things feel at home."),
            ],
            "Carry on with the plan.",
        )


def seed_plans(ctx: DemoContext) -> None:
    if CarePlan.objects.exists():
        return
    with notifications.muted():
        _whitlock(ctx)
        # Child in need plans follow a child and family assessment (up to 45 working days): children
        # with social care for two months or more before the plan; early help plans, its open cases.
        csc = _candidates("NBC-CSC", CIN_SERVICE, _ago(260))
        early_help = _candidates("NBC-EH", "Early help: family support", _ago(110))
        made = 0
        if len(csc) >= 3:
            # Ended after improving reviews.
            child, lead, agency = csc[0]
            plan = _simple_plan(child, lead, agency, PlanType.CHILD_IN_NEED, 200)
            _agree_simple(plan, lead, 195)
            _trajectory(plan, lead, [(3, 5, 30), (5, 6, 30), (7, 7, 30), (8, 8, 30)], 195)
            _achieve_all(plan, lead)
            services.end_plan(
                actor=lead, plan=plan, version=plan.version, ended_on=_ago(60), reason="Safety goals met."
            )
            # Drifting: the lead's scores fall while the parent's stay high.
            child, lead, agency = csc[1]
            plan = _simple_plan(child, lead, agency, PlanType.CHILD_IN_NEED, 120)
            _agree_simple(plan, lead, 115)
            _trajectory(plan, lead, [(6, 7, 28), (5, 8, 28), (3, 8, 28)], 115)
            # Agreed, not reviewed yet, with an objective past its date.
            child, lead, agency = csc[2]
            plan = _simple_plan(child, lead, agency, PlanType.CHILD_IN_NEED, 45)
            _agree_simple(plan, lead, 44)
            made += 3
        if len(early_help) >= 2:
            # Improving early help plan.
            child, lead, agency = early_help[0]
            plan = _simple_plan(child, lead, agency, PlanType.EARLY_HELP, 100)
            _agree_simple(plan, lead, 98)
            _trajectory(plan, lead, [(4, 5, 28), (5, 6, 28), (6, 8, 28)], 98)
            _achieve_all(plan, lead)
            # A draft being written.
            child, lead, agency = early_help[1]
            _simple_plan(child, lead, agency, PlanType.EARLY_HELP, 3)
            made += 2
        flagged = services.flag_overdue_objectives().flagged
    ctx.log(f"Plans: {made} further plans at every stage; {flagged} overdue objectives flagged.")
