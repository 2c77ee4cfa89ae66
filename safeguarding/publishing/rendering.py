"""Render a `ReportContent` as PDF (WeasyPrint, from an HTML template with print CSS: A4, page
numbers, the header block as a table) and as DOCX (python-docx: real headings, real tables). Both
take the same content, so they say the same."""

from __future__ import annotations

import io

from django.template.loader import render_to_string

from safeguarding.publishing.content import ReportContent

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PLAN_HEADERS = ("Action", "What will be done", "Lead agency and officer", "Due", "Status (RAG)")


def render_html(content: ReportContent) -> str:
    return render_to_string("publishing/report_pdf.html", {"c": content, "plan_headers": PLAN_HEADERS})


def render_pdf(content: ReportContent) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=render_html(content)).write_pdf()
    return pdf


def render_docx(content: ReportContent) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    doc.styles["Normal"].font.name = "Arial"
    doc.styles["Normal"].font.size = Pt(11)
    header = section.header.paragraphs[0]
    header.text = content.access_marking
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    doc.add_heading(content.title, level=0)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in content.header:
        cells = table.add_row().cells
        cells[0].text = label
        cells[1].text = value
        for run in cells[0].paragraphs[0].runs:
            run.bold = True
    doc.add_paragraph(content.figures_statement + ". Live figures in this report were taken then.")

    for part in content.sections:
        doc.add_heading(f"{part.number} {part.title}", level=part.level)
        for block in part.blocks:
            if block.kind == "p":
                doc.add_paragraph(block.text)
            elif block.kind == "quote":
                doc.add_paragraph(block.text, style="Quote")
            elif block.kind == "verified":
                doc.add_paragraph().add_run(block.text).italic = True
            else:
                style = "List Number" if block.kind == "numbered" else "List Bullet"
                for item in block.items:
                    doc.add_paragraph(item, style=style)

    doc.add_heading("Report author", level=1)
    for line in content.author:
        doc.add_paragraph(line)

    appendix = doc.add_section()
    appendix.orientation = WD_ORIENT.LANDSCAPE
    appendix.page_width, appendix.page_height = Mm(297), Mm(210)
    doc.add_heading(content.appendix_title, level=1)
    doc.add_paragraph(
        f"{content.figures_statement}. {content.counts.total} actions: {content.counts.complete} complete, "
        f"{content.counts.overdue} overdue ({content.counts.percent_complete}% complete)."
    )
    plan = doc.add_table(rows=1, cols=len(PLAN_HEADERS))
    plan.style = "Table Grid"
    for cell, text in zip(plan.rows[0].cells, PLAN_HEADERS, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for group in content.plan_groups:
        row = plan.add_row().cells
        merged = row[0].merge(row[-1])
        merged.text = f"{group.recommendation} ({group.progress})"
        merged.paragraphs[0].runs[0].bold = True
        for action in group.rows:
            cells = plan.add_row().cells
            for cell, text in zip(
                cells, (action.reference, action.description, action.lead, action.due, action.status), strict=True
            ):
                cell.text = text
    if not content.plan_groups:
        doc.add_paragraph("The plan has no actions yet.")

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
