"""Importing an agency's chronology file: all-or-nothing, idempotent and fast.

1. Read and validate every row in memory, mapping types through the vocabulary (`import_rows`).
2. Match children with a few batched queries: NHS number; else exact normalised name and date of
   birth; else the agency's own reference for the child already known; else a new, unverified
   child. More than one candidate is an error for the row (`import_rows.match_children`).
3. Any row error: nothing is written and the report lists row, column and reason.
4. Otherwise, in one transaction (with the agency row locked, so two imports for one agency run
   one after the other), skip rows already imported and write the rest through the database's
   bulk path (`import_writer`). A dry run does the same and rolls back, so its counts are exact.

`create_batch` stores an upload; `run_batch` runs it (from the task, or the command).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from django.utils import timezone

from safeguarding.agencies.models import Agency
from safeguarding.chronology import tabular
from safeguarding.chronology.import_rows import ImportResult, Progress, Vocabulary, match_children, parse_rows
from safeguarding.chronology.import_writer import time_ordered_uuids, write_rows
from safeguarding.chronology.models import ImportBatch

__all__ = ["ImportResult", "Vocabulary", "create_batch", "import_table", "run_batch", "time_ordered_uuids"]


class _DryRunRollback(Exception):
    pass


def import_table(
    *,
    actor: Any,
    agency: Agency,
    filename: str,
    content: bytes,
    batch: ImportBatch | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Validate the whole file, then write it all or nothing. A dry run writes, counts and rolls back."""
    result = ImportResult()
    try:
        table = tabular.read_table(filename, content)
    except tabular.FileError as exc:
        result.add_error(0, "", str(exc))
        return result
    try:
        rows = parse_rows(table, agency, Vocabulary(), result, progress)
    finally:
        if table.close:
            table.close()
    if result.rejected:
        return result
    if not rows:
        result.add_error(table.header_row, "", "The file has a header row but no entries. Add rows below the header.")
        return result
    new_children = match_children(rows, agency, result)
    if result.rejected:
        return result
    try:
        with transaction.atomic():
            write_rows(rows, new_children, actor=actor, agency=agency, batch=batch, result=result, progress=progress)
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    return result


# ---- batches -----------------------------------------------------------------------------------


RESULT_FIELDS = (
    "rows_total",
    "events_created",
    "events_already_present",
    "children_matched",
    "children_created",
    "mapped_to_other",
)


def run_batch(batch: ImportBatch, *, progress: Progress | None = None) -> ImportResult:
    """Run a queued batch and store its outcome. The uploader (if any) must still be allowed to
    record for the agency; a batch with no uploader was started by an operator's command."""
    from safeguarding.chronology.enums import ImportStatus
    from safeguarding.chronology.permissions import may_record_for_agency

    batch.status = ImportStatus.RUNNING
    batch.started_at = timezone.now()
    batch.save(update_fields=["status", "started_at"])
    actor = batch.uploaded_by
    result = ImportResult()
    if actor is not None and not may_record_for_agency(actor, batch.agency):
        result.add_error(0, "", "You no longer work in this agency, so the file was not imported. Ask a colleague.")
    else:

        def report(done: int, total: int, stage: str) -> None:
            if stage == "validating":
                # Progress is committed while validating; the writing happens in one transaction.
                ImportBatch.objects.filter(pk=batch.pk).update(rows_done=done)
            if progress:
                progress(done, total, stage)

        try:
            result = import_table(
                actor=actor,
                agency=batch.agency,
                filename=batch.filename,
                content=bytes(batch.content or b""),
                batch=batch,
                dry_run=batch.dry_run,
                progress=report,
            )
        except Exception:
            batch.status = ImportStatus.FAILED
            batch.finished_at = timezone.now()
            batch.errors = [
                {
                    "row": 0,
                    "column": "",
                    "reason": "The import stopped unexpectedly and nothing was saved. "
                    "Try again; if it fails again, contact the partnership's support team.",
                }
            ]
            batch.save(update_fields=["status", "finished_at", "errors"])
            raise
    batch.status = ImportStatus.REJECTED if result.rejected else ImportStatus.SUCCEEDED
    batch.finished_at = timezone.now()
    for name in RESULT_FIELDS:
        setattr(batch, name, getattr(result, name))
    batch.rows_done = result.rows_total
    batch.errors = result.errors
    batch.save(update_fields=[*RESULT_FIELDS, "status", "finished_at", "rows_done", "errors"])
    return result


def create_batch(*, actor: Any, agency: Agency, filename: str, content: bytes, dry_run: bool = False) -> ImportBatch:
    """Store an uploaded file as a queued batch (the bytes live in the database, not on disk)."""
    from safeguarding.core.services import record_activity

    batch = ImportBatch.objects.create(
        agency=agency,
        uploaded_by=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        filename=filename[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        dry_run=dry_run,
    )
    record_activity(
        actor=actor,
        action="import_batch.created",
        target=batch,
        changes={"filename": [None, batch.filename], "agency": [None, agency.pk], "dry_run": [None, dry_run]},
    )
    return batch
