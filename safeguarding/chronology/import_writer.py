"""Writing a validated import in the caller's transaction, through the database's bulk path.

Rows already imported are skipped — by the agency's event reference when the file has one, else by
a content key — then children, references, involvements, events and the activity log are written
in batches (one log row per child touched, naming the batch, rather than one per event: the batch
links every event it created).
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from safeguarding.agencies.models import Agency
from safeguarding.children import sharing
from safeguarding.children.models import Child, normalise_name
from safeguarding.chronology.enums import EventSource
from safeguarding.chronology.import_rows import WRITE_BATCH, ImportResult, NewChild, Progress, Row, chunks
from safeguarding.chronology.models import ChildAgencyReference, Event, EventChild, ImportBatch
from safeguarding.chronology.signals import send_events_changed
from safeguarding.core import context, kernel
from safeguarding.core.bulk import raw_insert
from safeguarding.core.chain import seal_after_commit
from safeguarding.core.enums import Confidentiality
from safeguarding.core.models import ActivityLog
from safeguarding.core.services import actor_agency_code
from safeguarding.linking.services import record_possible_matches

if TYPE_CHECKING:
    from safeguarding.core.types import Person

# ---- writing -----------------------------------------------------------------------------------


def time_ordered_uuids(count: int) -> list[uuid.UUID]:
    """Ascending UUIDs in the version 7 layout (RFC 9562): a millisecond timestamp, then a random
    start incremented per id. New lineages land at the end of the lineage indexes instead of at
    random places, which keeps inserts of millions of rows fast on SQLite and PostgreSQL."""
    millis = int(time.time() * 1000) & ((1 << 48) - 1)
    counter = secrets.randbits(73)  # 74 bits available; the top one left clear so it cannot overflow
    ids = []
    for offset in range(count):
        value = counter + offset
        rand_a, rand_b = value >> 62, value & ((1 << 62) - 1)
        ids.append(uuid.UUID(int=(millis << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b))
    return ids


def _activity(
    action: str, target_type: ContentType, target_id: Any, child_id: int | None, changes: dict[str, Any]
) -> tuple[Any, ...]:
    """One activity-log row, for `_insert_activity` (the fields `record_activity` writes)."""
    return (action, target_type.pk, str(target_id), child_id, json.dumps(changes))


def _insert_activity(actor: Person | None, rows: list[tuple[Any, ...]]) -> None:
    """Activity-log rows through the bulk path; the running service has then written its log (or,
    with no rows, changed nothing: every row of the file was already present)."""
    if rows:
        kernel.note_logged()
    else:
        kernel.unchanged()
    ctx = context.current()
    constants = {
        "at": timezone.now(),
        "actor": actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None,
        "actor_agency_code": actor_agency_code(actor),
        "via": ctx.via,
        "request_id": ctx.request_id,
    }
    if rows:
        seal_after_commit()  # before the insert: the floor of the ids it will write
    for start in range(0, len(rows), WRITE_BATCH):
        raw_insert(
            ActivityLog,
            constants,
            ("action", "target_type", "target_id", "subject_child_id", "changes"),
            rows[start : start + WRITE_BATCH],
        )


def write_rows(
    rows: list[Row],
    new_children: list[NewChild],
    *,
    actor: Person | None,
    agency: Agency,
    batch: ImportBatch | None,
    result: ImportResult,
    progress: Progress | None = None,
    note_sharing: bool = True,
) -> None:
    """Write everything in the caller's transaction (the importer's service).

    `note_sharing=False` is for a file that records the agency's own involvement with each child (the
    census XML: its caller writes the involvements), so no sharing notice is opened for them."""
    Agency.objects.select_for_update().filter(pk=agency.pk).first()  # one import per agency at a time
    todo = rows_to_write(rows, agency, result)
    created, new_ids = _create_children(todo, new_children, result)
    _store_child_references(todo, agency)
    # Sharing in is not seeing: the file gives the agency no involvement. Children it is not
    # involved with get a notice for their lead professional (or the front door) to decide.
    shared_entries: Counter[int] = Counter(r.child_id for r in todo if r.child_id is not None)
    shared = sharing.Shared([], [])
    if note_sharing:
        shared = sharing.note_information_shared(actor=actor, agency=agency, entries=shared_entries, log=False)
    result.children_shared = len(shared.children)
    result.children_involved = len(shared_entries) - len(shared.children)
    result.possible_matches = record_possible_matches(
        result.pending_pairs, new_ids, found_by=f"import {batch.pk}" if batch else "import"
    )
    per_child = _insert_events(todo, actor=actor, agency=agency, batch=batch, result=result, progress=progress)
    _log_import(actor, agency, batch, created=created, opened=shared.opened, per_child=per_child)
    send_events_changed(Event, per_child)


def present_references(agency: Agency, references: set[str]) -> set[str]:
    """Those of the agency's event references that are already current (through the partial unique index)."""
    return _current_values(agency, "agency_reference", references)


