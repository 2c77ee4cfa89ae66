"""The partnership's escalation log and report (domain.md §4): counts by raising and receiving agency,
reason, level of need, stage reached, outcome and overdue responses, and time taken at each stage;
a chart per dimension (a small SVG from `core.svgcharts`, inline in pages and PDFs) with its data table; CSV and PDF.

The report names no child: it is for the business unit, scrutineers and the quarterly report.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import median
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from safeguarding.core import svgcharts
from safeguarding.core.pdf import render_pdf
from safeguarding.core.spreadsheets import neutralise_formula
from safeguarding.escalations.deadlines import working_days_taken
from safeguarding.escalations.enums import OPEN_STATUSES, EscalationStatus, LevelOfNeed
from safeguarding.escalations.models import Escalation, StageVisit


@dataclass(frozen=True)
class Period:
    start: date | None = None
    end: date | None = None

    @property
    def label(self) -> str:
        if self.start and self.end:
            return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"
        if self.start:
            return f"from {self.start:%-d %B %Y}"
        if self.end:
            return f"up to {self.end:%-d %B %Y}"
        return "all time"

    def apply(self, qs: QuerySet[Escalation]) -> QuerySet[Escalation]:
        if self.start:
            qs = qs.filter(raised_at__gte=timezone.make_aware(datetime.combine(self.start, time.min)))
        if self.end:
            qs = qs.filter(raised_at__lt=timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min)))
        return qs


@dataclass
class Dimension:
    slug: str
    title: str
    rows: list[tuple[str, int]]
    chart_svg: str = ""

    @property
    def total(self) -> int:
        return sum(count for _, count in self.rows)

    @property
    def chart_data_uri(self) -> str:
        return svgcharts.data_uri(self.chart_svg)


@dataclass(frozen=True)
class StageTime:
    stage: str
    visits: int
    finished: int
    median_days: float | None
    longest_days: int | None
    overdue: int


@dataclass
class Report:
    period: Period
    total: int
    open_count: int
    overdue_now: int
    dimensions: list[Dimension] = field(default_factory=list)
    stage_times: list[StageTime] = field(default_factory=list)


OUTCOME_LABELS = {
    EscalationStatus.AWAITING_RESPONSE: "Open: awaiting a response",
    EscalationStatus.RESPONDED: "Open: responded",
    EscalationStatus.OUTCOME_AGREED: "Open: outcome recorded",
    EscalationStatus.RESOLVED: "Resolved",
    EscalationStatus.RESOLVED_BY_REFERRAL: "Resolved by referral",
    EscalationStatus.CLOSED: "Closed",
}


def escalations_in(period: Period) -> QuerySet[Escalation]:
    return period.apply(Escalation.objects.all()).select_related(
        "raising_agency", "receiving_agency", "reason", "stage"
    )


def _counted(values: list[str], order: list[str] | None = None) -> list[tuple[str, int]]:
    counts = Counter(values)
    if order is not None:
        return [(label, counts.get(label, 0)) for label in order]
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def build_report(period: Period, *, charts: bool = True) -> Report:
    """The report's figures. Each escalation and stage visit is read as a tuple of the columns counted
    (no model instances, no related objects): 137 escalations cost what 20 do, give or take the tuples
    (`bench pages --sizes small,large`)."""
    in_period = period.apply(Escalation.objects.order_by())
    rows: list[Any] = list(  # named rows: row.status, row.reason__name, …
        in_period.annotate(waiting_overdue=_AWAITING_AND_OVERDUE).values_list(
            "pk",
            "raising_agency__name",
            "receiving_agency__name",
            "reason__name",
            "raiser_level_of_need",
            "stage__number",
            "stage__name",
            "status",
            "waiting_overdue",
            named=True,
        )
    )
    visits = list(
        StageVisit.objects.filter(escalation__in=in_period.values("pk"))
        .order_by()
        .values_list("escalation_id", "stage__number", "stage__name", "started_at", "ended_at", "went_overdue")
    )
    overdue_ids = {escalation_id for escalation_id, *_, went_overdue in visits if went_overdue}
    from safeguarding.escalations.models import EscalationStage

    all_stages = [_stage_label(number, name) for number, name in EscalationStage.objects.values_list("number", "name")]
    need_labels = [label for _, label in LevelOfNeed.choices]
    need_label = dict(LevelOfNeed.choices)
    report = Report(
        period=period,
        total=len(rows),
        open_count=sum(1 for row in rows if row.status in OPEN_STATUSES),
        overdue_now=sum(1 for row in rows if row.waiting_overdue),
    )
    report.dimensions = [
        Dimension("raising-agency", "Raising agency", _counted([row.raising_agency__name for row in rows])),
        Dimension("receiving-agency", "Receiving agency", _counted([row.receiving_agency__name for row in rows])),
        Dimension("reason", "Reason", _counted([row.reason__name for row in rows])),
        Dimension(
            "level-of-need",
            "Level of need held by the raising agency",
            _counted([need_label[row.raiser_level_of_need] for row in rows], need_labels),
        ),
        Dimension(
            "stage-reached",
            "Stage reached",
            _counted([_stage_label(row.stage__number, row.stage__name) for row in rows], all_stages),
        ),
        Dimension(
            "outcome",
            "Outcome",
            _counted([OUTCOME_LABELS[EscalationStatus(row.status)] for row in rows], list(OUTCOME_LABELS.values())),
        ),
        Dimension(
            "overdue",
            "A response was overdue at some stage",
            _counted(["Yes" if row.pk in overdue_ids else "No" for row in rows], ["Yes", "No"]),
        ),
    ]
    report.stage_times = stage_times(visits, all_stages)
    if charts:
        for dimension in report.dimensions:
            dimension.chart_svg = bar_chart_svg(dimension.title, dimension.rows)
    return report


# Waiting for a response now, and that response overdue (the report's "Waiting with an overdue response now").
_AWAITING_AND_OVERDUE = ExpressionWrapper(
    Q(status=EscalationStatus.AWAITING_RESPONSE, stage_overdue_at__isnull=False), output_field=BooleanField()
)


def _stage_label(number: int, name: str) -> str:
    return f"Stage {number}: {name}"


def stage_times(
    visits: list[tuple[int, int, str, datetime, datetime | None, bool]], all_stages: list[str]
) -> list[StageTime]:
    """Per stage: visits, those ended, the median and longest working days taken, and those overdue.
    `visits` are (escalation id, stage number, stage name, started at, ended at, went overdue)."""
    by_stage: dict[str, list[tuple[datetime, datetime | None, bool]]] = defaultdict(list)
    for _, number, name, started_at, ended_at, went_overdue in visits:
        by_stage[_stage_label(number, name)].append((started_at, ended_at, went_overdue))
    out = []
    for label in all_stages:
        stage_visits = by_stage.get(label, [])
        taken = [working_days_taken(started, ended) for started, ended, _ in stage_visits if ended]
        out.append(
            StageTime(
                stage=label,
                visits=len(stage_visits),
                finished=len(taken),
                median_days=float(median(taken)) if taken else None,
                longest_days=max(taken) if taken else None,
                overdue=sum(1 for _, _, overdue in stage_visits if overdue),
            )
        )
    return out


def bar_chart_svg(title: str, rows: list[tuple[str, int]]) -> str:
    """A horizontal bar chart as SVG text (`core.svgcharts`)."""
    return svgcharts.bar_chart(
        title,
        f"Bar chart of escalations by {title.lower()}. The table gives the same figures.",
        [label for label, _ in rows],
        [("Escalations", [count for _, count in rows])],
        unit="Escalations",
        empty="No escalations",
    )


def neutralise(value: Any) -> str:
    """A CSV cell: the value as text, formula-like text made plain (`core.spreadsheets`)."""
    return neutralise_formula("" if value is None else str(value))


CSV_HEADER = [
    "Reference",
    "Raised on",
    "Raising agency",
    "Receiving agency",
    "Reason",
    "Level of need (raising agency)",
    "Level of need (receiving agency)",
    "Urgency",
    "Stage reached",
    "Outcome",
    "Overdue at some stage",
    "Working days open",
    "Flagged for learning",
]


def log_csv(period: Period) -> str:
    """The escalation log for the period as CSV: one row per escalation, no child's identity."""
    rows = list(escalations_in(period).order_by("raised_at", "pk"))
    overdue_ids = set(
        StageVisit.objects.filter(escalation__in=[e.pk for e in rows], went_overdue=True).values_list(
            "escalation_id", flat=True
        )
    )
    now = timezone.now()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for e in rows:
        writer.writerow(
            [
                neutralise(cell)
                for cell in (
                    e.reference,
                    f"{timezone.localtime(e.raised_at):%Y-%m-%d}",
                    e.raising_agency.name,
                    e.receiving_agency.name,
                    e.reason.name,
                    e.raiser_level_of_need,
                    e.receiver_level_of_need or "",
                    e.get_urgency_display(),
                    e.stage.number,
                    OUTCOME_LABELS[EscalationStatus(e.status)],
                    "Yes" if e.pk in overdue_ids else "No",
                    working_days_taken(e.raised_at, e.finished_at or now),
                    "Yes" if e.flagged_for_learning else "No",
                )
            ]
        )
    return buffer.getvalue()


def report_pdf(html: str, base_url: str) -> bytes:
    return render_pdf(html, base_url=base_url)
