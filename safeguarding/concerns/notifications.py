"""Logging new alerts and emailing the people a rule notifies, after the change commits.

Emails hold no personal details: only the rule's name, the alert number and a link behind sign-in.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mass_mail
from django.db import connection, transaction
from django.urls import reverse

from safeguarding.concerns.models import Alert
from safeguarding.core import context
from safeguarding.core.chain import canonical, seal_after_commit
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


_LOG_COLUMNS = (
    "at",
    "actor_id",
    "actor_agency_code",
    "action",
    "target_type_id",
    "target_id",
    "subject_child_id",
    "changes",
    "via",
    "request_id",
)
_LOG_BATCH = 1000


def _insert_log_rows(rows: Sequence[tuple[str, int, int, dict[str, Any]]], now: datetime) -> dict[int, str]:
    """Insert log rows (action, alert id, child id, changes), the system being the actor, with a
    multi-row `INSERT … RETURNING`; answers {log id: its canonical content} (`core.chain.canonical`,
    from the values inserted), for the sealing. A first scan writes one row per alert (tens of
    thousands): building and preparing an `ActivityLog` instance for each was a third of its time,
    and reading them back for the sealing most of the rest. The same columns and values
    `bulk_create` wrote."""
    if not rows:
        return {}
    alert_type = ContentType.objects.get_for_model(Alert)
    type_id = alert_type.pk
    ctx = context.current()
    ops = connection.ops
    at = ops.adapt_datetimefield_value(now)
    table = ops.quote_name(ActivityLog._meta.db_table)
    columns = ", ".join(ops.quote_name(c) for c in _LOG_COLUMNS)
    changes = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    one = "(" + ", ".join(changes if c == "changes" else "%s" for c in _LOG_COLUMNS) + ")"
    contents: dict[int, str] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _LOG_BATCH):
            batch = rows[start : start + _LOG_BATCH]
            params: list[Any] = []
            for action, alert_id, child_id, diff in batch:
                params += [
                    at,
                    None,
                    "",
                    action,
                    type_id,
                    str(alert_id),
                    child_id,
                    json.dumps(diff),
                    ctx.via,
                    ctx.request_id,
                ]
            # Names from the model; every value a parameter.
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(batch))} "  # noqa: S608
                "RETURNING id, action, target_id",
                params,
            )
            # Each alert is in one row of a batch (raised, or grown): its row is known by (action, alert).
            ids = {(action, target): pk for pk, action, target in cursor.fetchall()}
            for action, alert_id, child_id, diff in batch:
                pk = ids[(action, str(alert_id))]
                # As `chain.log_columns` reads the row back (the actor is the system: no user, no agency).
                row = (pk, now, None, "", action, alert_type.app_label, alert_type.model, str(alert_id), child_id)
                contents[pk] = canonical((*row, diff, ctx.via, ctx.request_id))
    return contents


def log_and_notify(raised: Sequence[Any], updated: Sequence[tuple[int, int]], *, now: datetime) -> None:
    """One activity-log row per new alert (`raised`: alerts, or `reconcile.NewAlert` rows: pk,
    rule_id, child_id, first_met_on) and per alert that gained evidence (`updated`: alert id, child
    id), the system being the actor; then the emails for new alerts once the transaction commits."""
    rows = [
        (
            "alert.raised",
            a.pk,
            a.child_id,
            {"rule": [None, a.rule_id], "first_met_on": [None, a.first_met_on.isoformat()]},
        )
        for a in raised
    ]
    rows += [("alert.evidence_added", pk, child_id, {}) for pk, child_id in updated]
    contents = _insert_log_rows(rows, now)
    if contents:
        seal_after_commit(min(contents), known=contents)
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
