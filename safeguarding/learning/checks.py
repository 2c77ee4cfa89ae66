"""What every learning service shares: the refusals (the kernel's errors, and `EventFull`), the messages
pages and tests show, the check that text about a review names its children by pseudonym only, and the
locked read of an event."""

from __future__ import annotations

from collections.abc import Mapping

from safeguarding.core import kernel
from safeguarding.learning.anonymise import name_rules, real_names_in
from safeguarding.learning.models import LearningEvent
from safeguarding.reviews.models import Review

# The kernel's errors, under the names other modules import (`services.LearningError` and so on).
LearningError = kernel.ServiceError
NotAllowed = kernel.NotAllowed
StaleVersion = kernel.StaleVersion


class EventFull(kernel.ServiceError):
    """Every place is taken and the event has started, so nobody can join its waiting list."""


FULL_MESSAGE = (
    "This event is full and has started, so its waiting list is closed: every place has been taken. "
    "Ask the business unit about the next one."
)
NOT_INVITED_MESSAGE = "You are not invited to this event. Ask the business unit if you think you should be."
REAL_NAME_MESSAGE = (
    "Remove the child's real name ({names}): use the review's pseudonyms (for example 'Child A') instead."
)
ORGANISERS_ONLY = "Only the event's facilitator or the business unit can record attendance."
NOT_STARTED = "You can record attendance once the event has started."


def no_real_names(errors: dict[str, str], review: Review | None, texts: Mapping[str, str]) -> None:
    """Text about a review names its children by pseudonym only."""
    rules = name_rules(review)
    for field, text in texts.items():
        names = real_names_in(text or "", rules)
        if names and field not in errors:
            errors[field] = REAL_NAME_MESSAGE.format(names=", ".join(sorted(set(names))))


def locked_event(event: LearningEvent, version: int | None = None) -> LearningEvent:
    """The event as stored now, locked for the service's transaction (registrations, cancellations and
    promotions for one event happen one at a time); refused if it changed since `version`."""
    return kernel.lock(LearningEvent, event.pk, version=version, noun="event")
