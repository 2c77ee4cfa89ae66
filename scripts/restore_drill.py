"""The restore drill (`make restore-drill`): prove that a backup restores, whole, into a fresh database.

1. The source: a drill database of its own, migrated and filled with the small demo partnership
   (`<name>_drill_source` beside the database DATABASE_URL names on PostgreSQL; a temporary file for
   SQLite), or, with `--from-current`, the database DATABASE_URL names as it is.
2. `manage.py backup` of it, into a temporary directory.
3. `manage.py restore` into a FRESH database (`<name>_restore_drill` on PostgreSQL, dropped afterwards;
   a temporary file for SQLite).
4. The checks, on the restored database: every table's row count equals the manifest's, the
   activity log's last chain link and hash are the manifest's, and `manage.py verify_activity_log`
   passes (run with DATABASE_URL pointing at the restored database; `--anchor-file PATH` checks the
   chain against a copy of the anchor file too).

Prints a short report and exits non-zero on any mismatch. Nothing is left behind: scratch
databases are dropped and the temporary directory removed (`--keep DIR` keeps the backup there).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
MANAGE = [sys.executable, str(ROOT / "manage.py")]
# Run with DATABASE_URL naming the restored database: how it differs from the manifest (argv[1]).
COMPARE = """import django, json, sys
django.setup()
from django.db import connection
from safeguarding.core import backup
found = backup.describe_database(backup.Database.from_settings(connection.settings_dict))
manifest = json.loads(open(sys.argv[1], encoding="utf-8").read())
print(json.dumps(backup.compare_manifest(manifest, found)))
"""


class DrillFailed(Exception):
    """A step of the drill failed; the message says which and why."""


def run(command: list[str], url: str, step: str) -> str:
    """Run `command` with DATABASE_URL=`url`; answers its output, or raises DrillFailed naming `step`."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "safeguarding.settings", "DATABASE_URL": url}
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode:
        output = (result.stdout + result.stderr).strip()
        raise DrillFailed(f"{step} failed (exit {result.returncode}):\n{output[-3000:]}")
    return result.stdout


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


@contextmanager
def scratch(url: str, suffix: str, folder: str) -> Iterator[str]:
    """A fresh, empty database beside the one `url` names, removed afterwards."""
    if not is_postgres(url):
        yield f"sqlite:///{folder}/{suffix}.sqlite3"
        return
    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_" + suffix
    psql = ["psql", urlunsplit(parts._replace(path="/postgres")), "-q", "-v", "ON_ERROR_STOP=1", "-c"]
    env = {**os.environ, "PGOPTIONS": "--client-min-messages=warning"}
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    subprocess.run([*psql, drop], check=True, env=env)  # noqa: S603
    subprocess.run([*psql, f'CREATE DATABASE "{name}"'], check=True, env=env)  # noqa: S603
    try:
        yield urlunsplit(parts._replace(path="/" + name))
    finally:
        subprocess.run([*psql, drop], check=True, env=env)  # noqa: S603


def check(manifest: Path, restored_url: str, anchor_file: Path | None = None) -> list[str]:
    """Every difference between the backup's manifest (a file) and the restored database, then
    whether the activity log's chain verifies there (against `anchor_file` too, if given). Empty:
    the restore is proved."""
    compare = [sys.executable, "-c", COMPARE, str(manifest)]
    problems: list[str] = json.loads(run(compare, restored_url, "Counting the restored database's rows"))
    verify = [*MANAGE, "verify_activity_log", *(["--anchor-file", str(anchor_file)] if anchor_file else [])]
    try:
        run(verify, restored_url, "manage.py verify_activity_log on the restored database")
    except DrillFailed as exc:
        problems.append(str(exc))
    return problems


class Drill:
    def __init__(self, say: Callable[[str], None]) -> None:
        self.say = say
        self.timings: list[tuple[str, float]] = []

    def step(self, name: str, command: list[str], url: str) -> str:
        started = time.monotonic()
        output = run(command, url, name)
        self.timings.append((name, time.monotonic() - started))
        return output

    def source(self, url: str) -> None:
        self.step("migrate", [*MANAGE, "migrate", "--no-input", "-v", "0"], url)
        self.step("seed_demo", [*MANAGE, "seed_demo", "--size", "small"], url)

    def backup_and_restore(self, source_url: str, target_url: str, path: Path) -> dict:
        manifest = json.loads(self.step("backup", [*MANAGE, "backup", "--output", str(path), "--json"], source_url))
        self.say(
            f"Backup: {manifest['engine']}, {manifest['size_bytes']:,} bytes, {len(manifest['tables'])} tables, "
            f"{manifest['total_rows']:,} rows, activity log {manifest['activity_log']['count']:,} rows."
        )
        self.step("restore", [*MANAGE, "restore", str(path), "--database-url", target_url], source_url)
        return manifest

    def verify(self, manifest: Path, target_url: str, anchor_file: Path | None) -> list[str]:
        started = time.monotonic()
        problems = check(manifest, target_url, anchor_file)
        self.timings.append(("checks", time.monotonic() - started))
        return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from-current", action="store_true", help="Back up the database DATABASE_URL names.")
    parser.add_argument("--keep", metavar="DIR", type=Path, help="Keep the backup and its manifest in DIR.")
    parser.add_argument(
        "--anchor-file",
        metavar="PATH",
        type=Path,
        help="Check the restored chain against this copy of the anchor file too (with --from-current).",
    )
    options = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{ROOT / 'var' / 'db.sqlite3'}"
    os.environ.setdefault("PGOPTIONS", "--client-min-messages=warning")
    drill, started = Drill(print), time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="restore-drill-") as folder:
            with nullcontext(url) if options.from_current else scratch(url, "drill_source", folder) as source_url:
                if not options.from_current:
                    drill.source(source_url)
                path = Path(folder) / ("drill.dump" if is_postgres(url) else "drill.sqlite3")
                with scratch(url, "restore_drill", folder) as target_url:
                    manifest = drill.backup_and_restore(source_url, target_url, path)
                    problems = drill.verify(path.with_name(path.name + ".json"), target_url, options.anchor_file)
            if options.keep:
                options.keep.mkdir(parents=True, exist_ok=True)
                for kept in Path(folder).glob("drill.*"):
                    shutil.copy2(kept, options.keep / kept.name)
    except DrillFailed as exc:
        print(f"Restore drill FAILED: {exc}", file=sys.stderr)
        return 1
    print("Steps: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in drill.timings))
    if problems:
        print("Restore drill FAILED: the restored database differs from the backup:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(
        f"Restore drill passed in {time.monotonic() - started:.1f} s: {len(manifest['tables'])} tables and "
        f"{manifest['total_rows']:,} rows restored as the manifest says; the activity log's chain verifies."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
