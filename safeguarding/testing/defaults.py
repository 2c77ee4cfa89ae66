"""The configuration data that migrations install (event vocabulary, escalation stages and reasons,
review themes). A transactional test (live server, browser) starts from a flushed database, where
those rows are gone; `install_default_data` puts them back."""

from __future__ import annotations


def install_default_data() -> None:
    from safeguarding.chronology.models import EventType
    from safeguarding.chronology.vocabulary import load_vocabulary
    from safeguarding.escalations.defaults import install_defaults
    from safeguarding.reviews.defaults import install_themes

    load_vocabulary(EventType)
    install_defaults()
    install_themes()
