"""A chronology as PDF (WeasyPrint) and XLSX (openpyxl): the same rows, highlights and timeline as
the page, because all three are built from one `MergedChronology` and the cells of `row_cells`.

Spreadsheet cells are neutralised against formula injection: text that a spreadsheet would run
as a formula (starting `=`, `+`, `-`, `@`, or a tab or carriage return, which some programs strip
first) is prefixed with an apostrophe, so it stays text. Agencies' free text is untrusted input.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from safeguarding.chronology.merged import ChronologyFilters, ChronologyRow, MergedChronology
from safeguarding.chronology.models import Event, EventType
from safeguarding.core.enums import Confidentiality
from safeguarding.core.pdf import render_pdf
from safeguarding.core.spreadsheets import neutralise_formula

HIGHLIGHT_NAMES = {
    "was_not_brought_run": "Was not brought, repeatedly",
    "gap": "Gap in contact",
    "repeated_nfa": "Referrals closed with no further action",
    "closed_non_engagement": "Closed for non-engagement, concerns continued",
}


def neutralise(value: Any) -> Any:
    """A value safe to put in a spreadsheet cell: formula-like text becomes plain text."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return neutralise_formula(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def type_label(event: Event) -> str:
    """The type, with the agency's own label when it was mapped to another (e.g. "Other")."""
    label = event.event_type.label
    original = (event.original_type_label or "").strip()
    if original and original.lower() != label.lower():
        return f"{label} (recorded as “{original}”)"
    return label


def category_and_value(event: Event, event_type: EventType | None = None) -> str:
    event_type = event_type or event.event_type
    parts = []
    if event.category:
        parts.append(event_type.category_label(event.category))
    if event.value is not None:
        value = f"{event.value.normalize():f}"
        parts.append(f"{event_type.value_label}: {value}" if event_type.value_label else value)
    return "; ".join(parts)


@dataclass(frozen=True)
class RowCells:
    """What every rendering shows for one row: the page, the PDF and the spreadsheet."""

    date: str
    agencies: str
    type: str
    category_value: str
    summary: str
    impact: str
    action: str
    children: str
    highlights: str
    restricted: bool
    # The reason, for an entry entered in error (kept, struck through, counted nowhere).
    entered_in_error: str = ""

    @property
    def export_summary(self) -> str:
        """The summary as a document prints it: an entry in error says so first (no strike-through there)."""
        if not self.entered_in_error:
            return self.summary
        return f"ENTERED IN ERROR ({self.entered_in_error}). {self.summary}"


def row_cells(row: ChronologyRow, child_names: dict[int, str] | None = None) -> RowCells:
    event = row.event
    names = child_names or {}
    sources = row.sources
    # Read once per row (the related-object descriptor is slow for thousands of rows).
    agencies = [e.agency for e in sources]
    child_ids = row.child_ids
    if len(child_ids) == 1:
        children = next((names[c] for c in child_ids if c in names), "")
    else:
        children = "; ".join(names[c] for c in sorted(child_ids, key=lambda c: names.get(c, "")) if c in names)
    return RowCells(
        date=event.display_date,
        agencies=agencies[0].name if len(agencies) == 1 else "; ".join(a.name for a in agencies),
        type=type_label(event),
        category_value=category_and_value(event) if event.category or event.value is not None else "",
        summary=event.summary,
        impact=event.impact,
        action=event.action_taken,
        children=children,
        highlights="; ".join(HIGHLIGHT_NAMES.get(k, k) for k in sorted(row.highlight_kinds))
        if row.highlight_kinds
        else "",
        restricted=any(e.confidentiality == Confidentiality.RESTRICTED for e in sources),
        entered_in_error=event.entered_in_error_reason if event.entered_in_error_at else "",
    )


def child_names(chronology: MergedChronology) -> dict[int, str]:
    return {c.pk: c.full_name for c in chronology.children}


