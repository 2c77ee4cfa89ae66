"""Backups of the Hub's database, and restoring one (docs/operations.md, "Backup and restore").

`create_backup` writes one file and a manifest beside it (`<file>.json`):
- PostgreSQL: `pg_dump --format=custom`, under a snapshot exported from a read-only REPEATABLE READ
  transaction in which the manifest's row counts are taken, so the counts are exactly the dump's.
- SQLite: the online backup API (`sqlite3.Connection.backup`), safe while the application runs;
  the counts are taken from the copy itself.
The manifest holds the engine, the database's name, when, every table's row count, the activity
log's row count and the end of its hash chain (the last link in `core_activitylogseal`: its number,
log row and hash; `core.chain`) and the file's SHA-256: no personal data. `restore_backup` checks
the file against its manifest, refuses a non-empty database unless forced, restores, and compares
the restored row counts and chain end with the manifest's.

A password never goes on a command line: pg_dump and pg_restore read it from PGPASSWORD.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dj_database_url
from django.conf import settings
from django.db import connection, transaction

from safeguarding.core import kernel
from safeguarding.core.services import record_activity

if TYPE_CHECKING:
    from safeguarding.core.types import Person

POSTGRESQL, SQLITE = "postgresql", "sqlite"
MANIFEST_FORMAT = 1

TABLES_SQL = {
    POSTGRESQL: (
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
        "AND n.nspname NOT LIKE 'pg_toast%%' AND pg_table_is_visible(c.oid) ORDER BY c.relname"
    ),
    SQLITE: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; `message` says why and what to do."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class Database:
    """Where a database is: its engine and connection details (the password is never printed)."""

    engine: str
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""

    @classmethod
    def from_settings(cls, config: Mapping[str, Any]) -> Database:
        engine = str(config.get("ENGINE", ""))
        if engine.endswith("sqlite3"):
            kind = SQLITE
        elif engine.endswith(("postgresql", "postgis")):
            kind = POSTGRESQL
        else:
            raise BackupError(f"Backups cover PostgreSQL and SQLite databases, not {engine or 'this engine'}.")
        return cls(
            engine=kind,
            name=str(config.get("NAME") or ""),
            user=str(config.get("USER") or ""),
            password=str(config.get("PASSWORD") or ""),
            host=str(config.get("HOST") or ""),
            port=str(config.get("PORT") or ""),
        )

    @classmethod
    def from_url(cls, url: str) -> Database:
        try:
            config = dj_database_url.parse(url)
        except (ValueError, KeyError) as exc:
            raise BackupError(
                f"The database URL is not one this can read ({exc}): write it like "
                "postgres://USER@HOST:5432/NAME or sqlite:////absolute/path/db.sqlite3."
            ) from exc
        database = cls.from_settings(config)
        if not database.name:
            raise BackupError("The database URL names no database: end it with /NAME (or the SQLite file's path).")
        return database

    def client_args(self) -> list[str]:
        """pg_dump/pg_restore's connection options (no password: that goes in PGPASSWORD)."""
        args = ["--no-password"]
        if self.host:
            args.append(f"--host={self.host}")
        if self.port:
            args.append(f"--port={self.port}")
        if self.user:
            args.append(f"--username={self.user}")
        return args

    def client_env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def connect(self) -> Any:
        """A DB-API connection to this database (for counting, and to see whether it is empty)."""
        if self.engine == SQLITE:
            return sqlite3.connect(self.name)
        import psycopg

        try:
            return psycopg.connect(
                dbname=self.name,
                user=self.user or None,
                password=self.password or None,
                host=self.host or None,
                port=self.port or None,
                autocommit=True,
            )
        except psycopg.OperationalError as exc:
            raise BackupError(
                f"Cannot connect to the database {self.name!r}: {str(exc).strip()}. "
                "Create it first (createdb NAME) and check the address and user."
            ) from exc


# ---- counting ----------------------------------------------------------------------------------------


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def count_rows(cursor: Any, engine: str) -> dict[str, int]:
    """Every table's row count, by table name."""
    cursor.execute(TABLES_SQL[engine])
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - a table name, quoted
        counts[table] = int(cursor.fetchone()[0])
    return counts


