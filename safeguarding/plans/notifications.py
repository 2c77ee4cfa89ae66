"""Emails about care plans, sent after the change commits. They hold no personal details of any child:
only the plan reference, the objective's due date and a link; the details are behind sign-in."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse

_muted: contextvars.ContextVar[bool] = contextvars.ContextVar("plan_emails_muted", default=False)


@contextlib.contextmanager
def muted() -> Iterator[None]:
    """No emails inside this block (demo data)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def link(plan: Any) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse('plans:detail', args=[plan.pk])}"


def objective_overdue(plan: Any, objective: Any, recipients: Iterable[Any]) -> None:
    if _muted.get():
        return
    addresses = sorted(
        {
            p.email
            for p in recipients
            if p is not None and p.email and p.is_active and not getattr(p, "is_system", False)
        }
    )
    if not addresses:
        return
    subject = f"Plan {plan.reference}: an objective is past its date"
    body = (
        f"An objective in plan {plan.reference} was due on {objective.due_on:%d/%m/%Y} and is not recorded as "
        "achieved.\n\n"
        "Record progress on it, or agree a new date with the family at the next review.\n\n"
        f"Sign in to see the plan:\n{link(plan)}\n\n"
        "This email holds no personal details. Do not forward it outside your agency."
    )
    datatuple = [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in addresses]
    transaction.on_commit(lambda: send_mass_mail(datatuple, fail_silently=False))
