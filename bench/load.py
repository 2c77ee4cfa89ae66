"""`python -m bench load`: 50 signed-in people and one import a minute against gunicorn on PostgreSQL.

What it does, in order:
1. The database `DATABASE_URL` names is the benchmark's *seeded* database: created if missing,
   migrated, and filled with `seed_demo` (the small Northbridge demo) the first time. It is never
   loaded itself: each run copies it (`CREATE DATABASE … TEMPLATE`) into `<name>_run_<pid>`, so every
   run starts from the same data, and drops the copy afterwards (`--keep` keeps it).
2. Production settings (`DJANGO_ENV=production`, DEBUG off, a random `SECRET_KEY`, persistent database
   connections, the manifest static files storage after `collectstatic`), gunicorn with the shipped
   `gunicorn.conf.py` (on 2 cores: 5 processes of 2 threads; `--workers`/`--threads` change them) and
   one `db_worker` for the imports.
3. One verified session per simulated person, written straight into the copy's session table (the
   same keys Django's sign-in and django-otp's verification write), so no password, TOTP code or
   lockout is involved and nothing in the application is weakened; one API token per agency (through
   `create_api_token`, as an operator's command would).
4. The Locust scenario (`bench/load_scenario.py`) in its own process, headless, with the load average
   and the machine's CPU use sampled beside it; p50/p95/p99 per request and overall, requests a second
   and errors go to `bench/results/load-postgresql-<time>.json` and are printed.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench.common import PROJECT_DIR, RESULTS_DIR, say

SCENARIO = Path(__file__).resolve().parent / "load_scenario.py"
GUNICORN_CONFIG = PROJECT_DIR / "gunicorn.conf.py"
PAGES = ("/", "/children/?name=a", "/alerts/", "/dashboard/")


def _admin_url(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(scheme="postgresql", path="/postgres"))


def _database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, str(PROJECT_DIR / "manage.py"), *args], env=env, check=True, cwd=PROJECT_DIR)


def _manage_output(*args: str, env: dict[str, str]) -> bool:
    """Run a management command, showing its output; True unless it said it did nothing."""
    result = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "manage.py"), *args],
        env=env,
        check=True,
        cwd=PROJECT_DIR,
        text=True,
        stdout=subprocess.PIPE,
    )
    say(result.stdout.rstrip())
    return "no demo data was added" not in result.stdout


def prepare_seeded_database(url: str) -> None:
    """Create, migrate and seed the benchmark's own database the first time; migrate it on later runs."""
    import psycopg

    name = _database_name(url)
    with psycopg.connect(_admin_url(url), autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            say(f"Creating the benchmark database {name}…")
            connection.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_ENV": "development", "DEBUG": "false"}
    say(f"Migrating {name}…")
    _manage("migrate", "--verbosity", "0", env=env)
    if _manage_output("seed_demo", "--if-empty", env=env):
        # What seeding queued (alert evaluations) runs now, so that no run starts with a backlog.
        _manage("db_worker", "--batch", env=env)


@contextmanager
def run_database(url: str, *, keep: bool) -> Iterator[str]:
    """A copy of the seeded database for this run (its URL), dropped afterwards unless `keep`."""
    import psycopg

    name = f"{_database_name(url)}_run_{os.getpid()}"
    with psycopg.connect(_admin_url(url), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_database_name(url)}"')
    try:
        yield _with_database(url, name)
    finally:
        if keep:
            say(f"Kept the run's database {name}.")
        else:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(_admin_url(url), autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def production_environment(url: str) -> dict[str, str]:
    """The settings the server runs with: production, DEBUG off, behind a TLS-terminating proxy."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_ENV": "production",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": "https://127.0.0.1",
        "DATABASE_CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
    }


def collect_static(env: dict[str, str]) -> None:
    """`collectstatic` for the manifest storage production uses, unless its manifest is newer than every
    static file (it takes minutes: it compresses ~40 MB)."""
    from django.conf import settings

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    sources = [p for p in (PROJECT_DIR / "safeguarding").glob("*/static/**/*") if p.is_file()]
    if manifest.exists() and all(p.stat().st_mtime < manifest.stat().st_mtime for p in sources):
        return
    say("Collecting static files (the manifest storage production uses)…")
    _manage("collectstatic", "--noinput", "--verbosity", "0", env=env)


def _verified_session(user: Any) -> str:
    """A session that passed sign-in and two-factor authentication, as the sign-in views leave it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        raise RuntimeError(f"{user.username} has no authenticator: reseed the benchmark database.")
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.save()
    return str(store.session_key)


def _open_through_the_run(ids: Callable[[], Iterable[int]], limit: int) -> list[int]:
    """The first `limit` ids that `ids()` gives both now and a day from now: what a person may still open
    at the end of a run that crosses midnight. Access follows the day (an involvement that ends today is
    over at midnight, and its child then answers 404, as it should): a 10-minute run from 23:56 had 12
    such 404s. The clock is moved for this process only, to build the lists."""
    import time_machine
    from django.utils import timezone

    now = list(ids())
    with time_machine.travel(timezone.now() + timedelta(days=1), tick=False):
        later = set(ids())
    return [pk for pk in now if pk in later][:limit]


def _agency_tokens() -> dict[int, dict[str, Any]]:
    """One API token per active agency (as `create_api_token` makes them), with children it may read."""
    from safeguarding.agencies.models import Agency
    from safeguarding.api.services import create_api_token
    from safeguarding.children.queries import children_visible_to

    tokens = {}
    for agency in Agency.objects.active().order_by("pk"):
        token, key = create_api_token(actor=None, agency=agency, name="Load benchmark", system=True)
        service_user = token.service_user

        def readable(service_user: Any = service_user) -> Iterable[int]:
            return children_visible_to(service_user).order_by("pk").values_list("pk", flat=True)[:200]

        children = _open_through_the_run(readable, 50)
        tokens[agency.pk] = {"key": key, "children": children}
    return tokens


def _what_they_see(user: Any, tokens: dict[int, dict[str, Any]]) -> dict[str, Any]:
    from safeguarding.actionplans.queries import plans_visible_to
    from safeguarding.children.queries import children_visible_to
    from safeguarding.concerns.queries import alerts_visible_to

    children = children_visible_to(user).order_by("pk")
    surnames = sorted({name for name in children.values_list("last_name", flat=True)[:200] if name})[:10]
    agency = user.primary_agency
    return {
        "username": user.username,
        "children": _open_through_the_run(
            lambda: children_visible_to(user).order_by("pk").values_list("pk", flat=True)[:200], 50
        ),
        "search": user.has_perm("children.search_children"),
        "search_terms": surnames or ["Smith", "Khan"],
        "alerts_page": user.has_perm("concerns.use_alerts"),
        "alerts": _open_through_the_run(
            lambda: alerts_visible_to(user).order_by("pk").values_list("pk", flat=True)[:120], 30
        ),
        "action_plans": _open_through_the_run(
            lambda: plans_visible_to(user).order_by("pk").values_list("pk", flat=True)[:80], 20
        ),
        "dashboard": user.has_perm("dashboards.view_page"),
        "token": tokens.get(agency.pk) if agency is not None else None,
    }


def _importer(user: Any) -> dict[str, Any] | None:
    """The profile of someone who uploads files for their agency, with a few of its children to write about."""
    from django.utils import timezone

    from safeguarding.children.queries import children_visible_to
    from safeguarding.chronology.permissions import import_agencies

    agencies = import_agencies(user)
    children = [c for c in children_visible_to(user).order_by("pk")[:20] if c.nhs_number and c.date_of_birth][:5]
    if not agencies or not children:
        return None
    yesterday = (timezone.localdate() - timedelta(days=1)).strftime("%d/%m/%Y")
    rows = [
        {
            "name": f"{c.first_name} {c.last_name}",
            "date_of_birth": c.date_of_birth.strftime("%d/%m/%Y") if c.date_of_birth else "",
            "nhs_number": c.nhs_number,
            "occurred_on": yesterday,
        }
        for c in children
    ]
    return {"username": user.username, "agency": agencies[0].pk, "import_children": rows}


def write_profiles(path: Path, *, users: int) -> dict[str, Any]:
    """Verified sessions for `users` browsing people (the demo's staff in turn) and one importer."""
    from safeguarding.agencies.models import User

    tokens = _agency_tokens()
    staff = list(User.objects.filter(is_active=True, is_system=False, totpdevice__confirmed=True).order_by("username"))
    seen = [(user, _what_they_see(user, tokens)) for user in staff]
    useful = [(u, p) for u, p in seen if p["children"] or p["alerts_page"] or p["action_plans"] or p["dashboard"]]
    browsers = []
    for number in range(users):
        user, profile = useful[number % len(useful)]
        browsers.append({**profile, "session": _verified_session(user), "csrf": secrets.token_hex(16)})
    preferred = sorted(staff, key=lambda u: u.username != "practitioner.hv")
    importer = next(p for p in (_importer(u) for u in preferred) if p is not None)
    by_name = {u.username: u for u in staff}
    importer |= {"session": _verified_session(by_name[importer["username"]]), "csrf": secrets.token_hex(16)}
    path.write_text(json.dumps({"browsers": browsers, "importers": [importer]}, indent=1), encoding="utf-8")
    return {
        "people": len({b["username"] for b in browsers}),
        "sessions": len(browsers),
        "importer": importer["username"],
        "with_dashboard": sum(1 for b in browsers if b["dashboard"]),
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _fetch(host: str, path: str, headers: dict[str, str], timeout: float = 30) -> int:
    """GET `path` from our own server as the TLS-terminating proxy would pass it on (no redirects
    followed: they point at https://, which the plain port does not speak); returns the status."""
    parts = urlsplit(host)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"X-Forwarded-Proto": "https", **headers})
        response = connection.getresponse()
        response.read()
        return int(response.status)
    finally:
        connection.close()


def _wait_for(host: str, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if _fetch(host, "/healthz", {}, timeout=5) == 200:
                return
        except OSError:  # refused, reset or timed out while the workers boot
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"The server at {host} did not answer /healthz within {seconds:.0f} s.")
        time.sleep(0.5)


def gunicorn_settings(workers: int | None = None, threads: int | None = None) -> dict[str, Any]:
    """The web server's processes and threads: the shipped `gunicorn.conf.py`'s (as production runs it,
    from this machine's cores and the environment), or those given."""
    import runpy

    config = runpy.run_path(str(GUNICORN_CONFIG))
    return {
        "workers": workers or config["workers"],
        "worker_class": config["worker_class"],
        "threads": threads or config["threads"],
    }


@contextmanager
def serving(env: dict[str, str], log: Path, settings: dict[str, Any]) -> Iterator[tuple[str, list[int]]]:
    """gunicorn (the shipped config, with `settings`' processes and threads) and one db_worker with the
    production environment; yields the server's address and the two processes' ids (gunicorn's
    master, the worker)."""
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        f"--config={GUNICORN_CONFIG}",
        f"--workers={settings['workers']}",
        f"--threads={settings['threads']}",
        f"--bind=127.0.0.1:{port}",
        "--no-control-socket",  # gunicorn 27's control socket is one path per machine user
    ]
    worker_command = [sys.executable, str(PROJECT_DIR / "manage.py"), "db_worker"]
    with log.open("w", encoding="utf-8") as out:
        server = subprocess.Popen(command, env=env, cwd=PROJECT_DIR, stdout=out, stderr=subprocess.STDOUT)
        worker = subprocess.Popen(worker_command, env=env, cwd=PROJECT_DIR, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_for(f"http://127.0.0.1:{port}")
            yield f"http://127.0.0.1:{port}", [server.pid, worker.pid]
        finally:
            for process in (server, worker):
                process.send_signal(signal.SIGTERM)
            for process in (server, worker):
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()


def warm_up(host: str, profile: dict[str, Any], workers: int) -> None:
    """A few requests per worker before measuring (templates compiled, connections open)."""
    cookie = f"sessionid={profile['session']}; csrftoken={profile['csrf']}"
    for _ in range(workers * 3):
        for path in PAGES:
            _fetch(host, path, {"Cookie": cookie})  # a page this person may not open answers 404


def _process_cpu_seconds(pid: int) -> float:
    """User and system CPU time of a live process (0 if it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def server_cpu_seconds(pids: list[int]) -> dict[str, float]:
    """CPU time so far of the gunicorn workers, the db_worker and the PostgreSQL backends serving this
    database: what the requests cost, whatever else the machine is doing."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        backends = [int(row[0]) for row in cursor.fetchall()]
    master, worker = pids
    return {
        "gunicorn": round(sum(_process_cpu_seconds(p) for p in [master, *_children(master)]), 2),
        "db_worker": round(_process_cpu_seconds(worker), 2),
        "postgresql": round(sum(_process_cpu_seconds(p) for p in backends), 2),
    }


def _cpu_times() -> tuple[int, int]:
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def run_locust(locust_python: str, *, host: str, profiles: Path, users: int, minutes: float) -> dict[str, Any]:
    """The scenario in its own process; the load average and CPU use sampled every 5 s beside it."""
    out = RESULTS_DIR / "load-locust-summary.json"
    command = [locust_python, str(SCENARIO), "--profiles", str(profiles), "--host", host, "--users", str(users)]
    command += ["--minutes", str(minutes), "--out", str(out)]
    loads: list[float] = []
    busy_before, total_before = _cpu_times()
    process = subprocess.Popen(command, cwd=PROJECT_DIR)
    while process.poll() is None:
        time.sleep(5)
        loads.append(os.getloadavg()[0])
    busy_after, total_after = _cpu_times()
    if process.returncode != 0:
        raise RuntimeError(f"The Locust scenario failed (exit status {process.returncode}).")
    summary: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    summary["load_average_1min"] = {
        "min": min(loads, default=0.0),
        "mean": round(sum(loads) / len(loads), 2) if loads else 0.0,
        "max": max(loads, default=0.0),
        "at_end": list(os.getloadavg()),
    }
    summary["machine_cpu_busy"] = round((busy_after - busy_before) / max(1, total_after - total_before), 3)
    return summary


def locust_python(given: str | None) -> str:
    """The Python that runs the scenario: `--locust-python`, else this one if it has Locust."""
    if given:
        return given
    if importlib.util.find_spec("locust") is None:
        raise SystemExit(
            "Locust is not installed in this environment: install requirements-dev.txt, or pass "
            "--locust-python with a Python that has it (the scenario imports only Locust)."
        )
    return sys.executable


def _import_outcomes() -> dict[str, int]:
    from django.db.models import Count

    from safeguarding.chronology.models import ImportBatch

    rows = ImportBatch.objects.filter(filename__startswith="load-").values("status").annotate(n=Count("pk"))
    return {str(row["status"]): int(row["n"]) for row in rows}


def run(
    *,
    users: int,
    minutes: float,
    keep: bool,
    python_for_locust: str | None,
    workers: int | None = None,
    threads: int | None = None,
) -> tuple[dict[str, Any], Path]:
    """The whole benchmark; returns the summary and the results file (written before the copy is dropped)."""
    from bench.common import save_results, setup_django, using_postgresql

    if not using_postgresql():
        raise SystemExit("The load benchmark runs on PostgreSQL: set DATABASE_URL to a database of its own.")
    runner = locust_python(python_for_locust)
    settings = gunicorn_settings(workers, threads)
    # Stopped with SIGTERM: leave through the finally clauses (stop the server, drop the copy).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))
    seeded = os.environ["DATABASE_URL"]
    prepare_seeded_database(seeded)
    with run_database(seeded, keep=keep) as url:
        env = production_environment(url)
        os.environ.update(env)
        setup_django("")
        collect_static(env)
        profiles = RESULTS_DIR / "load-profiles.json"
        people = write_profiles(profiles, users=users)
        say(f"{people['sessions']} verified sessions for {people['people']} people; {people['importer']} imports.")
        load_before = list(os.getloadavg())
        with serving(env, RESULTS_DIR / "load-server.log", settings) as (host, pids):
            browsers = json.loads(profiles.read_text(encoding="utf-8"))["browsers"]
            warm_up(host, browsers[0], settings["workers"])
            say(
                f"Running {users} people and one importer for {minutes:g} minutes against {host} "
                f"(gunicorn {settings['workers']} × {settings['threads']} threads)…"
            )
            cpu_before = server_cpu_seconds(pids)
            summary = run_locust(runner, host=host, profiles=profiles, users=users, minutes=minutes)
            time.sleep(2)  # the last import's worker run
            cpu = {k: round(v - cpu_before.get(k, 0.0), 2) for k, v in server_cpu_seconds(pids).items()}
        profiles.unlink()  # it holds live session keys and API tokens of the run's database
        summary["import_batches"] = _import_outcomes()
        summary["load_average_before"] = load_before
        summary["server"] = {**settings, "settings": "DJANGO_ENV=production, DEBUG off", "db_workers": 1}
        summary["people"] = people
        count = summary["overall"]["requests"] or 1
        summary["server_cpu_s"] = cpu
        summary["server_cpu_ms_per_request"] = round(1000 * sum(cpu.values()) / count, 1)
        summary["requests_per_second_two_idle_cores"] = round(2000 / summary["server_cpu_ms_per_request"], 1)
        return summary, save_results("load", summary)


def report(summary: dict[str, Any]) -> None:
    say(f"{'request':<18}{'count':>8}{'fail':>6}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name, line in [*summary["requests"].items(), ("overall", summary["overall"])]:
        if not line["requests"]:
            continue
        say(
            f"{name:<18}{line['requests']:>8}{line['failures']:>6}{line['per_second']:>8.2f}"
            f"{line['p50_ms']:>9.0f}{line['p95_ms']:>9.0f}{line['p99_ms']:>9.0f}{line['max_ms']:>9.0f}"
        )
    loads = summary["load_average_1min"]
    say(
        f"Load average (1 min) during the run: {loads['min']:.2f}–{loads['max']:.2f}, mean {loads['mean']:.2f} "
        f"(before: {summary['load_average_before'][0]:.2f}); the machine's CPUs {summary['machine_cpu_busy']:.0%} busy."
    )
    cpu = summary["server_cpu_s"]
    say(
        f"Server CPU: {cpu['gunicorn']:.1f} s gunicorn, {cpu['postgresql']:.1f} s PostgreSQL, {cpu['db_worker']:.1f} s "
        f"db_worker = {summary['server_cpu_ms_per_request']:.0f} ms a request (two idle cores: at most "
        f"~{summary['requests_per_second_two_idle_cores']:.0f} requests a second)."
    )
    say(f"Imports: {summary['import_batches']}. Errors: {summary['errors'] or 'none'}")
