"""Prove the migrations, and that the test suite's databases are what they build.

The test suite builds its databases from the models (`--nomigrations`) and then runs the migrations'
own code on them (safeguarding/testing/schema.py). This script applies every migration to a new,
empty database, the way a new installation does, builds a second database the suite's way, and
requires the two to hold the same tables, the same columns, the same triggers and the same number
of rows in every table (the configuration the migrations load); only `django_migrations`, the
record of applied migrations, is the migrations' alone. It also requires that no migration
is left unapplied.

Both scratch databases sit beside the one DATABASE_URL names (`<name>_check_migrate` and
`<name>_check_models` on PostgreSQL; temporary files for SQLite) and are removed afterwards.
`make test` runs this beside lint, mypy and the deployment checks (`make static`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
MANAGE = [sys.executable, str(ROOT / "manage.py")]
SETUP = "import django, json\ndjango.setup()\nfrom safeguarding.testing import schema\n"
DESCRIBE = SETUP + "print(json.dumps(schema.describe()))"
BUILD_AS_THE_SUITE_DOES = SETUP + "schema.build_without_migrations()"


def _run(command: list[str], url: str) -> str:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "safeguarding.settings", "DATABASE_URL": url}
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"check_migrations: {' '.join(command[1:3])} failed (exit {result.returncode})")
    return result.stdout


@contextmanager
def _scratch(url: str, suffix: str, folder: str) -> Iterator[str]:
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{folder}/{suffix}.sqlite3"
        return
    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_" + suffix
    os.environ["PGOPTIONS"] = "--client-min-messages=warning"  # no NOTICE for a database not there yet
    psql = ["psql", urlunsplit(parts._replace(path="/postgres")), "-q", "-v", "ON_ERROR_STOP=1", "-c"]
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    subprocess.run([*psql, drop], check=True)  # noqa: S603
    subprocess.run([*psql, f'CREATE DATABASE "{name}"'], check=True)  # noqa: S603
    try:
        yield urlunsplit(parts._replace(path="/" + name))
    finally:
        subprocess.run([*psql, drop], check=True)  # noqa: S603


def _differences(migrated: dict, built: dict) -> list[str]:
    found = []
    for table in sorted((set(migrated["tables"]) | set(built["tables"])) - {"django_migrations"}):
        a, b = migrated["tables"].get(table), built["tables"].get(table)
        if a != b:
            found.append(f"{table}: migrations give {a}, the suite's way gives {b}")
    if migrated["triggers"] != built["triggers"]:
        found.append(f"triggers: migrations give {migrated['triggers']}, the suite's way {built['triggers']}")
    return found


def main() -> None:
    url = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as folder:
        with _scratch(url, "check_migrate", folder) as migrate_url:
            _run([*MANAGE, "migrate", "--no-input", "-v", "0"], migrate_url)
            _run([*MANAGE, "migrate", "--check", "-v", "0"], migrate_url)
            migrated = json.loads(_run([sys.executable, "-c", DESCRIBE], migrate_url))
        with _scratch(url, "check_models", folder) as models_url:
            _run([sys.executable, "-c", BUILD_AS_THE_SUITE_DOES], models_url)
            built = json.loads(_run([sys.executable, "-c", DESCRIBE], models_url))
    problems = _differences(migrated, built)
    if problems:
        raise SystemExit("The migrations and the suite's databases differ:\n  " + "\n  ".join(problems))
    rows = sum(t["rows"] for t in migrated["tables"].values())
    print(
        f"Migrations: {len(migrated['tables'])} tables, {len(migrated['triggers'])} triggers and {rows} rows,"
        " the same as the suite's databases hold."
    )


if __name__ == "__main__":
    main()
