"""Running the rules over the chronology: for a few children (after new entries) or for everyone.

Both paths do the same three things, so they raise the same alerts:
1. read the children's current entries that some active rule's selector matches (`row_filter`), in
   (child, date, id) order, straight from the EventChild → Event join (one streamed query; the full scan never
   loads more than one child's entries at a time);
2. evaluate each rule over each child's entries (`engine.evaluate`, pure);
3. reconcile with the alerts already held (`apply`): an open alert for the rule and child gets the
   new evidence (and an earlier `first_met_on` if a back-dated entry completed the pattern sooner);
   otherwise a new alert is raised, unless every match is made only of entries a closed alert for
   the same rule and child already showed (for a gap: unless a closed alert already showed the gap,
   see `engine.finding`).

Both evaluate on one date: the full scan's `as_of`, or today (`timezone.localdate()`); entries dated
after `as_of` are left out. Only a gap in contact looks at the date: a gap still going on becomes
long with no new entry arriving, so no incremental evaluation is triggered for it and the daily
full scan (`manage.py scan_concerns`) is what finds it. Evaluated on the same day over the same
entries, the incremental path and the full scan give the same result for it too.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.utils import timezone

from safeguarding.chronology.models import EventType, decode_tags
from safeguarding.concerns.engine import (
    Finding,
    Found,
    Item,
    Selector,
    Spec,
    compile_rule,
    evaluate,
    finding,
    kind_function,
)
from safeguarding.concerns.enums import RuleKind
from safeguarding.concerns.gaps import gap_summaries, read_meanwhile
from safeguarding.concerns.models import Rule
from safeguarding.concerns.reconcile import Held, Outcome, apply, changes_needed

# Children per query in the incremental path and per write in the full scan.
CHILD_CHUNK = 2000
# Rows per fetch when streaming a full scan.
FETCH = 20_000


@dataclass
class Vocabulary:
    """Event types by id: code and tags (read once per run)."""

    types: dict[int, tuple[str, frozenset[str]]]

    @classmethod
    def load(cls) -> Vocabulary:
        rows = EventType.objects.order_by().values_list("pk", "code", "tags")
        return cls({pk: (code, frozenset(decode_tags(tags))) for pk, code, tags in rows})

    @property
    def codes(self) -> set[str]:
        return {code for code, _ in self.types.values()}

    @property
    def tags(self) -> set[str]:
        return {t for _, tags in self.types.values() for t in tags}

    def type_ids_for(self, specs: Iterable[Spec]) -> list[int]:
        specs = list(specs)
        return sorted(pk for pk, (code, tags) in self.types.items() if any(s.matches_type(code, tags) for s in specs))


def spec_for(rule: Rule) -> Spec:
    return compile_rule(rule.pk or 0, rule.code, rule.kind, rule.parameters)


def active_specs(codes: Sequence[str] | None = None) -> list[Spec]:
    rules = Rule.objects.active().order_by("pk")
    if codes:
        rules = rules.filter(code__in=list(codes))
    return [spec_for(rule) for rule in rules]


def rules_and_vocabulary(codes: Sequence[str] | None = None) -> tuple[list[Spec], Vocabulary]:
    """The active rules (or those named, if active) and the vocabulary, in one query: the
    incremental path runs after every new entry, and each round trip to the database counts there.
    The same as `active_specs(codes)` and `Vocabulary.load()`."""
    ops = connection.ops
    rule, event_type = ops.quote_name(Rule._meta.db_table), ops.quote_name(EventType._meta.db_table)
    params: list[Any] = [True]
    named = ""
    if codes:
        named = " AND " + _in("code", list(codes), params)
    # Names from the models; every value a parameter. Rules first (by id), then the types.
    sql = (
        f"SELECT 0, id, code, kind, CAST(parameters AS TEXT) FROM {rule} WHERE is_active = %s{named} "  # noqa: S608
        f"UNION ALL SELECT 1, id, code, tags, NULL FROM {event_type} ORDER BY 1, 2"
    )
    specs: list[Spec] = []
    types: dict[int, tuple[str, frozenset[str]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for which, pk, code, kind_or_tags, parameters in cursor.fetchall():
            if which == 0:
                specs.append(compile_rule(pk, code, kind_or_tags, json.loads(parameters)))
            else:
                types[pk] = (code, frozenset(decode_tags(kind_or_tags)))
    return specs, Vocabulary(types)


# ---- reading ------------------------------------------------------------------------------------


def _in(column: str, values: Sequence[Any], params: list[Any]) -> str:
    params += list(values)
    return f"{column} IN ({', '.join(['%s'] * len(values))})"


def _selector_sql(selector: Selector, ids: dict[str, int], e: str, params: list[Any]) -> str | None:
    """The condition an entry (event table alias `e`) meets when `selector` (tags resolved) matches
    it in full: type, `type:category` pair, categories. None when it can match nothing."""
    parts: list[str] = []
    plain = sorted(ids[t] for t in selector.types if ":" not in t and t in ids)
    if plain:
        parts.append(_in(f"{e}.event_type_id", plain, params))
    for pair in sorted(t.split(":", 1) for t in selector.types if ":" in t):
        if pair[0] in ids:
            parts.append(f"({e}.event_type_id = %s AND {e}.category = %s)")
            params += [ids[pair[0]], pair[1]]
    if not parts:
        return None
    condition = f"({' OR '.join(parts)})"
    if selector.categories:
        condition += " AND " + _in(f"{e}.category", sorted(selector.categories), params)
    return condition


def row_filter(vocabulary: Vocabulary, specs: Sequence[Spec]) -> tuple[str, list[Any]]:
    """A WHERE condition keeping only the entries some rule's selector matches in full (type and
    category; for a value threshold, also a value below it): the rest are matched by no selector, so
    no evaluation function looks at them and leaving them out changes no result. A gap rule keeps
    every entry its selector matches (type and category only): each of them can start or end a gap.

    (Tried and dropped: keeping only the sequence entries with the other half within the window,
    with `EXISTS`: it read a third fewer entries but took 1.5× as long on SQLite and 8× on PostgreSQL,
    a correlated subplan per entry.)"""
    ids = {code: pk for pk, (code, _) in vocabulary.types.items()}
    tags_by_code = dict(vocabulary.types.values())
    params: list[Any] = []
    ors: list[str] = []
    for spec in specs:
        for selector in spec.resolved(tags_by_code).selectors.values():
            condition = _selector_sql(selector, ids, "e", params)
            if condition is None:
                continue
            if spec.kind == RuleKind.VALUE_THRESHOLD and connection.vendor == "postgresql":
                condition += " AND e.value < %s"
                params.append(spec.numbers["below"])
            ors.append(f"({condition})")
    return (f"({' OR '.join(ors)})" if ors else "FALSE"), params


def _query(
    type_ids: Sequence[int], child_ids: Sequence[int] | None, as_of: dt.date | None, rows: tuple[str, list[Any]]
) -> tuple[str, list[Any]]:
    params: list[Any] = []
    # Entries entered in error (issue 17) are kept in the chronology but count in no rule.
    where = [_in("e.event_type_id", type_ids, params), "ec.is_current", "e.entered_in_error_at IS NULL"]
    if child_ids is not None:
        where.append(f"ec.child_id IN ({', '.join(['%s'] * len(child_ids))})")
        params += list(child_ids)
    if as_of is not None:
        where.append("ec.occurred_on <= %s")
        params.append(as_of)
    where.append(rows[0])
    params += rows[1]
    # Every name is the models' own table and column; every value is a parameter.
    # On SQLite `+ec.occurred_on` (the same text) has no declared type, so the driver's date converter
    # (a Python call per row: a third of the reading) is skipped; `child_items` parses each date once.
    day = "+ec.occurred_on" if connection.vendor == "sqlite" else "ec.occurred_on"
    sql = (
        f"SELECT ec.child_id, {day}, ec.event_id, e.event_type_id, e.category, ec.agency_id, e.value "  # noqa: S608
        "FROM chronology_eventchild ec JOIN chronology_event e ON e.id = ec.event_id "
        f"WHERE {' AND '.join(where)} ORDER BY ec.child_id, ec.occurred_on, ec.event_id"
    )
    return sql, params


def _rows(sql: str, params: list[Any], streamed: bool) -> Iterator[tuple[Any, ...]]:
    if not streamed:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            yield from cursor.fetchall()
        return
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        # Inside a transaction (e.g. a test's) the rows come from the same connection.
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(FETCH):
                yield from rows
        return
    # PostgreSQL: a second connection reads the whole scan in one read-only transaction; alerts are
    # written, and committed chunk by chunk, on the usual connection meanwhile. The rows are streamed
    # from a plain query (libpq's chunked rows mode), not a server-side cursor: PostgreSQL
    # never runs a cursor's query with parallel workers, and the sorted read is most of a rescan.
    reader = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        reader.ensure_connection()
        raw: Any = reader.connection
        raw.autocommit = False
        raw.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        # Sort in memory, no JIT compilation (it costs more than it saves on this query).
        raw.execute("SET LOCAL work_mem = '256MB'")
        raw.execute("SET LOCAL jit = off")
        with raw.cursor() as cursor:
            yield from cursor.stream(sql, params, size=FETCH)
        raw.rollback()
    finally:
        reader.close()


def child_items(
    vocabulary: Vocabulary,
    type_ids: Sequence[int],
    *,
    child_ids: Sequence[int] | None = None,
    as_of: dt.date | None = None,
    specs: Sequence[Spec] | None = None,
) -> Iterator[tuple[int, list[Item]]]:
    """(child id, the child's entries of these types in date order), child by child; streamed when
    reading every child. Given `specs`, only the entries some selector of theirs matches (`row_filter`)."""
    if not type_ids or (child_ids is not None and not child_ids):
        return
    chunks: list[Sequence[int] | None] = (
        [None] if child_ids is None else [child_ids[i : i + CHILD_CHUNK] for i in range(0, len(child_ids), CHILD_CHUNK)]
    )
    types = vocabulary.types
    sqlite = connection.vendor == "sqlite"
    new_item = tuple.__new__  # a NamedTuple without the keyword-argument wrapper
    days: dict[str, dt.date] = {}  # SQLite: each date's text parsed once
    rows = row_filter(vocabulary, specs) if specs is not None else ("TRUE", [])
    for chunk in chunks:
        sql, params = _query(type_ids, chunk, as_of, rows)
        current: int | None = None
        items: list[Item] = []
        for child_id, occurred_on, event_id, type_id, category, agency_id, value in _rows(sql, params, chunk is None):
            if child_id != current:
                if current is not None:
                    yield current, items
                current, items = child_id, []
            code, tags = types[type_id]
            if sqlite:
                if value is not None and not isinstance(value, Decimal):
                    value = Decimal(str(value))
                if isinstance(occurred_on, str):
                    text = occurred_on
                    occurred_on = days.get(text)
                    if occurred_on is None:
                        occurred_on = days[text] = dt.date.fromisoformat(text)
            items.append(new_item(Item, (event_id, occurred_on, code, agency_id, tags, category, value)))
        if current is not None:
            yield current, items


class Evaluator:
    """Evaluates several rules over one child's entries at a time, giving each rule only the entries
    whose type it could match (the same result as `engine.evaluate` over all of them: the others
    match none of its selectors) and skipping a rule when it has fewer entries than it needs.
    `today` is the evaluation date (default: the local date); only gap rules look at it."""

    def __init__(self, specs: Sequence[Spec], vocabulary: Vocabulary, today: dt.date | None = None) -> None:
        tags_by_code = dict(vocabulary.types.values())
        self.specs = [spec.resolved(tags_by_code) for spec in specs]
        self.today = today or timezone.localdate()
        self.functions = [kind_function(spec, self.today) for spec in self.specs]
        self.by_code: dict[str, list[int]] = {}
        for code, tags in vocabulary.types.values():
            wanted = [n for n, spec in enumerate(self.specs) if spec.matches_type(code, tags)]
            if wanted:
                self.by_code[code] = wanted
        self.minimum = [spec.minimum_items for spec in self.specs]

    def __call__(self, items: Sequence[Item]) -> dict[int, Found]:
        buckets: list[list[Item]] = [[] for _ in self.specs]
        by_code = self.by_code
        for it in items:
            for n in by_code.get(it.type_code, ()):
                buckets[n].append(it)
        out: dict[int, Found] = {}
        functions = self.functions
        for n, spec in enumerate(self.specs):
            if len(buckets[n]) >= self.minimum[n]:
                matches = functions[n](spec, buckets[n])
                if matches:
                    out[spec.rule_id] = matches
        return out


# ---- the two entry points -----------------------------------------------------------------------


def evaluate_children(
    child_ids: Iterable[int], *, codes: Sequence[str] | None = None, as_of: dt.date | None = None
) -> Outcome:
    """The incremental path: evaluate every active rule for these children only (after new entries),
    on `as_of` (entries up to it; default today, with every entry, as the full scan does)."""
    ids = sorted(set(child_ids))
    outcome = Outcome(children=len(ids))
    if not ids:
        return outcome
    specs, vocabulary = rules_and_vocabulary(codes)
    if not specs:
        return outcome
    type_ids = vocabulary.type_ids_for(_split(specs)[0])
    for start in range(0, len(ids), CHILD_CHUNK):
        chunk = ids[start : start + CHILD_CHUNK]
        outcome.merge(_run(specs, vocabulary, type_ids, chunk, as_of))
    return outcome


def _split(specs: Sequence[Spec]) -> tuple[list[Spec], list[Spec]]:
    """The rules evaluated over the streamed entries, and the gap rules (found in SQL: `gaps.py`)."""
    return [s for s in specs if s.kind != RuleKind.GAP], [s for s in specs if s.kind == RuleKind.GAP]


def _run(
    specs: Sequence[Spec],
    vocabulary: Vocabulary,
    type_ids: Sequence[int],
    child_ids: Sequence[int],
    as_of: dt.date | None,
) -> Outcome:
    results: dict[int, dict[int, Found]] = {}
    streamed, gap_specs = _split(specs)
    if streamed:
        evaluator = Evaluator(streamed, vocabulary, as_of)
        for child_id, items in child_items(vocabulary, type_ids, child_ids=child_ids, as_of=as_of, specs=streamed):
            per_rule = evaluator(items)
            if per_rule:
                results[child_id] = per_rule
    today = as_of or timezone.localdate()
    for spec in gap_specs:
        for child_id, gaps in gap_summaries(spec, vocabulary, today=today, child_ids=child_ids, as_of=as_of):
            results.setdefault(child_id, {})[spec.rule_id] = gaps
    return _write(specs, child_ids, results)


def _write(
    specs: Sequence[Spec],
    child_ids: Sequence[int] | None,
    results: dict[int, dict[int, Found]],
) -> Outcome:
    if not results:
        return Outcome()
    rule_ids = [s.rule_id for s in specs]
    gap_rule_ids = [s.rule_id for s in specs if s.kind == RuleKind.GAP]
    wanted = sorted(results) if child_ids is None else child_ids
    # Read first, outside a transaction: when the alerts held already show everything found (a
    # rescan; most incremental evaluations) there is nothing to write, and no transaction to open
    # and commit. Otherwise the alerts are read again inside the writing transaction, as before.
    if not changes_needed(results, Held.load(rule_ids, wanted, gap_rule_ids)):
        return Outcome()
    for attempt in range(3):
        try:
            with transaction.atomic():
                held = Held.load(rule_ids, wanted, gap_rule_ids)
                return apply(results, held)
        except IntegrityError:
            # Another evaluation raised the same alert a moment ago: read again and add to it.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def full_scan(*, as_of: dt.date | None = None, codes: Sequence[str] | None = None) -> Outcome:
    """Every active rule (or those named) over every child's entries (up to `as_of` when given),
    evaluated on `as_of` (default today: the date an ongoing gap in contact is measured to)."""
    specs = active_specs(codes)
    outcome = Outcome()
    if not specs:
        return outcome
    vocabulary = Vocabulary.load()
    streamed, gap_specs = _split(specs)
    today = as_of or timezone.localdate()
    with read_meanwhile(gap_specs, vocabulary, today=today, as_of=as_of) as gaps_of:
        _scan_streamed(streamed, vocabulary, as_of, outcome)
        for spec in gap_specs:
            results: dict[int, dict[int, Found]] = {}
            for child_id, gaps in gaps_of(spec):
                outcome.entries += len(gaps)
                results[child_id] = {spec.rule_id: gaps}
                if len(results) >= CHILD_CHUNK:
                    outcome.merge(_write([spec], None, results))
                    results = {}
            outcome.merge(_write([spec], None, results))
    return outcome


def _scan_streamed(streamed: Sequence[Spec], vocabulary: Vocabulary, as_of: dt.date | None, outcome: Outcome) -> None:
    """The full scan's rules other than gaps, over every child's entries, streamed."""
    results: dict[int, dict[int, Found]] = {}
    if streamed:
        type_ids = vocabulary.type_ids_for(streamed)
        evaluator = Evaluator(streamed, vocabulary, as_of)
        for child_id, items in child_items(vocabulary, type_ids, as_of=as_of, specs=streamed):
            outcome.children += 1
            outcome.entries += len(items)
            per_rule = evaluator(items)
            if per_rule:
                results[child_id] = per_rule
            if len(results) >= CHILD_CHUNK:
                outcome.merge(_write(streamed, None, results))
                results = {}
        outcome.merge(_write(streamed, None, results))


def preview(rule: Rule, *, limit_children: Iterable[int] | None = None) -> dict[int, Finding]:
    """What `rule` (saved or not, active or not) would raise on the data held now, evaluated today
    (as tonight's full scan would): {child id: finding}. Writes nothing."""
    spec = spec_for(rule)
    today = timezone.localdate()
    vocabulary = Vocabulary.load()
    type_ids = vocabulary.type_ids_for([spec])
    ids = sorted(set(limit_children)) if limit_children is not None else None
    out = {}
    if spec.kind == RuleKind.GAP:
        matched: Iterable[tuple[int, Found]] = gap_summaries(spec, vocabulary, today=today, child_ids=ids)
    else:
        matched = (
            (child_id, evaluate(spec, items, today))
            for child_id, items in child_items(vocabulary, type_ids, child_ids=ids, specs=[spec])
        )
    for child_id, matches in matched:
        found = finding(matches)
        if found is not None:
            out[child_id] = found
    return out
