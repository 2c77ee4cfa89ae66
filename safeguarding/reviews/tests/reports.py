"""Report files for the publication tests, made here (synthetic text only): a Word file through
python-docx and a PDF through WeasyPrint."""

from __future__ import annotations

import io

import docx

from safeguarding.reviews import services

CLEAN_TEXT = "Child A and Child B lived with their mother. Agencies did not share what each knew."


def docx_bytes(*paragraphs: str, header: str = "", table_cell: str = "") -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table_cell:
        document.add_table(rows=1, cols=1).cell(0, 0).text = table_cell
    if header:
        document.sections[0].header.paragraphs[0].text = header
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf_bytes(text: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<html><body><p>{text}</p></body></html>").write_pdf()


def clean_report(name: str = "report.docx") -> services.Upload:
    return services.Upload(name, docx_bytes(CLEAN_TEXT))
