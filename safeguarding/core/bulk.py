"""The database's bulk path for many rows of one table, for the writers that add thousands at once
(imports, sharing notices): COPY on PostgreSQL, one prepared INSERT with executemany on SQLite."""

from __future__ import annotations

from typing import Any

from django.db import connection, models
from django.utils import timezone


def raw_insert(
    model: type[models.Model], constants: dict[str, Any], varying: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """The database's bulk path for the large tables: COPY on PostgreSQL, else one prepared INSERT
    with executemany.

    `bulk_create` spends most of its time preparing each value through its field; here the
    per-row values are already plain Python values both drivers take as they are (str, int, bool,
    date, Decimal, None, and a UUID as the backend stores it), and the other columns are prepared
    once: from `constants`, else the field's default (now, for auto_now fields). A new required
    field without a default therefore fails loudly here, in the tests, rather than being skipped.
    """
    meta = model._meta
    now = timezone.now()
    values = dict(constants)
    for f in meta.concrete_fields:
        if f.primary_key or f.name in values or f.name in varying:
            continue
        values[f.name] = now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default()
    fixed: list[Any] = [meta.get_field(name) for name in values]
    fixed_values = tuple(f.get_db_prep_save(values[f.name], connection) for f in fixed)
    columns = [f.column for f in fixed] + [meta.get_field(name).column for name in varying]  # type: ignore[union-attr]
    quote = connection.ops.quote_name
    table = quote(str(meta.db_table))
    column_list = ", ".join(quote(c) for c in columns)
    if connection.vendor == "postgresql":
        # PostgreSQL's bulk path is COPY: several times faster than one INSERT per row. COPY is psycopg's
        # own cursor's, so its errors are turned into Django's here (an `IntegrityError` a caller catches,
        # as it would from `bulk_create`).
        with (
            connection.wrap_database_errors,
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(fixed_values + row)
        return
    # Table and column names come from the model; every value is a parameter.
    sql = f"INSERT INTO {table} ({column_list}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, [fixed_values + row for row in rows])
