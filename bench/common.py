"""What every benchmark shares: choosing its own database, setting Django up, timing, saving results.

The benchmarks never touch the development database: on SQLite each uses its own file under
`bench/results/`; on PostgreSQL they use the database `DATABASE_URL` names, which should be one
created for benchmarking (the data they write is synthetic, but it is a lot of it).
"""

from __future__ import annotations

import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
PROJECT_DIR = BENCH_DIR.parent


def using_postgresql() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def setup_django(sqlite_name: str) -> str:
    """Point Django at the benchmark's database and set it up; returns a description of the database.

    Without a PostgreSQL `DATABASE_URL`, the benchmark gets its own SQLite file `sqlite_name`.
    DEBUG is off unless asked for: with DEBUG on, Django keeps every query in memory.
    """
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    if not using_postgresql():
        os.environ["DATABASE_URL"] = f"sqlite:///{RESULTS_DIR / sqlite_name}"
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")
    if str(PROJECT_DIR) not in sys.path:
        sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()
    from django.db import connection

    connection.ensure_connection()
    return connection.vendor


def database_label() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
    }


def save_results(name: str, results: dict[str, Any]) -> Path:
    """Write `bench/results/<name>-<database>-<timestamp>.json` and a `-latest` copy."""
    from django.db import connection

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    payload = {
        "benchmark": name,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": database_label(),
        "machine": machine(),
        **results,
    }
    text = json.dumps(payload, indent=2, default=str)
    path = RESULTS_DIR / f"{name}-{connection.vendor}-{stamp}.json"
    path.write_text(text, encoding="utf-8")
    (RESULTS_DIR / f"{name}-{connection.vendor}-latest.json").write_text(text, encoding="utf-8")
    return path


def say(message: str) -> None:
    print(message, flush=True)
