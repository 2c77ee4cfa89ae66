"""The yearly report data pack: the dashboard's figures for a period as XLSX (openpyxl: a cover sheet,
then one sheet per section with the same headline figures and tables) and as PDF (WeasyPrint, the same
sections with each chart embedded as SVG beside its table).

Text cells go through `core.spreadsheets.neutralise_formula`: an agency or plan title that starts with
"=" is shown as text, never run as a formula.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from safeguarding.core.pdf import render_pdf
from safeguarding.core.spreadsheets import neutralise_formula
from safeguarding.dashboards.figures import Figures
from safeguarding.dashboards.sections import Cell, Section, build_sections

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("xlsx", "pdf")
TITLE = "Partnership yearly report data pack"


def filename(figures: Figures, fmt: str) -> str:
    return f"yearly-report-data-pack-{figures.period.slug}.{fmt}"


def _value(value: Cell) -> Any:
    if isinstance(value, str):
        return neutralise_formula(value)
    return value


def xlsx(figures: Figures) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    workbook = Workbook()
    cover = workbook.active
    assert cover is not None
    cover.title = "Cover"
    generated = timezone.localtime(figures.generated_at)
    cover_rows: list[list[Cell]] = [
        [TITLE],
        [],
        ["Period", figures.period.label],
        ["From", figures.period.start],
        ["To", figures.period.end],
        ["Open and overdue items counted on", figures.as_at],
        ["Generated at", f"{generated:%d/%m/%Y %H:%M}"],
        ["Produced by", "Safeguarding Hub. No child is named in this pack."],
    ]
    for row in cover_rows:
        cover.append([_value(v) for v in row])
    cover["A1"].font = Font(bold=True, size=14)
    cover.column_dimensions["A"].width = 36
    cover.column_dimensions["B"].width = 60
    for cells in cover.iter_rows(min_row=4, max_row=6, min_col=2, max_col=2):
        for c in cells:
            c.number_format = "DD/MM/YYYY"
    for section in build_sections(figures, with_charts=False):
        _section_sheet(workbook, section, bold)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _section_sheet(workbook: Any, section: Section, bold: Any) -> None:
    sheet = workbook.create_sheet(section.sheet)
    sheet.append([_value(section.title)])
    sheet["A1"].font = bold
    sheet.append([_value(section.intro)])
    sheet.append([])
    for label, value in section.headline:
        sheet.append([_value(label), _value(value)])
    for table in section.tables:
        sheet.append([])
        sheet.append([_value(table.caption)])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        sheet.append([_value(c) for c in table.columns])
        for c in sheet[sheet.max_row]:
            c.font = bold
        if not table.rows:
            sheet.append([_value(table.empty)])
        for row in table.rows:
            sheet.append([_value(v) for v in row])
            for c in sheet[sheet.max_row]:
                if isinstance(c.value, date):
                    c.number_format = "DD/MM/YYYY"
    sheet.column_dimensions["A"].width = 40
    for letter in "BCDEFGHI":
        sheet.column_dimensions[letter].width = 18


def pdf(figures: Figures, base_url: str = "/") -> bytes:
    html = render_to_string(
        "dashboards/pack_pdf.html",
        {"figures": figures, "sections": build_sections(figures), "title": TITLE},
    )
    return render_pdf(html, base_url=base_url)
