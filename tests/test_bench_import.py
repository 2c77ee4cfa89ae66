"""The import benchmark's bulk path (bench/imports.py) writes rows the events table accepts: it fills
every column that has no default. Its rows are not otherwise tested here; `python -m bench import`
runs it (bench/README.md)."""

from __future__ import annotations

from django.db.models import NOT_PROVIDED

from bench.imports import BASELINE_COLUMNS
from safeguarding.chronology.models import Event


def test_the_bulk_path_fills_every_column_without_a_default() -> None:
    required = {
        field.column
        for field in Event._meta.concrete_fields
        if not field.primary_key
        and not field.null
        and field.default is NOT_PROVIDED
        and field.db_default is NOT_PROVIDED
    }
    assert required - set(BASELINE_COLUMNS) == set()  # entered_in_error_reason was missing: every run failed
