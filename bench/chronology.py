"""Chronology benchmark: the page and the API for a child with 2,000 events, in a database of
millions, against a bare SQL query fetching the same child's EventChild→Event join.

Server time is measured in-process through Django's test client (the whole request: middleware,
authentication, access checks, the merged chronology, rendering or serialising, the activity-log
write), as a signed-in two-factor-verified practitioner (page) and as the agency's token (API).
"""

from __future__ import annotations

import cProfile
import gc
import io
import os
import pstats
import statistics
import time
from collections.abc import Callable
from typing import Any

from bench.chronology_data import BenchData, prepare
from bench.common import RESULTS_DIR, say

# Issue 19's targets (issue 3's were 10× for both).
TARGETS = {"api": 4.0, "page": 5.0}

BARE_SQL = """
    SELECT e.* FROM chronology_eventchild ec
    JOIN chronology_event e ON e.id = ec.event_id
    WHERE ec.child_id = %s AND ec.is_current
    ORDER BY ec.occurred_on, ec.event_id
"""


def page_path(child_id: int) -> str | None:
    """The chronology page's path, or None while the page does not exist yet."""
    from django.urls import NoReverseMatch, Resolver404, resolve, reverse

    for name in ("chronology:child-chronology", "chronology:child"):
        try:
            return reverse(name, args=[child_id])
        except NoReverseMatch:
            continue
    path = f"/chronology/children/{child_id}/"
    try:
        resolve(path)
    except Resolver404:
        return None
    return path


def _verified_client(user_id: int) -> Any:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.get(pk=user_id)
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        raise RuntimeError("The benchmark user has no authenticator; regenerate the database.")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _profile(function: Any, label: str, vendor: str) -> list[str]:
    profiler = cProfile.Profile()
    profiler.enable()
    function()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
    text = out.getvalue()
    (RESULTS_DIR / f"chronology-profile-{label}-{vendor}.txt").write_text(text, encoding="utf-8")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
    return [line.rstrip() for line in out.getvalue().splitlines() if line.strip()][-16:]


def run(*, events: int, repeat: int, profile: bool = True) -> dict[str, Any]:
    from django.db import connection

    data: BenchData
    data, generated_seconds = prepare(events)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM chronology_event")
        total_events = cursor.fetchone()[0]
    say(f"Database holds {total_events:,} events; the bench child is {data.child_id}.")
    results: dict[str, Any] = {
        "events_in_database": total_events,
        "generated_seconds": generated_seconds,
        "repeat": repeat,
        "target_ratio": TARGETS,
    }
    lines = _lines(data, results)
    _warm_up(lines, results)
    # What the WSGI module does in the server (safeguarding/wsgi.py): the process's long-lived objects
    # leave the garbage collector's walks.
    gc.freeze()
    _time(lines, repeat, results)
    _report(lines, results)
    results["load_average"] = os.getloadavg()
    if profile:
        results["api_profile_top"] = _profile(lines["api"], "api", connection.vendor)
        if "page" in lines:
            results["page_profile_top"] = _profile(lines["page"], "page", connection.vendor)
    ok = results["api_ratio"] <= TARGETS["api"] and results.get("page_ratio", 0) <= TARGETS["page"]
    results["target_met"] = ok
    return results