def describe_filters(filters: ChronologyFilters) -> list[str]:
    """The filters in words, printed on exports so a reader knows what was left out."""
    lines = []
    if filters.agency_codes:
        lines.append("Agencies: " + ", ".join(sorted(filters.agency_codes)))
    if filters.type_codes:
        lines.append("Types: " + ", ".join(sorted(filters.type_codes)))
    if filters.tags:
        lines.append("Themes: " + ", ".join(sorted(filters.tags)))
    if filters.date_from:
        lines.append(f"From {filters.date_from:%d/%m/%Y}")
    if filters.date_to:
        lines.append(f"To {filters.date_to:%d/%m/%Y}")
    if filters.include_family:
        lines.append("Includes brothers, sisters and other children of the household")
    return lines


# --- XLSX -------------------------------------------------------------------------------------------

HEADERS = (
    "Date",
    "Date (sortable)",
    "Date precision",
    "Agency",
    "Type",
    "Category or value",
    "What happened",
    "Impact on the child",
    "Action taken",
    "Children",
    "Highlights",
    "Restricted",
)


def chronology_xlsx(chronology: MergedChronology, filters: ChronologyFilters, *, produced_by: str = "") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Chronology"
    bold = Font(bold=True)
    now = timezone.localtime()
    sheet.append([neutralise(f"Integrated chronology: {chronology.child.full_name}")])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([neutralise(f"Produced {now:%d/%m/%Y %H:%M}{f' by {produced_by}' if produced_by else ''}")])
    sheet.append([neutralise("Filters: " + ("; ".join(describe_filters(filters)) or "none"))])
    sheet.append(["OFFICIAL-SENSITIVE: shared for safeguarding purposes only."])
    sheet.append([])
    sheet.append(list(HEADERS))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = bold
    names = child_names(chronology)
    for row in chronology.rows:
        cells = row_cells(row, names)
        sheet.append(
            [
                neutralise(v)
                for v in (
                    cells.date,
                    row.event.occurred_on,
                    row.event.get_precision_display() + (" (approximate)" if row.event.approximate else ""),
                    cells.agencies,
                    cells.type,
                    cells.category_value,
                    cells.export_summary,
                    cells.impact,
                    cells.action,
                    cells.children,
                    cells.highlights,
                    "Yes" if cells.restricted else "No",
                )
            ]
        )
        sheet.cell(row=sheet.max_row, column=2).number_format = "dd/mm/yyyy"
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    for letter, width in zip("ABCDEFGHIJKL", (18, 12, 14, 28, 30, 22, 60, 40, 40, 24, 30, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    for letter in "GHI":
        for cell in sheet[letter][header_row:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    found = workbook.create_sheet("Highlights")
    found.append(["Highlight", "From", "To", "Explanation"])
    for cell in found[1]:
        cell.font = bold
    for h in chronology.highlights:
        found.append([neutralise(h.title), h.start, h.end, neutralise(h.explanation)])
        found.cell(row=found.max_row, column=2).number_format = "dd/mm/yyyy"
        found.cell(row=found.max_row, column=3).number_format = "dd/mm/yyyy"
    for letter, width in zip("ABCD", (50, 12, 12, 90), strict=True):
        found.column_dimensions[letter].width = width

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- PDF --------------------------------------------------------------------------------------------


def chronology_pdf(
    chronology: MergedChronology, filters: ChronologyFilters, *, svg: str, produced_by: str = ""
) -> bytes:
    names = child_names(chronology)
    html = render_to_string(
        "chronology/export_pdf.html",
        {
            "chronology": chronology,
            "rows": [(row, row_cells(row, names)) for row in chronology.rows],
            "show_children": len(chronology.children) > 1,
            "filters": describe_filters(filters),
            "timeline_src": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode() if svg else "",
            "produced_at": timezone.localtime(),
            "produced_by": produced_by,
        },
    )
    return render_pdf(html)


def export_filename(chronology: MergedChronology, extension: str, today: date | datetime | None = None) -> str:
    """No names in file names: they end up in download folders and e-mail subjects."""
    day = today or timezone.localdate()
    return f"chronology-child-{chronology.child.pk}-{day:%Y-%m-%d}.{extension}"
