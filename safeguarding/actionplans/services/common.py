"""What the action plan services share: the fields they log, and the small checks they all make."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, TypeGuard

from django.utils import timezone

from safeguarding.core.access import is_active_person

if TYPE_CHECKING:
    from safeguarding.core.types import Person, Viewer

PLAN_FIELDS = ("title", "source", "review", "source_reference", "owner_group", "chair", "deputy_chair")
ACTION_FIELDS = (
    "recommendation",
    "description",
    "lead_agency",
    "lead_officer",
    "start_on",
    "due_on",
    "success_measure",
    "recheck_on",
)
STATE_FIELDS = ("status", "rag", "completed_on", "signed_off_by", "signed_off_at", "rechecked_on", "recheck_held")
# What a re-check may change on the action (logged as `actionplan.recheck_recorded`).
RECHECK_FIELDS = ("rechecked_on", "recheck_held", "due_on", "recheck_on")
# Free text about practice may name people: the log shows that it changed, not how.
MASKED = ("description", "success_measure", "narrative")


def today_of(at: datetime | None) -> date:
    """The day of a change (`at` when demo data dates it in the past)."""
    return timezone.localdate(at) if at else timezone.localdate()


def required_text(errors: dict[str, str], name: str, value: str | None, message: str) -> str:
    """`value` stripped; `message` on `name` when it is blank."""
    value = (value or "").strip()
    if not value:
        errors[name] = message
    return value


def is_person(user: Viewer | None) -> TypeGuard[Person]:
    """A person with an active account (not an agency system)."""
    return is_active_person(user) and not getattr(user, "is_system", False)
