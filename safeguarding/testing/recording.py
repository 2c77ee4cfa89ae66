"""Tests' shortcut for setting a scene: entries recorded by agencies that already work with the
children. Recording alone never gives an agency sight of a child (sharing in is not seeing), so
the involvement is made first, as if the front door had decided it."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from safeguarding.children.models import Involvement
from safeguarding.chronology.models import Event
from safeguarding.chronology.services import record_event


def record_as_involved(**kwargs: Any) -> Event:
    agency, day = kwargs["agency"], min(kwargs["occurred_on"], timezone.localdate())
    for child in kwargs["children"]:
        if not Involvement.objects.filter(agency=agency, child=child).active_on().exists():
            Involvement.objects.create(agency=agency, child=child, start=day)
    return record_event(**kwargs)
