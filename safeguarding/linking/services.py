"""State changes for linking: queueing possible matches, a data steward's decisions, merging two
child records and undoing a merge. Each decision takes a keyword-only `actor`, checks the rule,
writes and logs in one transaction.

A merge repoints every row that refers to the merged record (entries, references, involvements,
plans, alerts, grants… whatever app holds them: found through the model registry, so a new app's
rows move too) to the record kept, and records exactly which rows moved. A row that would then
duplicate one of the kept record's (the same entry linked to both records) is removed, and kept in
full in the merge, with anything that depends on it, so that an unmerge puts every row back
exactly where it was, under its own id.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core import serializers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from safeguarding.children.models import Child
from safeguarding.core import kernel
from safeguarding.core.services import record_activity
from safeguarding.linking import permissions
from safeguarding.linking.enums import MatchStatus
from safeguarding.linking.matching import PendingPair, current_model
from safeguarding.linking.models import ChildMerge, PossibleMatch

if TYPE_CHECKING:
    from safeguarding.core.types import Person

# Identifying fields a merge may fill in on the kept record from the merged one (restored on unmerge):
# the person's, then what the Children in Need census holds (docs/cin-census.md).
IDENTITY_FIELDS = (
    "first_name",
    "last_name",
    "other_names",
    "date_of_birth",
    "sex",
    "nhs_number",
    "la_child_id",
    "upn",
    "former_upn",
    "upn_unknown",
    "ethnicity",
    "disabilities",
    "expected_date_of_birth",
    "is_verified",
)
# Identifiers that are unique when present: each moves to the kept record, and two records that hold
# different ones are two children.
UNIQUE_IDENTIFIERS = {"nhs_number": "NHS numbers", "la_child_id": "LA child IDs", "upn": "UPNs"}
DATE_FIELDS = ("date_of_birth", "expected_date_of_birth")
# References to a child that a merge never repoints: the merge's own bookkeeping.
NOT_MOVED = {
    ("children", "Child", "merged_into"),
    ("linking", "ChildMerge", "kept"),
    ("linking", "ChildMerge", "merged"),
    ("linking", "PossibleMatch", "child_a"),
    ("linking", "PossibleMatch", "child_b"),
}
STALE = "Someone else decided this pair after you opened it, so nothing was changed. Check the queue again."


# ---- queueing --------------------------------------------------------------------------------


def record_possible_matches(pairs: Iterable[PendingPair], new_ids: dict[int, int], *, found_by: str) -> int:
    """Queue the pairs once their new children exist; a pair already queued or decided (a rejected
    one is remembered) is left as it is. Returns how many were queued."""
    _model, version = current_model()
    best: dict[tuple[int, int], PendingPair] = {}
    for pair in pairs:
        ids = pair.resolve(new_ids)
        if ids is None:
            continue
        key = (min(ids), max(ids))
        if key not in best or pair.score > best[key].score:
            best[key] = pair
    if not best:
        return 0
    before = PossibleMatch.objects.count()
    PossibleMatch.objects.bulk_create(
        [
            PossibleMatch(
                child_a_id=a, child_b_id=b, score=p.score, reasons=p.reasons, model_version=version, found_by=found_by
            )
            for (a, b), p in best.items()
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )
    return PossibleMatch.objects.count() - before


# ---- deciding --------------------------------------------------------------------------------


def _locked_pending(actor: Person, match: PossibleMatch, version: int | None) -> PossibleMatch:
    if not permissions.can_steward(actor):
        raise PermissionDenied("Only the partnership's data stewards decide possible matches.")
    locked = kernel.lock(PossibleMatch, match.pk)
    if locked.status != MatchStatus.PENDING or (version is not None and locked.version != version):
        raise kernel.StaleVersion(STALE)
    return locked


@kernel.service
def reject_match(*, actor: Person, match: PossibleMatch, version: int | None = None, note: str = "") -> PossibleMatch:
    """Two different children: remembered, so this pair is never suggested again."""
    match = _locked_pending(actor, match, version)
    match.status = MatchStatus.REJECTED
    match.decided_at, match.decided_by, match.note = timezone.now(), actor, (note or "").strip()
    match.version += 1
    match.save(update_fields=["status", "decided_at", "decided_by", "note", "version"])
    for child_id in match.child_ids:
        record_activity(
            actor=actor,
            action="possible_match.rejected",
            target=match,
            child_id=child_id,
            changes={"status": [MatchStatus.PENDING, MatchStatus.REJECTED]},
        )
    return match


@kernel.service
def accept_match(*, actor: Person, match: PossibleMatch, version: int | None = None, note: str = "") -> ChildMerge:
    """One child: the newer record is merged into the older one."""
    match = _locked_pending(actor, match, version)
    match.status = MatchStatus.ACCEPTED
    match.decided_at, match.decided_by, match.note = timezone.now(), actor, (note or "").strip()
    match.version += 1
    match.save(update_fields=["status", "decided_at", "decided_by", "note", "version"])
    kept, merged = Child.objects.get(pk=match.child_a_id), Child.objects.get(pk=match.child_b_id)
    return merge_children(actor=actor, kept=kept, merged=merged, possible_match=match, reason=match.note)


# ---- merging ---------------------------------------------------------------------------------


def child_references() -> list[tuple[type[models.Model], models.ForeignKey]]:
    """Every foreign key to a child in every installed app (through tables included)."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        for f in model._meta.concrete_fields:
            key = (model._meta.app_label, model.__name__, f.name)
            if isinstance(f, models.ForeignKey) and f.related_model is Child and key not in NOT_MOVED:
                found.append((model, f))
    return found


