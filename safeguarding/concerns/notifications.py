"""Logging new alerts and emailing the people a rule notifies, after the change commits.

Emails hold no personal details: only the rule's name, the alert number and a link behind sign-in.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse

from safeguarding.concerns.models import Alert
from safeguarding.core import context
from safeguarding.core.chain import seal_after_commit
from safeguarding.core.models import ActivityLog

_muted: contextvars.ContextVar[bool] = contextvars.ContextVar("concern_emails_muted", default=False)


@contextlib.contextmanager
def muted() -> Iterator[None]:
    """No emails inside this block (demo data, benchmarks)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def log_and_notify(raised: Sequence[Any], updated: Sequence[tuple[int, int]], *, now: datetime) -> None:
    """One activity-log row per new alert (`raised`: alerts, or `reconcile.NewAlert` rows: pk,
    rule_id, child_id, first_met_on) and per alert that gained evidence (`updated`: alert id, child
    id), the system being the actor; then the emails for new alerts once the transaction commits."""
    ctx = context.current()
    alert_type = ContentType.objects.get_for_model(Alert)
    rows = [
        ActivityLog(
            at=now,
            actor=None,
            action="alert.raised",
            target_type=alert_type,
            target_id=str(a.pk),
            subject_child_id=a.child_id,
            changes={"rule": [None, a.rule_id], "first_met_on": [None, a.first_met_on.isoformat()]},
            via=ctx.via,
            request_id=ctx.request_id,
        )
        for a in raised
    ]
    rows += [
        ActivityLog(
            at=now,
            actor=None,
            action="alert.evidence_added",
            target_type=alert_type,
            target_id=str(pk),
            subject_child_id=child_id,
            changes={},
            via=ctx.via,
            request_id=ctx.request_id,
        )
        for pk, child_id in updated
    ]
    ActivityLog.objects.bulk_create(rows, batch_size=2000)
    if rows:  # both backends return the new ids; else from the first id it could have written
        seal_after_commit(min((r.pk for r in rows if r.pk is not None), default=1))
    if raised and not _muted.get():
        ids = [a.pk for a in raised]
        transaction.on_commit(lambda: send_new_alert_emails(ids))


def link(alert: Alert) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse('concerns:detail', args=[alert.pk])}"


def send_new_alert_emails(alert_ids: Sequence[int]) -> None:
    from safeguarding.concerns.queries import recipients

    messages = []
    for alert in Alert.objects.filter(pk__in=list(alert_ids)).select_related("rule"):
        body = (
            f"A cumulative-concern rule has been met for a child you work with: {alert.rule.name}.\n\n"
            f"Sign in to see the alert, the entries that met the rule and what to do next:\n{link(alert)}\n\n"
            "This email holds no personal details. Do not forward it outside your agency."
        )
        subject = f"New alert {alert.pk}: {alert.rule.name}"
        for person in recipients(alert):
            messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [person.email]))
    if messages:
        send_mass_mail(messages, fail_silently=False)
