"""The activity log's hash chain: every log row is sealed by one link in `ActivityLogSeal`.

A link's `row_hash` is the SHA-256 of the previous link's hash and the row's canonical content
(`canonical`: every column, foreign keys by id, the target type by its `app_label.model`, the
changes as JSON with sorted keys). Rewriting, removing or reordering a row, or removing a link,
breaks the chain at that place, which `core.chain_check.verify` names.

Why a seal table rather than a hash column on the log: chaining at insert time needs a lock held
from a row's insert until its transaction commits, which would queue every request behind a long
import (whose log rows are written inside a transaction lasting minutes). Instead a short sealing
step (`seal_pending`), under a lock of its own (an advisory lock on PostgreSQL; SQLite serialises
writers anyway), takes the committed rows that have no link yet, in id order, and appends theirs.
It runs right after each transaction that wrote log rows commits (`seal_after_commit`, one
`on_commit` callback per transaction, which never makes the request fail), and at the start of
verification and anchoring.

Which rows are pending, cheaply: after a commit, the unsealed rows from the first id that
transaction wrote (its own rows, which a shorter transaction's pass may already have overtaken,
and those committed after them: never a long import's backlog, which its own commit seals), read
under the lock together with the chain's last link — a pass after a commit is three statements (the
lock, that query, the links' insert);
otherwise those above the highest sealed id. A row that missed its sealing — its process died between commit and the
callback — is swept by the passes of verification and anchoring while it is recent (`recent=`),
and otherwise reported by the verifier as left unsealed; `seal_activity_log --all` seals it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Exists, Expression, Field, Max, OuterRef, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from safeguarding.core.models import ActivityLog, ActivityLogSeal

logger = logging.getLogger(__name__)

GENESIS = "0" * 64  # the "previous hash" of the first link
LOCK_KEY = 7_316_201_616  # pg_advisory_xact_lock key of the sealing step (any fixed bigint)
BATCH = 2000


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _column(name: str) -> str:
    field = ActivityLog._meta.get_field(name)
    assert isinstance(field, Field)
    return _quote(str(field.column))


def log_columns() -> str:
    """A log row's canonical columns (alias `l`, its target type's `ct`), in the order `canonical` reads."""

    def col(name: str) -> str:
        return f"l.{_column(name)}"

    first = ", ".join(col(name) for name in ("id", "at", "actor", "actor_agency_code", "action"))
    rest = ", ".join(col(name) for name in ("target_id", "subject_child_id", "changes", "via", "request_id"))
    return f"{first}, ct.{_quote('app_label')}, ct.{_quote('model')}, {rest}"


def log_table() -> str:
    return _quote(ActivityLog._meta.db_table)


def content_type_join() -> str:
    column = _column("target_type")
    return f"LEFT JOIN {_quote(ContentType._meta.db_table)} ct ON ct.{_quote('id')} = l.{column}"


def _utc_iso(value: Any) -> str:
    when = parse_datetime(value) if isinstance(value, str) else value
    if not isinstance(when, datetime):
        raise ValueError("activity-log row without a valid time")
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return when.isoformat(timespec="microseconds")


def canonical(row: Sequence[Any]) -> str:
    """The stable serialisation of one log row as `log_columns` reads it (the same on PostgreSQL and
    SQLite: times in UTC to the microsecond, JSON with sorted keys and ASCII escapes)."""
    log_id, at, actor_id, agency, action, app_label, model, target_id, child_id, changes, via, request_id = row
    if isinstance(changes, (str, bytes)):
        changes = json.loads(changes)
    content = {
        "id": int(log_id),
        "at": _utc_iso(at),
        "actor": actor_id,
        "actor_agency_code": agency,
        "action": action,
        "target_type": f"{app_label}.{model}" if app_label is not None else None,
        "target_id": target_id,
        "subject_child": child_id,
        "changes": changes,
        "via": via,
        "request_id": request_id,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def link_hash(prev_hash: str, row: Sequence[Any]) -> str:
    return text_hash(prev_hash, canonical(row))


def text_hash(prev_hash: str, content: str) -> str:
    """A link's hash from the row's canonical content (`canonical`)."""
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


def _contents(ids: Sequence[int], known: Mapping[int, str]) -> dict[int, str]:
    """The canonical content of each of `ids`, in their order: from `known` (what the writer gave from
    the values it inserted), else read back."""
    missing = [pk for pk in ids if pk not in known]
    read = {int(row[0]): canonical(row) for row in _rows(missing)} if missing else {}
    return {pk: known[pk] if pk in known else read[pk] for pk in ids}


def _rows(ids: Iterable[int]) -> list[tuple[Any, ...]]:
    ids = list(ids)
    placeholders = ", ".join(["%s"] * len(ids))
    where = f"WHERE l.{_quote('id')} IN ({placeholders}) ORDER BY 1"
    sql = f"SELECT {log_columns()} FROM {log_table()} l {content_type_join()} {where}"  # noqa: S608 - names from the models
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        return list(cursor.fetchall())


def unsealed(from_id: int = 0) -> Expression:
    """Log rows without a link. `from_id`: a floor of the ids asked about, which keeps the seal
    side of the anti-join to the links from there on, whatever plan the database picks."""
    links = ActivityLogSeal.objects.filter(log_id=OuterRef("pk"))
    return ~Exists(links.filter(log_id__gte=from_id) if from_id else links)


def anything_pending(since_id: int | None = None) -> bool:
    """One query of index look-ups: is a row at or above `since_id` (the committing transaction's
    first) without a link — or, with no `since_id`, is the newest log row above the newest sealed one?"""
    quote = connection.ops.quote_name
    log, seals = log_table(), quote(ActivityLogSeal._meta.db_table)
    if since_id is None:
        newest = f"COALESCE((SELECT MAX({quote('id')}) FROM {log}), 0)"  # noqa: S608 - names from the models
        sealed = f"COALESCE((SELECT MAX({quote('log_id')}) FROM {seals}), 0)"  # noqa: S608
        sql, params = f"SELECT CASE WHEN {newest} > {sealed} THEN 1 ELSE 0 END", []
    else:
        sql = (
            f"SELECT 1 FROM {log} l WHERE l.{quote('id')} >= %s AND NOT EXISTS (SELECT 1 FROM {seals} s "  # noqa: S608
            f"WHERE s.{quote('log_id')} = l.{quote('id')} AND s.{quote('log_id')} >= %s)"
        )
        sql, params = f"SELECT CASE WHEN EXISTS ({sql}) THEN 1 ELSE 0 END", [since_id, since_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return bool(cursor.fetchone()[0])


def _pending_ids(lower: int, recent: timedelta | None, everything: bool) -> list[int]:
    """The ids to seal, in order, with one anti-join: every unsealed row (`everything`), or those at
    or above `lower` and (with `recent`) those written within that long."""
    if everything:
        return list(ActivityLog.objects.filter(unsealed()).order_by("pk").values_list("pk", flat=True))
    window = Q(pk__gte=lower)
    if recent is not None:
        cutoff = timezone.now() - recent
        first_recent = ActivityLog.objects.filter(at__gte=cutoff).order_by("pk").values_list("pk", flat=True).first()
        if first_recent is not None and first_recent < lower:
            window |= Q(at__gte=cutoff)
            lower = first_recent
    pending = ActivityLog.objects.filter(unsealed(lower)).filter(window).order_by("pk")
    return list(pending.values_list("pk", flat=True))


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _seal_batch(ids: list[int], known: Mapping[int, str] | None = None) -> int:
    """Under the lock, in a transaction of its own: append the links of those of `ids` still unsealed
    (another pass may have sealed some meanwhile)."""
    with transaction.atomic():
        _lock()
        done = set(ActivityLogSeal.objects.filter(log_id__in=ids).values_list("log_id", flat=True))
        todo = [pk for pk in ids if pk not in done]
        last = ActivityLogSeal.objects.order_by("-seq").values_list("seq", "row_hash").first()
        seq, prev = last if last else (0, GENESIS)
        now = timezone.now()
        links = []
        for pk, content in _contents(todo, known or {}).items():
            seq += 1
            row_hash = text_hash(prev, content)
            links.append((seq, pk, prev, row_hash, now))
            prev = row_hash
        _insert_links(links)
        return len(links)


def seal_pending(
    since_id: int | None = None,
    *,
    recent: timedelta | None = None,
    everything: bool = False,
    known: Mapping[int, str] | None = None,
) -> int:
    """Append links for the committed rows that have none, in id order; answers how many.

    Pending: rows at or above `since_id` (a commit's own first row), else above the highest sealed
    id; and (with `recent`) those written within that long, or (with `everything`) any row at all.
    Cheap when nothing is pending: one query. Each batch of `BATCH` rows is sealed in a short
    transaction of its own, so a large import's sealing holds the lock briefly at a time.

    `known`: {log id: canonical content} of rows the caller wrote itself, from the values it inserted
    (`seal_after_commit`), hashed instead of read back; only with `since_id`."""
    if since_id is not None and recent is None and not everything:
        return _seal_since(since_id, known or {})
    if not everything and recent is None and since_id is None and not anything_pending():
        return 0
    if since_id is not None:
        lower = since_id  # a commit seals from its own first row: never a longer transaction's backlog
    else:
        lower = (ActivityLogSeal.objects.aggregate(highest=Max("log_id"))["highest"] or 0) + 1
    ids = _pending_ids(lower, recent, everything)
    return sum(_seal_batch(ids[start : start + BATCH]) for start in range(0, len(ids), BATCH))


def _pending_with_last_link(since_id: int, content: bool = True) -> list[tuple[Any, ...]]:
    """The unsealed rows from `since_id` on (at most `BATCH` + 1), in id order, each as `log_columns`
    reads it (or only its id, without `content`) followed by the chain's last link's `seq` and
    `row_hash` (NULLs before the first link): the three questions of a sealing pass in one query.
    Asked under the lock."""
    quote = connection.ops.quote_name
    seals = quote(ActivityLogSeal._meta.db_table)
    seq, row_hash, log_id, pk = quote("seq"), quote("row_hash"), quote("log_id"), quote("id")
    last = f"(SELECT {seq}, {row_hash} FROM {seals} ORDER BY {seq} DESC LIMIT 1) last_link"  # noqa: S608
    unsealed_row = f"NOT EXISTS (SELECT 1 FROM {seals} s WHERE s.{log_id} = l.{pk} AND s.{log_id} >= %s)"  # noqa: S608
    columns, join = (log_columns(), content_type_join()) if content else (f"l.{pk}", "")
    sql = (
        f"SELECT {columns}, last_link.{seq}, last_link.{row_hash} FROM {log_table()} l "  # noqa: S608
        f"{join} LEFT JOIN {last} ON 1 = 1 "
        f"WHERE l.{pk} >= %s AND {unsealed_row} ORDER BY l.{pk} LIMIT {BATCH + 1}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [since_id, since_id])
        return list(cursor.fetchall())


def _seal_since(since_id: int, known: Mapping[int, str]) -> int:
    """After a commit: seal the unsealed rows from `since_id` (its first row) on, in a short transaction
    of its own under the lock — the lock, one query for the rows and the last link, and the links'
    insert. With `known` contents that query asks for the ids only, and only the rows not known
    (another transaction's, committed meanwhile) are read back. More than `BATCH` pending (a large
    import's commit): the first `BATCH` here, the rest batch by batch as `seal_pending` does."""
    with transaction.atomic():
        _lock()
        pending = _pending_with_last_link(since_id, content=not known)
        if not pending:
            return 0
        seq, prev = (pending[0][-2], pending[0][-1]) if pending[0][-2] is not None else (0, GENESIS)
        now = timezone.now()
        links = []
        if known:
            contents = _contents([int(found[0]) for found in pending[:BATCH]], known)
        else:
            contents = {int(found[0]): canonical(found[:-2]) for found in pending[:BATCH]}
        for pk, content in contents.items():
            seq += 1
            row_hash = text_hash(prev, content)
            links.append((seq, pk, prev, row_hash, now))
            prev = row_hash
        _insert_links(links)
    if len(pending) <= BATCH:
        return len(links)
    rest = _pending_ids(int(pending[BATCH][0]), None, False)
    return len(links) + sum(_seal_batch(rest[start : start + BATCH], known) for start in range(0, len(rest), BATCH))


def _insert_links(links: list[tuple[int, int, str, str, datetime]]) -> None:
    """The links' bulk path (COPY on PostgreSQL, else executemany): `bulk_create` would spend more
    time preparing each value through its field than the sealing spends hashing."""
    table = _quote(ActivityLogSeal._meta.db_table)
    columns = ", ".join(_quote(name) for name in ("seq", "log_id", "prev_hash", "row_hash", "sealed_at"))
    if not links:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for link in links:
                    copy.write_row(link)
            return
        field = ActivityLogSeal._meta.get_field("sealed_at")
        assert isinstance(field, Field)
        at = field.get_db_prep_save(links[0][4], connection)
        sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s)"  # noqa: S608 - names from the model
        cursor.executemany(sql, [(*link[:4], at) for link in links])


class _SealAfterCommit:
    """The `on_commit` callback of one transaction that wrote log rows (at most one per transaction)."""

    def __init__(self, since_id: int | None, known: Mapping[int, str] | None = None) -> None:
        self.since_id = since_id
        self.known = known

    def __call__(self) -> None:
        try:
            seal_pending(self.since_id, known=self.known)
        except Exception as exc:  # noqa: BLE001 - sealing must never make the request fail
            # No details: a database error's text may quote values. The verifier names the rows.
            logger.error("Sealing the activity log failed (%s); verify_activity_log will report it", type(exc).__name__)


def next_log_id_floor() -> int:
    """An id no lower than any log row this transaction will write from now on (ids only grow)."""
    highest = ActivityLog.objects.aggregate(highest=Max("pk"))["highest"]
    return (highest or 0) + 1


def seal_after_commit(first_id: int | None = None, known: Mapping[int, str] | None = None) -> None:
    """Seal this transaction's log rows once it commits. `first_id`: the lowest log id it wrote (or
    will write); without it, found with one query. Once per transaction: later calls cost a scan of
    the few callbacks waiting for the commit.

    `known`: {log id: canonical content} of the rows just written, as `canonical` gives it from the
    values the writer inserted (a bulk writer has them in hand) — what reading them back gives, the
    log being append-only — so that the sealing hashes them without reading them back. Such a call
    registers a callback of its own: a savepoint rolled back drops it with its contents (on SQLite
    the ids rolled back may be taken again, by other rows)."""
    db = transaction.get_connection()
    if known:
        transaction.on_commit(_SealAfterCommit(first_id or min(known), dict(known)), robust=True)
        return
    if db.in_atomic_block and any(isinstance(func, _SealAfterCommit) for _, func, _ in db.run_on_commit):
        return
    transaction.on_commit(_SealAfterCommit(first_id if first_id is not None else next_log_id_floor()), robust=True)
