"""Charts for the dashboard and the yearly report data pack: matplotlib SVG, no JavaScript, the same
picture in the page (as an image) and in the PDF.

Each SVG carries a <title> and a <desc> (and role="img"), but the data table printed beside it is the
source of truth: the chart only draws the table's figures. Built on a Figure (not pyplot), so it is
safe in threads. Rendering is the slow part of the page, so a chart is kept per distinct input
(the same figures always draw the same picture, so processes never disagree).
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Sequence
from functools import lru_cache
from html import escape

BLUE = "#1d70b8"
ORANGE = "#f47738"
COLOURS = (BLUE, ORANGE, "#00703c", "#d4351c", "#505a5f")
MAX_LABEL = 40


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


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
    return _bar_chart(
        title, desc, tuple(labels), tuple((name, tuple(values)) for name, values in series), unit, maximum
    )


@lru_cache(maxsize=256)
def _bar_chart(
    title: str,
    desc: str,
    labels: tuple[str, ...],
    series: tuple[tuple[str, tuple[float, ...]], ...],
    unit: str,
    maximum: float | None,
) -> str:
    from matplotlib import rc_context
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    shown = [_short(label) for label in labels] or ["None in this period"]
    series = series if labels else ((series[0][0] if series else unit, (0,)),)
    count = max(len(series), 1)
    height = 0.8 / count
    figure = Figure(figsize=(6.4, max(0.35 * len(shown) * count + 1.2, 1.8)))
    axes = figure.add_subplot()
    for index, (name, values) in enumerate(series):
        positions = [row + (index - (count - 1) / 2) * height for row in range(len(shown))]
        axes.barh(positions, list(values), height=height, color=COLOURS[index % len(COLOURS)], label=name)
        for position, value in zip(positions, values, strict=True):
            text = f" {value:g}" if isinstance(value, (int, float)) else f" {value}"
            axes.text(value, position, text, va="center", fontsize=8)
    axes.set_yticks(list(range(len(shown))), labels=shown)
    axes.invert_yaxis()
    axes.set_title(title, loc="left", fontsize=11)
    axes.set_xlabel(unit)
    if maximum is not None:
        axes.set_xlim(0, maximum * 1.08)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)
    if count > 1:
        axes.legend(loc="lower right", fontsize=8, frameon=False)
    figure.tight_layout()
    buffer = io.StringIO()
    # Text stays text (not outlines): smaller, selectable, and searchable in the PDF.
    with rc_context({"svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return _accessible(buffer.getvalue(), title, desc)


def _accessible(svg: str, title: str, desc: str) -> str:
    """Give the root <svg> role="img", and a <title> and <desc> as its first children."""
    svg = re.sub(r"<svg\b", '<svg role="img" aria-labelledby="chart-title chart-desc"', svg, count=1)
    opening = re.search(r"<svg\b[^>]*>", svg)
    assert opening is not None  # matplotlib always writes one
    heading = f'<title id="chart-title">{escape(title)}</title><desc id="chart-desc">{escape(desc)}</desc>'
    return svg[: opening.end()] + heading + svg[opening.end() :]


def data_uri(svg: str) -> str:
    """The SVG as an image address: shown with <img> it needs no inline style or script (strict CSP)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
