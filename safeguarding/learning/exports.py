"""The learning briefing as a one-page PDF (WeasyPrint), in the same four sections as its page.

One page is a rule, not a hope: the PDF is laid out at the normal type size and, if it runs over, at
slightly smaller sizes; a briefing that does not fit on one page even at the smallest is refused when
it is saved (`pages_needed`, asked by the briefing services), with a message to shorten it.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

# Type sizes tried in turn (points); the first that fits on one page is used.
FONT_SIZES = (9.5, 9.0, 8.5, 8.0)


def _document(briefing: Any, font_size: float) -> Any:
    from weasyprint import HTML

    html = render_to_string(
        "learning/briefing_pdf.html",
        {"briefing": briefing, "produced_at": timezone.localtime(), "font_size": font_size},
    )
    return HTML(string=html).render()


def _fitted(briefing: Any) -> Any:
    document = None
    for size in FONT_SIZES:
        document = _document(briefing, size)
        if len(document.pages) == 1:
            return document
    return document


def pages_needed(briefing: Any) -> int:
    """How many pages the briefing takes at the smallest type size (1 when it fits)."""
    return len(_document(briefing, FONT_SIZES[-1]).pages)


def briefing_pdf(briefing: Any) -> bytes:
    pdf: bytes = _fitted(briefing).write_pdf()
    return pdf


def briefing_filename(briefing: Any) -> str:
    """No names in file names (they end up in download folders and e-mail subjects)."""
    return f"learning-briefing-{briefing.pk}.pdf"
