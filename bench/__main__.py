"""`python -m bench import|chronology|concerns|linkage|load|pages|requests|scale [options]`
(or `make bench BENCH_ARGS="chronology --events 100000"`).

On SQLite each benchmark uses its own file under bench/results/. On PostgreSQL (`DATABASE_URL`):
`import` creates a scratch database beside the one named and drops it afterwards, so every run
starts empty; `chronology` uses the named database, generating its data the first time.
`linkage` needs no database (the file it is given only labels its results). `load` runs on PostgreSQL
only: the database named is seeded once and copied for each run (see bench/load.py). `pages` loads
the demo data (`seed_demo`) into its own file (or the named PostgreSQL database) the first time.
`requests` asks the load mix's requests in-process, on a copy of `load`'s seeded database (or SQLite's).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.common import RESULTS_DIR, save_results, say, setup_django, using_postgresql


@contextmanager
def scratch_postgresql_database() -> Iterator[None]:
    """Point DATABASE_URL at a new, empty database for the duration (dropped afterwards)."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    url = os.environ["DATABASE_URL"]
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'bench'}_import_{os.getpid()}"
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    try:
        yield
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        os.environ["DATABASE_URL"] = url


def _duration_minutes(text: str) -> float:
    """ "10m", "90s", "1h" or a plain number of minutes, in minutes."""
    units = {"s": 1 / 60, "m": 1.0, "h": 60.0}
    text = text.strip().lower()
    try:
        if text and text[-1] in units:
            return float(text[:-1]) * units[text[-1]]
        return float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration: write 10m, 90s or 1h.") from exc


def _add_load_parser(sub: Any) -> None:
    load = sub.add_parser("load", help="Locust: signed-in people and an import a minute against gunicorn")
    load.add_argument("--minutes", type=float, default=10, help="how long the load runs (default 10)")
    load.add_argument(
        "--duration", type=_duration_minutes, dest="minutes", help="the same as --minutes, as 10m, 90s or 1h"
    )
    load.add_argument("--users", type=int, default=50, help="signed-in people browsing at once (default 50)")
    load.add_argument("--keep", action="store_true", help="keep the run's copy of the database afterwards")
    load.add_argument("--locust-python", help="a Python with Locust, if this one has none (it runs only the scenario)")
    load.add_argument("--workers", type=int, help="gunicorn processes (default: gunicorn.conf.py's, 2 × cores + 1)")
    load.add_argument("--threads", type=int, help="threads in each gunicorn process (default: gunicorn.conf.py's, 2)")


def _add_concerns_parser(sub: Any) -> None:
    concerns = sub.add_parser("concerns", help="the concern rules' full scan and incremental evaluation")
    concerns.add_argument("--events", type=int, default=5_000_000, help="events in the database (default 5,000,000)")
    concerns.add_argument("--repeat", type=int, default=3, help="measured runs of the scan and baseline (default 3)")
    concerns.add_argument("--incremental", type=int, default=200, help="new entries to time (default 200)")
    concerns.add_argument(
        "--children",
        type=int,
        help="the shape by children instead: 50 events each (46000: the partnership's 45,961 children, 2.3M events)",
    )
    concerns.add_argument("--no-gap", action="store_true", help="skip the lines with the gap rule switched on")
    concerns.add_argument("--compare-alerts", default="", help="a saved alerts file the first scan must equal")
    concerns.add_argument("--keys-only", action="store_true", help="only the first scan and its alerts file")


def _run_concerns(args: argparse.Namespace) -> Path:
    from bench.chronology_data import EVENTS_PER_POOL_CHILD

    events = args.children * EVENTS_PER_POOL_CHILD if args.children else args.events
    setup_django(f"chronology-{events}.sqlite3")  # the chronology benchmark's data, topped up
    from bench.concerns import run as run_concerns

    results = run_concerns(
        events=events,
        repeat=args.repeat,
        incremental=args.incremental,
        gap=not args.no_gap,
        compare=args.compare_alerts,
        keys_only=args.keys_only,
    )
    return save_results("concerns", results)


