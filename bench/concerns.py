"""Concerns benchmark: the full rule scan over millions of events against one SQL pass reading every
event, and the incremental evaluation after one new entry.

Uses the chronology benchmark's database (`bench/chronology_data.py`: generated once with
`generate_series` / a recursive CTE, then reused), topped up once with what the default rules look
at: referral outcomes and concerns get categories, school attendance entries a percentage, and
plan entries a plan category (when the vocabulary has them). Lines, same run, same database:

- **baseline** — one SQL pass reading every current event: `SELECT ec.child_id, count(*) FROM
  chronology_eventchild ec JOIN chronology_event e ON e.id = ec.event_id WHERE ec.is_current GROUP BY
  ec.child_id`, all rows fetched (and, for the record, the same count over EventChild alone);
- **first scan** — `scan.full_scan()` with no alerts held: reads, evaluates and raises every alert;
- **rescan** — `full_scan()` again (the nightly case): reads and evaluates everything, finds nothing new;
- **incremental** — for children picked at random: record one new entry (`record_event`), then time
  `evaluate_children([child])`, the work the task does after the commit.

Targets: full scan ≤ 3× the baseline; incremental median < 20 ms per event.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from typing import Any

from bench.chronology_data import BenchData, _execute, _read_meta, _write_meta, prepare
from bench.common import say

SCAN_TARGET = 3.0
INCREMENTAL_TARGET_MS = 20.0

BASELINE_SQL = (
    "SELECT ec.child_id, count(*) FROM chronology_eventchild ec "
    "JOIN chronology_event e ON e.id = ec.event_id WHERE ec.is_current GROUP BY ec.child_id"
)
LINKS_ONLY_SQL = "SELECT child_id, count(*) FROM chronology_eventchild WHERE is_current GROUP BY child_id"


def _spread_dates() -> None:
    """The generator gives all of a pool child's entries one date (its date and child both follow
    the entry number modulo 5,000 and 100,000); spread them over the same 5,000 days with a hash
    modulo a prime (a multiple of the id modulo 5,000 would still be constant per child), as a
    real chronology is, so windows and sequences have something to find. Indexes are dropped and
    rebuilt around the update, as the generator does."""
    from bench.chronology_data import _quoted, _secondary_indexes

    modulo = "%"  # these statements take no parameters
    dropped = {table: _secondary_indexes(table) for table in ("chronology_event", "chronology_eventchild")}
    for indexes in dropped.values():
        for name, _sql in indexes:
            _execute(f"DROP INDEX {_quoted(name)}")
    if _vendor() == "postgresql":
        _execute(
            "UPDATE chronology_event SET occurred_on = "
            f"DATE '2011-01-01' + (((id * 104729) {modulo} 1000003) {modulo} 5000)::int"
        )
        _execute(
            "UPDATE chronology_eventchild ec SET occurred_on = e.occurred_on FROM chronology_event e "
            "WHERE e.id = ec.event_id"
        )
    else:
        _execute(
            "UPDATE chronology_event SET occurred_on = "
            f"date('2011-01-01', '+' || (((id * 104729) {modulo} 1000003) {modulo} 5000) || ' days')"
        )
        _execute(
            "UPDATE chronology_eventchild SET occurred_on = "
            "(SELECT occurred_on FROM chronology_event e WHERE e.id = chronology_eventchild.event_id)"
        )
    if _vendor() == "postgresql":
        say("  compacting the tables (VACUUM FULL), so neither line reads dead rows")
        _execute("VACUUM FULL chronology_event")
        _execute("VACUUM FULL chronology_eventchild")
    for indexes in dropped.values():
        for name, sql in indexes:
            say(f"  rebuilding index {name}")
            _execute(sql)


def top_up() -> None:
    """Give the generated entries the categories, values and spread of dates the default rules read
    (once per database)."""

    done = _read_meta().get("concerns_topup")
    if done == "3":
        return
    start = time.perf_counter()
    if done not in ("1", "2"):
        _topup_values()
    _spread_dates()
    _execute("ANALYZE")
    _write_meta({"concerns_topup": "3"})
    say(f"  topped up categories, values and dates in {time.perf_counter() - start:,.0f} s")


def _topup_values() -> None:
    from safeguarding.chronology.models import EventType

    modulo = "%%" if _vendor() == "postgresql" else "%"
    for event_type in EventType.objects.all():
        codes = event_type.category_codes
        if codes:
            cases = " ".join(f"WHEN {n} THEN '{code}'" for n, code in enumerate(codes))
            # Codes come from the vocabulary table (slugs); the type id is a parameter.
            _execute(
                f"UPDATE chronology_event SET category = CASE (id {modulo} {len(codes)}) {cases} END "
                "WHERE event_type_id = %s",
                [event_type.pk],
            )
        if event_type.takes_value:
            _execute(
                f"UPDATE chronology_event SET value = 86 + (id {modulo} 15) WHERE event_type_id = %s",
                [event_type.pk],
            )


def _vendor() -> str:
    from django.db import connection

    return connection.vendor


def _fetch_all(sql: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)
        return len(cursor.fetchall())


def _clear_alerts() -> None:
    from safeguarding.concerns.models import Alert, AlertEvidence

    AlertEvidence.objects.all().delete()
    Alert.objects.all().delete()


def run(*, events: int, repeat: int, incremental: int) -> dict[str, Any]:
    from django.db import connection

    from safeguarding.chronology.signals import events_changed
    from safeguarding.concerns import notifications
    from safeguarding.concerns.defaults import install_defaults
    from safeguarding.concerns.models import Rule

    data, generated = prepare(events)
    top_up()
    install_defaults()
    # The benchmark times the evaluation itself, not the task queue: no task per new entry.
    events_changed.receivers = []
    total = _execute("SELECT count(*) FROM chronology_event")[0][0]
    children = _execute("SELECT count(DISTINCT child_id) FROM chronology_eventchild")[0][0]
    say(f"Database holds {total:,} events about {children:,} children; {Rule.objects.active().count()} active rules.")
    results: dict[str, Any] = {
        "events_in_database": total,
        "children": children,
        "generated_seconds": generated,
        "rules": sorted(Rule.objects.active().values_list("code", flat=True)),
        "scan_target_ratio": SCAN_TARGET,
        "incremental_target_ms": INCREMENTAL_TARGET_MS,
    }
    with notifications.muted():
        _clear_alerts()
        _fetch_all(BASELINE_SQL)  # warm the cache for everyone alike
        _first_scan(results)
        _rescans(repeat, results)
        _incremental(data, incremental, results)
    results["load_average"] = os.getloadavg()
    results["database"] = connection.vendor
    results["target_met"] = results["rescan_ratio"] <= SCAN_TARGET and results["incremental_ms"] < INCREMENTAL_TARGET_MS
    return results


def _first_scan(results: dict[str, Any]) -> None:
    """`full_scan()` with no alerts held: it raises every alert."""
    from safeguarding.concerns.models import Alert
    from safeguarding.concerns.scan import full_scan

    start = time.perf_counter()
    first = full_scan()
    results["first_scan_seconds"] = time.perf_counter() - start
    results["alerts_raised"] = len(first.raised)
    results["entries_read"] = first.entries
    results["alerts_by_rule"] = dict(
        Alert.objects.values_list("rule__code").annotate(n=_count()).order_by("rule__code")
    )
    say(
        f"first scan: {results['first_scan_seconds']:.1f} s, {first.entries:,} candidate entries read, "
        f"{len(first.raised):,} alerts raised"
    )


def _rescans(repeat: int, results: dict[str, Any]) -> None:
    """The baseline, the links-only count and the rescan, interleaved `repeat` times."""
    from safeguarding.concerns.scan import full_scan

    times: dict[str, list[float]] = {"baseline": [], "links_only": [], "rescan": []}
    for _ in range(repeat):
        for name, function in (
            ("baseline", lambda: _fetch_all(BASELINE_SQL)),
            ("links_only", lambda: _fetch_all(LINKS_ONLY_SQL)),
            ("rescan", full_scan),
        ):
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    results["times_seconds"] = times
    for name, values in times.items():
        results[f"{name}_seconds"] = statistics.median(values)
    base = results["baseline_seconds"]
    results["rescan_ratio"] = results["rescan_seconds"] / base
    results["first_scan_ratio"] = results["first_scan_seconds"] / base
    say(f"baseline (grouped count over every event): median {base:.2f} s")
    say(f"  (the same count over EventChild alone: {results['links_only_seconds']:.2f} s)")
    say(
        f"rescan: median {results['rescan_seconds']:.2f} s, "
        f"ratio {results['rescan_ratio']:.2f}× (target ≤ {SCAN_TARGET}×)"
    )
    say(f"first scan (raising every alert): ratio {results['first_scan_ratio']:.2f}×")


def _incremental(data: BenchData, incremental: int, results: dict[str, Any]) -> None:
    """One new entry for a random child, then the evaluation the task would run; `incremental` times."""
    from django.utils import timezone

    from safeguarding.agencies.models import Agency, User
    from safeguarding.children.models import Child
    from safeguarding.chronology import services as chronology
    from safeguarding.chronology.models import EventType
    from safeguarding.concerns.scan import evaluate_children

    rng = random.Random(7)
    ids = list(Child.objects.order_by().values_list("pk", flat=True)[:200_000])
    agency = Agency.objects.get(pk=data.agency_id)
    actor = User.objects.get(pk=data.user_id)
    wnb = EventType.objects.get(code="was_not_brought")
    today = timezone.localdate()
    record_times, eval_times, cpu_times = [], [], []
    for n in range(incremental):
        child = Child(pk=rng.choice(ids))
        start = time.perf_counter()
        chronology.record_event(
            actor=actor,
            shared_in=True,  # an agency's feed: the child need not be visible to it
            agency=agency,
            children=[Child.objects.get(pk=child.pk)],
            event_type=wnb,
            occurred_on=today,
            summary=f"Benchmark entry {n}",
        )
        record_times.append(time.perf_counter() - start)
        start, cpu = time.perf_counter(), time.process_time()
        evaluate_children([child.pk])
        eval_times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu)
    results["incremental_ms"] = statistics.median(eval_times) * 1000
    results["incremental_p90_ms"] = sorted(eval_times)[int(len(eval_times) * 0.9)] * 1000
    results["record_event_ms"] = statistics.median(record_times) * 1000
    # This process's CPU time alone (the wall time also waits for a database server that shares
    # the machine's two cores with everything else running).
    results["incremental_cpu_ms"] = statistics.median(cpu_times) * 1000
    say(
        f"incremental: median {results['incremental_ms']:.1f} ms per event "
        f"(p90 {results['incremental_p90_ms']:.1f} ms;"
        f" target < {INCREMENTAL_TARGET_MS:.0f} ms); CPU in this process {results['incremental_cpu_ms']:.1f} ms;"
        f" record_event itself {results['record_event_ms']:.1f} ms"
    )


def _count() -> Any:
    from django.db.models import Count

    return Count("id")