def _label(model: type[models.Model]) -> str:
    return model._meta.label


def _duplicates(model: type[models.Model], f: models.ForeignKey, rows: list[models.Model], kept: Child) -> set[Any]:
    """The ids of the rows that pointing at the kept record would make break one of the model's
    unique rules (a few queries per rule, whatever the number of rows)."""
    meta = model._meta
    rules: list[tuple[tuple[str, ...], Q | None]] = [
        (tuple(c.fields), c.condition)  # type: ignore[arg-type]
        for c in meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.fields and f.name in c.fields
    ]
    rules += [(tuple(u), None) for u in meta.unique_together if f.name in u]
    clash: set[Any] = set()
    for fields, condition in rules:
        base = model._base_manager.all()
        if condition is not None:
            base = base.filter(condition)
        others = [_attname(model, name) for name in fields if name != f.name]
        held = set(base.filter(**{f.attname: kept.pk}).values_list(*others))
        if not held:
            continue
        subject = (
            {r.pk for r in rows}
            if condition is None
            else set(base.filter(pk__in=[r.pk for r in rows]).values_list("pk", flat=True))
        )
        clash |= {r.pk for r in rows if r.pk in subject and tuple(getattr(r, name) for name in others) in held}
    return clash


def _dependents(row: models.Model) -> list[models.Model]:
    """Rows that point at `row` (to be kept with it, deepest last), found through reverse relations."""
    out: list[models.Model] = []
    for relation in row._meta.related_objects:
        if not relation.one_to_many and not relation.one_to_one:
            continue
        related = relation.related_model
        for child_row in related._base_manager.filter(**{relation.field.name: row.pk}):  # type: ignore[union-attr]
            out.append(child_row)
            out.extend(_dependents(child_row))
    return out


def _json_value(value: Any) -> Any:
    """Exact JSON for a field value (Django's JSON serialiser cuts datetimes to milliseconds)."""
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    raise TypeError(f"Cannot keep a {type(value).__name__} in a merge record.")


def _dump(rows: list[models.Model]) -> list[dict[str, Any]]:
    """Rows in Django's python serialisation, as exact JSON, to be deserialised on unmerge."""
    return json.loads(json.dumps(serializers.serialize("python", rows), default=_json_value))


def _attname(model: type[models.Model], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "attname", name))


def _snapshot(child: Child) -> dict[str, Any]:
    return {name: getattr(child, _attname(Child, name)) for name in IDENTITY_FIELDS}


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}


@kernel.service
def merge_children(
    *, actor: Person, kept: Child, merged: Child, possible_match: PossibleMatch | None = None, reason: str = ""
) -> ChildMerge:
    if not permissions.can_steward(actor):
        raise PermissionDenied("Only the partnership's data stewards merge child records.")
    locked = {c.pk: c for c in Child.all_records.select_for_update().filter(pk__in=[kept.pk, merged.pk]).order_by("pk")}
    kept, merged = locked[kept.pk], locked[merged.pk]
    if kept.pk == merged.pk or kept.merged_into_id or merged.merged_into_id:
        raise ValidationError("One of these records has already been merged. Check the queue again.")
    for name, plural in UNIQUE_IDENTIFIERS.items():
        ours, theirs = getattr(kept, name), getattr(merged, name)
        if ours and theirs and ours != theirs:
            raise ValidationError(f"These records have different {plural}, so they are two children. Keep them apart.")
    kept_before, merged_before = _snapshot(kept), _snapshot(merged)
    moved: dict[str, dict[str, list[Any]]] = {}
    removed: list[list[dict[str, Any]]] = []
    for model, f in child_references():
        rows = list(model._base_manager.filter(**{f.attname: merged.pk}).order_by("pk"))
        duplicates = _duplicates(model, f, rows, kept) if rows else set()
        clash = [r for r in rows if r.pk in duplicates]
        for row in clash:
            doomed = [row, *_dependents(row)]
            removed.append(_dump(doomed))
            for item in reversed(doomed):
                type(item)._base_manager.filter(pk=item.pk).delete()
        ids = [r.pk for r in rows if r.pk not in duplicates]
        if ids:
            model._base_manager.filter(pk__in=ids).update(**{f.attname: kept.pk})
            moved.setdefault(_label(model), {})[f.attname] = ids
    # The kept record learns what only the merged one knew (an NHS number, a date of birth, a UPN).
    filled = {n: getattr(merged, n) for n in IDENTITY_FIELDS if n != "is_verified" and not getattr(kept, n)}
    filled = {n: value for n, value in filled.items() if value}  # what the merged record knew and kept did not
    merged.merged_into = kept
    for name in UNIQUE_IDENTIFIERS:
        setattr(merged, name, None)  # unique: it moves to the kept record
    merged.save(update_fields=["merged_into", *UNIQUE_IDENTIFIERS])
    for name, value in filled.items():
        setattr(kept, name, value)
    kept.is_verified = kept.is_verified or merged.is_verified
    kept.save(update_fields=[*filled, "is_verified"] if filled else ["is_verified"])
    merge = ChildMerge.objects.create(
        kept=kept,
        merged=merged,
        possible_match=possible_match,
        moved=moved,
        removed=removed,
        kept_before=_plain(kept_before),
        merged_before=_plain(merged_before),
        merged_by=actor,
        reason=(reason or "").strip(),
    )
    _supersede_pairs(merged.pk, possible_match)
    changes = {"kept": [None, kept.pk], "merged": [None, merged.pk], "rows_moved": [None, merge.moved_count()]}
    for child_id in (kept.pk, merged.pk):
        record_activity(actor=actor, action="child.merged", target=merge, child_id=child_id, changes=changes)
    _events_changed([kept.pk])
    return merge