def _current_values(agency: Agency, column: str, values: set[str]) -> set[str]:
    """Those of `values` that a current entry of the agency holds in `column` (`agency_reference` or
    `content_key`). The query repeats the column's partial unique index's conditions so that the planner
    uses that index, and asks no ORDER BY (else SQLite walks the agency/date index to avoid a sort).

    The ORM writes the statement once per chunk length and the other chunks of that length reuse it
    with their own values: preparing each of 100,000 values through the ORM's lookup took a tenth of
    a large import's time (`bench import`)."""
    present: set[str] = set()
    statements: dict[int, tuple[str, list[Any]]] = {}
    with connection.cursor() as cursor:
        for chunk in chunks(sorted(values)):
            if len(chunk) not in statements:
                query = (
                    Event.objects.current()
                    .exclude(**{column: ""})
                    .filter(agency=agency, **{f"{column}__in": chunk})
                    .order_by()
                    .values_list(column, flat=True)
                    .query
                )
                sql, params = query.sql_with_params()
                if list(params[-len(chunk) :]) != chunk:  # the IN list's values come last, in order
                    raise AssertionError("The look-up's parameters are not in the expected order.")
                statements[len(chunk)] = (sql, list(params[: -len(chunk)]))
            sql, fixed = statements[len(chunk)]
            cursor.execute(sql, [*fixed, *chunk])
            present.update(value for (value,) in cursor.fetchall())
    return present


def rows_to_write(rows: list[Row], agency: Agency, result: ImportResult) -> list[Row]:
    """Idempotence: the rows whose reference or content key is not already current for this agency."""
    present_refs = present_references(agency, {r.event_reference for r in rows if r.event_reference})
    # A row with a household reference is also looked for under the key it had before household
    # references were read, so a file imported then is not imported again now.
    keys = {r.content_key for r in rows if r.content_key} | {
        r.previous_content_key for r in rows if r.previous_content_key
    }
    present_keys = _current_values(agency, "content_key", keys)
    todo: list[Row] = []
    for row in rows:
        key = row.event_reference or row.content_key
        seen = present_refs if row.event_reference else present_keys
        if key in seen or (row.previous_content_key and row.previous_content_key in present_keys):
            result.events_already_present += 1
            continue
        seen.add(key)
        todo.append(row)
    return todo


def _create_children(
    todo: list[Row], new_children: list[NewChild], result: ImportResult
) -> tuple[list[int], dict[int, int]]:
    """New children are created only for rows that add something; each row learns its child's id."""
    needed = sorted({r.new_child for r in todo if r.new_child is not None})
    created = insert_children([new_children[i] for i in needed])
    new_ids = dict(zip(needed, created, strict=True))
    for row in todo:
        if row.new_child is not None:
            row.child_id = new_ids[row.new_child]
    result.children_created = len(created)
    return created, new_ids


def _store_child_references(todo: list[Row], agency: Agency) -> None:
    """The agency's own references for its children, those not already known."""
    known_refs = {r.child_reference for r in todo if r.child_reference}
    for chunk in chunks(known_refs):
        known_refs -= set(
            ChildAgencyReference.objects.filter(agency=agency, reference__in=chunk).values_list("reference", flat=True)
        )
    ChildAgencyReference.objects.bulk_create(
        list(
            {
                r.child_reference: ChildAgencyReference(
                    agency=agency, child_id=r.child_id or 0, reference=r.child_reference
                )
                for r in todo
                if r.child_reference in known_refs
            }.values()
        ),
        batch_size=WRITE_BATCH,
    )


# The per-row columns of an imported entry, in the order `_event_values` gives them.
EVENT_COLUMNS = (
    "event_type",
    "original_type_label",
    "category",
    "value",
    "occurred_on",
    "precision",
    "approximate",
    "summary",
    "impact",
    "action_taken",
    "source_row",
    "agency_reference",
    "household_reference",
    "content_key",
    "lineage",
)


def _event_values(r: Row, lineage: uuid.UUID, native_uuid: bool) -> tuple[Any, ...]:
    return (
        r.event_type.pk,
        r.original_label,
        r.category,
        r.value,
        r.occurred_on,
        r.precision,
        r.approximate,
        r.summary,
        r.impact,
        r.action,
        r.number,
        r.event_reference,
        r.household_reference,
        r.content_key,
        lineage if native_uuid else lineage.hex,
    )


