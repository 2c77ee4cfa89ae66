"""The test databases' schema without replaying every migration's model states.

Applying the 100-odd migrations renders the historical models again after every operation, which
costs each test worker 25–45 s on two cores, longer than the tests of most apps. The suite therefore
runs with pytest-django's `--nomigrations`: the tables come straight from the models (what
`makemigrations --check` proves the migrations also build), and then `run_migration_code` runs the
code the migrations carry beyond tables — every `RunPython` and `RunSQL` of the project's apps, in
migration order: the database triggers (the append-only activity log, the agreed-plan guard) and the
configuration rows (vocabulary, rules, stages, themes, tools).

The migrations themselves are proved separately, on the suite's engine, by
`scripts/check_migrations.py` (which `make test` runs beside the static checks): it applies every migration to an
empty database, builds a second one this way, and requires the two to hold the same tables, columns,
triggers and rows.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps
from django.db import connections, router, transaction
from django.db.migrations import RunPython, RunSQL
from django.db.migrations.loader import MigrationLoader
from django.test.utils import override_settings

PROJECT_PACKAGE = "safeguarding."

TRIGGER_QUERY = {
    "postgresql": "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal",
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger'",
}


def describe(alias: str = "default") -> dict[str, object]:
    """What a database holds, to compare two built different ways: each table's columns and row
    count, and the triggers."""
    connection = connections[alias]
    tables: dict[str, object] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            columns = sorted(c.name for c in connection.introspection.get_table_description(cursor, table))
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - a table name
            tables[table] = {"columns": columns, "rows": cursor.fetchone()[0]}
        cursor.execute(TRIGGER_QUERY[connection.vendor])
        triggers = sorted(row[0] for row in cursor.fetchall())
    return {"tables": tables, "triggers": triggers}


def build_without_migrations() -> None:
    """Build the connected (empty) database the way the suite does: tables from the models, then
    the migrations' code."""
    from django.core.management import call_command

    class _NoMigrations:
        def __contains__(self, item: str) -> bool:
            return True

        def __getitem__(self, item: str) -> None:
            return None

    with override_settings(MIGRATION_MODULES=_NoMigrations()):
        call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)
    run_migration_code()


def _loader() -> MigrationLoader:
    # Read from disk even while the suite's settings disable migrations (--nomigrations).
    with override_settings(MIGRATION_MODULES={}):
        return MigrationLoader(None, ignore_no_migrations=True)


def migration_plan(loader: MigrationLoader) -> list[tuple[str, str]]:
    """Every migration on disk, dependencies first (the order `migrate` applies them); a squashed
    migration stands for those it replaces, as on a new database."""
    plan: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for leaf in sorted(loader.graph.leaf_nodes()):
        for node in loader.graph.forwards_plan(leaf):
            if node not in seen:
                seen.add(node)
                plan.append(node)
    return plan


def run_migration_code(alias: str = "default") -> int:
    """Run the project's migrations' RunPython and RunSQL operations against the current models.

    Answers how many operations ran."""
    loader = _loader()
    connection = connections[alias]
    ran = 0
    with connection.schema_editor() as editor:
        for node in migration_plan(loader):
            migration = loader.graph.nodes[node]
            app_config = global_apps.get_app_config(migration.app_label)
            if not app_config.name.startswith(PROJECT_PACKAGE):
                continue
            for operation in migration.operations:
                if not router.allow_migrate(alias, migration.app_label, **getattr(operation, "hints", {})):
                    continue
                if isinstance(operation, RunPython):
                    operation.code(global_apps, editor)
                    ran += 1
                elif isinstance(operation, RunSQL):
                    operation._run_sql(editor, operation.sql)  # RunSQL's own executor
                    ran += 1
    return ran


# What the migrations left in the database (content types, permissions, vocabulary, stages, rules,
# tools...), read once per test database by `keep_configuration_rows`: the test flush leaves these
# tables alone and puts back any of them a test changed.
_kept: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}