def _lines(data: BenchData, results: dict[str, Any]) -> dict[str, Callable[[], int]]:
    """The timed lines, each returning its rows or bytes: the bare SQL, merged_chronology(), the API
    and (once it exists) the page. Notes in `results` when the page is skipped."""
    from django.db import connection
    from rest_framework.test import APIClient

    from safeguarding.agencies.models import User
    from safeguarding.children.models import Child
    from safeguarding.chronology.merged import merged_chronology

    child_id = data.child_id

    def bare() -> int:
        with connection.cursor() as cursor:
            cursor.execute(BARE_SQL, [child_id])
            return len(cursor.fetchall())

    user = User.objects.get(pk=data.user_id)
    child = Child.objects.get(pk=child_id)

    def merged() -> int:
        # A fresh user object each time, as each request has (no cached memberships).
        return len(merged_chronology(User.objects.get(pk=user.pk), child).rows)

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {data.token_key}")
    api_path = f"/api/v1/children/{child_id}/chronology/"

    def api_get() -> int:
        # Only the server's work is timed: the client does not parse the JSON it gets back.
        response = api.get(api_path)
        if response.status_code != 200:
            raise RuntimeError(f"{api_path} answered {response.status_code}: {response.content[:300]!r}")
        return len(response.content)

    def api_rows() -> int:
        return len(api.get(api_path).json()["entries"])

    lines: dict[str, Callable[[], int]] = {"bare_sql": bare, "merged_chronology": merged, "api": api_get}
    path = page_path(child_id)
    if path is None:
        say("page: /chronology/children/<id>/ does not exist yet, so its line is skipped.")
        results["page_skipped"] = "The chronology page does not exist yet."
    else:
        lines["page"] = _page_line(data.user_id, path)
    results["child_rows"] = bare()
    results["merged_rows"] = merged()
    results["api_rows"] = api_rows()
    return lines


def _page_line(user_id: int, page: str) -> Callable[[], int]:
    browser = _verified_client(user_id)

    def page_get() -> int:
        response = browser.get(page)
        if response.status_code != 200:
            raise RuntimeError(f"{page} answered {response.status_code}")
        return len(response.content)

    return page_get


def _warm_up(lines: dict[str, Callable[[], int]], results: dict[str, Any]) -> None:
    """One run of each line (its rows or bytes), and the queries the API and the page make."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for name, function in lines.items():
        results[f"{name}_result"] = function()  # a warm-up run (rows or bytes)
        if name in ("api", "page"):
            with CaptureQueriesContext(connection) as queries:
                function()
            results[f"{name}_queries"] = len(queries.captured_queries)


def _time(lines: dict[str, Callable[[], int]], repeat: int, results: dict[str, Any]) -> None:
    # Interleaved, so a busy moment on the machine falls on every line alike.
    # The CPU time of this process too: on SQLite the whole request, the query included, runs here,
    # so its ratio says what the wall-clock ratio would be on a quiet machine.
    times: dict[str, list[float]] = {name: [] for name in lines}
    cpu: dict[str, list[float]] = {name: [] for name in lines}
    for _ in range(repeat):
        for name, function in lines.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            function()
            times[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    results["times_seconds"] = times
    results["cpu_seconds"] = cpu
    for name in lines:
        results[f"{name}_seconds"] = statistics.median(times[name])
        results[f"{name}_cpu_seconds"] = statistics.median(cpu[name])


def _report(lines: dict[str, Callable[[], int]], results: dict[str, Any]) -> None:
    """Say each line's median, and the API's and the page's ratio to the bare SQL."""
    bare_seconds = results["bare_sql_seconds"]
    say(f"bare SQL: {results['child_rows']:,} rows, median {bare_seconds * 1000:.1f} ms")
    merged_seconds = results["merged_chronology_seconds"]
    say(
        f"merged_chronology(): {results['merged_rows']:,} rows, median "
        f"{merged_seconds * 1000:.1f} ms ({merged_seconds / bare_seconds:.1f}×)"
    )
    for name in ("api", "page"):
        if name not in lines:
            continue
        results[f"{name}_ratio"] = results[f"{name}_seconds"] / bare_seconds
        results[f"{name}_cpu_ratio"] = results[f"{name}_cpu_seconds"] / max(results["bare_sql_cpu_seconds"], 1e-6)
        say(
            f"{name}: {results[f'{name}_queries']} queries, median {results[f'{name}_seconds'] * 1000:.1f} ms, "
            f"ratio {results[f'{name}_ratio']:.1f}× (target ≤ {TARGETS[name]:.0f}×); CPU of this process "
            f"{results[f'{name}_cpu_seconds'] * 1000:.1f} ms, {results[f'{name}_cpu_ratio']:.1f}× the bare query's"
        )
