"""Helpers for the escalations tests."""

from __future__ import annotations

from typing import Any

from django.utils import timezone


def entry_about(actor: Any, agency: Any, child: Any, **kwargs: Any) -> Any:
    """A chronology entry recorded today by `agency` about `child` (through the chronology's service)."""
    from safeguarding.chronology.models import EventType
    from safeguarding.chronology.services import record_event

    return record_event(
        actor=actor,
        agency=agency,
        children=[child],
        event_type=EventType.objects.get(code="other"),
        **{"occurred_on": timezone.localdate(), "summary": "Seen at home.", **kwargs},
    )
