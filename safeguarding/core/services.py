"""Writing the activity log. Every service that changes state, and every view of a child's
record, calls `record_activity` inside its transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from safeguarding.core import context
from safeguarding.core.chain import seal_after_commit
from safeguarding.core.kernel import note_logged
from safeguarding.core.models import ActivityLog

if TYPE_CHECKING:
    from safeguarding.core.types import Person

MASK = "•••"


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of `fields`, as plain JSON values (foreign keys by id)."""
    out = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = _plain(getattr(instance, attname))
    return out


def diff(before: dict[str, Any], after: dict[str, Any], masked: Iterable[str] = ()) -> dict[str, Any]:
    """Fields that changed, as {field: [old, new]}; masked fields show that they changed, not how."""
    masked = set(masked)
    changes: dict[str, Any] = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            changes[key] = [MASK, MASK] if key in masked else [old, new]
    return changes


def created_diff(instance: models.Model, fields: Iterable[str], masked: Iterable[str] = ()) -> dict[str, Any]:
    return diff({}, snapshot(instance, fields), masked)


def actor_agency_code(actor: Person | None) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ""
    code = getattr(actor, "acting_agency_code", "")
    return code if isinstance(code, str) else ""


def record_activity(
    *,
    actor: Person | None,
    action: str,
    target: models.Model | None = None,
    child_id: int | None = None,
    changes: dict[str, Any] | None = None,
) -> ActivityLog:
    ctx = context.current()
    note_logged()
    row = ActivityLog.objects.create(
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        actor_agency_code=actor_agency_code(actor),
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        subject_child_id=child_id,
        changes=changes or {},
        via=ctx.via,
        request_id=ctx.request_id,
    )
    seal_after_commit(row.pk)  # chained into the log's hash chain once the transaction commits
    return row


def record_activities(
    *, actor: Person | None, action: str, rows: Iterable[tuple[models.Model | None, int | None]]
) -> list[ActivityLog]:
    """`record_activity` for many targets at once (a list page's views): one INSERT, not one a row.
    `rows` are (target, child id) pairs; the rows are the ones `record_activity` would write."""
    ctx = context.current()
    person = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    code = actor_agency_code(actor)
    logs = [
        ActivityLog(
            actor=person,
            actor_agency_code=code,
            action=action,
            target_type=ContentType.objects.get_for_model(target) if target is not None else None,
            target_id=str(target.pk) if target is not None else "",
            subject_child_id=child_id,
            changes={},
            via=ctx.via,
            request_id=ctx.request_id,
        )
        for target, child_id in rows
    ]
    if not logs:
        return logs
    note_logged()
    ActivityLog.objects.bulk_create(logs)
    # Both backends return the new ids; else from the first id the insert could have written.
    seal_after_commit(min((log.pk for log in logs if log.pk is not None), default=1))
    return logs
