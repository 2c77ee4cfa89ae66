"""The timeline picture above a chronology: one lane per agency, time along the x axis, a mark per
entry, highlight periods shaded.

Plain SVG built as a string on the server: no JavaScript, and only presentation attributes
(`fill`, `stroke`, `font-size`…), never `style=`, so it renders under the strict CSP, inline in a
page or inside a PDF. The chronology table is its accessible alternative; the `<title>` and
`<desc>` summarise it for people who cannot see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from safeguarding.chronology.highlights import Highlight
from safeguarding.chronology.merged import MergedChronology
from safeguarding.core.dates import long_date

WIDTH = 960
LABEL_WIDTH = 210
RIGHT_MARGIN = 20
TOP = 28
LANE_HEIGHT = 30
AXIS_HEIGHT = 34
LEGEND_HEIGHT = 26
PLOT_WIDTH = WIDTH - LABEL_WIDTH - RIGHT_MARGIN

# GOV.UK palette colours with enough contrast on white (marks) and light shades (periods).
MARK = "#1d70b8"
MARK_HIGHLIGHTED = "#d4351c"
TEXT = "#0b0c0c"
LANE_SHADE = "#f3f2f1"
GAP_SHADE = "#b1b4b6"
PERIOD_SHADE = "#ffdd00"
AXIS = "#505a5f"


@dataclass(frozen=True)
class Lane:
    agency_code: str
    agency_name: str
    marks: tuple[tuple[date, bool, bool], ...]  # (date, involved in a highlight, entered in error)


def lanes(chronology: MergedChronology) -> list[Lane]:
    """One lane per agency with an entry in the rows, in the order agencies first appear."""
    # Keyed by the agency's id (its code is unique too), so the related-object descriptor is read once
    # per agency rather than once per entry.
    agencies: dict[int, Any] = {}
    marks: dict[int, list[tuple[date, bool, bool]]] = {}
    for row in chronology.rows:
        highlighted = bool(row.highlight_kinds)
        for event in row.sources:
            found = marks.get(event.agency_id)
            if found is None:
                agencies[event.agency_id] = event.agency
                found = marks[event.agency_id] = []
            in_error = getattr(event, "entered_in_error_at", None) is not None
            found.append((event.occurred_on, highlighted and not in_error, in_error))
    return [Lane(agency.code, agency.name, tuple(marks[pk])) for pk, agency in agencies.items()]


def agency_count(chronology: MergedChronology) -> int:
    """How many lanes `lanes` draws: the agencies with an entry in the rows."""
    return len({event.agency_id for row in chronology.rows for event in row.sources})


def _span(chronology: MergedChronology) -> tuple[date, date]:
    days = [row.event.occurred_on for row in chronology.rows]
    start, end = min(days), max(days)
    if (end - start).days < 30:
        start, end = start - timedelta(days=15), end + timedelta(days=15)
    return start, end


def _ticks(start: date, end: date) -> list[tuple[date, str]]:
    """Years along the axis, or months (every one, or every third) when the span is short."""
    span_days = (end - start).days
    if span_days > 3 * 365:
        return [(date(y, 1, 1), str(y)) for y in range(start.year + 1, end.year + 1)]
    step = 1 if span_days <= 400 else 3
    ticks: list[tuple[date, str]] = []
    year, month = start.year, start.month
    while True:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        day = date(year, month, 1)
        if day > end:
            return ticks
        if (month - 1) % step == 0:
            ticks.append((day, f"{day:%b %Y}" if month == 1 or not ticks else f"{day:%b}"))


def _visible_highlights(highlights: list[Highlight], start: date, end: date) -> list[Highlight]:
    return [h for h in highlights if h.end >= start and h.start <= end]


def summary(chronology: MergedChronology, *, agencies: int | None = None) -> str:
    """One plain sentence for the picture's title (screen readers read it first). `agencies`: the
    number of lanes, when the caller has them (`agency_count` otherwise counts them)."""
    if not chronology.rows:
        return "Timeline: no entries to show."
    start, end = chronology.rows[0].event.occurred_on, chronology.rows[-1].event.occurred_on
    # The same count as the table below it: one per row. An event that several agencies recorded is one
    # row, and one mark in each of those agencies' lanes (the lanes' own counts say so).
    count = len(chronology.rows)
    if agencies is None:
        agencies = agency_count(chronology)
    return (
        f"Timeline of {count} entr{'y' if count == 1 else 'ies'} from {agencies} "
        f"agenc{'y' if agencies == 1 else 'ies'}, {long_date(start)} to {long_date(end)}."
    )


def render_timeline(chronology: MergedChronology, *, id_prefix: str = "timeline") -> str:
    """The SVG markup, or an empty string when there are no rows to draw."""
    if not chronology.rows:
        return ""
    all_lanes = lanes(chronology)
    start, end = _span(chronology)
    total_days = max((end - start).days, 1)

    places: dict[date, float] = {}  # thousands of marks fall on far fewer days

    def x(day: date) -> float:
        place = places.get(day)
        if place is None:
            clamped = min(max(day, start), end)
            place = places[day] = round(LABEL_WIDTH + PLOT_WIDTH * (clamped - start).days / total_days, 1)
        return place

    plot_height = LANE_HEIGHT * len(all_lanes)
    height = TOP + plot_height + AXIS_HEIGHT + LEGEND_HEIGHT
    shown = _visible_highlights(chronology.highlights, start, end)
    description = [_lane_description(lane) for lane in all_lanes]
    description += [f"Shaded: {h.title} ({long_date(h.start)} to {long_date(h.end)})." for h in shown]
    description.append("The table below lists the same entries.")
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'class="app-timeline__svg" role="img" aria-labelledby="{title_id} {desc_id}" '
        f'font-family="DejaVu Sans, Helvetica, Arial, sans-serif">',  # the PDF's font: one family embedded
        f'<title id="{title_id}">{escape(summary(chronology, agencies=len(all_lanes)))}</title>',
        f'<desc id="{desc_id}">{escape(" ".join(description))}</desc>',
    ]
    # Lanes, shaded alternately, with the agency's name on the left.
    for i, lane in enumerate(all_lanes):
        top = TOP + i * LANE_HEIGHT
        if i % 2 == 0:
            out.append(
                f'<rect x="{LABEL_WIDTH}" y="{top}" width="{PLOT_WIDTH}" height="{LANE_HEIGHT}" fill="{LANE_SHADE}"/>'
            )
        name = lane.agency_name if len(lane.agency_name) <= 30 else lane.agency_name[:29] + "…"
        out.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{top + LANE_HEIGHT / 2 + 4}" text-anchor="end" font-size="12" '
            f'fill="{TEXT}" class="app-timeline__lane" data-agency={quoteattr(lane.agency_code)}>{escape(name)}</text>'
        )
    # Highlight periods behind the marks: gaps grey, the other kinds yellow.
    for h in shown:
        left, right = x(h.start), x(h.end)
        out.append(
            f'<rect x="{left}" y="{TOP}" width="{max(right - left, 3)}" height="{plot_height}" '
            f'fill="{GAP_SHADE if h.kind == "gap" else PERIOD_SHADE}" fill-opacity="0.45" '
            f'class="app-timeline__period" data-kind="{escape(h.kind)}"><title>{escape(h.title)}</title></rect>'
        )
    # Axis and ticks.
    axis_y = TOP + plot_height
    out.append(f'<line x1="{LABEL_WIDTH}" y1="{axis_y}" x2="{WIDTH - RIGHT_MARGIN}" y2="{axis_y}" stroke="{AXIS}"/>')
    for day, label in _ticks(start, end):
        tx = x(day)
        out.append(f'<line x1="{tx}" y1="{TOP}" x2="{tx}" y2="{axis_y + 5}" stroke="{AXIS}" stroke-opacity="0.35"/>')
        out.append(
            f'<text x="{tx}" y="{axis_y + 18}" text-anchor="middle" font-size="11" fill="{TEXT}">{escape(label)}</text>'
        )
    # One mark per entry; entries in a highlight are red diamonds, entries in error grey circles struck
    # through (they count in no highlight), others blue circles.
    for i, lane in enumerate(all_lanes):
        cy = TOP + i * LANE_HEIGHT + LANE_HEIGHT / 2
        for day, highlighted, in_error in lane.marks:
            cx = x(day)
            if in_error:
                out.append(_in_error_mark(cx, cy))
            elif highlighted:
                out.append(
                    f'<path d="M{cx} {cy - 6}L{cx + 6} {cy}L{cx} {cy + 6}L{cx - 6} {cy}Z" fill="{MARK_HIGHLIGHTED}"/>'
                )
            else:
                out.append(f'<circle cx="{cx}" cy="{cy}" r="4.5" fill="{MARK}" fill-opacity="0.85"/>')
    out += _legend(axis_y + AXIS_HEIGHT + 8)
    out.append("</svg>")
    return "".join(out)


def _lane_description(lane: Lane) -> str:
    count = len(lane.marks)
    in_error = sum(1 for _, _, wrong in lane.marks if wrong)
    also = f" ({in_error} entered in error)" if in_error else ""
    return f"{lane.agency_name}: {count} entr{'y' if count == 1 else 'ies'}{also}."


def _in_error_mark(cx: float, cy: float) -> str:
    """A hollow grey circle struck through: an entry kept on the record but entered in error."""
    return (
        f'<g class="app-timeline__in-error"><circle cx="{cx}" cy="{cy}" r="4.5" fill="none" stroke="{AXIS}" '
        f'stroke-width="1.5"/><line x1="{cx - 6}" y1="{cy + 6}" x2="{cx + 6}" y2="{cy - 6}" stroke="{AXIS}" '
        f'stroke-width="1.5"/></g>'
    )


def _legend(ly: float) -> list[str]:
    """The key under the axis: an entry, an entry in a highlight, a highlighted period, a gap."""
    swatch = 'width="18" height="12" fill-opacity="0.45"'
    return [
        f'<circle cx="{LABEL_WIDTH + 6}" cy="{ly}" r="4.5" fill="{MARK}"/>',
        f'<text x="{LABEL_WIDTH + 16}" y="{ly + 4}" font-size="11" fill="{TEXT}">Entry</text>',
        f'<path d="M{LABEL_WIDTH + 76} {ly - 6}L{LABEL_WIDTH + 82} {ly}L{LABEL_WIDTH + 76} {ly + 6}'
        f'L{LABEL_WIDTH + 70} {ly}Z" fill="{MARK_HIGHLIGHTED}"/>',
        f'<text x="{LABEL_WIDTH + 90}" y="{ly + 4}" font-size="11" fill="{TEXT}">Entry in a highlight</text>',
        f'<rect x="{LABEL_WIDTH + 220}" y="{ly - 6}" {swatch} fill="{PERIOD_SHADE}"/>',
        f'<text x="{LABEL_WIDTH + 244}" y="{ly + 4}" font-size="11" fill="{TEXT}">Highlighted period</text>',
        f'<rect x="{LABEL_WIDTH + 380}" y="{ly - 6}" {swatch} fill="{GAP_SHADE}"/>',
        f'<text x="{LABEL_WIDTH + 404}" y="{ly + 4}" font-size="11" fill="{TEXT}">Gap in contact</text>',
        _in_error_mark(LABEL_WIDTH + 516, ly),
        f'<text x="{LABEL_WIDTH + 528}" y="{ly + 4}" font-size="11" fill="{TEXT}">Entered in error</text>',
    ]
