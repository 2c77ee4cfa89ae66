"""The configuration data that migrations install (event vocabulary, escalation stages and reasons,
review themes, and each later app's defaults). A transactional test (live server, browser) starts
from a flushed database, where those rows are gone; `install_default_data` puts them back.

A later app joins by shipping `safeguarding/<app>/defaults.py` with an `install_defaults()` that is
idempotent (the apps below are tried in this order; an app without the module is skipped).
"""

from __future__ import annotations

import importlib

LATER_APPS = ("plans", "assessments", "concerns", "actionplans", "audits", "learning", "publishing", "dashboards")


def install_default_data() -> None:
    from safeguarding.chronology.models import EventType
    from safeguarding.chronology.vocabulary import load_vocabulary
    from safeguarding.escalations.defaults import install_defaults
    from safeguarding.reviews.defaults import install_themes

    load_vocabulary(EventType)
    install_defaults()
    install_themes()
    for app in LATER_APPS:
        try:
            module = importlib.import_module(f"safeguarding.{app}.defaults")
        except ModuleNotFoundError as error:
            if error.name != f"safeguarding.{app}.defaults":
                raise
            continue
        module.install_defaults()
