"""Reconciling what the rules found with the alerts already held (`apply`), for both paths of `scan.py`.

An open alert for the rule and child gets the new evidence (and an earlier `first_met_on` if a
back-dated entry completed the pattern sooner); otherwise a new alert is raised, unless every match
is made only of entries a closed alert for the same rule and child already showed (for a gap: unless
a closed alert already showed the gap, see `engine.finding`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from safeguarding.concerns.engine import Finding, Found, finding
from safeguarding.concerns.enums import AlertStatus
from safeguarding.concerns.models import Alert, AlertEvidence

DIGEST_MASK = (1 << 62) - 1
# Up to this many children, the alerts held are read by their ids (else by the range of ids).
FEW_CHILDREN = 500


def digest(ids: Iterable[int]) -> int:
    """An order-free fingerprint of a set of entry ids (stored on the alert with the count), so a
    rescan can tell "no new evidence" without reading every alert's evidence rows.

    The sum of each id times the constant, each taken modulo 2**64, then modulo 2**62: the same
    as the constant times the sum of the ids, modulo 2**62 (2**62 divides 2**64), which is how it
    is computed — one multiplication a set, which a rescan makes for every finding."""
    return (sum(ids) * 0x9E3779B97F4A7C15) & DIGEST_MASK


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
        # By child only (the child/status index), the rules chosen here: with `rule_id IN (…)` in
        # the query SQLite's planner took the rule/status index and read every alert of the rules.
        if len(child_ids) <= FEW_CHILDREN:
            alerts = Alert.objects.filter(child_id__in=list(child_ids))
        else:
            alerts = Alert.objects.filter(child_id__gte=min(child_ids), child_id__lte=max(child_ids))
        wanted_rules = frozenset(rule_ids)
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
            if rule_id not in wanted_rules:
                continue
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


def _each_finding(results: dict[int, dict[int, Found]], held: Held) -> Iterator[tuple[tuple[int, int], Finding]]:
    """What each (rule, child) in `results` found that the alerts held have not already shown."""
    for child_id, per_rule in results.items():
        for rule_id, matches in per_rule.items():
            key = (rule_id, child_id)
            found = finding(matches, held.covered.get(key, frozenset()), held.gaps_shown.get(key))
            if found is not None:
                yield key, found


def _findings(results: dict[int, dict[int, Found]], held: Held) -> list[tuple[tuple[int, int], Finding]]:
    return list(_each_finding(results, held))


def changes_needed(results: dict[int, dict[int, Found]], held: Held) -> bool:
    """Whether `apply(results, held)` would write anything: a finding with no open alert (a new
    alert), or one whose evidence differs from its open alert's (by count and fingerprint, as
    `apply` compares them) or that was first met earlier than the alert says."""
    for key, found in _each_finding(results, held):  # stops at the first change (a first scan: at once)
        current = held.open.get(key)
        if (
            current is None
            or (len(found.evidence), digest(found.evidence)) != (current.evidence_count, current.evidence_digest)
            or found.first_met_on < current.first_met_on
        ):
            return True
    return False


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


@dataclass(slots=True)
class NewAlert:
    """An alert to raise (a plain row: building 60,000 model instances, and Django preparing every
    field of each for a bulk insert, was most of a first scan's time)."""

    rule_id: int
    child_id: int
    first_met_on: dt.date
    last_evidence_on: dt.date
    evidence_count: int
    evidence_digest: int
    pk: int = 0


def _new_alert(key: tuple[int, int], found: Finding) -> NewAlert:
    return NewAlert(
        key[0], key[1], found.first_met_on, found.last_evidence_on, len(found.evidence), digest(found.evidence)
    )


def _grow(current: OpenAlert, found: Finding, now: dt.datetime) -> tuple[Alert | None, list[tuple[int, int]]]:
    """An open alert takes in what was found since: the row to update (None if nothing new) and its
    new evidence (alert id, entry id)."""
    extra = found.evidence - current.evidence if current.evidence is not None else frozenset()
    if not extra and found.first_met_on >= current.first_met_on:
        return None, []
    evidence = [(current.pk, e) for e in sorted(extra)]
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


# Every column of a new alert without a database default of its own (Django's defaults are Python's).
_ALERT_COLUMNS = (
    "rule_id",
    "child_id",
    "status",
    "first_met_on",
    "last_evidence_on",
    "evidence_count",
    "evidence_digest",
    "raised_at",
    "updated_at",
    "decision",
    "decision_note",
    "closing_note",
    "version",
)
_INSERT_BATCH = 1000


def _insert_alerts(alerts: Sequence[NewAlert], now: dt.datetime) -> None:
    """Insert the alerts with a multi-row `INSERT … RETURNING` (both databases) and set their ids,
    matched by (rule, child): at most one open alert each."""
    ops = connection.ops
    at = ops.adapt_datetimefield_value(now)
    table = ops.quote_name(Alert._meta.db_table)
    columns = ", ".join(ops.quote_name(c) for c in _ALERT_COLUMNS)
    row = "(" + ", ".join(["%s"] * len(_ALERT_COLUMNS)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(alerts), _INSERT_BATCH):
            batch = alerts[start : start + _INSERT_BATCH]
            params: list[Any] = []
            for a in batch:
                params += [
                    a.rule_id,
                    a.child_id,
                    AlertStatus.NEW.value,
                    ops.adapt_datefield_value(a.first_met_on),
                    ops.adapt_datefield_value(a.last_evidence_on),
                    a.evidence_count,
                    a.evidence_digest,
                    at,
                    at,
                    "",
                    "",
                    "",
                    1,
                ]
            # Names from the model; every value a parameter.
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * len(batch))} "  # noqa: S608
                "RETURNING id, rule_id, child_id",
                params,
            )
            ids = {(rule_id, child_id): pk for pk, rule_id, child_id in cursor.fetchall()}
            for a in batch:
                a.pk = ids[(a.rule_id, a.child_id)]


