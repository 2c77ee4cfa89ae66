"""Small charts drawn as SVG text: bars (grouped or stacked) and lines, the same picture in pages and PDFs.

No JavaScript, no `style` attributes and no `<style>` element (the site's CSP allows neither): sizes
and colours are presentation attributes and class names. In a page the SVG is inline and the
stylesheet (`.app-chart…` in frontend/scss/application.scss) makes it fit its column; in a PDF it is
an `<img>` (`data_uri`) and keeps its own attributes. Each chart is `role="img"` named by its
`<title>` and described by its `<desc>`; the data table printed beside it is the source of truth.

A chart is a few kilobytes and is drawn in well under a millisecond, so there is nothing to cache.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape, unescape

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

# GOV.UK colours, each distinguishable from its neighbours; lines also differ by dash and marker.
COLOURS = ("#1d70b8", "#f47738", "#00703c", "#d4351c", "#4c2c92", "#505a5f", "#85994b", "#6f72af")
DASHES = ("", "6 3", "2 3", "8 3 2 3")
MARKERS = ("circle", "square", "triangle", "diamond")
WIDTH = 640
# A chart drawn for half a column (the dashboard's chart beside its table) is drawn at about the size it
# is shown, so its 15-unit labels are read at about 15 px instead of being scaled down to 9 px.
HALF_WIDTH = 440
# The PDFs' own font first, so a PDF embeds one family; in pages the stylesheet gives the page's font.
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
MAX_LABEL = 40
TEXT = "#0b0c0c"
# Type sizes in the drawing's units: a chart is often scaled down to ~70% to fit half a column.
LABEL = 15
SMALL = 14
GRID = "#b1b4b6"


def short(label: str, length: int = MAX_LABEL) -> str:
    return label if len(label) <= length else label[: length - 1] + "…"


def text_width(text: str, size: float) -> float:
    """A generous estimate of a label's width in a sans-serif font (no font metrics needed)."""
    return len(text) * size * 0.56


def nice_ticks(top: float, most: int = 6) -> list[float]:
    """Round tick values from 0 to at least `top` (whole numbers when the data are)."""
    if top <= 0:
        return [0, 1]
    raw = top / most
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(step, 1) if top >= 1 else step
    count = math.ceil(top / step - 1e-9)
    return [round(i * step, 6) for i in range(count + 1)]


def number(value: float) -> str:
    return f"{value:g}"


@dataclass
class _Svg:
    title: str
    desc: str
    height: float
    parts: list[str]
    width: int = WIDTH

    def render(self) -> str:
        key = hashlib.blake2s(f"{self.title}\n{self.desc}\n{''.join(self.parts)}".encode(), digest_size=5).hexdigest()
        ids = f"chart-{key}-title chart-{key}-desc"
        height = math.ceil(self.height)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" aria-labelledby="{ids}" '
            f'viewBox="0 0 {self.width} {height}" width="{self.width}" height="{height}" '
            f'font-family="{FONT}" font-size="13" fill="{TEXT}">'
            f'<title id="chart-{key}-title">{escape(self.title)}</title>'
            f'<desc id="chart-{key}-desc">{escape(self.desc)}</desc>' + "".join(self.parts) + "</svg>"
        )


def _text(x: float, y: float, content: str, *, anchor: str = "start", size: int = 13, extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}"{extra}>{escape(content)}</text>'


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, *, css: str = "", extra: str = "") -> str:
    klass = f' class="{css}"' if css else ""
    return (
        f'<line{klass} x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}" '
        f'stroke-width="{2 if css == "app-chart__line" else 1}"{extra}/>'
    )


def _rect(x: float, y: float, width: float, height: float, fill: str, *, css: str = "") -> str:
    klass = f' class="{css}"' if css else ""
    return f'<rect{klass} x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" fill="{fill}"/>'


