"""The audit summary: grade distribution per area and per agency (a chart each, a small SVG from
`core.svgcharts`, inline in the page and the PDF, with a data table beside it), the comparison with
the baseline, and the findings. Scrutineers may read it: it names no child (cases are "Case 1",
"Case 2"…, and only counts appear)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone

from safeguarding.audits import grading
from safeguarding.audits.models import Audit, AuditTool
from safeguarding.core import svgcharts
from safeguarding.core.pdf import render_pdf

# Best to worst: GOV.UK green, light green, orange, red; further grades of a longer scale in greys.
GRADE_COLOURS = ("#00703c", "#85994b", "#f47738", "#d4351c", "#505a5f", "#b1b4b6")


@dataclass
class Chart:
    slug: str
    title: str
    rows: list[grading.Distribution]
    codes: list[str] = field(default_factory=list)
    svg: str = ""

    @property
    def table_rows(self) -> list[tuple[str, list[int], int]]:
        """(row label, counts in scale order, total) for the data table beside the chart."""
        return [(r.label, [r.counts.get(c, 0) for c in self.codes], r.total) for r in self.rows]

    @property
    def data_uri(self) -> str:
        return svgcharts.data_uri(self.svg)


@dataclass
class Summary:
    audit: Audit
    grades: list[tuple[str, str]]
    charts: list[Chart] = field(default_factory=list)
    compare_area: list[grading.ComparisonRow] = field(default_factory=list)
    compare_agency: list[grading.ComparisonRow] = field(default_factory=list)
    cases: int = 0

    @property
    def comparisons(self) -> list[tuple[str, list[grading.ComparisonRow], str]]:
        return [
            ("Final grades by area, baseline and this audit", self.compare_area, "area"),
            ("Each agency's grades, baseline and this audit", self.compare_agency, "agency"),
        ]


def stacked_chart_svg(title: str, rows: list[grading.Distribution], tool: AuditTool) -> str:
    """Horizontal stacked bars (one per row, one colour per grade), as SVG text (`core.svgcharts`)."""
    return svgcharts.bar_chart(
        title,
        f"Stacked bar chart: {title.lower()}. The table below gives the same figures.",
        [r.label for r in rows],
        [(label, [r.counts.get(code, 0) for r in rows]) for code, label in tool.scale],
        unit="Grades",
        stacked=True,
        empty="Nothing graded",
        colours=GRADE_COLOURS,
    )


def build_summary(audit: Audit, *, charts: bool = True) -> Summary:
    tool = audit.tool
    summary = Summary(audit=audit, grades=[(c, label) for c, label in tool.scale], cases=audit.cases.count())
    summary.charts = [
        Chart("area", "Final grades by area", grading.by_area(audit), tool.grade_codes),
        Chart("agency", "Each agency's grades (before moderation)", grading.by_agency(audit), tool.grade_codes),
    ]
    if charts:
        for chart in summary.charts:
            chart.svg = stacked_chart_svg(chart.title, chart.rows, tool)
    summary.compare_area = grading.compare_by_area(audit)
    summary.compare_agency = grading.compare_by_agency(audit)
    return summary


def summary_pdf(audit: Audit, *, produced_by: str = "") -> bytes:
    html = render_to_string(
        "audits/report_pdf.html",
        {
            "summary": build_summary(audit),
            "findings": audit.findings.prefetch_related("themes", "actions"),
            "produced_at": timezone.localtime(),
            "produced_by": produced_by,
        },
    )
    return render_pdf(html)