def _insert_events(
    todo: list[Row],
    *,
    actor: Person | None,
    agency: Agency,
    batch: ImportBatch | None,
    result: ImportResult,
    progress: Progress | None,
) -> dict[int, int]:
    """The entries and their links to children, in batches; returns {child id: entries written}."""
    author = actor if actor is not None and not getattr(actor, "is_system", False) else None
    constants = {
        "agency": agency.pk,
        "author": author.pk if author is not None else None,
        "recorded_at": timezone.now(),
        "source": EventSource.IMPORT,
        "import_batch": batch.pk if batch is not None else None,
        "version": 1,
        "supersedes": None,
        "is_current": True,
        "confidentiality": Confidentiality.NORMAL,
        "restricted_to_roles": "",
    }
    native_uuid = connection.features.has_native_uuid_field
    per_child: dict[int, int] = defaultdict(int)
    for start in range(0, len(todo), WRITE_BATCH):
        chunk = todo[start : start + WRITE_BATCH]
        lineages = time_ordered_uuids(len(chunk))
        raw_insert(
            Event,
            constants,
            EVENT_COLUMNS,
            [_event_values(r, lineage, native_uuid) for r, lineage in zip(chunk, lineages, strict=True)],
        )
        # The new lineages are ascending, so their rows are one range of the lineage index
        # (a row another writer added inside the range is simply not ours).
        ours = set(lineages)
        ids = {
            lineage: pk
            for lineage, pk in Event.objects.filter(lineage__gte=lineages[0], lineage__lte=lineages[-1])
            .order_by()
            .values_list("lineage", "pk")
            if lineage in ours
        }
        raw_insert(
            EventChild,
            {"agency": agency.pk, "is_current": True},
            ("event", "child", "occurred_on"),
            [(ids[lineage], r.child_id, r.occurred_on) for r, lineage in zip(chunk, lineages, strict=True)],
        )
        for r in chunk:
            per_child[r.child_id] += 1  # type: ignore[index]
        result.events_created += len(chunk)
        if progress:
            progress(start + len(chunk), len(todo), "saving")
    return per_child


def _log_import(
    actor: Person | None,
    agency: Agency,
    batch: ImportBatch | None,
    *,
    created: list[int],
    opened: list[int],
    per_child: dict[int, int],
) -> None:
    """One log row per child created, notice opened and child with entries (naming the batch)."""
    child_type = ContentType.objects.get_for_model(Child)
    batch_type = ContentType.objects.get_for_model(ImportBatch)
    batch_id = batch.pk if batch is not None else None
    log = [
        _activity(
            "child.created",
            child_type,
            child_id,
            child_id,
            {"is_verified": [None, False], "source": [None, "import"], "import_batch": [None, batch_id]},
        )
        for child_id in created
    ]
    log += [
        _activity("sharing_notice.opened", child_type, child_id, child_id, {"agency": [None, agency.pk]})
        for child_id in opened
    ]
    log += [
        _activity(
            "event.imported",
            batch_type,
            batch_id or "",
            child_id,
            {"events": [None, count], "agency": [None, agency.pk]},
        )
        for child_id, count in sorted(per_child.items())
    ]
    _insert_activity(actor, log)


def insert_children(new_children: list[NewChild]) -> list[int]:
    """Create unverified children; returns their ids in the same order.

    The rows carry one creation time, so they are found again in insertion (id) order with one
    query; the check on names and dates of birth makes sure they are exactly ours.
    """
    if not new_children:
        return []  # (and no query: another writer's children of this instant are not ours to find)
    stamp = timezone.now()
    expected = [(normalise_name(c.first_name, c.last_name), c.dob) for c in new_children]
    for start in range(0, len(new_children), WRITE_BATCH):
        raw_insert(
            Child,
            {"is_verified": False, "created_at": stamp, "updated_at": stamp},
            ("first_name", "last_name", "normalised_name", "date_of_birth", "nhs_number"),
            [
                (c.first_name, c.last_name, key[0], c.dob, c.nhs or None)
                for c, key in zip(
                    new_children[start : start + WRITE_BATCH], expected[start : start + WRITE_BATCH], strict=True
                )
            ],
        )
    found = list(
        Child.objects.filter(created_at=stamp, is_verified=False)
        .order_by("pk")
        .values_list("pk", "normalised_name", "date_of_birth")
    )
    if [(name, dob) for _pk, name, dob in found] != expected:
        raise RuntimeError("New children could not be matched to their rows; nothing was saved. Try again.")
    return [pk for pk, _name, _dob in found]
