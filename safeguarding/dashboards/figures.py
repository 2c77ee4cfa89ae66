"""The partnership dashboard's figures for a period, read from the other apps (never written).

Every figure is an aggregate query (COUNT … FILTER / GROUP BY), so the cost does not grow with the
number of children or chronology events; the few Python loops run over the handful of reviews,
plans, stages and agencies the tables list. Escalation statistics reuse the escalation report
(`escalations.reports`), so the dashboard and the escalation report always agree.

"As at": figures about what is open or overdue are counted on the period's last day (or today, if
the period has not ended), so last year's pack shows what was overdue at the end of last year.
See docs/dashboards.md for what each figure means.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from statistics import median
from typing import Any

from django.core.cache import cache
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from safeguarding.actionplans.enums import COMPLETE_STATUSES, ActionRag, ActionSource, ActionStatus
from safeguarding.actionplans.models import Action, ActionPlan
from safeguarding.dashboards.periods import Period
from safeguarding.escalations import reports as escalation_reports
from safeguarding.escalations.deadlines import working_days_taken
from safeguarding.escalations.enums import EscalationStatus
from safeguarding.escalations.models import EscalationReason, EscalationStage
from safeguarding.reviews import clocks as review_clocks
from safeguarding.reviews.enums import Action as ReviewAction
from safeguarding.reviews.enums import ReviewKind, Stage, Timeliness
from safeguarding.reviews.models import Finding, Notification, PracticeReview, RapidReview, Review, StageChange, Theme

# Seconds the page and API keep figures for one period (the pack and the command always recount).
CACHE_SECONDS = 300
# The stages in which a review is "in progress" (published and closed reviews are finished).
IN_PROGRESS_STAGES = [s for s in Stage if s not in (Stage.PUBLISHED, Stage.CLOSED)]
RESOLVED_STATUSES = (EscalationStatus.RESOLVED, EscalationStatus.RESOLVED_BY_REFERRAL)
COMPLETE = sorted(s.value for s in COMPLETE_STATUSES)


def _end_of(day: date) -> datetime:
    """The first moment after `day` (timestamps are compared with `<`)."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


# ---- reviews --------------------------------------------------------------------------------------


@dataclass
class StageCount:
    stage: str
    label: str
    reviews: int


@dataclass
class ClockTimeliness:
    clock: str
    rule: str
    met_on_time: int
    met_late: int
    running_on_time: int
    running_overdue: int

    @property
    def on_time(self) -> int:
        return self.met_on_time + self.running_on_time

    @property
    def overdue(self) -> int:
        return self.met_late + self.running_overdue


@dataclass
class OverdueClock:
    review: str
    title: str
    clock: str
    due_on: date
    days_overdue: int


@dataclass
class ReviewFigures:
    notified_in_period: int
    published_in_period: int
    in_progress: int
    by_stage: list[StageCount]
    clocks: list[ClockTimeliness]
    overdue_clocks: list[OverdueClock]


def _completed_on() -> Subquery:
    """A serious case review's completion: the day its final report was received (moved to the final stage)."""
    return Subquery(
        StageChange.objects.filter(review_id=OuterRef("review_id"), action=ReviewAction.FINALISED)
        .annotate(day=TruncDate("at"))
        .order_by("-at", "-id")
        .values("day")[:1]
    )


