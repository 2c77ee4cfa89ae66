"""Comparing a child's assessments over time and between agencies: per area, a chart (matplotlib SVG,
one series per assessment) and a table of grades with each change marked in words.

Lower grades are better (1: all needs met). Units are matched by code, so assessments made with two
versions of the same template compare wherever their units agree.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from typing import Any

from safeguarding.assessments.enums import Change
from safeguarding.assessments.models import Assessment, Grade
from safeguarding.assessments.structure import Unit, by_area, grade_key, units_of

MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
COLOURS = ["#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#f47738", "#5694ca", "#85994b", "#6f72af"]


@dataclass(frozen=True)
class Cell:
    grade: int | None
    change: str  # a Change value, against the assessment in the column before
    by: int = 0  # how many grades it moved

    @property
    def change_label(self) -> str:
        if self.change == Change.BETTER:
            return f"Better by {self.by}"
        if self.change == Change.WORSE:
            return f"Worse by {self.by}"
        if self.change == Change.SAME:
            return "No change"
        return ""


@dataclass
class Row:
    unit: Unit
    cells: list[Cell]

    @property
    def title(self) -> str:
        return self.unit.title


@dataclass
class AreaComparison:
    title: str
    slug: str
    rows: list[Row] = field(default_factory=list)
    chart_svg: str = ""

    @property
    def chart_data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.chart_svg.encode()).decode()


@dataclass
class Comparison:
    assessments: list[Assessment]
    areas: list[AreaComparison]
    scale: list[tuple[int, str]]

    def column_label(self, assessment: Assessment) -> str:
        return f"{assessment.assessed_on:%d %b %Y}, {assessment.agency.name}"

    @property
    def columns(self) -> list[tuple[Assessment, str]]:
        return [(a, self.column_label(a)) for a in self.assessments]


def change_between(before: int | None, after: int | None) -> Cell:
    if after is None or before is None:
        return Cell(after, Change.NOT_COMPARABLE)
    if after < before:
        return Cell(after, Change.BETTER, before - after)
    if after > before:
        return Cell(after, Change.WORSE, after - before)
    return Cell(after, Change.SAME)


def build_comparison(assessments: list[Assessment], *, charts: bool = True) -> Comparison:
    """`assessments`: completed ones of one template code, in the order to compare (oldest first)."""
    if not assessments:
        return Comparison([], [], [])
    template = max((a.template for a in assessments), key=lambda t: t.version)
    units = units_of(template)
    grades: dict[int, dict[str, int | None]] = {a.pk: {} for a in assessments}
    for g in Grade.objects.filter(assessment__in=assessments).select_related("sub_area", "item"):
        grades[g.assessment_id][grade_key(g)] = g.grade
    areas = []
    for group in by_area(units):
        area = AreaComparison(group.area.title, group.area.code)
        for unit in group.units:
            cells, previous = [], None
            for index, a in enumerate(assessments):
                value = grades[a.pk].get(unit.key)
                cells.append(change_between(previous, value) if index else Cell(value, Change.NOT_COMPARABLE))
                previous = value
            area.rows.append(Row(unit, cells))
        areas.append(area)
    scale = list(template.scale.values_list("value", "label"))
    comparison = Comparison(assessments, areas, scale)
    if charts:
        for area in areas:
            area.chart_svg = area_chart_svg(area, comparison)
    return comparison


def _short(text: str, length: int = 22) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def area_chart_svg(area: AreaComparison, comparison: Comparison) -> str:
    """One series per assessment across the area's units; each with its own marker and line style, so
    it reads without colour. Built on a Figure (not pyplot), so it is safe in threads."""
    from matplotlib.figure import Figure

    values = [v for v, _ in comparison.scale] or [1, 5]
    labels = [_short(row.title) for row in area.rows]
    figure = Figure(figsize=(6.4, 3.2))
    axes = figure.add_subplot()
    positions = list(range(len(labels)))
    styles = ["-", "--", "-.", ":"]
    for index, (_, label) in enumerate(comparison.columns):
        ys = [row.cells[index].grade for row in area.rows]
        xs = [x for x, y in zip(positions, ys, strict=True) if y is not None]
        ys_shown = [y for y in ys if y is not None]
        axes.plot(
            xs,
            ys_shown,
            marker=MARKERS[index % len(MARKERS)],
            linestyle=styles[index % len(styles)],
            color=COLOURS[index % len(COLOURS)],
            label=_short(label, 70),
            linewidth=1.5,
            markersize=7,
        )
    axes.set_xticks(positions, labels=labels, rotation=20, ha="right", fontsize=8)
    axes.set_yticks(values)
    axes.set_ylim(max(values) + 0.5, min(values) - 0.5)  # better (lower) grades at the top
    axes.set_ylabel("Grade (1 is best)")
    axes.set_title(area.title, loc="left", fontsize=11)
    axes.grid(axis="y", color="#dddddd")
    axes.spines[["top", "right"]].set_visible(False)
    if comparison.assessments:
        axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(0.0, -0.3), frameon=False)
    buffer = io.StringIO()
    # "tight" keeps the legend below the axes inside the image.
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return buffer.getvalue()


def summary_of(assessment: Assessment) -> list[tuple[str, list[tuple[str, int | None]]]]:
    """Grades by area for one assessment (the child's record shows this for the latest one)."""
    units = units_of(assessment.template)
    values = {grade_key(g): g.grade for g in assessment.grades.select_related("sub_area", "item")}
    return [(group.area.title, [(u.title, values.get(u.key)) for u in group.units]) for group in by_area(units)]


def previous_completed(assessment: Assessment, visible: Any) -> Assessment | None:
    """The completed assessment of the same child and template code before this one, among `visible`."""
    return (
        visible.filter(
            child_id=assessment.child_id,
            template__code=assessment.template.code,
            status="completed",
            assessed_on__lte=assessment.assessed_on,
        )
        .exclude(pk=assessment.pk)
        .order_by("-assessed_on", "-id")
        .first()
    )