def activity_log_head(cursor: Any, counts: Mapping[str, int]) -> dict[str, Any]:
    """The activity log's row count and the end of its hash chain (`core.chain`): the number of
    links, and the last link's number, log row and hash (None where the chain is empty or absent)."""
    from safeguarding.core.models import ActivityLog, ActivityLogSeal

    seal_table = ActivityLogSeal._meta.db_table
    head: dict[str, Any] = {
        "count": counts.get(ActivityLog._meta.db_table, 0),
        "links": counts.get(seal_table, 0),
        "latest_seq": None,
        "latest_log_id": None,
        "latest_hash": None,
    }
    if counts.get(seal_table):
        cursor.execute(f"SELECT seq, log_id, row_hash FROM {quote(seal_table)} ORDER BY seq DESC LIMIT 1")  # noqa: S608
        seq, log_id, row_hash = cursor.fetchone()
        head.update(latest_seq=int(seq), latest_log_id=int(log_id), latest_hash=row_hash)
    return head


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def compare_counts(expected: Mapping[str, int], found: Mapping[str, int]) -> list[str]:
    """What differs between the manifest's row counts and a database's, one line a table."""
    problems = []
    for table in sorted(set(expected) | set(found)):
        if table not in found:
            problems.append(f"{table}: in the backup ({expected[table]} rows) but not in the restored database")
        elif table not in expected:
            problems.append(f"{table}: in the restored database ({found[table]} rows) but not in the backup")
        elif expected[table] != found[table]:
            problems.append(f"{table}: the backup's manifest says {expected[table]} rows, restored {found[table]}")
    return problems


# ---- backing up -------------------------------------------------------------------------------------


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def default_path(engine: str, at: datetime) -> Path:
    suffix = "dump" if engine == POSTGRESQL else "sqlite3"
    return Path(settings.BACKUP_DIR) / f"safeguarding-{at.astimezone(UTC):%Y%m%dT%H%M%SZ}.{suffix}"


def _writable(path: Path) -> None:
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"Cannot create the backup directory {folder}: {exc.strerror}. Set BACKUP_DIR.") from exc
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise BackupError(
            f"The backup directory {folder} cannot be written to ({exc.strerror}): "
            "give this user write access or set BACKUP_DIR."
        ) from exc
    for existing in (path, manifest_path(path)):
        if existing.exists():
            raise BackupError(f"{existing} already exists: choose another --output (a backup is never overwritten).")