def _clocks() -> tuple[tuple[str, str, QuerySet[Any], str, str, str], ...]:
    """label, rule, rows, started, due, met (the rapid review's rule as RAPID_REVIEW_CLOCK_FROM sets it). A serious
    case review's 6 months are for completing it (Working Together 2015, chapter 4), not publishing it."""
    rapid_rule = review_clocks.rapid_review_rule(review_clocks.rapid_review_clock_from())
    practice = PracticeReview.objects.all()
    return (
        ("Notification to the national panel", "5 working days from becoming aware", Notification.objects.all(),
         "aware_on", "due_on", "sent_to_panel_on"),
        ("Rapid review", rapid_rule, RapidReview.objects.all(), "opened_on", "due_on", "sent_to_panel_on"),
        ("Publication of the practice review", "6 months from the decision to hold it",
         practice.exclude(kind=ReviewKind.SCR), "decided_on", "target_publication_on", "published_on"),
        ("Completion of the serious case review", review_clocks.COMPLETION_RULE,
         practice.filter(kind=ReviewKind.SCR).annotate(completed_on=_completed_on()), "decided_on",
         "target_publication_on", "completed_on"),
    )  # fmt: skip


def _clock_figures(label: str, rule: str, rows: list[tuple[Any, ...]], as_at: date) -> tuple[ClockTimeliness, list]:
    """Each clock classified by `reviews.clocks.timeliness`, the one function the review page and the
    monitoring page use too: met by the as-at day, it keeps the answer it was met with."""
    counts = {"met_on_time": 0, "met_late": 0, "running_on_time": 0, "running_overdue": 0}
    late: list[OverdueClock] = []
    for pk, title, stage, started, due, met in rows:
        clock = review_clocks.Clock(label, started, due, met)
        state = review_clocks.timeliness(clock, as_at)
        if review_clocks.is_met(clock, as_at):
            counts["met_late" if state == Timeliness.LATE else "met_on_time"] += 1
        elif stage == Stage.CLOSED:
            continue  # a closed review's clock stops (e.g. closed at decision): neither on time nor overdue
        elif state == Timeliness.LATE:
            counts["running_overdue"] += 1
            late.append(OverdueClock(f"CR-{pk:04d}", title, label, due, (as_at - due).days))
        else:
            counts["running_on_time"] += 1
    return ClockTimeliness(label, rule, **counts), late