def _legend(
    names: Sequence[str],
    y: float,
    *,
    lines: bool = False,
    colours: Sequence[str] = COLOURS,
    chart_width: int = WIDTH,
) -> tuple[list[str], float]:
    """Legend entries laid out in rows from the left; returns the parts and the height used."""
    parts, x, row = [], 0.0, 0
    for index, name in enumerate(names):
        label = short(name, 70)
        width = 28 + text_width(label, LABEL) + 16
        if x and x + width > chart_width:
            x, row = 0.0, row + 1
        top = y + row * 22
        colour = colours[index % len(colours)]
        if lines:
            dash = DASHES[index % len(DASHES)]
            dash_attribute = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(_line(x, top - 4, x + 22, top - 4, colour, css="app-chart__line", extra=dash_attribute))
            parts.append(_marker(MARKERS[index % len(MARKERS)], x + 11, top - 4, colour))
        else:
            parts.append(_rect(x, top - 12, 16, 12, colour))
        parts.append(_text(x + 28, top, label, size=LABEL))
        x += width
    return parts, (row + 1) * 22 if names else 0


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "square":
        return _rect(x - 4, y - 4, 8, 8, colour)
    if kind == "triangle":
        return (
            f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}" fill="{colour}"/>'
        )
    if kind == "diamond":
        points = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{colour}"/>'


def bar_chart(
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    unit: str,
    maximum: float | None = None,
    stacked: bool = False,
    empty: str = "None in this period",
    colours: Sequence[str] = COLOURS,
    width: int = WIDTH,
) -> str:
    """Horizontal bars, one group per label: one bar per series side by side, or `stacked` in one bar."""
    shown = [short(label) for label in labels]
    values = [[float(v) for v in vs] for _, vs in series]
    names = [name for name, _ in series]
    label_room = width * 7 // 16  # at most this much for the labels; a longer one is shortened to fit
    shown = [short(label, max(int((label_room - 8) / (LABEL * 0.56)), 8)) for label in shown]
    label_width = min(max((text_width(label, LABEL) for label in shown), default=80) + 8, label_room)
    per_row = 1 if stacked else max(len(series), 1)
    bar = 20 if per_row == 1 else 15
    row_height = per_row * bar + 10
    parts: list[str] = []  # the title is the <title>: the page's heading above the chart shows it
    y = 6.0
    if len(series) > 1:
        legend, used = _legend(names, y + 12, colours=colours, chart_width=width)
        parts += legend
        y += used + 4
    top = y
    plot_left, plot_right = label_width + 6, width - 48
    totals = [sum(column) for column in zip(*values, strict=True)] if stacked and values else []
    largest = max(totals or [v for vs in values for v in vs] or [0])
    ticks = nice_ticks(max(largest, maximum or 0))
    scale = (plot_right - plot_left) / (ticks[-1] or 1)
    plot_height = max(len(shown), 1) * row_height
    for tick in ticks:
        x = plot_left + tick * scale
        parts.append(_line(x, top, x, top + plot_height, GRID, css="app-chart__grid"))
        parts.append(_text(x, top + plot_height + 18, number(tick), anchor="middle", size=LABEL))
    if not shown:
        parts.append(_text(plot_left + 8, top + row_height / 2 + 4, empty, size=LABEL))
    for row, label in enumerate(shown):
        row_top = top + row * row_height + 5
        parts.append(_text(label_width, row_top + per_row * bar / 2 + 4, label, anchor="end", size=LABEL))
        left = plot_left
        for index, vs in enumerate(values):
            value = vs[row] if row < len(vs) else 0.0
            bar_top = row_top if stacked else row_top + index * bar
            length = value * scale
            x = left if stacked else plot_left
            if length > 0:
                parts.append(_rect(x, bar_top, length, bar - 1, colours[index % len(colours)], css="app-chart__bar"))
            if stacked:
                left += length
            else:
                parts.append(_text(x + length + 4, bar_top + bar / 2 + 3, number(value), size=SMALL))
        if stacked:
            parts.append(_text(left + 4, row_top + bar / 2 + 4, number(totals[row]) if totals else "0", size=SMALL))
    parts.append(_line(plot_left, top, plot_left, top + plot_height, TEXT))
    parts.append(_text((plot_left + plot_right) / 2, top + plot_height + 38, unit, anchor="middle", size=LABEL))
    return _Svg(title, desc, top + plot_height + 46, parts, width).render()