def keep_configuration_rows(alias: str = "default") -> list[str]:
    """Make the test runner's flush (after every transactional and browser test) cheap and leave the
    migrations' configuration rows in place.

    Django's flush empties every table and then re-creates the content types and permissions
    (post_migrate: about 1 s on these machines); the project's configuration rows then had to be
    installed again (another 1–2 s), for every transactional test. Instead, the tables that hold rows
    once the migrations' code has run are remembered with those rows: the flush skips them and no
    post_migrate runs; a table a test changed (a rule switched off, a theme added) is put back to the
    remembered rows in the flush's own transaction, with the same ids, so every cache of ids stays
    true. Answers the kept tables."""
    from django.core.management.commands import flush as flush_command

    connection = connections[alias]
    _kept.clear()
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.django_table_names(only_existing=True)):
            columns, rows = _read(cursor, connection, table)
            if rows:
                _kept[table] = (columns, rows)
    operations = type(connection.ops)
    if not getattr(operations, "_keeps_configuration", False):
        _patch_flush(operations)
    # The flush command's post_migrate would re-create content types and permissions that are kept.
    flush_command.emit_post_migrate_signal = _no_post_migrate  # type: ignore[attr-defined]
    return sorted(_kept)


def _no_post_migrate(*args: Any, **kwargs: Any) -> None:
    """The test flush keeps the content types and permissions, so there is nothing to re-create."""


def _read(cursor: Any, connection: Any, table: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    quoted = connection.ops.quote_name(table)
    cursor.execute(f"SELECT * FROM {quoted} ORDER BY 1")  # noqa: S608 - a table name
    columns = [column[0] for column in cursor.description]
    return columns, [tuple(row) for row in cursor.fetchall()]


def _patch_flush(operations: Any) -> None:
    # Patched on the class: a browser test's flush may run through another wrapper of the same
    # database (the connection handler is per thread and per context), which must behave the same.
    sql_flush = operations.sql_flush

    def flush_sql(
        self: Any, style: object, tables: list[str], *, reset_sequences: bool = False, allow_cascade: bool = False
    ) -> list[str]:
        tables = [table for table in tables if table not in _kept]
        if self.connection.vendor != "postgresql":
            return sql_flush(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        # PostgreSQL: DELETE rather than TRUNCATE. TRUNCATE gives each table a new file on disk and
        # waits for it (about 4 s a flush here); DELETE of the few rows a test wrote takes about
        # 15 ms. Under `session_replication_role = replica` (this transaction only) no foreign key
        # is checked row by row and no trigger fires, as with TRUNCATE (the activity log's
        # append-only triggers would refuse it). That needs a superuser, as the suite's PostgreSQL
        # user is. A flush that resets sequences still truncates, under the replica role too.
        replica = "SET LOCAL session_replication_role = replica;"
        if reset_sequences or not tables:
            statements = sql_flush(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
            return [replica, *statements] if statements else statements
        return [replica, *(f"DELETE FROM {self.quote_name(table)};" for table in tables)]  # noqa: S608 - table names

    def flush_and_restore(self: Any, sql_list: list[str]) -> None:
        atomic = transaction.atomic(using=self.connection.alias, savepoint=self.connection.features.can_rollback_ddl)
        with atomic, self.connection.cursor() as cursor:
            for sql in sql_list:
                cursor.execute(sql)
            _restore_changed(cursor, self.connection)

    operations.sql_flush = flush_sql
    operations.execute_sql_flush = flush_and_restore  # replaced whole: the restore shares the flush's transaction
    operations._keeps_configuration = True


def _restore_changed(cursor: Any, connection: Any) -> None:
    """Put back, in the flush's transaction, every kept table whose rows a test changed."""
    if connection.vendor == "postgresql":
        cursor.execute("SET LOCAL session_replication_role = replica;")
    for table, (columns, rows) in _kept.items():
        if _read(cursor, connection, table) == (columns, rows):
            continue
        quoted = connection.ops.quote_name(table)
        names = ", ".join(connection.ops.quote_name(column) for column in columns)
        marks = ", ".join(["%s"] * len(columns))
        cursor.execute(f"DELETE FROM {quoted}")  # noqa: S608 - a table name
        cursor.executemany(f"INSERT INTO {quoted} ({names}) VALUES ({marks})", rows)  # noqa: S608
