"""A hand-made partnership whose dashboard figures are known exactly (see test_figures.py for the sums).

The period under test is the financial year 2025 to 2026 (1 April 2025 to 31 March 2026), so open and
overdue items are counted on 31 March 2026. Items dated on 31 March 2026 are inside it; items dated
1 April 2026 are not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.utils import timezone

from safeguarding.actionplans.enums import ActionRag, ActionSource, ActionStatus
from safeguarding.actionplans.models import Action, ActionPlan
from safeguarding.agencies.enums import AgencyKind, PartnerStatus, Role
from safeguarding.escalations.enums import EscalationStatus
from safeguarding.escalations.models import Escalation, EscalationReason, EscalationStage
from safeguarding.reviews.enums import Harm, ReviewKind, Stage
from safeguarding.reviews.models import Finding, Notification, PracticeReview, RapidReview, Review, StageChange, Theme
from safeguarding.testing import factories as f
from safeguarding.testing.personas import Cast, build_cast

FY_START, FY_END = date(2025, 4, 1), date(2026, 3, 31)
DAY_AFTER = date(2026, 4, 1)


# The moment the page, export and API tests run at: the day test_figures and test_exports pass as
# `today`, after the period. A period still running is counted up to today ("as at"), so without
# this the figures for the period would depend on the day the suite runs.
DASHBOARD_MOMENT = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _clock_after_the_period(time_machine: Any) -> None:
    time_machine.move_to(DASHBOARD_MOMENT, tick=False)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute))


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


@dataclass
class DashCast:
    cast: Cast
    business: Any
    administrator: Any
    scrutineer: Any
    statutory_senior: Any
    relevant_senior: Any
    bu_agency: Any


def build_dash_cast() -> DashCast:
    cast = build_cast()  # agency HV (health, relevant), partner_agency POL (statutory), unrelated HSG
    bu = f.AgencyFactory(code="BU", name="Test Business Unit", kind=AgencyKind.BUSINESS_UNIT)
    return DashCast(
        cast=cast,
        business=f.member(bu, Role.BUSINESS_UNIT, username="business"),
        administrator=f.member(bu, Role.ADMINISTRATOR, username="administrator"),
        scrutineer=f.member(bu, Role.SCRUTINEER, username="scrutineer"),
        statutory_senior=f.member(cast.partner_agency, Role.SENIOR_MANAGER, username="police.senior"),
        relevant_senior=f.member(cast.agency, Role.SENIOR_MANAGER, username="health.senior"),
        bu_agency=bu,
    )


@pytest.fixture
def dc(db: None) -> DashCast:
    assert PartnerStatus.STATUTORY == "statutory"
    return build_dash_cast()


# ---- reviews ----------------------------------------------------------------------------------


def make_review(
    dc: DashCast,
    title: str,
    aware_on: date,
    notification_due: date,
    sent_on: date | None,
    stages: list[tuple[str, date]],
    rapid: tuple[date, date, date | None] | None = None,
    practice: tuple[date, date, date | None] | None = None,
) -> Review:
    """A review with its clocks given exactly; `stages` is its stage history (the last is its stage now)."""
    review = Review.objects.create(
        title=title,
        stage=stages[-1][0],
        created_by=dc.business,
        created_at=at(aware_on),
        stage_changed_at=at(stages[-1][1]),
    )
    previous = ""
    for stage, day in stages:
        StageChange.objects.create(review=review, action="notified", from_stage=previous, to_stage=stage, at=at(day))
        previous = stage
    Notification.objects.create(
        review=review,
        incident_on=aware_on,
        aware_on=aware_on,
        harm=Harm.SERIOUS_HARM,
        abuse_or_neglect=True,
        summary="Synthetic.",
        due_on=notification_due,
        sent_to_panel_on=sent_on,
        notified_by=dc.business,
    )
    if rapid:
        RapidReview.objects.create(review=review, opened_on=rapid[0], due_on=rapid[1], sent_to_panel_on=rapid[2])
    if practice:
        PracticeReview.objects.create(
            review=review,
            kind=ReviewKind.LCSPR,
            decided_on=practice[0],
            target_publication_on=practice[1],
            published_on=practice[2],
            may_come_down_on=practice[2] + timedelta(days=400) if practice[2] else None,
        )
    return review


@dataclass
class Dataset:
    dc: DashCast
    reviews: dict[str, Review]
    plan: ActionPlan


def build_dataset(dc: DashCast) -> Dataset:
    reviews = _reviews(dc)
    plan = _action_plans(dc, reviews)
    _escalations(dc)
    _findings(reviews)
    return Dataset(dc, reviews, plan)


def _reviews(dc: DashCast) -> dict[str, Review]:
    """Reviews R1 to R7 around the period 1/4/2025 to 31/3/2026, seen from its end."""
    d = date
    r = {}
    # R1: notified on time; its rapid review (due 26/3/2026) is still running on 31/3: 5 days overdue.
    r["R1"] = make_review(
        dc,
        "Child A",
        d(2026, 3, 2),
        d(2026, 3, 9),
        d(2026, 3, 5),
        [(Stage.NOTIFIED, d(2026, 3, 2)), (Stage.RAPID_REVIEW, d(2026, 3, 5))],
        rapid=(d(2026, 3, 5), d(2026, 3, 26), None),
    )
    # R2: notification due 17/3/2026, never sent: 14 days overdue on 31/3.
    r["R2"] = make_review(dc, "Child C", d(2026, 3, 10), d(2026, 3, 17), None, [(Stage.NOTIFIED, d(2026, 3, 10))])
    # R3: notified late, rapid review on time, published on time (5/1/2026): finished.
    r["R3"] = make_review(
        dc,
        "Child D",
        d(2025, 6, 2),
        d(2025, 6, 9),
        d(2025, 6, 12),
        [
            (Stage.NOTIFIED, d(2025, 6, 2)),
            (Stage.RAPID_REVIEW, d(2025, 6, 12)),
            (Stage.IN_PROGRESS, d(2025, 7, 10)),
            (Stage.PUBLISHED, d(2026, 1, 5)),
        ],
        rapid=(d(2025, 6, 12), d(2025, 7, 3), d(2025, 6, 30)),
        practice=(d(2025, 7, 10), d(2026, 1, 10), d(2026, 1, 5)),
    )
    # R4: a practice review at draft; publication due 1/4/2026, so on time on 31/3.
    r["R4"] = make_review(
        dc,
        "Child E",
        d(2025, 9, 1),
        d(2025, 9, 8),
        d(2025, 9, 3),
        [
            (Stage.NOTIFIED, d(2025, 9, 1)),
            (Stage.RAPID_REVIEW, d(2025, 9, 3)),
            (Stage.IN_PROGRESS, d(2025, 10, 1)),
            (Stage.DRAFT, d(2026, 2, 1)),
        ],
        rapid=(d(2025, 9, 3), d(2025, 9, 24), d(2025, 9, 20)),
        practice=(d(2025, 10, 1), d(2026, 4, 1), None),
    )
    # R5: from 2024, closed at decision: outside the period altogether.
    r["R5"] = make_review(
        dc,
        "Child F",
        d(2024, 5, 1),
        d(2024, 5, 8),
        d(2024, 5, 3),
        [(Stage.NOTIFIED, d(2024, 5, 1)), (Stage.CLOSED, d(2024, 6, 1))],
    )
    # R6: notified the day after the period: not counted.
    r["R6"] = make_review(dc, "Child G", DAY_AFTER, d(2026, 4, 9), None, [(Stage.NOTIFIED, DAY_AFTER)])
    # R7: notified on the period's last day: counted; its notification is running, on time.
    r["R7"] = make_review(dc, "Child H", FY_END, d(2026, 4, 8), None, [(Stage.NOTIFIED, FY_END)])
    return r


def _action_plans(dc: DashCast, r: dict[str, Review]) -> ActionPlan:
    """Three action plans; returns the first (Child E's, from review R4), whose actions cover every case."""
    d = date
    police, health = dc.cast.partner_agency, dc.cast.agency
    p1 = _plan(dc, "Child E action plan", ActionSource.REVIEW, d(2025, 11, 1), r["R4"])
    _action(dc, p1, 1, police, d(2026, 2, 28), ActionStatus.COMPLETE, d(2026, 2, 1))
    _action(dc, p1, 2, health, FY_END, ActionStatus.COMPLETE_WITH_IMPACT, d(2026, 3, 15))  # due on the last day
    _action(dc, p1, 3, police, d(2026, 3, 1), ActionStatus.ON_TRACK)  # 30 days overdue
    _action(dc, p1, 4, health, DAY_AFTER, ActionStatus.AT_RISK)  # due the day after: not overdue, not due in period
    _action(dc, p1, 5, health, d(2026, 3, 10), ActionStatus.OFF_TRACK)  # 21 days overdue
    _action(dc, p1, 6, police, d(2026, 3, 20), ActionStatus.COMPLETE, DAY_AFTER)  # done after: 11 days overdue then
    p2 = _plan(dc, "Neglect audit plan", ActionSource.AUDIT, d(2025, 2, 1))
    _action(dc, p2, 1, health, d(2025, 3, 1), ActionStatus.COMPLETE, d(2025, 3, 1))  # all done before the period
    p3 = _plan(dc, "New priority plan", ActionSource.PRIORITY, DAY_AFTER)
    _action(dc, p3, 1, health, d(2026, 5, 1), ActionStatus.NOT_STARTED)
    return p1


def _plan(dc: DashCast, title: str, source: str, created: date, review: Review | None = None) -> ActionPlan:
    return ActionPlan.objects.create(
        title=title,
        source=source,
        review=review,
        source_reference="" if review else "Synthetic",
        owner_group="Case review subgroup",
        chair=dc.business,
        created_by=dc.business,
        created_at=at(created),
        updated_at=at(created),
    )


def _action(
    dc: DashCast, p: ActionPlan, number: int, agency: Any, due: date, status: str, completed: date | None = None
) -> None:
    created = timezone.localtime(p.created_at).date()
    Action.objects.create(
        plan=p,
        number=number,
        description=f"Action {number} of {p.title}",
        lead_agency=agency,
        lead_officer=dc.statutory_senior,
        start_on=date(2025, 1, 1),
        due_on=due,
        success_measure="Audit shows it.",
        status=status,
        rag=ActionRag.BLUE if completed else ActionRag.RED,
        completed_on=completed,
        created_at=at(created),
        updated_at=at(created),
    )


def _escalations(dc: DashCast) -> None:
    """Six escalations: resolved in 2, 7 and 10 working days, open on the last day, raised after, closed."""
    police, health, hsg = dc.cast.partner_agency, dc.cast.agency, dc.cast.unrelated_agency
    stages = {s.number: s for s in EscalationStage.objects.all()}
    threshold = EscalationReason.objects.get(code="threshold")
    sharing = EscalationReason.objects.get(code="information-sharing")

    def esc(
        raised: datetime,
        raising: Any,
        receiving: Any,
        stage: int,
        status: str,
        finished: datetime | None,
        reason: Any = threshold,
        flagged: datetime | None = None,
    ) -> Escalation:
        return Escalation.objects.create(
            raised_by=dc.business,
            raising_agency=raising,
            receiving_agency=receiving,
            reason=reason,
            disputed_decision="Synthetic.",
            desired_outcome="Synthetic.",
            raiser_level_of_need=3,
            stage=stages[stage],
            status=status,
            raised_at=raised,
            stage_started_at=raised,
            stage_due_at=raised + timedelta(days=7),
            finished_at=finished,
            flagged_for_learning=flagged is not None,
            flagged_at=flagged,
        )

    d = date

    esc(
        at(FY_START), health, police, 1, EscalationStatus.RESOLVED, at(d(2025, 4, 3)), flagged=at(d(2025, 4, 5))
    )  # 2 wd
    esc(at(d(2025, 6, 1)), police, health, 2, EscalationStatus.RESOLVED_BY_REFERRAL, at(d(2025, 6, 10)))  # 7 wd
    esc(at(d(2025, 9, 1)), health, police, 3, EscalationStatus.RESOLVED, at(d(2025, 9, 15)))  # 10 wd
    esc(at(FY_END, 23, 0), health, hsg, 1, EscalationStatus.AWAITING_RESPONSE, None)  # last day, still open
    esc(
        at(DAY_AFTER, 0, 30), health, police, 1, EscalationStatus.AWAITING_RESPONSE, None, flagged=at(DAY_AFTER, 1)
    )  # after
    esc(
        at(d(2025, 10, 1)),
        police,
        hsg,
        1,
        EscalationStatus.CLOSED,
        at(d(2025, 10, 2)),
        reason=sharing,
        flagged=at(d(2025, 10, 2)),
    )


def _findings(r: dict[str, Review]) -> None:
    """Learning: review findings by theme, one on the period's last evening, one after, one untagged."""
    d = date
    neglect, info = Theme.objects.get(code="neglect"), Theme.objects.get(code="information-sharing")
    f1 = Finding.objects.create(
        review=r["R4"], number=1, title="Drift", text="Synthetic.", created_at=at(d(2025, 12, 1))
    )
    f1.themes.set([neglect, info])
    f2 = Finding.objects.create(
        review=r["R4"], number=2, title="Neglect", text="Synthetic.", created_at=at(FY_END, 23, 30)
    )
    f2.themes.set([neglect])
    f3 = Finding.objects.create(review=r["R1"], number=1, title="Later", text="Synthetic.", created_at=at(DAY_AFTER))
    f3.themes.set([neglect])
    Finding.objects.create(review=r["R3"], number=1, title="Untagged", text="Synthetic.", created_at=at(d(2025, 7, 1)))


@pytest.fixture
def dataset(dc: DashCast) -> Dataset:
    return build_dataset(dc)
