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
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.utils import timezone

from safeguarding.chronology.models import EventType, decode_tags
from safeguarding.concerns.engine import (
    Finding,
    Item,
    Match,
    Spec,
    compile_rule,
    evaluate,
    finding,
    kind_function,
)
from safeguarding.concerns.enums import AlertStatus, RuleKind
from safeguarding.concerns.models import Alert, AlertEvidence, Rule

# Children per query in the incremental path and per write in the full scan.
CHILD_CHUNK = 2000
# Rows per fetch when streaming a full scan.
FETCH = 20_000
DIGEST_MASK = (1 << 62) - 1


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


# ---- reading ------------------------------------------------------------------------------------


def _in(column: str, values: Sequence[Any], params: list[Any]) -> str:
    params += list(values)
    return f"{column} IN ({', '.join(['%s'] * len(values))})"


def row_filter(vocabulary: Vocabulary, specs: Sequence[Spec]) -> tuple[str, list[Any]]:
    """A WHERE condition keeping only the entries some rule's selector matches in full (type and
    category; for a value threshold, also a value below it): the rest are matched by no selector, so
    no evaluation function looks at them and leaving them out changes no result. A gap rule keeps
    every entry its selector matches (type and category only): each of them can start or end a gap."""
    ids = {code: pk for pk, (code, _) in vocabulary.types.items()}
    tags_by_code = dict(vocabulary.types.values())
    params: list[Any] = []
    ors: list[str] = []
    for spec in specs:
        for selector in spec.resolved(tags_by_code).selectors.values():
            parts: list[str] = []
            plain = sorted(ids[t] for t in selector.types if ":" not in t and t in ids)
            if plain:
                parts.append(_in("e.event_type_id", plain, params))
            for pair in sorted(t.split(":", 1) for t in selector.types if ":" in t):
                if pair[0] in ids:
                    parts.append("(e.event_type_id = %s AND e.category = %s)")
                    params += [ids[pair[0]], pair[1]]
            if not parts:
                continue
            condition = f"({' OR '.join(parts)})"
            if selector.categories:
                condition += " AND " + _in("e.category", sorted(selector.categories), params)
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
    sql = (
        "SELECT ec.child_id, ec.occurred_on, ec.event_id, e.event_type_id, e.category, ec.agency_id, e.value "  # noqa: S608
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
    # PostgreSQL: a second connection reads the whole scan in one read-only transaction through a
    # server-side cursor (rows arrive as they are read, in binary); alerts are written, and
    # committed chunk by chunk, on the usual connection meanwhile.
    reader = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        reader.ensure_connection()
        raw: Any = reader.connection
        raw.autocommit = False
        raw.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        # Plan for reading every row (not the first few), sort in memory, no JIT compilation.
        raw.execute("SET LOCAL cursor_tuple_fraction = 1.0")
        raw.execute("SET LOCAL work_mem = '256MB'")
        raw.execute("SET LOCAL jit = off")
        with raw.cursor(name="concerns_scan", binary=True) as cursor:
            cursor.itersize = FETCH
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(FETCH):
                yield from rows
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
                    occurred_on = dt.date.fromisoformat(occurred_on)
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

    def __call__(self, items: Sequence[Item]) -> dict[int, list[Match]]:
        buckets: list[list[Item]] = [[] for _ in self.specs]
        by_code = self.by_code
        for it in items:
            for n in by_code.get(it.type_code, ()):
                buckets[n].append(it)
        out = {}
        functions = self.functions
        for n, spec in enumerate(self.specs):
            if len(buckets[n]) >= self.minimum[n]:
                matches = functions[n](spec, buckets[n])
                if matches:
                    out[spec.rule_id] = matches
        return out


# ---- reconciling with the alerts held -----------------------------------------------------------


def digest(ids: Iterable[int]) -> int:
    """An order-free fingerprint of a set of entry ids (stored on the alert with the count), so a
    rescan can tell "no new evidence" without reading every alert's evidence rows."""
    return sum((i * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF for i in ids) & DIGEST_MASK


@dataclass
class OpenAlert:
    pk: int
    first_met_on: dt.date
    last_evidence_on: dt.date
    evidence_count: int
    evidence_digest: int
    evidence: set[int] | None = None  # read only when the fingerprint differs


@dataclass
class Held:
    """The alerts already held for some rules and children."""

    open: dict[tuple[int, int], OpenAlert] = field(default_factory=dict)
    covered: dict[tuple[int, int], frozenset[int]] = field(default_factory=dict)
    # Gap rules only: {(rule, child): {entry id: the latest day a closed alert took it in}}.
    gaps_shown: dict[tuple[int, int], dict[int, dt.date]] = field(default_factory=dict)

    @classmethod
    def load(cls, rule_ids: Sequence[int], child_ids: Sequence[int], gap_rule_ids: Iterable[int] = ()) -> Held:
        """The alerts of these rules for these children (read by the range of child ids: one index
        range scan; alerts of other children in the range are read and not used). For the rules in
        `gap_rule_ids`, closed alerts' evidence is read with the day each entry was taken in."""
        held = cls()
        gap_rules = frozenset(gap_rule_ids)
        closed_gaps: dict[int, tuple[int, int]] = {}
        alerts = Alert.objects.filter(
            rule_id__in=list(rule_ids), child_id__gte=min(child_ids), child_id__lte=max(child_ids)
        )
        closed: dict[int, tuple[int, int]] = {}
        for pk, rule_id, child_id, status, first, last, count, fingerprint in alerts.order_by().values_list(
            "pk",
            "rule_id",
            "child_id",
            "status",
            "first_met_on",
            "last_evidence_on",
            "evidence_count",
            "evidence_digest",
        ):
            if status == AlertStatus.CLOSED:
                if rule_id in gap_rules:
                    closed_gaps[pk] = (rule_id, child_id)
                else:
                    closed[pk] = (rule_id, child_id)
            else:
                held.open[(rule_id, child_id)] = OpenAlert(pk, first, last, count, fingerprint)
        covered: dict[tuple[int, int], set[int]] = defaultdict(set)
        if closed:
            rows = (
                AlertEvidence.objects.filter(alert_id__in=list(closed)).order_by().values_list("alert_id", "event_id")
            )
            for alert_id, event_id in rows.iterator(chunk_size=10_000):
                covered[closed[alert_id]].add(event_id)
        held.covered = {key: frozenset(ids) for key, ids in covered.items()}
        if closed_gaps:
            dated = (
                AlertEvidence.objects.filter(alert_id__in=list(closed_gaps))
                .order_by()
                .values_list("alert_id", "event_id", "added_at")
            )
            for alert_id, event_id, added_at in dated.iterator(chunk_size=10_000):
                shown = held.gaps_shown.setdefault(closed_gaps[alert_id], {})
                day = timezone.localdate(added_at)
                if day > shown.get(event_id, dt.date.min):
                    shown[event_id] = day
        return held

    def read_evidence(self, alerts: Sequence[OpenAlert]) -> None:
        by_pk = {a.pk: a for a in alerts if a.evidence is None}
        for a in by_pk.values():
            a.evidence = set()
        if by_pk:
            rows = AlertEvidence.objects.filter(alert_id__in=list(by_pk)).order_by().values_list("alert_id", "event_id")
            for alert_id, event_id in rows:
                by_pk[alert_id].evidence.add(event_id)  # type: ignore[union-attr]


@dataclass
class Outcome:
    raised: list[int] = field(default_factory=list)  # new alert ids
    updated: list[int] = field(default_factory=list)  # open alerts that gained evidence
    children: int = 0
    entries: int = 0

    def merge(self, other: Outcome) -> None:
        self.raised += other.raised
        self.updated += other.updated


def _findings(results: dict[int, dict[int, list[Match]]], held: Held) -> list[tuple[tuple[int, int], Finding]]:
    """What each (rule, child) in `results` found that the alerts held have not already shown."""
    found_for: list[tuple[tuple[int, int], Finding]] = []
    for child_id, per_rule in results.items():
        for rule_id, matches in per_rule.items():
            key = (rule_id, child_id)
            found = finding(matches, held.covered.get(key, frozenset()), held.gaps_shown.get(key))
            if found is not None:
                found_for.append((key, found))
    return found_for


def _read_differing_evidence(found_for: list[tuple[tuple[int, int], Finding]], held: Held) -> None:
    """Open alerts whose evidence may differ from what was found: read their evidence (one query)."""
    differing = [
        held.open[key]
        for key, found in found_for
        if key in held.open
        and (len(found.evidence), digest(found.evidence))
        != (held.open[key].evidence_count, held.open[key].evidence_digest)
    ]
    held.read_evidence(differing)


def _new_alert(key: tuple[int, int], found: Finding, now: dt.datetime) -> Alert:
    return Alert(
        rule_id=key[0],
        child_id=key[1],
        first_met_on=found.first_met_on,
        last_evidence_on=found.last_evidence_on,
        evidence_count=len(found.evidence),
        evidence_digest=digest(found.evidence),
        raised_at=now,
        updated_at=now,
    )


def _grow(current: OpenAlert, found: Finding, now: dt.datetime) -> tuple[Alert | None, list[AlertEvidence]]:
    """An open alert takes in what was found since: the row to update (None if nothing new) and its
    new evidence."""
    extra = found.evidence - current.evidence if current.evidence is not None else frozenset()
    if not extra and found.first_met_on >= current.first_met_on:
        return None, []
    evidence = [AlertEvidence(alert_id=current.pk, event_id=e, added_at=now) for e in sorted(extra)]
    current.first_met_on = min(current.first_met_on, found.first_met_on)
    current.last_evidence_on = max(current.last_evidence_on, found.last_evidence_on)
    current.evidence_count += len(extra)
    current.evidence_digest = (current.evidence_digest + digest(extra)) & DIGEST_MASK
    if current.evidence is not None:
        current.evidence |= extra
    row = Alert(
        pk=current.pk,
        first_met_on=current.first_met_on,
        last_evidence_on=current.last_evidence_on,
        evidence_count=current.evidence_count,
        evidence_digest=current.evidence_digest,
        updated_at=now,
    )
    return row, evidence


def _create(new_alerts: list[tuple[Alert, Finding]], held: Held, now: dt.datetime) -> list[AlertEvidence]:
    """Insert the new alerts, hold them as open, and return their evidence rows."""
    created = Alert.objects.bulk_create([a for a, _ in new_alerts], batch_size=1000)
    if any(a.pk is None for a in created):  # databases that cannot return ids from a bulk insert
        for alert in created:
            alert.pk = Alert.objects.open().get(rule_id=alert.rule_id, child_id=alert.child_id).pk
    evidence: list[AlertEvidence] = []
    for alert, found in new_alerts:
        held.open[(alert.rule_id, alert.child_id)] = OpenAlert(
            alert.pk,
            alert.first_met_on,
            alert.last_evidence_on,
            alert.evidence_count,
            alert.evidence_digest,
            set(found.evidence),
        )
        evidence += [AlertEvidence(alert_id=alert.pk, event_id=e, added_at=now) for e in sorted(found.evidence)]
    return evidence


def apply(results: dict[int, dict[int, list[Match]]], held: Held, *, now: dt.datetime | None = None) -> Outcome:
    """Write what `results` ({child id: {rule id: matches}}) call for, given the alerts `held`.
    Runs in the caller's transaction."""
    from safeguarding.concerns import notifications

    now = now or timezone.now()
    outcome = Outcome()
    found_for = _findings(results, held)
    _read_differing_evidence(found_for, held)
    new_alerts: list[tuple[Alert, Finding]] = []
    new_evidence: list[AlertEvidence] = []
    changed: list[Alert] = []
    for key, found in found_for:
        current = held.open.get(key)
        if current is None:
            new_alerts.append((_new_alert(key, found, now), found))
            continue
        row, evidence = _grow(current, found, now)
        if row is not None:
            new_evidence += evidence
            changed.append(row)
            outcome.updated.append(current.pk)
    if new_alerts:
        new_evidence += _create(new_alerts, held, now)
        outcome.raised += [a.pk for a, _ in new_alerts]
    if new_evidence:
        AlertEvidence.objects.bulk_create(new_evidence, batch_size=5000)
    if changed:
        Alert.objects.bulk_update(
            changed,
            ["first_met_on", "last_evidence_on", "evidence_count", "evidence_digest", "updated_at"],
            batch_size=1000,
        )
    if new_alerts or changed:
        children = {current.pk: key[1] for key, current in held.open.items()}
        notifications.log_and_notify([a for a, _ in new_alerts], [(c.pk, children[c.pk]) for c in changed], now=now)
    return outcome


# ---- the two entry points -----------------------------------------------------------------------


def evaluate_children(
    child_ids: Iterable[int], *, codes: Sequence[str] | None = None, as_of: dt.date | None = None
) -> Outcome:
    """The incremental path: evaluate every active rule for these children only (after new entries),
    on `as_of` (entries up to it; default today, with every entry, as the full scan does)."""
    ids = sorted(set(child_ids))
    specs = active_specs(codes)
    outcome = Outcome(children=len(ids))
    if not ids or not specs:
        return outcome
    vocabulary = Vocabulary.load()
    type_ids = vocabulary.type_ids_for(specs)
    for start in range(0, len(ids), CHILD_CHUNK):
        chunk = ids[start : start + CHILD_CHUNK]
        outcome.merge(_run(specs, vocabulary, type_ids, chunk, as_of))
    return outcome


def _run(
    specs: Sequence[Spec],
    vocabulary: Vocabulary,
    type_ids: Sequence[int],
    child_ids: Sequence[int],
    as_of: dt.date | None,
) -> Outcome:
    results: dict[int, dict[int, list[Match]]] = {}
    evaluator = Evaluator(specs, vocabulary, as_of)
    for child_id, items in child_items(vocabulary, type_ids, child_ids=child_ids, as_of=as_of, specs=specs):
        per_rule = evaluator(items)
        if per_rule:
            results[child_id] = per_rule
    return _write(specs, child_ids, results)


def _write(
    specs: Sequence[Spec],
    child_ids: Sequence[int] | None,
    results: dict[int, dict[int, list[Match]]],
) -> Outcome:
    if not results:
        return Outcome()
    rule_ids = [s.rule_id for s in specs]
    gap_rule_ids = [s.rule_id for s in specs if s.kind == RuleKind.GAP]
    wanted = sorted(results) if child_ids is None else child_ids
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
    type_ids = vocabulary.type_ids_for(specs)
    results: dict[int, dict[int, list[Match]]] = {}
    evaluator = Evaluator(specs, vocabulary, as_of)
    for child_id, items in child_items(vocabulary, type_ids, as_of=as_of, specs=specs):
        outcome.children += 1
        outcome.entries += len(items)
        per_rule = evaluator(items)
        if per_rule:
            results[child_id] = per_rule
        if len(results) >= CHILD_CHUNK:
            outcome.merge(_write(specs, None, results))
            results = {}
    outcome.merge(_write(specs, None, results))
    return outcome


def preview(rule: Rule, *, limit_children: Iterable[int] | None = None) -> dict[int, Finding]:
    """What `rule` (saved or not, active or not) would raise on the data held now, evaluated today
    (as tonight's full scan would): {child id: finding}. Writes nothing."""
    spec = spec_for(rule)
    today = timezone.localdate()
    vocabulary = Vocabulary.load()
    type_ids = vocabulary.type_ids_for([spec])
    ids = sorted(set(limit_children)) if limit_children is not None else None
    out = {}
    for child_id, items in child_items(vocabulary, type_ids, child_ids=ids, specs=[spec]):
        found = finding(evaluate(spec, items, today))
        if found is not None:
            out[child_id] = found
    return out
