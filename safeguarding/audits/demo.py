"""Demo audits for `seed_demo`: a baseline service audit of the early-help service last year (closed)
and this year's re-audit of the same service (at findings), with different grades, moderated
differences, findings and two actions in an audit action plan. Built through the same services as the
pages; the grades come from a seeded random generator, so every run gives the same demo."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from safeguarding.agencies.enums import Role
from safeguarding.agencies.models import Agency, Membership, User
from safeguarding.audits import grading, services
from safeguarding.audits.defaults import install_tool
from safeguarding.audits.enums import AuditStatus, AuditType, FindingKind
from safeguarding.audits.models import Audit, AuditProgramme, AuditTool
from safeguarding.audits.sampling import Criteria
from safeguarding.core.demo import DemoContext
from safeguarding.reviews.defaults import install_themes
from safeguarding.reviews.models import Theme

EARLY_HELP, CSC, COMMUNITY_HEALTH = "NBC-EH", "NBC-CSC", "NBCH"
QUESTION = "Has the quality of the early-help service that the inspection praised been sustained?"
# Per area: the chance that a case's grade is each step worse than "good" (baseline vs re-audit).
BASELINE_SLIP = {
    "recognition": 0.05,
    "assessment": 0.08,
    "planning": 0.05,
    "multi_agency": 0.08,
    "voice": 0.12,
    "oversight": 0.08,
    "impact": 0.1,
}
REAUDIT_SLIP = {
    "recognition": 0.15,
    "assessment": 0.2,
    "planning": 0.45,
    "multi_agency": 0.35,
    "voice": 0.55,
    "oversight": 0.5,
    "impact": 0.3,
}

REAUDIT_FINDINGS = (
    (FindingKind.STRENGTH, "Needs are still recognised early and help is offered quickly.", ["thresholds"]),
    (
        FindingKind.DEVELOPMENT,
        "Plans drift when families do not engage: reviews are late and not escalated.",
        ["escalation", "management-oversight"],
    ),
    (
        FindingKind.DEVELOPMENT,
        "The voice of the child has weakened since the baseline: few records say what the child said.",
        ["voice-of-the-child"],
    ),
)


def _person(agency: Agency, *roles: str) -> User | None:
    m = (
        Membership.objects.filter(agency=agency, role__in=roles, is_active=True, user__is_system=False)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return m.user if m else None


def _grade(rng: random.Random, codes: list[str], slip: float) -> str:
    """Mostly "good"; sometimes outstanding, sometimes one or two steps worse (more often with a larger slip)."""
    roll = rng.random()
    if roll < 0.12:
        return codes[0]
    if roll < 0.12 + slip:
        return codes[3] if rng.random() < 0.25 else codes[2]
    return codes[1]


def _run(
    *,
    bu: Any,
    audit: Audit,
    auditors: dict[int, Any],
    rng: random.Random,
    slip: dict[str, float],
    size: int,
    seed: int,
) -> None:
    services.draw_sample(
        actor=bu,
        audit=audit,
        criteria=Criteria(period_from=audit.period_from, period_to=audit.period_to, agency_id=next(iter(auditors))),
        size=size,
        seed=seed,
    )
    audit.refresh_from_db()
    services.move_audit(actor=bu, audit=audit, version=audit.version)  # sampling -> in progress
    codes = audit.tool.grade_codes
    questions = list(audit.tool.questions.all())
    for case in audit.cases.all():
        base = {area: _grade(rng, codes, p) for area, p in slip.items()}
        for agency_id, auditor in auditors.items():
            # Agencies see some areas differently (one grade lower), which moderation then settles.
            own = {
                area: codes[min(len(codes) - 1, codes.index(g) + 1)] if rng.random() < 0.1 else g
                for area, g in base.items()
            }
            answers = [
                services.Answer(
                    q, own[q.area], f"Graded {audit.tool.grade_label(own[q.area]).lower()} from the record."
                )
                for q in questions
            ]
            services.record_responses(
                actor=auditor,
                case=case,
                agency=Agency.objects.get(pk=agency_id),
                answers=answers,
                today=audit.start_on,
            )
    audit.refresh_from_db()
    services.move_audit(actor=bu, audit=audit, version=audit.version)  # -> moderation
    audit.refresh_from_db()
    for case_id, area in grading.unmoderated_differences(audit):
        by_agency = grading.area_grades(audit)[(case_id, area)]
        # The grade most agencies gave (the lower one on a tie).
        votes = Counter(by_agency.values())
        agreed = max(votes, key=lambda g: (votes[g], codes.index(g)))
        services.moderate(
            actor=audit.lead,
            case=audit.cases.get(pk=case_id),
            area=area,
            final_grade=agreed,
            rationale="Agreed at the moderation meeting after hearing each agency's reasons.",
        )


@dataclass(frozen=True)
class _Cast:
    """The business unit runs both audits; each participating agency names one auditor."""

    bu: Any
    tool: AuditTool
    early_help: Agency
    participating: list[Agency]
    auditors: dict[int, Any]  # agency pk -> auditor, in the agencies' order
    ordered: dict[int, Any]  # the same, the early-help agency first (it is the sampling criterion)
    theme: Theme | None
    programmes: dict[int, AuditProgramme]
    today: date
    rng: random.Random


def seed_audits(ctx: DemoContext) -> None:
    if Audit.objects.exists():
        return
    cast = _cast(ctx)
    if cast is None:
        return
    baseline = _baseline(cast)
    reaudit = _reaudit(cast, baseline)
    ctx.log(
        f"Audits: baseline {baseline.reference} (closed) and re-audit {reaudit.reference} "
        f"({AuditStatus(reaudit.status).label.lower()}) of the early-help service"
    )


def _cast(ctx: DemoContext) -> _Cast | None:
    install_themes()
    tool = install_tool()
    bu = User.objects.filter(username="business.unit").first()
    agencies = {a.code: a for a in Agency.objects.filter(code__in=[EARLY_HELP, CSC, COMMUNITY_HEALTH])}
    if bu is None or EARLY_HELP not in agencies:
        return None
    rng = random.Random(ctx.seed * 7 + 2)  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    participating = [agencies[c] for c in (EARLY_HELP, CSC, COMMUNITY_HEALTH) if c in agencies]
    auditors: dict[int, Any] = {}
    for agency in participating:
        person = _person(agency, Role.SAFEGUARDING_LEAD, Role.MANAGER, Role.SENIOR_MANAGER)
        if person is not None:
            auditors[agency.pk] = person
    if agencies[EARLY_HELP].pk not in auditors:
        return None
    theme = Theme.objects.filter(code="thresholds").first()
    last_year, this_year = today.year - 1, today.year
    programmes = {
        year: services.create_programme(actor=bu, year=year, title=f"Quality assurance programme {year} to {year + 1}")
        for year in (last_year, this_year)
        if not AuditProgramme.objects.filter(year=year).exists()
    }
    ordered = {agencies[EARLY_HELP].pk: auditors[agencies[EARLY_HELP].pk]}
    ordered.update(auditors)
    return _Cast(
        bu=bu,
        tool=tool,
        early_help=agencies[EARLY_HELP],
        participating=participating,
        auditors=auditors,
        ordered=ordered,
        theme=theme,
        programmes=programmes,
        today=today,
        rng=rng,
    )


def _plan(cast: _Cast, year: int, title: str, start: date, baseline: Audit | None) -> Audit:
    programme = cast.programmes.get(year) or AuditProgramme.objects.get(year=year)
    audit = services.plan_audit(
        actor=cast.bu,
        programme=programme,
        title=title,
        audit_type=AuditType.SERVICE,
        service_name="Early help service",
        question=QUESTION,
        lead=cast.bu,
        start_on=start,
        end_on=start + timedelta(days=60),
        period_from=start - timedelta(days=365),
        period_to=start - timedelta(days=1),
        agencies=cast.participating,
        theme=cast.theme,
        tool=cast.tool,
        baseline=baseline,
    )
    for agency_id, person in cast.auditors.items():
        services.name_auditor(actor=cast.bu, audit=audit, user=person, agency=Agency.objects.get(pk=agency_id))
    return audit


def _baseline(cast: _Cast) -> Audit:
    """Last year's audit after the inspection: mostly good; closed with its findings."""
    bu, today = cast.bu, cast.today
    baseline = _plan(
        cast, today.year - 1, "Early help service audit (baseline after inspection)", today - timedelta(days=390), None
    )
    _run(bu=bu, audit=baseline, auditors=cast.ordered, rng=cast.rng, slip=BASELINE_SLIP, size=8, seed=2024)
    baseline.refresh_from_db()
    services.move_audit(actor=bu, audit=baseline, version=baseline.version)  # -> findings
    for kind, text, codes in (
        (FindingKind.STRENGTH, "Needs were recognised early and families were offered help quickly.", ["thresholds"]),
        (FindingKind.STRENGTH, "Plans were clear and reviewed on time.", []),
        (FindingKind.DEVELOPMENT, "The child's own words were not always recorded.", ["voice-of-the-child"]),
    ):
        services.add_finding(
            actor=bu, audit=baseline, kind=kind, text=text, themes=Theme.objects.filter(code__in=codes)
        )
    baseline.refresh_from_db()
    services.move_audit(actor=bu, audit=baseline, version=baseline.version)  # -> closed
    return baseline


