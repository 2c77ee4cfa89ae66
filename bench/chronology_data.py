"""Synthetic data for the chronology benchmark: millions of events, one child with 2,000 of them.

Written with raw `INSERT … SELECT` statements over a generated series (a recursive CTE on SQLite,
`generate_series` on PostgreSQL), in chunks, with the two tables' secondary indexes dropped during
the load and rebuilt afterwards (sorting once is far quicker than millions of random index
inserts). The finished database is marked in a small `bench_meta` table so later runs reuse it.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from bench.common import say

META_TABLE = "bench_meta"
CHUNK = 500_000
CHILD_EVENTS = 2_000
EVENTS_PER_POOL_CHILD = 50
AGENCY_CODES = ["BHV", "BGP", "BPOL", "BCSC", "BEH", "BSCH", "BHSG", "BED"]
USERNAME = "bench-practitioner"
SUMMARY = "Synthetic entry: practitioner recorded what happened and who was present, and agreed next steps."


@dataclass
class BenchData:
    events: int
    child_id: int
    user_id: int
    agency_id: int
    token_key: str


def _execute(sql: str, params: Any = None) -> Any:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def _read_meta() -> dict[str, str]:
    from django.db import connection

    if META_TABLE not in connection.introspection.table_names():
        return {}
    return dict(_execute(f"SELECT key, value FROM {META_TABLE}"))


def _write_meta(values: dict[str, str]) -> None:
    _execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key VARCHAR(64) PRIMARY KEY, value TEXT NOT NULL)")
    for key, value in values.items():
        _execute(f"DELETE FROM {META_TABLE} WHERE key = %s", [key])
        _execute(f"INSERT INTO {META_TABLE} (key, value) VALUES (%s, %s)", [key, value])


def _secondary_indexes(table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the indexes that can be dropped and rebuilt (not primary keys or
    those backing a table constraint)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        rows = _execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s", [table])
        return [(name, sql) for name, sql in rows if sql]  # autoindexes (sql NULL) belong to the table
    rows = _execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
        [table],
    )
    return list(rows)


def _quoted(name: str) -> str:
    from django.db import connection

    return connection.ops.quote_name(name)


def _insert_events(first: int, last: int, picks: int, now: str) -> None:
    """Events numbered `first`..`last` (their `source_row`), spread over the agency × type picks."""
    from django.db import connection

    columns = (
        "agency_id, author_id, event_type_id, original_type_label, category, value, occurred_on, precision, "
        "approximate, recorded_at, summary, impact, action_taken, source, import_batch_id, source_row, "
        "agency_reference, household_reference, content_key, lineage, version, supersedes_id, is_current, "
        "confidentiality, restricted_to_roles, entered_in_error_reason"
    )
    # A multiplicative hash spreads agencies and types evenly, also over the bench child's rows.
    pick = f"((i * 2654435761) % 1000003) % {picks}"
    restricted = "CASE WHEN i % 40 = 7 THEN 'restricted' ELSE 'normal' END"
    if connection.vendor == "sqlite":
        sql = f"""
            INSERT INTO chronology_event ({columns})
            WITH RECURSIVE seq(i) AS (SELECT %s UNION ALL SELECT i + 1 FROM seq WHERE i < %s)
            SELECT p.agency_id, NULL, p.type_id, '', '', NULL,
                   date('2011-01-01', '+' || ((i * 7919) % 5000) || ' days'), 'day', 0, %s,
                   %s, '', '', 'import', NULL, i, '', '', '', printf('%%032x', i), 1, NULL, 1, {restricted}, '', ''
            FROM seq JOIN bench_pick p ON p.k = {pick}
        """
        _execute(sql, [first, last, now, SUMMARY])
    else:
        sql = f"""
            INSERT INTO chronology_event ({columns})
            SELECT p.agency_id, NULL, p.type_id, '', '', NULL,
                   DATE '2011-01-01' + ((i * 7919) %% 5000)::int, 'day', false, %s,
                   %s, '', '', 'import', NULL, i, '', '', '', lpad(to_hex(i), 32, '0')::uuid, 1, NULL, true,
                   {restricted.replace("%", "%%")}, '', ''
            FROM generate_series(%s::bigint, %s::bigint) AS i JOIN bench_pick p ON p.k = {pick.replace("%", "%%")}
        """
        _execute(sql, [now, SUMMARY, first, last])


def _link_events(first: int, last: int, step: int, child_id: int, pool_first: int, pool_size: int) -> None:
    from django.db import connection

    modulo = "%%" if connection.vendor == "postgresql" else "%"
    sql = f"""
        INSERT INTO chronology_eventchild (event_id, child_id, occurred_on, agency_id, is_current)
        SELECT id,
               CASE WHEN source_row {modulo} {step} = 0 THEN {child_id}
                    ELSE {pool_first} + (source_row {modulo} {pool_size}) END,
               occurred_on, agency_id, is_current
        FROM chronology_event WHERE source_row BETWEEN %s AND %s AND source = 'import'
    """
    _execute(sql, [first, last])


def _make_people_and_places(events: int) -> tuple[Any, Any, Any, list[int]]:
    """The agencies, the benchmark's practitioner (with an authenticator), the bench child and a
    pool of other children (about 50 events each); returns the agency, user, child and pool ids."""
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from safeguarding.agencies.enums import AgencyKind, Role
    from safeguarding.agencies.models import Agency, Membership
    from safeguarding.children.models import Child, Involvement, normalise_name

    kinds = list(AgencyKind.values)
    agencies = [
        Agency.objects.create(code=code, name=f"Benchmark agency {code}", kind=kinds[i % len(kinds)])
        for i, code in enumerate(AGENCY_CODES)
    ]
    agency = agencies[0]
    user = get_user_model().objects.create_user(username=USERNAME, password=None, first_name="Bench")
    Membership.objects.create(user=user, agency=agency, role=Role.PRACTITIONER)
    TOTPDevice.objects.create(user=user, name="Benchmark authenticator", confirmed=True)
    child = Child.objects.create(first_name="Bench", last_name="Child", date_of_birth=dt.date(2012, 5, 4))
    Involvement.objects.create(agency=agency, child=child, start=dt.date(2012, 5, 4))
    pool_size = max(1, events // EVENTS_PER_POOL_CHILD)
    created = 0
    while created < pool_size:
        size = min(5_000, pool_size - created)
        Child.objects.bulk_create(
            [
                Child(
                    first_name=f"Child{created + n}",
                    last_name=f"Pool{(created + n) % 997}",
                    normalised_name=normalise_name(f"Child{created + n}", f"Pool{(created + n) % 997}"),
                    date_of_birth=dt.date(2008, 1, 1) + dt.timedelta(days=(created + n) % 5000),
                )
                for n in range(size)
            ],
            batch_size=size,
        )
        created += size
    pool_ids = list(Child.objects.exclude(pk=child.pk).order_by("pk").values_list("pk", flat=True))
    return agency, user, child, pool_ids


def generate(events: int) -> None:
    """Fill the (migrated, empty) database with `events` events; the bench child gets 2,000."""
    from django.db import connection, transaction
    from django.utils import timezone

    from safeguarding.agencies.models import Agency
    from safeguarding.chronology.models import EventType

    start = time.perf_counter()
    if connection.vendor == "sqlite":
        # Only while loading: a crash would leave a half-built file, which is thrown away anyway.
        _execute("PRAGMA synchronous = OFF")
        _execute("PRAGMA cache_size = -1000000")
    with transaction.atomic():
        agency, user, child, info = _make_people_and_places(events)
    pool_first, pool_count = info[0], len(info)
    if info[-1] - info[0] + 1 != pool_count:
        raise RuntimeError("The pool children's ids are not contiguous; start from an empty database.")
    agency_ids = list(Agency.objects.filter(code__in=AGENCY_CODES).order_by("pk").values_list("pk", flat=True))
    type_ids = list(EventType.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    picks = [(a, t) for a in agency_ids for t in type_ids]
    _execute("DROP TABLE IF EXISTS bench_pick")
    _execute("CREATE TABLE bench_pick (k INTEGER PRIMARY KEY, agency_id BIGINT NOT NULL, type_id BIGINT NOT NULL)")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO bench_pick (k, agency_id, type_id) VALUES (%s, %s, %s)",
            [(k, a, t) for k, (a, t) in enumerate(picks)],
        )
    step = max(1, events // CHILD_EVENTS)
    dropped = {table: _secondary_indexes(table) for table in ("chronology_event", "chronology_eventchild")}
    for indexes in dropped.values():
        for name, _sql in indexes:
            _execute(f"DROP INDEX {_quoted(name)}")
    now = timezone.now().isoformat()
    # source_row 1..events; the bench child's rows are the multiples of `step` (2,000 of them).
    for first in range(1, events + 1, CHUNK):
        last = min(events, first + CHUNK - 1)
        with transaction.atomic():
            _insert_events(first, last, len(picks), now)
            _link_events(first, last, step, child.pk, pool_first, pool_count)
        say(f"  {last:,} of {events:,} events written ({time.perf_counter() - start:,.0f} s)")
    for indexes in dropped.values():
        for name, sql in indexes:
            say(f"  rebuilding index {name}")
            _execute(sql)
    if connection.vendor == "postgresql":
        _execute(
            "SELECT setval(pg_get_serial_sequence('chronology_event', 'id'), (SELECT max(id) FROM chronology_event))"
        )
        _execute(
            "SELECT setval(pg_get_serial_sequence('chronology_eventchild', 'id'), "
            "(SELECT max(id) FROM chronology_eventchild))"
        )
    _execute("DROP TABLE bench_pick")
    say("  analysing tables")
    _execute("ANALYZE")
    _write_meta(
        {
            "events": str(events),
            "child_id": str(child.pk),
            "user_id": str(user.pk),
            "agency_id": str(agency.pk),
            "generated_seconds": f"{time.perf_counter() - start:.1f}",
        }
    )
    say(f"Generated {events:,} events in {time.perf_counter() - start:,.0f} s.")


def prepare(events: int) -> tuple[BenchData, float | None]:
    """The benchmark data, generated unless this database already holds it. Returns the data and
    how long generation took (None when reused)."""
    from django.db import connection

    from bench.common import migrate
    from safeguarding.agencies.models import Agency
    from safeguarding.api.models import AgencyApiToken
    from safeguarding.api.services import create_api_token

    meta = _read_meta()
    took: float | None = None
    if meta.get("events") != str(events):
        if meta or (
            "chronology_event" in connection.introspection.table_names()
            and _execute("SELECT count(*) FROM chronology_event")[0][0]
        ):
            raise SystemExit(
                "This database already holds other data. Use an empty database (on SQLite, delete "
                f"the file under bench/results/) to generate {events:,} events."
            )
        say(f"Generating {events:,} events (once; later runs reuse the database)…")
        migrate()
        start = time.perf_counter()
        generate(events)
        took = time.perf_counter() - start
        meta = _read_meta()
    else:
        migrate()
    agency = Agency.objects.get(pk=int(meta["agency_id"]))
    # A fresh token per run: only a hash of the key is stored, so the key cannot be read back.
    AgencyApiToken.objects.filter(agency=agency, revoked_at__isnull=True).update(revoked_at=_now())
    _, key = create_api_token(actor=None, agency=agency, name=f"Benchmark {_now():%Y%m%d%H%M%S}", system=True)
    return (
        BenchData(
            events=events,
            child_id=int(meta["child_id"]),
            user_id=int(meta["user_id"]),
            agency_id=agency.pk,
            token_key=key,
        ),
        took,
    )


def _now() -> dt.datetime:
    from django.utils import timezone

    return timezone.now()
