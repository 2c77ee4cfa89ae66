"""Scaling history: each person's 0–10 scores over a plan's reviews, one line per person, and the
disagreement at each meeting (highest minus lowest) — shown, never averaged away.

The chart is matplotlib SVG (no JavaScript; the same picture works in pages and PDFs), with the data
table beside it as its accessible alternative.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from datetime import date

from safeguarding.plans.enums import SCALE_MAX, SCALE_MIN
from safeguarding.plans.models import CarePlan, PlanReview

# Distinguishable colours (GOV.UK palette, enough contrast on white), with line styles and markers
# so lines can be told apart without colour.
COLOURS = ["#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#f47738", "#505a5f", "#912b88", "#28a197"]
STYLES = ["-", "--", "-.", ":"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]


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
    """A line per person over the review dates. Built on a Figure (not pyplot), so it is thread-safe."""
    from matplotlib.dates import DateFormatter, date2num
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.5, 4.2))
    axes = figure.add_subplot()
    for n, s in enumerate(data.series):
        axes.plot(
            [date2num(p[0]) for p in s.points],
            [p[1] for p in s.points],
            label=s.label if len(s.label) <= 40 else s.label[:39] + "…",
            color=COLOURS[n % len(COLOURS)],
            linestyle=STYLES[n % len(STYLES)],
            marker=MARKERS[n % len(MARKERS)],
            linewidth=2,
        )
    for meeting in data.meetings:
        if meeting.spread and meeting.lowest is not None and meeting.highest is not None:
            axes.vlines(
                date2num(meeting.review.held_on),
                meeting.lowest,
                meeting.highest,
                colors="#b1b4b6",
                linewidth=6,
                zorder=0,
            )
    axes.set_ylim(SCALE_MIN - 0.5, SCALE_MAX + 0.5)
    axes.set_yticks(range(SCALE_MIN, SCALE_MAX + 1))
    axes.set_ylabel("Score: 0 cannot stay at home, 10 safe enough to close", fontsize=8)
    if data.meetings:
        axes.set_xticks(sorted({date2num(m.review.held_on) for m in data.meetings}))
    axes.xaxis.set_major_formatter(DateFormatter("%d %b %Y"))
    axes.tick_params(axis="x", labelrotation=30, labelsize=8)
    axes.grid(axis="y", color="#f3f2f1")
    axes.spines[["top", "right"]].set_visible(False)
    if data.series:
        axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    else:
        axes.text(0.5, 0.5, "No scaling scores yet", transform=axes.transAxes, ha="center")
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return buffer.getvalue()


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
