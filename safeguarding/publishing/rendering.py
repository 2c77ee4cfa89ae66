"""Render a `ReportContent` as PDF (WeasyPrint, from an HTML template with print CSS: A4, page
numbers, the header block as a table) and as DOCX (python-docx: real headings, real tables). Both
take the same content, so they say the same."""

from __future__ import annotations

import io
from typing import Any

from django.template.loader import render_to_string

from safeguarding.publishing.content import ReportContent

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PLAN_HEADERS = ("Action", "What will be done", "Lead agency and officer", "Due", "Status (RAG)")


def render_html(content: ReportContent) -> str:
    return render_to_string("publishing/report_pdf.html", {"c": content, "plan_headers": PLAN_HEADERS})


def render_pdf(content: ReportContent) -> bytes:
    """A tagged PDF (PDF/UA-1: structure tree, language, title shown), as the family PDF of the plans app."""
    from weasyprint import HTML

    document = HTML(string=render_html(content))
    try:
        return bytes(document.write_pdf(pdf_variant="pdf/ua-1"))
    except (TypeError, ValueError):  # an older WeasyPrint without PDF/UA
        return bytes(document.write_pdf())


def _field_run(paragraph: Any, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) in `paragraph`: begin, instruction, a placeholder result, end."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind: str) -> Any:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    run = paragraph.add_run()
    run._r.append(char("begin"))
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    run._r.append(code)
    run._r.append(char("separate"))
    placeholder = OxmlElement("w:t")
    placeholder.text = "1"
    run._r.append(placeholder)
    run._r.append(char("end"))


def _page_footer(section: Any) -> None:
    """'Page X of Y' with real PAGE and NUMPAGES fields (Word fills them in)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    footer = section.footer.paragraphs[0]
    footer.text = ""
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer.add_run("Page ")
    _field_run(footer, "PAGE")
    footer.add_run(" of ")
    _field_run(footer, "NUMPAGES")


def repeat_header_row(row: Any) -> None:
    """Mark a table row as a header row that repeats at the top of each page (w:tblHeader)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _core_properties(doc: Any, content: ReportContent) -> None:
    """Title, author, subject and dates of the document, set when it is generated (never the template's)."""
    properties = doc.core_properties
    properties.title = content.title
    properties.author = content.document_author
    properties.last_modified_by = content.document_author
    properties.subject = f"Committee report {content.reference}"
    properties.keywords = "committee report; case review; action plan"
    properties.comments = content.figures_statement
    properties.created = content.figures_at
    properties.modified = content.figures_at
    properties.revision = 1


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
    _page_footer(section)
    _core_properties(doc, content)

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
    repeat_header_row(plan.rows[0])
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