def _reaudit(cast: _Cast, baseline: Audit) -> Audit:
    """This year's re-audit: planning and the child's voice have slipped; at findings, with two actions."""
    bu, today = cast.bu, cast.today
    reaudit = _plan(cast, today.year, "Early help service re-audit", today - timedelta(days=20), baseline)
    _run(bu=bu, audit=reaudit, auditors=cast.ordered, rng=cast.rng, slip=REAUDIT_SLIP, size=10, seed=2025)
    reaudit.refresh_from_db()
    services.move_audit(actor=bu, audit=reaudit, version=reaudit.version)  # -> findings
    officer = _person(cast.early_help, Role.SENIOR_MANAGER, Role.MANAGER, Role.SAFEGUARDING_LEAD)
    findings = [
        services.add_finding(
            actor=bu,
            audit=reaudit,
            kind=kind,
            text=text,
            themes=Theme.objects.filter(code__in=codes),
        )
        for kind, text, codes in REAUDIT_FINDINGS
    ]
    actions = (
        (
            findings[1],
            "Early-help managers review every plan with no progress for 12 weeks; escalate where needed.",
            90,
            "No early-help plan without progress for 12 weeks goes unreviewed (monthly dip sample).",
        ),
        (
            findings[2],
            "Practice workshop on recording the child's voice for early-help practitioners.",
            60,
            "Re-audit shows the child's words recorded in at least 8 of 10 cases.",
        ),
    )
    for finding, description, days, measure in actions if officer is not None else ():
        services.create_action_from_finding(
            actor=bu,
            finding=finding,
            description=description,
            lead_agency=cast.early_help,
            lead_officer=officer,
            due_on=today + timedelta(days=days),
            success_measure=measure,
        )
    return reaudit
