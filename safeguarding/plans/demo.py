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
from safeguarding.children.models import Child, Involvement
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


def _review(plan: CarePlan, lead: User, days_ago: int, scores: list[services.ScoreInput], decisions: str) -> None:
    services.record_review(
        actor=lead,
        plan=plan,
        version=plan.version,
        held_on=_ago(days_ago),
        attendance="\n".join(s.name or (s.user.get_full_name() if s.user else "") for s in scores),
        decisions=decisions,
        next_review_on=_ago(days_ago) + timedelta(days=28),
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
    return _Whitlocks(csc_user, hv, school, police, csc, health, alder, police_agency, brothers)


def _whitlock_content() -> dict[str, Any]:
    """The plan's words: what has happened, the worries, the strengths, the goals and the safety network."""
    return {
        "harm": "Police have been called to the home three times since the summer after arguments between "
        "Kayleigh and Dean; Tyler and Mason were in the house each time. Mason was taken to hospital with a "
        "head injury in the spring. Mason has missed two health reviews.",
        "danger_statements": "We are worried that if the arguments carry on, Tyler and Mason could be hurt, "
        "physically or by being frightened, and that Mason's health needs will be missed.",
        "complicating_factors": "Dean drinks heavily at weekends. The family moved house twice last year. Early "
        "help closed last spring because appointments were missed.",
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
        "review_forum": "Core group",
        "review_date": _ago(20),
    }


def _whitlock_plan(w: _Whitlocks) -> CarePlan:
    """The plan as first written: its people and four objectives."""
    plan = services.create_plan(
        actor=w.csc_user,
        children=w.brothers,
        plan_type=PlanType.CHILD_PROTECTION,
        lead_professional=w.csc_user,
        lead_agency=w.csc,
        started_on=_ago(34),
        content=_whitlock_content(),
    )
    for person in (
        _professional(w.hv, w.health),
        _professional(w.school, w.alder),
        _professional(w.police, w.police_agency),
        _family("Kayleigh Whitlock", "Mother"),
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
    """Agreed at the conference; the first review's scores agree with each other."""
    services.agree_version(
        actor=w.csc_user,
        plan=plan,
        version=plan.version,
        agreed_on=_ago(33),
        method=AgreementMethod.IN_PERSON,
        people=[
            _professional(w.csc_user, w.csc),
            _professional(w.hv, w.health),
            _professional(w.school, w.alder),
            _family("Kayleigh Whitlock", "Mother"),
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
    _review(plan, w.csc_user, 20, first, "Carry on with the plan. Add an objective about Mason's nursery place.")


def _amend_and_review_again(w: _Whitlocks, plan: CarePlan, objectives: list[Objective]) -> None:
    """Progress on two objectives, an amendment (Mason's nursery place), and a second review where the
    professionals' and the family's scores drift apart."""
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
    services.amend_plan(actor=w.csc_user, plan=plan, version=plan.version)
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
        agreed_on=_ago(19),
        method=AgreementMethod.SIGNED,
        people=[_professional(w.csc_user, w.csc), _family("Kayleigh Whitlock", "Mother")],
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
        6,
        second,
        "Scores have moved apart: arrange a strategy discussion if there is another incident.",
    )


def _candidates(agency_code: str, exclude_surname: str = "Whitlock") -> list[tuple[Child, User, Agency]]:
    """Children the agency works with and a case-holding person there who can see them."""
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
        .filter(agency=agency)
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
            "strengths": "Their parent is warm with them and wants help with money and routines.",
            "safety_goals": "For three months: fed before school every day and clean clothes at least three days "
            "a week.",
            "contingency": "If things do not improve, the agencies will meet to decide whether more help is needed.",
            "family_words": "'We just need help getting back on track.'",
            "child_views": "'I like breakfast club.'",
            "review_forum": "Child in need review" if plan_type == PlanType.CHILD_IN_NEED else "Team around the family",
            "review_date": _ago(started - 30),
        },
    )
    services.add_participant(
        actor=lead, plan=plan, version=plan.version, person=_family(f"Alex {child.last_name}", "Parent")
    )
    for action, days, measure in (
        ("Set up a breakfast club place.", 14, "School confirms attendance at breakfast club."),
        ("Apply for the household support fund.", 21, "Application sent and decided."),
        ("Wash school uniform twice a week.", 30, "School notes clean uniform on most days."),
    ):
        who: Any = (lead, agency) if days != 30 else (f"Alex {child.last_name}", "Parent")
        services.add_objective(
            actor=lead, plan=plan, version=plan.version, data=_objective(action, who, _ago(started - days), measure)
        )
    return plan


def _agree_simple(plan: CarePlan, lead: User, days_ago: int) -> None:
    child = plan.children.first()
    services.agree_version(
        actor=lead,
        plan=plan,
        version=plan.version,
        agreed_on=_ago(days_ago),
        method=AgreementMethod.IN_PERSON,
        people=[_professional(lead, plan.lead_agency), _family(f"Alex {child.last_name if child else ''}", "Parent")],
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
    child = plan.children.first()
    parent = f"Alex {child.last_name if child else ''}"
    day = start_days
    for lead_score, parent_score, gap in reviews:
        day -= gap
        _review(
            plan,
            lead,
            day,
            [
                _pro_score(lead, plan.lead_agency, "Lead professional", lead_score, "What I have seen at visits."),
                _fam_score(parent, "Parent", parent_score, "How things feel at home."),
            ],
            "Carry on with the plan.",
        )


def seed_plans(ctx: DemoContext) -> None:
    if CarePlan.objects.exists():
        return
    with notifications.muted():
        _whitlock(ctx)
        csc = _candidates("NBC-CSC")
        early_help = _candidates("NBC-EH")
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