def _add_pages_parser(sub: Any) -> None:
    pages = sub.add_parser("pages", help="the slowest pages and documents on the demo data (< 1 s, < 3 s)")
    pages.add_argument("--repeat", type=int, default=3, help="measured runs per line after the first (default 3)")
    pages.add_argument("--only", default="", help="only the lines whose label contains this")
    pages.add_argument(
        "--sizes",
        default="small",
        help="demo sizes, comma-separated: 'small,large' times both and compares them (large ≤ 1.5× small)",
    )
    pages.add_argument("--seed", type=int, default=1, help="seed_demo's seed, when it loads a demo (default 1)")
    pages.add_argument("--results", help=argparse.SUPPRESS)  # one size's results, for the comparison


def _add_requests_parser(sub: Any) -> None:
    requests = sub.add_parser("requests", help="the load mix in-process: CPU and queries per request")
    requests.add_argument("--users", type=int, default=50, help="people's sessions, as bench load (default 50)")
    requests.add_argument("--rounds", type=int, default=10, help="measured requests per person (default 10)")
    requests.add_argument("--profile", default="", help="write a cProfile of the measured rounds to this file")
    requests.add_argument("--queries", default="", help="print the statements of one request of this type")
    requests.add_argument(
        "--only", default="", help="measure only these request types, comma-separated (e.g. 'chronology page')"
    )


def _run_requests(args: argparse.Namespace) -> Path:
    from bench.request_cpu import report, run_database

    os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")  # persistent connections, as in production
    with run_database() as url:
        os.environ["DATABASE_URL"] = url
        setup_django("")
        from bench.request_cpu import run as run_requests

        results = run_requests(
            users=args.users, rounds=args.rounds, profile_to=args.profile, queries=args.queries, only=args.only
        )
        report(results)
        path = save_results("requests", results)
        from django.db import connections

        connections.close_all()
    return path


def _add_scale_parser(sub: Any) -> None:
    from bench.scale import DEFAULT_SIZES

    scale = sub.add_parser("scale", help="growth curves: import, chronology, scan and incremental at several sizes")
    scale.add_argument(
        "--sizes",
        default=",".join(str(s) for s in DEFAULT_SIZES),
        help="events in the database at each point, comma-separated (default 250000,1000000,2500000,5000000)",
    )
    scale.add_argument("--repeat", type=int, default=3, help="measured runs per line at each size (default 3)")
    scale.add_argument("--incremental", type=int, default=50, help="new entries timed at each size (default 50)")


def _run_scale(args: argparse.Namespace) -> Path:
    from bench.scale import run as run_scale

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    results = run_scale(sizes=sizes, repeat=args.repeat, incremental=args.incremental)
    setup_django("scale.sqlite3")  # only to label the results with the database
    return save_results("scale", results)


def _run_load(args: argparse.Namespace) -> Path:
    from bench.load import report
    from bench.load import run as run_load

    results, path = run_load(
        users=args.users,
        minutes=args.minutes,
        keep=args.keep,
        python_for_locust=args.locust_python,
        workers=args.workers,
        threads=args.threads,
    )
    report(results)
    return path


def _pages_database(size: str) -> None:
    """Each demo size in a database of its own: `pages.sqlite3` / `pages-large.sqlite3`, or on
    PostgreSQL the database named and `<name>_large` beside it (created if missing)."""
    if size == "small":
        setup_django("pages.sqlite3")
        return
    if using_postgresql():
        from urllib.parse import urlsplit, urlunsplit

        import psycopg

        parts = urlsplit(os.environ["DATABASE_URL"])
        name = f"{parts.path.lstrip('/')}_{size}"
        admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as connection:
            if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
                connection.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    setup_django(f"pages-{size}.sqlite3")


