"""Changes made in the Django admin reach the activity log like any other change.

The admin writes a `LogEntry` for every addition, change and deletion, in the same transaction as
the change itself (its views are atomic), inline rows and many-to-many fields (groups, permissions)
included. For each one this writes an activity-log row: actor, target, which fields and which related
rows changed, and the new value of yes/no fields (so "made a superuser" or "deactivated" is plain).
Never the admin's own description of an object: that is its `str()`, which may be a person's name.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models.signals import post_save
from django.dispatch import receiver

from safeguarding.core.services import record_activity

ACTIONS = {ADDITION: "admin.added", CHANGE: "admin.changed", DELETION: "admin.deleted"}


def _parts(message: str) -> list[dict[str, Any]]:
    """The admin's structured change message, without the object descriptions."""
    try:
        parts = json.loads(message or "[]")
    except ValueError:
        return []
    out: list[dict[str, Any]] = []
    for part in parts if isinstance(parts, list) else []:
        for kind, detail in part.items():
            detail = detail if isinstance(detail, dict) else {}
            kept = {key: detail[key] for key in ("name", "fields") if key in detail}
            out.append({kind: kept})
    return out


def _flags(target: models.Model | None, parts: list[dict[str, Any]]) -> dict[str, Any]:
    """New values of the changed yes/no fields of the object itself (is_superuser, is_active…)."""
    if target is None:
        return {}
    own = [part["changed"] for part in parts if "changed" in part and "name" not in part["changed"]]
    changed = {str(name).lower() for detail in own for name in detail.get("fields", [])}
    flags: dict[str, Any] = {}
    for field in target._meta.concrete_fields:
        names = {field.name.lower(), str(field.verbose_name).lower()}
        if isinstance(field, models.BooleanField) and names & changed:
            flags[field.name] = getattr(target, field.attname)
    return flags


@receiver(post_save, sender=LogEntry, dispatch_uid="core.admin_log")
def record_admin_change(sender: type[LogEntry], instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    target = None
    if instance.action_flag != DELETION and instance.content_type_id and instance.object_id:
        try:
            target = instance.get_edited_object()
        except (ObjectDoesNotExist, AttributeError):
            target = None
    parts = _parts(instance.change_message)
    changes: dict[str, Any] = {
        "model": f"{instance.content_type.app_label}.{instance.content_type.model}" if instance.content_type else "",
        "object_id": str(instance.object_id or ""),
        "admin": parts,
    }
    flags = _flags(target, parts)
    if flags:
        changes["set"] = flags
    child_id = getattr(target, "child_id", None)
    if target is not None and target._meta.label == "children.Child":
        child_id = target.pk
    record_activity(
        actor=instance.user,
        action=ACTIONS.get(instance.action_flag, "admin.changed"),
        target=target,
        child_id=child_id if isinstance(child_id, int) else None,
        changes=changes,
    )
