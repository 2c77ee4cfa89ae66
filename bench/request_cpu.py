"""`python -m bench requests`: the server CPU and the queries of each request of the load mix, in-process.

The load benchmark (`bench load`) measures what 50 people cost a gunicorn server, but its response times
say as much about the machine's other work as about the Hub. This one asks the same requests of the
same people through Django's test client in one process, one at a time, and reports what each costs
whatever else the machine is doing: the process's CPU time (`time.process_time`), the CPU time of the
PostgreSQL backend that served it (from `/proc`, on PostgreSQL), and the number of queries.

- **The database** is the load benchmark's: `DATABASE_URL` names its seeded database (created, migrated
  and seeded the first time, as `bench load` does); each run works on a copy, dropped afterwards. On
  SQLite the demo goes into `bench/results/requests.sqlite3` once and each run works on a copy of it.
- **The people** are the load benchmark's (`bench.load.write_profiles`): `--users` verified sessions of
  the demo's staff in turn, and one API token per agency.
- **The mix** is the Locust scenario's (`bench/load_scenario.py`): each step a person picks a task by its
  weight (home 4, search 3, chronology page 3, chronology API 3, alerts 2, an alert 2, an action plan 1,
  the dashboard 1), and a task they may not do sends nothing, as there. One warm-up round first (not
  counted), then `--rounds` rounds of one request per person. The import a minute is left out.
- **Reported**: per request type and overall, the requests, median and mean CPU milliseconds of the
  process, the PostgreSQL backend's mean, and the median queries; `--profile FILE` writes a cProfile of
  the measured rounds; `--queries NAME` prints the statements of one request of that type.

(Not named `requests.py`: `bench/load_scenario.py` runs with `bench/` on its path and imports the
requests library.)
"""

from __future__ import annotations

import cProfile
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.common import PROJECT_DIR, RESULTS_DIR, say, using_postgresql

# The Locust scenario's tasks and weights (bench/load_scenario.py, class Practitioner).
WEIGHTS = {
    "home": 4,
    "search": 3,
    "chronology page": 3,
    "chronology API": 3,
    "alerts": 2,
    "alert": 2,
    "action plan": 1,
    "dashboard": 1,
}
SEED_FILE = RESULTS_DIR / "requests.sqlite3"
RUN_FILE = RESULTS_DIR / "requests-run.sqlite3"


def _seed(url: str) -> None:
    """Migrate and seed the demo into `url` the first time (as `bench load` does), in subprocesses."""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_ENV": "development", "DEBUG": "false"}
    manage = [sys.executable, str(PROJECT_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "--verbosity", "0"], env=env, check=True, cwd=PROJECT_DIR)
    seeded = subprocess.run(
        [*manage, "seed_demo", "--if-empty"], env=env, check=True, cwd=PROJECT_DIR, text=True, stdout=subprocess.PIPE
    )
    say(seeded.stdout.rstrip())
    if "no demo data was added" not in seeded.stdout:
        subprocess.run([*manage, "db_worker", "--batch"], env=env, check=True, cwd=PROJECT_DIR)


@contextmanager
def run_database() -> Iterator[str]:
    """A copy of the seeded demo for this run: its URL (PostgreSQL: `bench.load`'s template copy)."""
    if using_postgresql():
        from bench import load

        url = os.environ["DATABASE_URL"]
        load.prepare_seeded_database(url)
        with load.run_database(url, keep=False) as copy:
            yield copy
        return
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    _seed(f"sqlite:///{SEED_FILE}")
    shutil.copyfile(SEED_FILE, RUN_FILE)
    try:
        yield f"sqlite:///{RUN_FILE}"
    finally:
        RUN_FILE.unlink(missing_ok=True)


