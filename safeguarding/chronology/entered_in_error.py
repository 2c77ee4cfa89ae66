"""Marking a chronology entry "entered in error", and reinstating it (issue 17).

An entry recorded by mistake (the wrong child, the wrong family, a test) is never deleted: it stays
in the chronology, struck through with the reason, so that whoever relied on it can see what
happened. It no longer counts: the highlights and the concern rules leave it out, and an open alert
whose evidence was only entries in error is closed by the concerns app when the children's entries
are evaluated again (`events_changed` is sent, as for a correction).

Only a case-holding member of the recording agency may do either (`permissions.can_mark_entered_in_error`),
and only on the current version. Reinstating is allowed, with a reason, because marking the wrong
entry is itself a mistake people make; both are in the activity log of every child on the entry,
the reasons masked (free text about people never goes into the log).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone

from safeguarding.chronology import permissions
from safeguarding.chronology.models import Event
from safeguarding.chronology.signals import send_events_changed
from safeguarding.core import kernel
from safeguarding.core.services import record_activity

if TYPE_CHECKING:
    from safeguarding.core.types import Person

MIN_REASON = 5
MAX_REASON = 1000
NOT_ALLOWED = "Only the agency that recorded an entry can mark it entered in error or reinstate it."
ALREADY_IN_ERROR = "This entry is already marked as entered in error. Reload the page to see who marked it."
NOT_IN_ERROR = "This entry is not marked as entered in error, so there is nothing to reinstate."
NOT_CURRENT = "This entry has been corrected. Open its latest version instead."


def _reason(reason: str, field: str = "reason") -> str:
    text = " ".join((reason or "").split())
    if len(text) < MIN_REASON:
        raise ValidationError({field: "Say why, in a few words (at least 5 letters): for example, the wrong child"})
    if len(text) > MAX_REASON:
        raise ValidationError({field: f"Keep the reason to {MAX_REASON} characters or fewer"})
    return (reason or "").strip()


def _locked(actor: Person, event: Event) -> Event:
    current = kernel.lock(Event.objects.select_related("agency"), event.pk)
    kernel.require(permissions.may_record_for_agency(actor, current.agency), NOT_ALLOWED)
    if not current.is_current:
        raise ValidationError(NOT_CURRENT)
    return current


FIELDS = ("entered_in_error_at", "entered_in_error_by", "entered_in_error_reason")


def _save(current: Event, event: Event) -> None:
    """Save the locked row, and give the caller's object the same values."""
    current.save(update_fields=list(FIELDS))
    for name in FIELDS:
        setattr(event, name, getattr(current, name))


def _log(actor: Person, event: Event, action: str, before: bool, after: bool) -> list[int]:
    child_ids = sorted(event.child_links.values_list("child_id", flat=True))
    changes = {"entered_in_error": [before, after], "entered_in_error_reason": "***"}
    for child_id in child_ids:
        record_activity(actor=actor, action=action, target=event, child_id=child_id, changes=changes)
    return child_ids


@kernel.service
def mark_entered_in_error(*, actor: Person, event: Event, reason: str) -> Event:
    """Keep the entry, struck through with `reason`; it stops counting in highlights and alerts."""
    current = _locked(actor, event)
    if current.is_entered_in_error:
        raise ValidationError(ALREADY_IN_ERROR)
    current.entered_in_error_at = timezone.now()
    current.entered_in_error_by = actor
    current.entered_in_error_reason = _reason(reason)
    _save(current, event)
    send_events_changed(Event, _log(actor, current, "event.entered_in_error", False, True))
    return current


@kernel.service
def reinstate_event(*, actor: Person, event: Event, reason: str) -> Event:
    """Undo a mark made by mistake: the entry counts again. The reason is logged (masked), not kept."""
    current = _locked(actor, event)
    if not current.is_entered_in_error:
        raise ValidationError(NOT_IN_ERROR)
    _reason(reason)
    current.entered_in_error_at = None
    current.entered_in_error_by = None
    current.entered_in_error_reason = ""
    _save(current, event)
    send_events_changed(Event, _log(actor, current, "event.reinstated", True, False))
    return current
