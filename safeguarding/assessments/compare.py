"""Comparing a child's assessments over time and between agencies: per area, a chart (a small SVG from
`core.svgcharts`, one series per assessment) and a table of grades with each change marked in words.

Lower grades are better (1: all needs met). Units are matched by code, so assessments made with two
versions of the same template compare wherever their units agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from safeguarding.assessments.enums import Change
from safeguarding.assessments.models import Assessment, Grade
from safeguarding.assessments.structure import Unit, by_area, grade_key, units_of
from safeguarding.core import svgcharts


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
        return svgcharts.data_uri(self.chart_svg)


@dataclass
class Comparison:
    assessments: list[Assessment]
    areas: list[AreaComparison]
    scale: list[tuple[int, str]]

    def column_label(self, assessment: Assessment) -> str:
        return f"{assessment.assessed_on.day} {assessment.assessed_on:%b %Y}, {assessment.agency.name}"

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


def area_chart_svg(area: AreaComparison, comparison: Comparison) -> str:
    """One line per assessment across the area's units, each with its own colour, dash and marker, so
    it reads without colour; better (lower) grades at the top."""
    return svgcharts.line_chart(
        area.title,
        f"Line chart of the grades for {area.title.lower()}, one line per assessment. "
        "The table gives the same figures.",
        [row.title for row in area.rows],
        [(label, [row.cells[index].grade for row in area.rows]) for index, (_, label) in enumerate(comparison.columns)],
        scale=[v for v, _ in comparison.scale] or [1, 5],
        axis_label="Grade (1 is best)",
        lowest_at_top=True,
    )


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