def _insert_evidence(rows: Sequence[tuple[int, int]], now: dt.datetime) -> None:
    """(alert id, entry id) rows, added now: COPY on PostgreSQL, else `executemany`."""
    if not rows:
        return
    ops = connection.ops
    table = ops.quote_name(AlertEvidence._meta.db_table)
    columns = ", ".join(ops.quote_name(c) for c in ("alert_id", "event_id", "added_at"))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for alert_id, event_id in rows:
                    copy.write_row((alert_id, event_id, now))
            return
        at = ops.adapt_datetimefield_value(now)
        sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s)"  # noqa: S608 - names from the model
        cursor.executemany(sql, [(alert_id, event_id, at) for alert_id, event_id in rows])


def _create(new_alerts: list[tuple[NewAlert, Finding]], held: Held, now: dt.datetime) -> list[tuple[int, int]]:
    """Insert the new alerts, hold them as open, and return their evidence rows."""
    _insert_alerts([a for a, _ in new_alerts], now)
    evidence: list[tuple[int, int]] = []
    for alert, found in new_alerts:
        held.open[(alert.rule_id, alert.child_id)] = OpenAlert(
            alert.pk,
            alert.first_met_on,
            alert.last_evidence_on,
            alert.evidence_count,
            alert.evidence_digest,
            set(found.evidence),
        )
        evidence += [(alert.pk, e) for e in sorted(found.evidence)]
    return evidence


def apply(results: dict[int, dict[int, Found]], held: Held, *, now: dt.datetime | None = None) -> Outcome:
    """Write what `results` ({child id: {rule id: matches}}) call for, given the alerts `held`.
    Runs in the caller's transaction."""
    from safeguarding.concerns import notifications

    now = now or timezone.now()
    outcome = Outcome()
    found_for = _findings(results, held)
    _read_differing_evidence(found_for, held)
    new_alerts: list[tuple[NewAlert, Finding]] = []
    new_evidence: list[tuple[int, int]] = []
    changed: list[Alert] = []
    for key, found in found_for:
        current = held.open.get(key)
        if current is None:
            new_alerts.append((_new_alert(key, found), found))
            continue
        row, evidence = _grow(current, found, now)
        if row is not None:
            new_evidence += evidence
            changed.append(row)
            outcome.updated.append(current.pk)
    if new_alerts:
        new_evidence += _create(new_alerts, held, now)
        outcome.raised += [a.pk for a, _ in new_alerts]
    _insert_evidence(new_evidence, now)
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