def line_chart(
    title: str,
    desc: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    scale: Sequence[int],
    axis_label: str,
    lowest_at_top: bool = False,
    ranges: Sequence[tuple[float, float] | None] = (),
) -> str:
    """A line per series across the categories (units of an assessment, dates of reviews), each with its
    own colour, dash and marker, so it reads without colour. `ranges`: a grey bar per category (spread)."""
    shown = [short(label, 24) for label in categories]
    values = sorted(scale) or [0, 1]
    low, high = values[0] - 0.5, values[-1] + 0.5
    parts: list[str] = []  # the title is the <title>: the page's heading above the chart shows it
    top, plot_height = 10.0, 30.0 * len(values) + 10
    plot_left, plot_right = 56.0, WIDTH - 16.0
    step = (plot_right - plot_left) / max(len(shown), 1)

    def y_of(value: float) -> float:
        share = (value - low) / (high - low)
        return top + (share if lowest_at_top else 1 - share) * plot_height

    def x_of(index: int) -> float:
        return plot_left + step * (index + 0.5)

    for value in values:
        y = y_of(value)
        parts.append(_line(plot_left, y, plot_right, y, "#dddddd", css="app-chart__grid"))
        parts.append(_text(plot_left - 8, y + 5, number(value), anchor="end", size=LABEL))
    middle = top + plot_height / 2
    parts.append(
        _text(16, middle, axis_label, anchor="middle", size=LABEL, extra=f' transform="rotate(-90 16 {middle:.1f})"')
    )
    for index, spread in enumerate(ranges):
        if spread is not None and spread[0] != spread[1]:
            y1, y2 = sorted((y_of(spread[0]), y_of(spread[1])))
            parts.append(_rect(x_of(index) - 4, y1, 8, y2 - y1, GRID))
    for index, (_, points) in enumerate(series):
        colour, dash = COLOURS[index % len(COLOURS)], DASHES[index % len(DASHES)]
        coordinates = [(x_of(i), y_of(v)) for i, v in enumerate(points) if v is not None]
        if len(coordinates) > 1:
            dash_attribute = f' stroke-dasharray="{dash}"' if dash else ""
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates)
            parts.append(
                f'<polyline class="app-chart__line" points="{path}" fill="none" stroke="{colour}" '
                f'stroke-width="2"{dash_attribute}/>'
            )
        parts += [_marker(MARKERS[index % len(MARKERS)], x, y, colour) for x, y in coordinates]
    bottom = top + plot_height
    parts.append(_line(plot_left, bottom, plot_right, bottom, TEXT))
    longest = max((text_width(label, SMALL) for label in shown), default=0)
    rotate = longest > step - 6
    for index, label in enumerate(shown):
        x = x_of(index)
        if rotate:
            extra = f' transform="rotate(-35 {x:.1f} {bottom + 18:.1f})"'
            parts.append(_text(x, bottom + 18, label, anchor="end", size=SMALL, extra=extra))
        else:
            parts.append(_text(x, bottom + 20, label, anchor="middle", size=SMALL))
    label_room = (longest * 0.6 + 24) if rotate else 28
    legend, used = _legend([name for name, _ in series], bottom + label_room + 16, lines=True)
    parts += legend
    return _Svg(title, desc, bottom + label_room + used + 8, parts).render()


def data_uri(svg: str) -> str:
    """The SVG as an image address (for PDFs): an `<img>` needs no inline style or script."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _element_text(svg: str, tag: str) -> str:
    """The text of the chart's `<title>` or `<desc>` (this module escapes it), as plain text."""
    found = re.search(rf"<{tag}[^>]*>(.*?)</{tag}>", svg, re.S)
    return unescape(found.group(1)) if found else ""


def html(svg: str, *, as_image: bool = False) -> SafeString:
    """The chart for a template: the SVG inline (built here with every text escaped), or, for a PDF,
    an `<img class="app-chart">` whose alt text is the chart's <desc>."""
    if not svg:
        return mark_safe("")
    if not as_image:
        # In a region that scrolls sideways on a narrow screen, where the chart keeps its drawn size
        # (application.scss, `.app-chart-scroll`); focusable, so a keyboard can scroll it.
        title = _element_text(svg, "title")
        return format_html(
            '<div class="app-chart-scroll" role="region" aria-label="{}" tabindex="0">{}</div>',
            f"Chart: {title}" if title else "Chart",
            mark_safe(svg),  # noqa: S308 — built by this module, every text escaped
        )
    return format_html('<img class="app-chart" src="{}" alt="{}">', data_uri(svg), _element_text(svg, "desc"))
