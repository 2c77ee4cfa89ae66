"""`events_changed`: sent once a transaction that added or corrected chronology entries commits.

Receivers get `child_ids` (the children whose current entries changed). The chronology app imports
no app that listens (the concerns app connects its receiver in its AppConfig.ready()).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.dispatch import Signal

events_changed = Signal()


def send_events_changed(sender: Any, child_ids: Iterable[int]) -> None:
    """Send `events_changed` after the current transaction commits (nothing for a rollback)."""
    ids = sorted({int(pk) for pk in child_ids})
    if ids:
        transaction.on_commit(lambda: events_changed.send(sender=sender, child_ids=ids))
