"""Scaling history: each person's 0–10 scores over a plan's reviews, one line per person, and the
disagreement at each meeting (highest minus lowest) — shown, never averaged away.

The chart is a small SVG from `core.svgcharts` (no JavaScript, no inline styles; the same picture works
in pages and PDFs), with the data table beside it as its accessible alternative.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from safeguarding.core import svgcharts
from safeguarding.plans.enums import SCALE_MAX, SCALE_MIN
from safeguarding.plans.models import CarePlan, PlanReview


@dataclass
class Series:
    key: str
    label: str
    points: list[tuple[date, int, str]] = field(default_factory=list)  # (review date, score, reason)

    @property
    def trend(self) -> int | None:
        """Last score minus first score (positive: they think things are safer)."""
        return self.points[-1][1] - self.points[0][1] if len(self.points) > 1 else None


@dataclass(frozen=True)
class Meeting:
    review: PlanReview
    highest: int | None
    lowest: int | None

    @property
    def spread(self) -> int | None:
        return None if self.highest is None or self.lowest is None else self.highest - self.lowest


@dataclass
class ScalingHistory:
    series: list[Series]
    meetings: list[Meeting]

    @property
    def table(self) -> list[tuple[PlanReview, list[int | None]]]:
        """One row per review, one cell per person (None where they gave no score)."""
        rows = []
        for meeting in self.meetings:
            day = meeting.review.held_on
            cells: list[int | None] = []
            for s in self.series:
                found = [score for when, score, _ in s.points if when == day]
                cells.append(found[-1] if found else None)
            rows.append((meeting.review, cells))
        return rows


def history(plan: CarePlan) -> ScalingHistory:
    reviews = list(plan.reviews.prefetch_related("scores").order_by("held_on", "id"))
    series: dict[str, Series] = {}
    meetings: list[Meeting] = []
    for review in reviews:
        scores = list(review.scores.all())
        for s in scores:
            row = series.setdefault(s.person_key, Series(s.person_key, s.person_label))
            row.points.append((review.held_on, s.score, s.reason))
        values = [s.score for s in scores]
        meetings.append(Meeting(review, max(values) if values else None, min(values) if values else None))
    return ScalingHistory(list(series.values()), meetings)


def chart_svg(data: ScalingHistory) -> str:
    """A line per person over the review dates, and a grey bar at each review showing the spread."""
    table = data.table
    return svgcharts.line_chart(
        "Scaling scores at each review" if data.series else "No scaling scores yet",
        "Line chart of each person's scaling scores at each review. The tables below give the same figures.",
        [f"{review.held_on:%-d %b %Y}" for review, _ in table],
        [(s.label, [cells[index] for _, cells in table]) for index, s in enumerate(data.series)],
        scale=list(range(SCALE_MIN, SCALE_MAX + 1)),
        axis_label="Score (10 is safe to close)",
        ranges=[
            (m.lowest, m.highest) if m.spread and m.lowest is not None and m.highest is not None else None
            for m in data.meetings
        ],
    )


def data_uri(svg: str) -> str:
    return svgcharts.data_uri(svg)
