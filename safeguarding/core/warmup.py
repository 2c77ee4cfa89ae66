"""What a web process does once, at start, before its first request (`safeguarding.wsgi` calls
`warm_up`): otherwise the first person to open a page pays for it (about 0.4 s of CPU for the URL
resolver and the bank-holiday calendar, and 1–3 s for WeasyPrint and its fonts on the first PDF).
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def warm_up() -> None:
    from django.template import engines
    from django.urls import reverse

    from safeguarding.core import calendar, pdf

    reverse("core:home")  # imports every app's URLs and views and fills the resolver's reverse lookups
    for backend in engines.all():  # the Django engine's template tag libraries
        engine = getattr(backend, "engine", None)
        if engine is not None:
            engine.template_libraries  # noqa: B018 - loads them
    try:
        calendar.current()  # the bank holidays (reads the partnership's amendments from the database)
    except Exception:  # the database may not be reachable yet: the first request loads it instead
        logger.warning("Warm-up: the working-day calendar was not loaded.", exc_info=True)
    pdf.load()
