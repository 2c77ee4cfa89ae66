"""Gaps in contact found in SQL: `lead()` over each child's contact entries, only the gaps returned.

A gap rule needs every entry its selector chooses (each can start or end a gap), about a fifth of a
chronology, and almost never fires on most of them. Instead of streaming them all to Python, one
query numbers each child's contact entries in (date, id) order, pairs each with the next one
(`lead()`), and returns only the pairs more than `days` apart and the last entry when the evaluation
date is more than `days` after it: what `engine.gap` returns, as the same `GapMatch` values (the same
first-met day, completing entry, evidence and last evidence date), in the same order.

Entries dated before the child's date of birth are not contact (a record made before the date of
birth was known, or a mother's antenatal visit linked to the baby): they neither start nor end a gap,
so no gap is counted from before the child was born (`engine.gap`'s `born`).

Both the incremental path and the full scan read gaps here, so they agree as before.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import connection, connections, transaction

from safeguarding.concerns.engine import GapSummary, Spec

CHILD_CHUNK = 2000  # children per query when given


def _condition(spec: Spec, vocabulary: Any) -> tuple[str, list[Any]]:
    from safeguarding.concerns.scan import row_filter

    return row_filter(vocabulary, [spec])


def gap_query(
    spec: Spec, vocabulary: Any, *, today: dt.date, child_ids: Sequence[int] | None, as_of: dt.date | None
) -> tuple[str, list[Any]]:
    """The SQL returning (child id, gap start's date and id, the next entry's date and id or NULL)."""
    days = int(spec.numbers["days"])
    condition, params = _condition(spec, vocabulary)
    where = ["ec.is_current", condition, "(c.date_of_birth IS NULL OR ec.occurred_on >= c.date_of_birth)"]
    if child_ids is not None:
        where.append(f"ec.child_id IN ({', '.join(['%s'] * len(child_ids))})")
        params += list(child_ids)
    if as_of is not None:
        where.append("ec.occurred_on <= %s")
        params.append(as_of)
    if connection.vendor == "sqlite":
        longer = "julianday(g.next_on) - julianday(g.occurred_on) > %s"
    else:
        longer = "g.next_on - g.occurred_on > %s"
    # Every name is the models' own table and column; every value is a parameter.
    sql = (
        "SELECT g.child_id, g.occurred_on, g.event_id, g.next_on, g.next_id FROM ("  # noqa: S608
        "SELECT ec.child_id, ec.occurred_on, ec.event_id, "
        "lead(ec.occurred_on) OVER w AS next_on, lead(ec.event_id) OVER w AS next_id "
        "FROM chronology_eventchild ec JOIN chronology_event e ON e.id = ec.event_id "
        "JOIN children_child c ON c.id = ec.child_id "
        f"WHERE {' AND '.join(where)} "
        "WINDOW w AS (PARTITION BY ec.child_id ORDER BY ec.occurred_on, ec.event_id)) g "
        f"WHERE (g.next_on IS NULL AND g.occurred_on < %s) OR ({longer}) "
        "ORDER BY g.child_id, g.occurred_on, g.event_id"
    )
    params += [today - dt.timedelta(days=days), days]
    return sql, params


def summary_query(
    spec: Spec, vocabulary: Any, *, today: dt.date, child_ids: Sequence[int] | None, as_of: dt.date | None
) -> tuple[str, list[Any]]:
    """`gap_query`'s gaps aggregated per child, in child order: (child id, how many gaps, the earliest
    gap's start date, the latest evidence date, the evidence ids joined by ",", the gaps joined by ";"
    as "start-date start-id[ next-date next-id]")."""
    sql, params = gap_query(spec, vocabulary, today=today, child_ids=child_ids, as_of=as_of)
    sql = sql[: sql.rindex(" ORDER BY ")]  # the window's order is the subquery's; the groups are ordered below
    if connection.vendor == "postgresql":
        ids = "string_agg(concat_ws(',', g.event_id, g.next_id), ',')"
        day = "'YYYY-MM-DD'"
        details = (
            f"string_agg(concat_ws(' ', to_char(g.occurred_on, {day}), g.event_id, to_char(g.next_on, {day}), "
            "g.next_id), ';')"
        )
    else:
        ids = "group_concat(g.event_id || coalesce(',' || g.next_id, ''), ',')"
        details = (
            "group_concat(g.occurred_on || ' ' || g.event_id "
            "|| coalesce(' ' || g.next_on || ' ' || g.next_id, ''), ';')"
        )
    # The aggregate wraps the gap query (names from the models; every value a parameter).
    sql = (
        f"SELECT g.child_id, count(*), min(g.occurred_on), max(coalesce(g.next_on, g.occurred_on)), {ids}, {details} "  # noqa: S608
        f"FROM ({sql}) g GROUP BY g.child_id ORDER BY g.child_id"
    )
    return sql, params


def _date(value: Any) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def gap_summaries(
    spec: Spec,
    vocabulary: Any,
    *,
    today: dt.date,
    child_ids: Sequence[int] | None = None,
    as_of: dt.date | None = None,
) -> Iterator[tuple[int, GapSummary]]:
    """(child id, the child's gaps as one `GapSummary`) for every child with a gap (or those given),
    in child order: one row a child from the database, each gap expanded only when needed."""
    if child_ids is None:
        yield from _gap_summaries(spec, vocabulary, today, None, as_of)
        return
    for start in range(0, len(child_ids), CHILD_CHUNK):
        yield from _gap_summaries(spec, vocabulary, today, child_ids[start : start + CHILD_CHUNK], as_of)


def _gap_summaries(
    spec: Spec, vocabulary: Any, today: dt.date, child_ids: Sequence[int] | None, as_of: dt.date | None
) -> Iterator[tuple[int, GapSummary]]:
    days = int(spec.numbers["days"])
    span = dt.timedelta(days=days)
    sql, params = summary_query(spec, vocabulary, today=today, child_ids=child_ids, as_of=as_of)
    new = GapSummary
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(20_000):
            for child_id, count, first_on, last_on, ids, details in rows:
                evidence = frozenset(map(int, ids.split(",")))
                yield child_id, new(_date(first_on) + span, _date(last_on), evidence, count, details, days)


GapReader = Callable[[Spec], Iterable[tuple[int, GapSummary]]]


@contextlib.contextmanager
def read_meanwhile(
    specs: Sequence[Spec], vocabulary: Any, *, today: dt.date, as_of: dt.date | None
) -> Iterator[GapReader]:
    """For a full scan on PostgreSQL: every child's gaps for `specs`, read on a connection of their
    own in a thread started now, so the server answers the gap query (about the baseline's time there)
    while the scan evaluates the other rules. Gives a function answering a spec's summaries (waiting
    for them if need be). Read on the spot instead inside a transaction (a test's), whose data another
    connection cannot see, and on SQLite: there the query costs little, and a second connection
    reading while the scan writes can lock the scan out (a shared-cache or rollback-journal database)."""
    if not specs or connection.in_atomic_block or connection.vendor != "postgresql":
        yield lambda spec: gap_summaries(spec, vocabulary, today=today, as_of=as_of)
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="gap-query") as pool:
        futures = {spec.rule_id: pool.submit(_read_apart, spec, vocabulary, today, as_of) for spec in specs}
        try:
            yield lambda spec: futures[spec.rule_id].result()
        finally:
            for future in futures.values():
                future.cancel()


def _read_apart(spec: Spec, vocabulary: Any, today: dt.date, as_of: dt.date | None) -> list[tuple[int, GapSummary]]:
    """In the reading thread (its own connection, closed after): one read-only pass."""
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    # As the scan's own read: sort in memory, no JIT compilation.
                    cursor.execute("SET LOCAL work_mem = '256MB'")
                    cursor.execute("SET LOCAL jit = off")
            return list(_gap_summaries(spec, vocabulary, today, None, as_of))
    finally:
        connections.close_all()