def _paths(profile: dict[str, Any], rng: random.Random) -> dict[str, Callable[[], tuple[str, dict[str, str]] | None]]:
    """What each task of the scenario would ask for this person (None: the task sends nothing)."""
    token = profile["token"]

    def pick(key: str, make: Callable[[Any], str]) -> tuple[str, dict[str, str]] | None:
        return (make(rng.choice(profile[key])), {}) if profile[key] else None

    def api() -> tuple[str, dict[str, str]] | None:
        if not token or not token["children"]:
            return None
        child = rng.choice(token["children"])
        return f"/api/v1/children/{child}/chronology/", {"HTTP_AUTHORIZATION": f"Token {token['key']}"}

    return {
        "home": lambda: ("/", {}),
        "search": lambda: (f"/children/?name={rng.choice(profile['search_terms'])}", {}) if profile["search"] else None,
        "chronology page": lambda: pick("children", lambda pk: f"/chronology/children/{pk}/"),
        "chronology API": api,
        "alerts": lambda: ("/alerts/", {}) if profile["alerts_page"] else None,
        "alert": lambda: pick("alerts", lambda pk: f"/alerts/{pk}/"),
        "action plan": lambda: pick("action_plans", lambda pk: f"/action-plans/{pk}/"),
        "dashboard": lambda: ("/dashboard/", {}) if profile["dashboard"] else None,
    }


def plan(profiles: list[dict[str, Any]], rounds: int, seed: int = 1) -> list[tuple[int, str, str, dict[str, str]]]:
    """`rounds` steps of every person, in turn: (person, request name, path, headers), as Locust picks."""
    rng = random.Random(seed)
    tasks = list(WEIGHTS)
    weights = [WEIGHTS[t] for t in tasks]
    paths = [_paths(p, rng) for p in profiles]
    steps = []
    for _ in range(rounds):
        for person, choices in enumerate(paths):
            name = rng.choices(tasks, weights)[0]
            asked = choices[name]()
            if asked is not None:
                steps.append((person, name, asked[0], asked[1]))
    return steps


class _Counter:
    """Counts the statements sent to the database (and keeps them when asked), cheaply."""

    def __init__(self) -> None:
        self.count = 0
        self.keep: list[str] | None = None

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        if self.keep is not None:
            self.keep.append(sql)
        return execute(sql, params, many, context)


