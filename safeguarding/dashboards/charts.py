"""Charts for the dashboard and the yearly report data pack: small SVG bar charts drawn by
`core.svgcharts` (no JavaScript, no inline styles), the same picture inline in the page and in the PDF.

Each SVG is `role="img"` with a <title> and a <desc>, but the data table printed beside it is the
source of truth: the chart only draws the table's figures.
"""

from __future__ import annotations

from collections.abc import Sequence

from safeguarding.core import svgcharts

MAX_LABEL = svgcharts.MAX_LABEL


def bar_chart(
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    unit: str,
    maximum: float | None = None,
) -> str:
    """A horizontal bar chart (one bar per series for each label) as SVG text."""
    # Drawn for half a column, where the dashboard shows it beside its table (and legible in the PDF).
    return svgcharts.bar_chart(
        title,
        f"{desc} The table gives the same figures.",
        labels,
        series,
        unit=unit,
        maximum=maximum,
        width=svgcharts.HALF_WIDTH,
    )


data_uri = svgcharts.data_uri