def _supersede_pairs(child_id: int, keep: PossibleMatch | None) -> None:
    """Other pending pairs about a record that no longer stands alone are no longer needed."""
    pending = PossibleMatch.objects.pending().filter(Q(child_a_id=child_id) | Q(child_b_id=child_id))
    if keep is not None:
        pending = pending.exclude(pk=keep.pk)
    pending.update(status=MatchStatus.SUPERSEDED, decided_at=timezone.now())


@kernel.service
def unmerge_children(*, actor: Person, merge: ChildMerge, reason: str) -> ChildMerge:
    """Undo a merge: every row that moved goes back, removed rows come back under their own ids,
    and both records' identifying fields are as they were."""
    if not permissions.can_steward(actor):
        raise PermissionDenied("Only the partnership's data stewards undo merges.")
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError({"reason": "Say why the records are two children, in at least 10 characters."})
    merge = kernel.lock(ChildMerge, merge.pk)
    if merge.unmerged_at is not None:
        raise ValidationError("This merge has already been undone.")
    if ChildMerge.objects.in_force().filter(merged_id=merge.kept_id).exists():
        raise ValidationError("The record kept has since been merged into another. Undo that merge first.")
    kept = kernel.lock(Child.all_records.all(), merge.kept_id)
    merged = kernel.lock(Child.all_records.all(), merge.merged_id)
    for label, fields in merge.moved.items():
        model = apps.get_model(label)
        for attname, ids in fields.items():
            model._base_manager.filter(pk__in=ids).update(**{attname: merged.pk})
    _restore_identity(kept, merge.kept_before)
    _restore_identity(merged, merge.merged_before, merged_into=None)
    for dump in merge.removed:
        for obj in serializers.deserialize("python", dump):
            obj.save()
    merge.unmerged_at, merge.unmerged_by, merge.unmerge_reason = timezone.now(), actor, reason
    merge.save(update_fields=["unmerged_at", "unmerged_by", "unmerge_reason"])
    if merge.possible_match_id:
        PossibleMatch.objects.filter(pk=merge.possible_match_id).update(
            status=MatchStatus.REJECTED, decided_at=merge.unmerged_at, decided_by=actor, note=reason
        )
    for child_id in (kept.pk, merged.pk):
        record_activity(
            actor=actor,
            action="child.unmerged",
            target=merge,
            child_id=child_id,
            changes={"kept": [None, kept.pk], "merged": [None, merged.pk]},
        )
    _events_changed([kept.pk, merged.pk])
    return merge


def _restore_identity(child: Child, before: dict[str, Any], **extra: Any) -> None:
    values = dict(before)  # a merge recorded before a field existed holds no value for it: left as it is
    for name in DATE_FIELDS:
        if values.get(name):
            values[name] = dt.date.fromisoformat(values[name])
    # The unique identifiers: cleared on both first, then the saved values written.
    Child.all_records.filter(pk=child.pk).update(**dict.fromkeys(UNIQUE_IDENTIFIERS))
    for name, value in {**values, **extra}.items():
        setattr(child, name, value)
    child.save(update_fields=[*values, *extra])


def _events_changed(child_ids: list[int]) -> None:
    """The alerts of records whose entries changed hands are evaluated again after commit."""
    if apps.is_installed("safeguarding.chronology"):
        from safeguarding.chronology.signals import send_events_changed

        send_events_changed(Child, child_ids)
