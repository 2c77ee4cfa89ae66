"""Writing PDFs with WeasyPrint, for every app's documents.

WeasyPrint builds hundreds of thousands of short-lived objects for one document (boxes, styles, text
runs), and Python's cyclic garbage collector, triggered by those allocations, walks the whole heap
again and again while it does: about a quarter of a document's CPU time on the demo's data pack.
`render_pdf` pauses the collector for the rendering only (reference counting still frees almost
everything at once; the next collection after it finds any cycles). SVG text (the charts' labels)
is drawn a run at a time instead of a letter at a time (`core.pdf_svgtext`).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from safeguarding.core import pdf_svgtext


@contextmanager
def collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def render_pdf(html: str, *, base_url: str | None = None, **options: Any) -> bytes:
    """The PDF of `html` (`options` go to WeasyPrint's `write_pdf`, e.g. `pdf_variant`)."""
    from weasyprint import HTML

    pdf_svgtext.install()
    with collector_paused():
        return bytes(HTML(string=html, base_url=base_url).write_pdf(**options))


def load() -> None:
    """Import WeasyPrint and load its fonts (once per process; `core.warmup` calls it at start)."""
    from weasyprint.text.fonts import FontConfiguration

    FontConfiguration()
    pdf_svgtext.install()