def _dump_postgres(database: Database, partial: Path) -> tuple[dict[str, int], dict[str, Any]]:
    if shutil.which("pg_dump") is None:
        raise BackupError(
            "pg_dump was not found: install PostgreSQL's client programs (Debian: postgresql-client), "
            "of the server's major version or newer."
        )
    connection.ensure_connection()
    with transaction.atomic(), connection.cursor() as cursor:
        # The counts and the dump see the same snapshot of the database.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = count_rows(cursor, POSTGRESQL)
        head = activity_log_head(cursor, counts)
        command = ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={partial}"]
        command += [*database.client_args(), f"--dbname={database.name}"]
        result = subprocess.run(command, env=database.client_env(), capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed (exit {result.returncode}): {result.stderr.strip()}")
    return counts, head


def _copy_sqlite(partial: Path) -> tuple[dict[str, int], dict[str, Any]]:
    connection.ensure_connection()
    source = connection.connection
    with closing(sqlite3.connect(partial)) as copy:
        source.backup(copy)  # the online backup API: a consistent copy while others write
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        with closing(copy.cursor()) as cursor:
            counts = count_rows(cursor, SQLITE)
            head = activity_log_head(cursor, counts)
    return counts, head


def create_backup(output: Path | None = None, *, at: datetime | None = None) -> dict[str, Any]:
    """Back the default database up into `output` (default: BACKUP_DIR, timestamped); answers the
    manifest, which is also written beside the file."""
    database = Database.from_settings(connection.settings_dict)
    created = kernel.now(at)
    path = Path(output) if output is not None else default_path(database.engine, created)
    path = path.resolve()
    _writable(path)
    if connection.in_atomic_block:
        # PostgreSQL's snapshot must begin its own transaction, and SQLite's copy would wait for ever
        # on the lock this connection's own transaction holds.
        raise BackupError("A backup cannot run inside a transaction: run manage.py backup on its own.")
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if database.engine == POSTGRESQL:
            counts, head = _dump_postgres(database, partial)
        else:
            counts, head = _copy_sqlite(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    manifest = {
        "format": MANIFEST_FORMAT,
        "file": path.name,
        "engine": database.engine,
        "database": Path(database.name).name if database.engine == SQLITE else database.name,
        "created_at": created.astimezone(UTC).isoformat(),
        "size_bytes": path.stat().st_size,
        "sha256": sha256(path),
        "tables": counts,
        "total_rows": sum(counts.values()),
        "activity_log": head,
    }
    manifest_path(path).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return {**manifest, "path": str(path)}


@kernel.service
def record_backup(*, actor: Person | None, manifest: Mapping[str, Any]) -> None:
    """Write `backup.created` to the activity log: which file, its hash and size, no personal data."""
    record_activity(
        actor=actor,
        action="backup.created",
        changes={
            "file": manifest["file"],
            "engine": manifest["engine"],
            "sha256": manifest["sha256"],
            "tables": len(manifest["tables"]),
            "total_rows": manifest["total_rows"],
            "activity_log_count": manifest["activity_log"]["count"],
            "activity_log_latest_seq": manifest["activity_log"]["latest_seq"],
            "activity_log_latest_hash": manifest["activity_log"]["latest_hash"],
        },
    )


# ---- restoring --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    """What a restore found: the manifest, the restored database's row counts, and any differences."""

    manifest: dict[str, Any]
    counts: dict[str, int]
    problems: list[str]


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest beside `path`, after checking the file is the one it describes."""
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    beside = manifest_path(path)
    try:
        manifest = json.loads(beside.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupError(f"The manifest {beside} is missing: keep each backup's .json beside it.") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"The manifest {beside} is not valid JSON: {exc}.") from exc
    missing = {"engine", "sha256", "tables", "activity_log"} - set(manifest)
    if missing:
        raise BackupError(f"The manifest {beside} lacks {', '.join(sorted(missing))}: it is not a backup manifest.")
    if sha256(path) != manifest["sha256"]:
        raise BackupError(
            f"{path} is not the file its manifest describes (the SHA-256 differs): it is damaged or was replaced. "
            "Use another backup."
        )
    return manifest


def table_count(database: Database) -> int:
    """How many tables the database holds (0: empty)."""
    if database.engine == SQLITE and not Path(database.name).exists():
        return 0
    with closing(database.connect()) as db, closing(db.cursor()) as cursor:
        cursor.execute(TABLES_SQL[database.engine])
        return len(cursor.fetchall())


def describe_database(database: Database) -> dict[str, Any]:
    """A database's row counts and activity-log head, as a manifest holds them."""
    with closing(database.connect()) as db, closing(db.cursor()) as cursor:
        counts = count_rows(cursor, database.engine)
        return {"tables": counts, "activity_log": activity_log_head(cursor, counts)}


def compare_manifest(manifest: Mapping[str, Any], found: Mapping[str, Any]) -> list[str]:
    """What differs between a backup's manifest and a restored database's description: each table's
    row count, and the activity log's latest chain hash."""
    problems = compare_counts(manifest["tables"], found["tables"])
    expected, restored = manifest["activity_log"], found["activity_log"]
    for key, label in (("latest_seq", "last chain link"), ("latest_hash", "last chain hash")):
        if expected.get(key) != restored.get(key):
            was, now = expected.get(key), restored.get(key)
            problems.append(f"activity log: the backup's {label} is {was}, the restored database's {now}")
    return problems


def _restore_postgres(path: Path, database: Database, *, clean: bool) -> None:
    if shutil.which("pg_restore") is None:
        raise BackupError("pg_restore was not found: install PostgreSQL's client programs (Debian: postgresql-client).")
    # One transaction: a restore that fails part way leaves the database as it was.
    command = ["pg_restore", "--single-transaction", "--exit-on-error", "--no-owner", "--no-acl"]
    if clean:
        command += ["--clean", "--if-exists"]
    command += [*database.client_args(), f"--dbname={database.name}", str(path)]
    result = subprocess.run(command, env=database.client_env(), capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode:
        reason = result.stderr.strip()
        raise BackupError(f"pg_restore failed (exit {result.returncode}), so nothing was restored: {reason}")


def _restore_sqlite(path: Path, database: Database) -> None:
    target = Path(database.name)
    if not target.parent.is_dir():
        raise BackupError(f"The directory {target.parent} does not exist: create it first.")
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as source, closing(sqlite3.connect(target)) as db:
        source.backup(db)  # replaces the whole target database, in one step


def restore_backup(path: Path, database_url: str, *, force: bool = False) -> Restored:
    """Restore the backup at `path` into the database `database_url` names; refuses a database that
    holds tables unless `force`. Answers the restored counts and how they differ from the manifest."""
    path = Path(path).resolve()
    manifest = read_manifest(path)
    database = Database.from_url(database_url)
    if database.engine != manifest["engine"]:
        raise BackupError(
            f"This is a {manifest['engine']} backup: restore it into a {manifest['engine']} database "
            f"(the URL names a {database.engine} one)."
        )
    tables = table_count(database)
    if tables and not force:
        raise BackupError(
            f"The database {Path(database.name).name if database.engine == SQLITE else database.name!r} "
            f"already holds {tables} tables, so nothing was restored. Restore into a new, empty database, "
            "or pass --force to replace what it holds."
        )
    if database.engine == POSTGRESQL:
        _restore_postgres(path, database, clean=bool(tables))
    else:
        _restore_sqlite(path, database)
    found = describe_database(database)
    return Restored(manifest=manifest, counts=found["tables"], problems=compare_manifest(manifest, found))