def _run_pages(args: argparse.Namespace) -> Path:
    import json
    import subprocess
    import sys

    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    if len(sizes) == 1:
        _pages_database(sizes[0])
        from bench.pages import run as run_pages

        results = run_pages(repeat=args.repeat, only=args.only, size=sizes[0], seed=args.seed)
        if args.results:
            Path(args.results).write_text(json.dumps(results, default=str), encoding="utf-8")
        return save_results("pages", results)
    # One process per size (each its own database), then the lines side by side.
    by_size = {}
    for size in sizes:
        out = RESULTS_DIR / f"pages-{size}-part.json"
        command = [sys.executable, "-m", "bench", "pages", "--sizes", size, "--repeat", str(args.repeat), "--seed"]
        command.append(str(args.seed))
        subprocess.run([*command, "--only", args.only, "--results", str(out)], check=True)
        by_size[size] = json.loads(out.read_text(encoding="utf-8"))
    _pages_database(sizes[0])
    from bench.pages import compare

    return save_results("pages-sizes", compare(by_size))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    sub = parser.add_subparsers(dest="benchmark", required=True)
    imports = sub.add_parser("import", help="import_events on a generated CSV versus the database's bulk path")
    imports.add_argument("--rows", type=int, default=100_000, help="rows in the generated CSV (default 100,000)")
    imports.add_argument(
        "--without-nhs", action="store_true", help="no NHS numbers in the file: every child goes through the linkage"
    )
    chronology = sub.add_parser("chronology", help="the chronology page and API versus a bare SQL query")
    chronology.add_argument("--events", type=int, default=5_000_000, help="events in the database (default 5,000,000)")
    chronology.add_argument("--repeat", type=int, default=15, help="measured runs per line (default 15)")
    chronology.add_argument("--no-profile", action="store_true", help="skip the cProfile run")
    _add_concerns_parser(sub)
    linkage = sub.add_parser("linkage", help="child-record linkage quality and speed on a generated population")
    linkage.add_argument("--children", type=int, default=5_000, help="children in the population (default 5,000)")
    linkage.add_argument("--seed", type=int, default=1, help="random seed of the population (default 1)")
    linkage.add_argument("--link-at", type=float, default=0.99, help="probability linked automatically (0.99)")
    linkage.add_argument("--possible-at", type=float, default=0.80, help="probability of a possible match (0.80)")
    linkage.add_argument("--existing", type=int, default=46_000, help="existing children, import case (46,000)")
    linkage.add_argument("--incoming", type=int, default=5_000, help="incoming records, import case (5,000)")
    _add_load_parser(sub)
    _add_pages_parser(sub)
    _add_requests_parser(sub)
    _add_scale_parser(sub)
    args = parser.parse_args(argv)

    if args.benchmark == "import":
        if using_postgresql():
            with scratch_postgresql_database():
                setup_django("")
                from bench.imports import run as run_import

                results = run_import(rows=args.rows, without_nhs=args.without_nhs)
                path = save_results("import", results)
        else:
            (RESULTS_DIR / "import.sqlite3").unlink(missing_ok=True)  # every run starts empty
            setup_django("import.sqlite3")
            from bench.imports import run as run_import

            results = run_import(rows=args.rows, without_nhs=args.without_nhs)
            path = save_results("import", results)
    elif args.benchmark == "linkage":
        # The linkage needs no database; Django is set up (on a file of its own) only because
        # save_results records which database the run had.
        setup_django("linkage.sqlite3")
        from bench.linkage import run as run_linkage

        results = run_linkage(
            children=args.children,
            seed=args.seed,
            link_at=args.link_at,
            possible_at=args.possible_at,
            existing=args.existing,
            incoming=args.incoming,
        )
        path = save_results("linkage", results)
    elif args.benchmark == "load":
        path = _run_load(args)
    elif args.benchmark == "pages":
        path = _run_pages(args)
    elif args.benchmark == "requests":
        path = _run_requests(args)
    elif args.benchmark == "scale":
        path = _run_scale(args)
    elif args.benchmark == "concerns":
        path = _run_concerns(args)
    else:
        setup_django(f"chronology-{args.events}.sqlite3")
        from bench.chronology import run as run_chronology

        results = run_chronology(events=args.events, repeat=args.repeat, profile=not args.no_profile)
        path = save_results("chronology", results)
    say(f"Results written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