def review_figures(period: Period, as_at: date) -> ReviewFigures:
    as_at_end = _end_of(as_at)
    # The stage each review was in at the end of the as-at day, from its stage history (one query).
    stage_then = Subquery(
        StageChange.objects.filter(review_id=OuterRef("pk"), at__lt=as_at_end)
        .order_by("-at", "-id")
        .values("to_stage")[:1]
    )
    counts = dict(
        Review.objects.filter(created_at__lt=as_at_end)
        .annotate(stage_then=Coalesce(stage_then, F("stage")))
        .filter(stage_then__in=[s.value for s in IN_PROGRESS_STAGES])
        .values_list("stage_then")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_stage = [StageCount(s.value, s.label, counts.get(s.value, 0)) for s in IN_PROGRESS_STAGES]
    clocks: list[ClockTimeliness] = []
    overdue: list[OverdueClock] = []
    for label, rule, source, started, due, met in _clocks():
        # Clocks running at some time in the period: started by the as-at day, not met before the period.
        rows = list(
            source.filter(**{f"{started}__lte": as_at})
            .filter(Q(**{f"{met}__isnull": True}) | Q(**{f"{met}__gte": period.start}))
            .values_list("review_id", "review__title", "review__stage", started, due, met)
        )
        figures, late = _clock_figures(label, rule, rows, as_at)
        clocks.append(figures)
        overdue += late
    overdue.sort(key=lambda row: (-row.days_overdue, row.review))
    return ReviewFigures(
        notified_in_period=Review.objects.filter(created_at__gte=period.starts_at, created_at__lt=period.ends_before)
        .order_by()
        .count(),
        published_in_period=PracticeReview.objects.filter(published_on__range=(period.start, period.end)).count(),
        in_progress=sum(row.reviews for row in by_stage),
        by_stage=by_stage,
        clocks=clocks,
        overdue_clocks=overdue,
    )


# ---- action plans ---------------------------------------------------------------------------------


@dataclass
class PlanProgress:
    reference: str
    title: str
    source: str
    owner_group: str
    actions: int
    complete: int
    overdue: int

    @property
    def percent_complete(self) -> int:
        return round(100 * self.complete / self.actions) if self.actions else 0


@dataclass
class OverdueAction:
    reference: str
    plan: str
    description: str
    lead_agency: str
    lead_officer: str
    due_on: date
    days_overdue: int
    status: str
    rag: str


@dataclass
class ActionPlanFigures:
    plans: list[PlanProgress]
    actions: int
    complete: int
    overdue: int
    due_in_period: int
    completed_in_period: int
    overdue_actions: list[OverdueAction]
    overdue_by_agency: list[tuple[str, int]]

    @property
    def percent_complete(self) -> int:
        return round(100 * self.complete / self.actions) if self.actions else 0


def _complete_by(as_at: date, prefix: str = "") -> Q:
    """Complete on the as-at day: a complete status, completed by then (or with no completion date)."""
    return Q(**{f"{prefix}status__in": COMPLETE}) & (
        Q(**{f"{prefix}completed_on__isnull": True}) | Q(**{f"{prefix}completed_on__lte": as_at})
    )


def _overdue_on(as_at: date, prefix: str = "") -> Q:
    """Past its due date on the as-at day and not complete by then."""
    return Q(**{f"{prefix}due_on__lt": as_at}) & ~_complete_by(as_at, prefix)


def action_plan_figures(period: Period, as_at: date) -> ActionPlanFigures:
    as_at_end = _end_of(as_at)
    done_before = Q(actions__status__in=COMPLETE, actions__completed_on__lt=period.start)
    plans_qs = (
        ActionPlan.objects.filter(created_at__lt=as_at_end)
        .annotate(
            n_actions=Count("actions"),
            n_complete=Count("actions", filter=_complete_by(as_at, "actions__")),
            n_overdue=Count("actions", filter=_overdue_on(as_at, "actions__")),
            n_done_before=Count("actions", filter=done_before),
        )
        # A plan all of whose actions were complete before the period began is not part of it.
        .exclude(n_actions__gt=0, n_done_before=F("n_actions"))
        .order_by("created_at", "pk")
    )
    rows = list(plans_qs)
    plans = [
        PlanProgress(
            p.reference, p.title, ActionSource(p.source).label, p.owner_group, p.n_actions, p.n_complete, p.n_overdue
        )
        for p in rows
    ]
    plan_ids = [p.pk for p in rows]
    actions = Action.objects.filter(plan_id__in=plan_ids)
    totals = actions.aggregate(
        due=Count("pk", filter=Q(due_on__range=(period.start, period.end))),
        completed=Count("pk", filter=Q(status__in=COMPLETE, completed_on__range=(period.start, period.end))),
    )
    overdue_rows = (
        actions.filter(_overdue_on(as_at))
        .select_related("plan", "lead_agency", "lead_officer")
        .order_by("due_on", "plan_id", "number")
    )
    overdue_actions = [
        OverdueAction(
            a.reference,
            a.plan.title,
            a.description,
            a.lead_agency.name,
            a.lead_officer.get_full_name() or a.lead_officer.get_username(),
            a.due_on,
            (as_at - a.due_on).days,
            ActionStatus(a.status).label,
            ActionRag(a.rag).label,
        )
        for a in overdue_rows
    ]
    by_agency = (
        actions.filter(_overdue_on(as_at))
        .values_list("lead_agency__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "lead_agency__name")
    )
    return ActionPlanFigures(
        plans=plans,
        actions=sum(p.actions for p in plans),
        complete=sum(p.complete for p in plans),
        overdue=sum(p.overdue for p in plans),
        due_in_period=totals["due"],
        completed_in_period=totals["completed"],
        overdue_actions=overdue_actions,
        overdue_by_agency=[(name, n) for name, n in by_agency],
    )


# ---- escalations ----------------------------------------------------------------------------------


@dataclass
class EscalationStageRow:
    stage: str
    reached: int
    resolved_here: int
    median_working_days: float | None


@dataclass
class AgencyEscalations:
    agency: str
    raised: int
    received: int


@dataclass
class EscalationFigures:
    raised: int
    resolved: int
    closed_unresolved: int
    still_open: int
    overdue_now: int
    median_working_days_to_resolve: float | None
    by_stage: list[EscalationStageRow]
    by_agency: list[AgencyEscalations]
    by_outcome: list[tuple[str, int]]


def escalation_figures(period: Period) -> EscalationFigures:
    """The escalation report's statistics for the period (escalations raised in it), plus time to resolve."""
    escalation_period = period.for_escalations()
    report = escalation_reports.build_report(escalation_period, charts=False)
    dimensions = {d.slug: d for d in report.dimensions}
    in_period = escalation_reports.escalations_in(escalation_period)
    resolved_at_stage = dict(
        in_period.filter(status__in=RESOLVED_STATUSES).values_list("stage__number").annotate(n=Count("pk")).order_by()
    )
    stage_numbers = dict(EscalationStage.objects.values_list("number", "name"))
    by_stage = []
    reached = dict(dimensions["stage-reached"].rows)
    for stage_time in report.stage_times:
        number = int(stage_time.stage.split(":")[0].removeprefix("Stage "))
        by_stage.append(
            EscalationStageRow(
                stage=stage_time.stage,
                reached=reached.get(stage_time.stage, 0),
                resolved_here=resolved_at_stage.get(number, 0),
                median_working_days=stage_time.median_days,
            )
        )
    assert len(stage_numbers) == len(by_stage)
    raised_by = dict(dimensions["raising-agency"].rows)
    received_by = dict(dimensions["receiving-agency"].rows)
    agencies = sorted(
        set(raised_by) | set(received_by), key=lambda n: (-(raised_by.get(n, 0) + received_by.get(n, 0)), n)
    )
    taken = [
        working_days_taken(raised, finished)
        for raised, finished in in_period.filter(status__in=RESOLVED_STATUSES).values_list("raised_at", "finished_at")
        if finished is not None  # always set once resolved (a database constraint)
    ]
    outcomes = dimensions["outcome"].rows
    labels = escalation_reports.OUTCOME_LABELS
    outcome_counts = dict(outcomes)
    return EscalationFigures(
        raised=report.total,
        resolved=sum(outcome_counts.get(labels[s], 0) for s in RESOLVED_STATUSES),
        closed_unresolved=outcome_counts.get(labels[EscalationStatus.CLOSED], 0),
        still_open=report.open_count,
        overdue_now=report.overdue_now,
        median_working_days_to_resolve=float(median(taken)) if taken else None,
        by_stage=by_stage,
        by_agency=[AgencyEscalations(n, raised_by.get(n, 0), received_by.get(n, 0)) for n in agencies],
        by_outcome=list(outcomes),
    )


# ---- learning -------------------------------------------------------------------------------------


@dataclass
class LearningFigures:
    findings: int
    findings_by_theme: list[tuple[str, int]]
    escalations_flagged: int
    escalations_by_reason: list[tuple[str, int]]

    @property
    def total(self) -> int:
        return self.findings + self.escalations_flagged


NO_THEME = "No theme given"


def learning_figures(period: Period) -> LearningFigures:
    in_period = Q(findings__created_at__gte=period.starts_at, findings__created_at__lt=period.ends_before)
    themes = Theme.objects.annotate(n=Count("findings", filter=in_period)).filter(Q(is_active=True) | Q(n__gt=0))
    findings = Finding.objects.filter(created_at__gte=period.starts_at, created_at__lt=period.ends_before)
    counts = findings.aggregate(
        total=Count("pk", distinct=True), untagged=Count("pk", filter=Q(themes__isnull=True), distinct=True)
    )
    by_theme = [(t.name, t.n) for t in themes.order_by("order", "name")]
    if counts["untagged"]:
        by_theme.append((NO_THEME, counts["untagged"]))
    flagged = Q(
        escalations__flagged_for_learning=True,
        escalations__flagged_at__gte=period.starts_at,
        escalations__flagged_at__lt=period.ends_before,
    )
    reasons = EscalationReason.objects.annotate(n=Count("escalations", filter=flagged)).filter(
        Q(is_active=True) | Q(n__gt=0)
    )
    by_reason = [(r.name, r.n) for r in reasons.order_by("order", "name")]
    return LearningFigures(
        findings=counts["total"],
        findings_by_theme=by_theme,
        escalations_flagged=sum(n for _, n in by_reason),
        escalations_by_reason=by_reason,
    )


# ---- all together ---------------------------------------------------------------------------------


@dataclass
class Figures:
    period: Period
    as_at: date
    generated_at: datetime
    reviews: ReviewFigures
    action_plans: ActionPlanFigures
    escalations: EscalationFigures
    learning: LearningFigures

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values (the API's answer; see `api.dashboards_serializers`)."""
        data = asdict(self)
        data["period"] = {
            "kind": self.period.kind,
            "start": self.period.start,
            "end": self.period.end,
            "label": self.period.label,
        }
        data["reviews"]["clocks"] = [
            {**asdict(c), "on_time": c.on_time, "overdue": c.overdue} for c in self.reviews.clocks
        ]
        data["action_plans"]["percent_complete"] = self.action_plans.percent_complete
        data["action_plans"]["plans"] = [
            {**asdict(p), "percent_complete": p.percent_complete} for p in self.action_plans.plans
        ]
        data["action_plans"]["overdue_by_agency"] = [
            {"agency": a, "overdue": n} for a, n in self.action_plans.overdue_by_agency
        ]
        data["escalations"]["by_outcome"] = [{"outcome": o, "escalations": n} for o, n in self.escalations.by_outcome]
        data["learning"]["total"] = self.learning.total
        data["learning"]["findings_by_theme"] = [{"theme": t, "items": n} for t, n in self.learning.findings_by_theme]
        data["learning"]["escalations_by_reason"] = [
            {"reason": r, "items": n} for r, n in self.learning.escalations_by_reason
        ]
        return data


def build_figures(period: Period, *, today: date | None = None) -> Figures:
    today = today or timezone.localdate()
    as_at = period.as_at(today)
    return Figures(
        period=period,
        as_at=as_at,
        generated_at=timezone.now(),
        reviews=review_figures(period, as_at),
        action_plans=action_plan_figures(period, as_at),
        escalations=escalation_figures(period),
        learning=learning_figures(period),
    )


def cached_figures(period: Period, *, today: date | None = None) -> Figures:
    """The figures, kept for CACHE_SECONDS per period and day (the page says when they were counted)."""
    today = today or timezone.localdate()
    key = f"dashboards:figures:v1:{period.kind}:{period.start:%Y%m%d}:{period.end:%Y%m%d}:{today:%Y%m%d}"
    figures: Figures | None = cache.get(key)
    if figures is None:
        figures = build_figures(period, today=today)
        cache.set(key, figures, CACHE_SECONDS)
    return figures


# ---- headline figures (home panel) ----------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    overdue_actions: int
    reviews_overdue: int


def headline(today: date | None = None) -> Headline:
    """Today's overdue actions and reviews with a statutory clock running past its due date (5 queries)."""
    today = today or timezone.localdate()
    reviews: set[int] = set()
    for _, _, source, _, due, met in _clocks():
        reviews |= set(
            source.filter(**{f"{met}__isnull": True, f"{due}__lt": today})
            .exclude(review__stage=Stage.CLOSED)
            .values_list("review_id", flat=True)
        )
    return Headline(
        overdue_actions=Action.objects.filter(due_on__lt=today).exclude(status__in=COMPLETE).count(),
        reviews_overdue=len(reviews),
    )
