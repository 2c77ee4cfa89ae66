"""Emails about places on learning events, queued by the services to go after the change commits (as the
other apps do: `actionplans.services.flag_overdue_actions`). They hold no personal details: the event's
title, date and a link; the rest is behind sign-in.

A failure to send is logged, not raised: the change it reports has been committed, and the person sees
their place on the event's page and on their home page either way.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from safeguarding.core.dates import long_date

if TYPE_CHECKING:
    from safeguarding.core.types import Person

logger = logging.getLogger(__name__)

Message = tuple[str, str, str, list[str]]

FOOTER = "This email holds no personal details. Do not forward it outside your agency."


def event_link(event: Any) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse('learning:detail', args=[event.pk])}"


def _when(event: Any) -> str:
    starts = timezone.localtime(event.starts_at)
    return f"{starts:%A} {long_date(starts)} at {starts:%H:%M}"


def _send(messages: list[Message]) -> None:
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception:
        logger.exception("learning: an email about a place on a learning event could not be sent")


def _queue(user: Person | None, subject: str, body: str) -> None:
    """Send to `user` after the transaction commits (nothing if they have no email or a disabled account)."""
    if user is None or not user.email or not user.is_active or getattr(user, "is_system", False):
        return
    message: Message = (subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    transaction.on_commit(lambda: _send([message]))


def place_from_waiting_list(registration: Any) -> None:
    """A place came free and the first person on the waiting list has been given it."""
    event = registration.event
    body = (
        f"A place has come free on '{event.title}' ({_when(event)}) and, as you were first on the waiting "
        "list, it is now yours. You do not need to do anything to keep it.\n\n"
        "If you can no longer come, cancel your place so that the next person waiting can have it:\n"
        f"{event_link(event)}\n\n{FOOTER}"
    )
    _queue(registration.user, f"You have a place on {event.title}", body)


def removed_by_organiser(registration: Any, *, was_waiting: bool) -> None:
    """The organiser took the person off the event (their place, or their place on the waiting list)."""
    event = registration.event
    what = "your place on the waiting list for" if was_waiting else "your place on"
    body = (
        f"The organiser of '{event.title}' ({_when(event)}) has cancelled {what} the event.\n\n"
        "If you think this is a mistake, contact the partnership's business unit. The event's page:\n"
        f"{event_link(event)}\n\n{FOOTER}"
    )
    _queue(registration.user, f"Your registration for {event.title} is cancelled", body)
