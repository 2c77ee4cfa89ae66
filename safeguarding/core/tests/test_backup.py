"""Backup and restore (issue 16): a backup restores whole, a non-empty database is refused, and the
restore drill notices a restored database that differs from the backup's manifest."""

from __future__ import annotations

import importlib.util
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from types import ModuleType

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from safeguarding.core import backup
from safeguarding.core.models import ActivityLog, ActivityLogSeal
from safeguarding.core.services import record_activity
from safeguarding.testing import factories as f

ROOT = Path(__file__).resolve().parents[3]
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backup (the suite runs on SQLite)")
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump needs PostgreSQL")


def _drill() -> ModuleType:
    spec = importlib.util.spec_from_file_location("restore_drill", ROOT / "scripts" / "restore_drill.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _some_records() -> None:
    agency = f.AgencyFactory(code="NBP")
    user = f.member(agency)
    for _ in range(3):
        record_activity(actor=user, action="child.viewed", target=f.ChildFactory())


def _back_up(tmp_path: Path, name: str) -> tuple[Path, dict]:
    path = tmp_path / name
    call_command("backup", output=path, stdout=open("/dev/null", "w"))  # noqa: SIM115
    return path, json.loads(backup.manifest_path(path).read_text())


def _live_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        return backup.count_rows(cursor, backup.SQLITE if connection.vendor == "sqlite" else backup.POSTGRESQL)


def _assert_planted_mismatch_is_found(manifest: dict, restored_url: str, tmp_path: Path) -> None:
    """The drill's check finds a table whose restored count differs from the manifest's."""
    planted = {**manifest, "tables": {**manifest["tables"], "children_child": manifest["tables"]["children_child"] + 1}}
    planted_path = tmp_path / "planted.json"
    planted_path.write_text(json.dumps(planted))
    problems = _drill().check(planted_path, restored_url)
    # Only the planted difference: the rest matches, and verify_activity_log passes on the restored database.
    assert problems == ["children_child: the backup's manifest says 4 rows, restored 3"]


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_sqlite_backup_restores_every_row_and_the_copy_opens(tmp_path: Path) -> None:
    _some_records()
    before = _live_counts()
    path, manifest = _back_up(tmp_path, "hub.sqlite3")
    assert manifest["engine"] == "sqlite"
    assert manifest["tables"] == before
    assert manifest["tables"]["children_child"] == 3
    assert manifest["activity_log"]["count"] == 3
    assert manifest["activity_log"]["links"] == 3
    assert (
        manifest["activity_log"]["latest_hash"] == ActivityLogSeal.objects.get(seq=3).row_hash
    )  # before backup.created
    assert manifest["sha256"] == backup.sha256(path)
    logged = ActivityLog.objects.get(action="backup.created")
    assert logged.actor is None
    assert logged.changes["sha256"] == manifest["sha256"]

    restored = tmp_path / "restored.sqlite3"
    call_command("restore", str(path), database_url=f"sqlite:///{restored}", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with closing(sqlite3.connect(restored)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert backup.count_rows(db.cursor(), backup.SQLITE) == manifest["tables"]
    _assert_planted_mismatch_is_found(manifest, f"sqlite:///{restored}", tmp_path)


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_with_tables_unless_forced_and_a_changed_file(tmp_path: Path) -> None:
    f.ChildFactory()
    path, _ = _back_up(tmp_path, "hub.sqlite3")
    target = tmp_path / "in-use.sqlite3"
    with closing(sqlite3.connect(target)) as db:
        db.execute("CREATE TABLE kept (id integer)")
    url = f"sqlite:///{target}"
    with pytest.raises(CommandError, match="already holds 1 tables, so nothing was restored"):
        call_command("restore", str(path), database_url=url)
    call_command("restore", str(path), database_url=url, force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    with closing(sqlite3.connect(target)) as db:
        assert db.execute("SELECT COUNT(*) FROM children_child").fetchone()[0] == 1

    with path.open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(CommandError, match="not the file its manifest describes"):
        call_command("restore", str(path), database_url=f"sqlite:///{tmp_path / 'new.sqlite3'}")


@pytest.mark.django_db
def test_backup_refuses_a_directory_it_cannot_make_an_existing_file_and_an_open_transaction(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_bytes(b"")
    with pytest.raises(CommandError, match="Cannot create the backup directory"):
        call_command("backup", output=tmp_path / "a-file" / "b.dump")
    (tmp_path / "b.dump").write_bytes(b"")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", output=tmp_path / "b.dump")
    with pytest.raises(CommandError, match="cannot run inside a transaction"):  # the test's own transaction
        call_command("backup", output=tmp_path / "c.dump")
    assert not ActivityLog.objects.filter(action="backup.created").exists()


def test_the_password_goes_in_the_environment_never_on_the_command_line() -> None:
    database = backup.Database.from_url("postgres://hub:s3cret-pass@db.example:5433/hub")
    assert "s3cret-pass" not in " ".join(database.client_args())
    assert database.client_args() == ["--no-password", "--host=db.example", "--port=5433", "--username=hub"]
    assert database.client_env()["PGPASSWORD"] == "s3cret-pass"


@pytest.fixture
def fresh_postgres_database() -> Iterator[str]:
    import psycopg

    config = connection.settings_dict
    name = f"{config['NAME']}_restore_rt"
    server = {"user": config["USER"] or None, "host": config["HOST"] or None, "port": config["PORT"] or None}
    with psycopg.connect(dbname="postgres", autocommit=True, password=config["PASSWORD"] or None, **server) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')
        try:
            auth = f"{config['USER']}:{config['PASSWORD']}" if config["PASSWORD"] else config["USER"]
            yield f"postgres://{auth}@{config['HOST'] or 'localhost'}:{config['PORT'] or 5432}/{name}"
        finally:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_postgresql_backup_restores_into_a_fresh_database(tmp_path: Path, fresh_postgres_database: str) -> None:
    _some_records()
    path, manifest = _back_up(tmp_path, "hub.dump")
    assert manifest["engine"] == "postgresql"
    assert manifest["tables"]["children_child"] == 3
    assert manifest["activity_log"]["count"] == 3
    assert manifest["activity_log"]["latest_seq"] == 3
    assert path.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    call_command("restore", str(path), database_url=fresh_postgres_database, stdout=open("/dev/null", "w"))  # noqa: SIM115
    restored = backup.describe_database(backup.Database.from_url(fresh_postgres_database))
    assert restored["tables"] == manifest["tables"]
    with pytest.raises(CommandError, match="already holds"):
        call_command("restore", str(path), database_url=fresh_postgres_database)
    _assert_planted_mismatch_is_found(manifest, fresh_postgres_database, tmp_path)
