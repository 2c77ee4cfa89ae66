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
from django.db import connections, router
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


def delete_instead_of_truncate(alias: str = "default") -> bool:
    """Make the test runner's flush (after every transactional and browser test) empty PostgreSQL's
    tables with DELETE rather than TRUNCATE.

    TRUNCATE gives each of the 125 tables a new file on disk and waits for it: about 4 s a flush on
    these machines, paid by every transactional test; DELETE of the few rows a test wrote takes
    about 15 ms. The rows go under `session_replication_role = replica` (for that transaction only),
    so foreign keys are not checked row by row and no trigger fires, the same as TRUNCATE. That
    needs a superuser, as the suite's PostgreSQL user is; for any other user, and for the sequence
    reset (`reset_sequences`), the flush stays TRUNCATE. Answers whether it was switched."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser')")
        if cursor.fetchone()[0] != "on":
            return False
    # Patched on the class: a browser test's flush may run through another wrapper of the same
    # database (the connection handler is per thread and per context), which must delete too.
    operations = type(connection.ops)
    if getattr(operations, "_flush_deletes", False):
        return True
    truncate = operations.sql_flush

    def sql_flush(
        self: Any, style: object, tables: list[str], *, reset_sequences: bool = False, allow_cascade: bool = False
    ) -> list[str]:
        replica = "SET LOCAL session_replication_role = replica;"
        if reset_sequences or not tables:
            # Still under the replica role: the activity log's statement trigger refuses TRUNCATE.
            statements = truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
            return [replica, *statements] if statements else statements
        return [replica, *(f"DELETE FROM {self.quote_name(table)};" for table in tables)]  # noqa: S608 - table names

    operations.sql_flush = sql_flush  # type: ignore[method-assign]
    operations._flush_deletes = True  # type: ignore[attr-defined]
    return True