def _backend_cpu(pid: int | None) -> float:
    """CPU seconds the PostgreSQL backend `pid` has used (0 when unknown)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _backend_pid() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _clients(profiles: list[dict[str, Any]]) -> list[Any]:
    from django.test import Client

    clients: list[Any] = []
    for profile in profiles:
        client = Client()
        client.cookies["sessionid"] = profile["session"]
        if clients:  # one handler, as one server process has: its middleware (whitenoise's files) loaded once
            client.handler = clients[0].handler
        clients.append(client)
    return clients


def _ask(client: Any, path: str, headers: dict[str, str]) -> int:
    response = client.get(path, **headers)
    if response.streaming:
        b"".join(response.streaming_content)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    return int(response.status_code)


def measure(steps: list[tuple[int, str, str, dict[str, str]]], clients: list[Any], profiler: Any) -> dict[str, Any]:
    """Ask every step in turn: per request name, the CPU (process, PostgreSQL backend) and queries."""
    from django.db import connection

    counter = _Counter()
    rows: dict[str, list[tuple[float, float, int]]] = {name: [] for name in WEIGHTS}
    with connection.execute_wrapper(counter):
        pid = _backend_pid()
        for person, name, path, headers in steps:
            before_queries, backend = counter.count, _backend_cpu(pid)
            if profiler is not None:
                profiler.enable()
            cpu = time.process_time()
            _ask(clients[person], path, headers)
            cpu = time.process_time() - cpu
            if profiler is not None:
                profiler.disable()
            pid_now = _backend_pid() if pid is None else pid  # a closed connection gets a new backend
            backend = _backend_cpu(pid_now) - backend if pid_now == pid else 0.0
            pid = pid_now
            rows[name].append((cpu, backend, counter.count - before_queries))
    return rows


def _line(rows: list[tuple[float, float, int]]) -> dict[str, Any]:
    cpu = [r[0] * 1000 for r in rows]
    return {
        "requests": len(rows),
        "cpu_median_ms": round(statistics.median(cpu), 2),
        "cpu_mean_ms": round(statistics.fmean(cpu), 2),
        "postgresql_mean_ms": round(statistics.fmean(r[1] * 1000 for r in rows), 2),
        "queries_median": statistics.median(r[2] for r in rows),
        "queries_mean": round(statistics.fmean(r[2] for r in rows), 1),
    }


def show_queries(name: str, steps: list[tuple[int, str, str, dict[str, str]]], clients: list[Any]) -> None:
    """Print the statements one request of type `name` sends (its first in the plan)."""
    from django.db import connection

    step = next((s for s in steps if s[1] == name), None)
    if step is None:
        say(f"No request named {name!r} in the plan.")
        return
    counter = _Counter()
    counter.keep = []
    with connection.execute_wrapper(counter):
        _ask(clients[step[0]], step[2], step[3])
    say(f"{name} ({step[2]}): {counter.count} queries")
    for number, sql in enumerate(counter.keep, 1):
        say(f"{number:3}. {sql[:400]}")


def run(*, users: int, rounds: int, profile_to: str = "", queries: str = "", only: str = "") -> dict[str, Any]:
    """Profiles, a warm-up round, then `rounds` measured rounds of the mix; the figures per request type.

    `only` (request names, comma-separated) keeps only those steps of the same plan: the same requests
    as in the whole mix, the others not asked."""
    import gc

    from bench.load import write_profiles
    from safeguarding.core.warmup import warm_up

    say(f"Writing {users} people's sessions and the agencies' tokens…")
    profiles_file = RESULTS_DIR / "requests-profiles.json"
    people = write_profiles(profiles_file, users=users)
    import json

    profiles = json.loads(profiles_file.read_text(encoding="utf-8"))["browsers"]
    profiles_file.unlink()
    clients = _clients(profiles)
    warm_up()  # as safeguarding/wsgi.py does before the first request
    measure(plan(profiles, 1, seed=0), clients, None)  # templates compiled, caches filled, URL resolver
    gc.freeze()  # as safeguarding/wsgi.py does after the first request
    if queries:
        show_queries(queries, plan(profiles, rounds), clients)
    steps = plan(profiles, rounds)
    if only:
        wanted = {name.strip() for name in only.split(",")}
        unknown = wanted - WEIGHTS.keys()
        if unknown:
            raise SystemExit(f"Unknown request types {sorted(unknown)}; choose from {list(WEIGHTS)}")
        steps = [step for step in steps if step[1] in wanted]
    profiler = cProfile.Profile(time.process_time) if profile_to else None  # CPU, not waiting
    load_before = os.getloadavg()
    rows = measure(steps, clients, profiler)
    if profiler is not None:
        profiler.dump_stats(profile_to)
        say(f"cProfile of the measured rounds written to {profile_to}")
    every = [r for name in WEIGHTS for r in rows[name]]
    return {
        "users": users,
        "people": people["people"],
        "rounds": rounds,
        "profiled": bool(profile_to),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "requests": {name: _line(rows[name]) for name in WEIGHTS if rows[name]},
        "overall": _line(every),
    }


def report(results: dict[str, Any]) -> None:
    say(
        f"{results['rounds']} rounds of {results['users']} people ({results['people']} demo staff); "
        f"load average {results['load_average_before'][0]:.2f} before, {results['load_average_after'][0]:.2f} after"
        + (" (profiled: CPU inflated)" if results["profiled"] else "")
    )
    say(f"{'request':<16} {'count':>6} {'cpu p50':>8} {'cpu mean':>9} {'pg mean':>8} {'queries':>8}")
    lines = {**results["requests"], "overall": results["overall"]}
    for name, line in lines.items():
        say(
            f"{name:<16} {line['requests']:6} {line['cpu_median_ms']:8.1f} {line['cpu_mean_ms']:9.1f} "
            f"{line['postgresql_mean_ms']:8.1f} {line['queries_mean']:8.1f}"
        )
