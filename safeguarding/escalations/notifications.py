"""Emails about escalations, sent after the change commits, through Django's email backend.

Emails hold no personal details of any child: only the escalation reference, the stage, the
deadline and a link. The details are behind sign-in.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from safeguarding.escalations.models import Escalation

_muted: contextvars.ContextVar[bool] = contextvars.ContextVar("escalation_emails_muted", default=False)


@contextlib.contextmanager
def muted() -> Iterator[None]:
    """No emails inside this block (demo data, bulk imports)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def people_in(agency_id: int, roles: Iterable[str]) -> list[Any]:
    User = get_user_model()
    return list(
        User.objects.filter(
            is_active=True,
            is_system=False,
            memberships__agency_id=agency_id,
            memberships__agency__is_active=True,
            memberships__is_active=True,
            memberships__role__in=list(roles),
        )
        .exclude(email="")
        .distinct()
    )


def raising_side(esc: Escalation, roles: Iterable[str] | None = None) -> list[Any]:
    people = people_in(esc.raising_agency_id, roles if roles is not None else esc.stage.raising_role_list)
    return [*people, esc.raised_by]


def receiving_side(esc: Escalation, roles: Iterable[str] | None = None) -> list[Any]:
    people = people_in(esc.receiving_agency_id, roles if roles is not None else esc.stage.receiving_role_list)
    return [*people, esc.receiving_person] if esc.receiving_person_id else people


def managers_of_both_sides(esc: Escalation) -> list[Any]:
    """The next stage's people on both sides (the managers of those taking part now)."""
    following = esc.stage.next_stage()
    if following is None:
        from safeguarding.escalations.workflow import MANAGEMENT_ROLES

        return [
            *people_in(esc.raising_agency_id, MANAGEMENT_ROLES),
            *people_in(esc.receiving_agency_id, MANAGEMENT_ROLES),
        ]
    return [
        *people_in(esc.raising_agency_id, following.raising_role_list),
        *people_in(esc.receiving_agency_id, following.receiving_role_list),
    ]


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


def link(esc: Escalation) -> str:
    base = settings.SITE_URL.rstrip("/")
    return f"{base}{reverse('escalations:detail', args=[esc.pk])}"


def compose(esc: Escalation, headline: str) -> Message:
    due = timezone.localtime(esc.stage_due_at)
    body = (
        f"{headline}\n\n"
        f"Escalation: {esc.reference}\n"
        f"Stage: {esc.stage.number} – {esc.stage.name}\n"
        f"Response due by: {due:%d/%m/%Y %H:%M}\n\n"
        f"Sign in to see the escalation and what to do next:\n{link(esc)}\n\n"
        "This email holds no personal details. Do not forward it outside your agency."
    )
    return Message(f"Escalation {esc.reference}: {headline.rstrip('.')}", body)


def send(esc: Escalation, headline: str, recipients: Iterable[Any], *, exclude: Any = None) -> None:
    """Queue the email to go once the transaction commits (nothing is sent for a change that rolls back)."""
    if _muted.get():
        return
    addresses = sorted(
        {
            p.email
            for p in recipients
            if p is not None and p.email and not getattr(p, "is_system", False) and p != exclude
        }
    )
    if not addresses:
        return
    message = compose(esc, headline)
    sender = settings.DEFAULT_FROM_EMAIL
    datatuple = [(message.subject, message.body, sender, [address]) for address in addresses]
    transaction.on_commit(lambda: send_mass_mail(datatuple, fail_silently=False))
