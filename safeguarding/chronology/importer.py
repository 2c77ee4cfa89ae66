"""Importing an agency's chronology file: all-or-nothing, idempotent and fast.

1. Read and validate every row in memory, mapping types through the vocabulary (`import_rows`).
   Reference columns the agency (`Agency.import_columns`) or the upload (`ImportBatch.reference_columns`)
   declares household columns are kept on each entry and never used to match a child. A label close
   to a known type ("Home vist") stops the import, listed with its nearest type, until the uploader
   confirms what it means (`ImportBatch.type_mapping`; `confirm_import_types`).
2. Match children with a few batched queries: NHS number; else exact normalised name and date of
   birth; else the agency's own reference for the child already known; else a new, unverified
   child. More than one candidate is an error for the row (`import_rows.match_children`).
3. Any row error: nothing is written and the report lists row, column and reason.
4. Otherwise, in one transaction (with the agency row locked, so two imports for one agency run
   one after the other), skip rows already imported and write the rest through the database's
   bulk path (`import_writer`). A dry run does the same and rolls back, so its counts are exact.

`create_batch` stores an upload; `run_batch` runs it (from the task, or the command);
`confirm_import_types` records what the uploader said the near-miss labels mean and queues it again.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from safeguarding.agencies.models import Agency
from safeguarding.children.models import Child, Involvement
from safeguarding.chronology import birth, import_formats, tabular
from safeguarding.chronology.import_rows import (
    OTHER_CHOICE,
    ImportResult,
    Progress,
    Row,
    Vocabulary,
    chunks,
    match_children,
    parse_rows,
)
from safeguarding.chronology.import_writer import present_references, rows_to_write, time_ordered_uuids, write_rows
from safeguarding.chronology.models import ImportBatch
from safeguarding.core import kernel

if TYPE_CHECKING:
    from safeguarding.core.types import Person

__all__ = [
    "ImportResult",
    "Vocabulary",
    "confirm_import_types",
    "create_batch",
    "import_table",
    "run_batch",
    "time_ordered_uuids",
]


class _DryRunRollback(Exception):
    pass


def import_table(
    *,
    actor: Person | None,
    agency: Agency,
    filename: str,
    content: bytes,
    batch: ImportBatch | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    reference_columns: dict[str, str] | None = None,
    type_mapping: dict[str, str] | None = None,
) -> ImportResult:
    """Validate the whole file, then write it all or nothing. A dry run writes, counts and rolls back.

    `reference_columns` ({header: "child" | "household"}) are this upload's, over the agency's own
    `import_columns`; each must name a column of the file. `type_mapping` holds the uploader's answers
    for labels close to a known type; while any such label is unanswered nothing is written (the
    result lists them in `type_suggestions`), except that a dry run still counts everything.
    """
    result = ImportResult()
    overrides = tabular.reference_overrides(agency.import_columns, reference_columns)
    try:
        table = tabular.read_table(filename, content, overrides)
    except tabular.FileError as exc:
        result.add_error(0, "", str(exc))
        return result
    if batch is not None and not dry_run and not reference_columns and _imported_before(batch, agency):
        present = _every_reference_present(tabular.read_table(filename, content, overrides), agency)
        if present:
            # The same file again, every entry's reference already current: nothing to read further.
            if table.close:
                table.close()
            result.rows_total = result.events_already_present = present
            return result
    try:
        _check_reference_columns(table, reference_columns, result)
        rows = parse_rows(table, agency, Vocabulary(), result, progress, type_mapping=type_mapping, confirm_types=True)
    finally:
        if table.close:
            table.close()
    if result.rejected:
        return result
    if not rows:
        result.add_error(table.header_row, "", "The file has a header row but no entries. Add rows below the header.")
        return result
    if result.type_suggestions and not dry_run:
        return result  # nothing is written until the uploader confirms what each label means
    if not dry_run and _every_row_already_present(rows, agency):
        # The same file again (idempotence): nothing to match or write. Checked again, under the
        # agency's lock, when anything is to be written.
        result.events_already_present = len(rows)
        return result
    new_children = match_children(rows, agency, result)
    _refuse_before_birth_of_children_seen(rows, agency, result)
    if result.rejected:
        return result
    with contextlib.suppress(_DryRunRollback):  # a dry run is rolled back, its counts kept
        write_import(
            rows,
            new_children,
            actor=actor,
            agency=agency,
            batch=batch,
            result=result,
            progress=progress,
            dry_run=dry_run,
        )
    return result


def _imported_before(batch: ImportBatch, agency: Agency) -> bool:
    """Whether this agency imported a file with the same content successfully before (not this batch)."""
    from safeguarding.chronology.enums import ImportStatus

    same = ImportBatch.objects.filter(agency=agency, sha256=batch.sha256, status=ImportStatus.SUCCEEDED, dry_run=False)
    return same.exclude(pk=batch.pk).exists()


def _every_reference_present(table: tabular.Table, agency: Agency) -> int:
    """The number of entries when every one has its own event reference and each is already current for
    the agency (the file was imported before and nothing in it is new); else 0. Reads only that column."""
    try:
        index = table.columns.get("event_reference")
        if index is None:
            return 0
        references: set[str] = set()
        count = 0
        for _number, cells in table.rows:
            if not any(tabular.cell_text(c) for c in cells):
                continue  # blank lines are not rows
            reference = tabular.cell_text(cells[index]) if index < len(cells) else ""
            if not reference or reference in references:
                return 0  # a row to match by its content, or a repeated reference to report: the full path
            references.add(reference)
            count += 1
    finally:
        if table.close:
            table.close()
    return count if count and present_references(agency, references) == references else 0


def _every_row_already_present(rows: list[Row], agency: Agency) -> bool:
    """Whether every row's reference or content key is already current for the agency."""
    return not rows_to_write(rows, agency, ImportResult())


def _refuse_before_birth_of_children_seen(rows: list[Row], agency: Agency, result: ImportResult) -> None:
    """A row dated before the recorded birth of a child the agency works with is refused, naming the
    date of birth (the row's own date of birth was checked as it was read). A child the agency does not
    work with is never checked against the record: the answer would tell it the child's date of birth."""
    ids = {row.child_id for row in rows if row.child_id is not None}
    seen: dict[int, Child] = {}
    for chunk in chunks(sorted(ids)):
        involved = Involvement.objects.active_on().filter(agency=agency, child_id__in=chunk).values("child_id")
        seen.update(Child.objects.filter(pk__in=involved, date_of_birth__isnull=False).in_bulk())
    for row in rows:
        child = seen.get(row.child_id) if row.child_id is not None else None
        message = birth.before_birth_of([child], row.occurred_on, row.precision) if child is not None else ""
        if message:
            result.add_error(row.number, tabular.COLUMN_NAMES["date"], message)


@kernel.service
def write_import(
    rows: list[Any],
    new_children: list[Any],
    *,
    actor: Person | None,
    agency: Agency,
    batch: ImportBatch | None,
    result: ImportResult,
    progress: Progress | None = None,
    dry_run: bool = False,
) -> None:
    """Write a validated file in one transaction, through the bulk path; a dry run rolls it back."""
    write_rows(rows, new_children, actor=actor, agency=agency, batch=batch, result=result, progress=progress)
    if dry_run:
        raise _DryRunRollback


def _check_reference_columns(
    table: tabular.Table, reference_columns: dict[str, str] | None, result: ImportResult
) -> None:
    """Columns an upload names must be in the file: a misspelt heading would otherwise leave a shared
    reference to be read as the child's."""
    present = {tabular.header_key(h) for h in table.header}
    headings = ", ".join(f'"{tabular.cell_text(h)}"' for h in table.header if tabular.cell_text(h))
    for heading in reference_columns or {}:
        if tabular.header_key(heading) not in present:
            result.add_error(
                table.header_row,
                heading,
                f'The file has no column called "{heading}". Give the column heading exactly as it is in the '
                f"file's header row ({headings}), or leave it out.",
            )


# ---- batches -----------------------------------------------------------------------------------


RESULT_FIELDS = (
    "rows_total",
    "events_created",
    "events_already_present",
    "children_involved",
    "children_shared",
    "mapped_to_other",
)


def run_batch(batch: ImportBatch, *, progress: Progress | None = None) -> ImportResult:
    """Run a queued batch and store its outcome. The uploader (if any) must still be allowed to
    record for the agency; a batch with no uploader was started by an operator's command."""
    from safeguarding.chronology.enums import ImportStatus
    from safeguarding.chronology.permissions import may_record_for_agency

    batch.status = ImportStatus.RUNNING
    batch.started_at = batch.heartbeat_at = timezone.now()
    batch.rows_saved = batch.rows_to_save = 0  # a retry or a confirmed batch starts its progress again
    batch.save(update_fields=["status", "started_at", "heartbeat_at", "rows_saved", "rows_to_save"])
    actor = batch.uploaded_by
    result = ImportResult()
    if actor is not None and not may_record_for_agency(actor, batch.agency):
        result.add_error(0, "", "You no longer work in this agency, so the file was not imported. Ask a colleague.")
    else:
        result = _run_with_heartbeat(batch, progress)
    if result.rejected:
        batch.status = ImportStatus.REJECTED
    elif result.needs_confirmation:
        batch.status = ImportStatus.NEEDS_CONFIRMATION
    else:
        batch.status = ImportStatus.SUCCEEDED
    batch.finished_at = timezone.now()
    for name in RESULT_FIELDS:
        setattr(batch, name, getattr(result, name))
    batch.rows_done = result.rows_total
    batch.errors = result.errors
    if result.type_suggestions or not batch.type_mapping:
        # Once confirmed, the labels that were asked about stay listed beside the answers.
        batch.type_suggestions = result.type_suggestions
    batch.save(update_fields=[*RESULT_FIELDS, "status", "finished_at", "rows_done", "errors", "type_suggestions"])
    return result


def _run_with_heartbeat(batch: ImportBatch, progress: Progress | None) -> ImportResult:
    """Import the batch's file while its heartbeat beats (`recovery.Heartbeat`); a crash marks it failed."""
    from safeguarding.chronology.enums import ImportStatus
    from safeguarding.chronology.recovery import Heartbeat

    heartbeat = Heartbeat(batch.pk)
    next_write = 0.0

    def report(done: int, total: int, stage: str) -> None:
        nonlocal next_write
        if stage == "validating" and time.monotonic() >= next_write:
            # Progress is committed while validating; the writing happens in one transaction, so the
            # heartbeat (its own connection) writes how far saving has got. On SQLite the update rewrites
            # the whole row, upload included (0.3-0.7 s for a 22 MB file), so the writes are spaced to take
            # at most a tenth of the time.
            started = time.monotonic()
            ImportBatch.objects.filter(pk=batch.pk).update(rows_done=done)
            next_write = time.monotonic() + 9 * (time.monotonic() - started)
        elif stage == "saving":
            heartbeat.saving = (done, total)
        if progress:
            progress(done, total, stage)

    try:
        with heartbeat:
            registered = import_formats.format_for(batch.file_format)
            if registered is not None:  # another app's format (the census XML): its reader runs it
                return registered.run(batch, report)
            return import_table(
                actor=batch.uploaded_by,
                agency=batch.agency,
                filename=batch.filename,
                content=bytes(batch.content or b""),
                batch=batch,
                dry_run=batch.dry_run,
                progress=report,
                reference_columns=batch.reference_columns,
                type_mapping=batch.type_mapping,
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


@kernel.service
def create_batch(
    *,
    actor: Person | None,
    agency: Agency,
    filename: str,
    content: bytes,
    dry_run: bool = False,
    reference_columns: dict[str, str] | None = None,
    file_format: str = import_formats.TABLE,
) -> ImportBatch:
    """Store an uploaded file as a queued batch (the bytes live in the database, not on disk).

    `reference_columns` ({header: "household" | "child"}) says how this file's reference columns are
    read, over the agency's own setting. `file_format` names a registered format (`import_formats`)
    for files that are not the chronology's own tables."""
    from safeguarding.core.services import record_activity

    columns = {heading: kind for heading, kind in (reference_columns or {}).items() if kind in tabular.REFERENCE_KINDS}
    batch = ImportBatch.objects.create(
        agency=agency,
        uploaded_by=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        filename=filename[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        dry_run=dry_run,
        reference_columns=columns,
        file_format=file_format,
    )
    changes: dict[str, Any] = {
        "filename": [None, batch.filename],
        "agency": [None, agency.pk],
        "dry_run": [None, dry_run],
    }
    if columns:
        changes["reference_columns"] = [None, columns]
    if file_format != import_formats.TABLE:
        changes["file_format"] = [None, file_format]
    record_activity(actor=actor, action="import_batch.created", target=batch, changes=changes)
    return batch


@kernel.service
def confirm_import_types(*, actor: Person | None, batch: ImportBatch, mapping: dict[str, str]) -> ImportBatch:
    """Record what each label close to a known type means (its nearest type's code, or "other") and
    queue the batch again, with the content it was uploaded with. The caller runs it (the page
    through the task, the command at once). `actor` None is an operator's command."""
    from safeguarding.chronology.enums import ImportStatus
    from safeguarding.chronology.permissions import can_confirm_import_types
    from safeguarding.core.services import record_activity

    if actor is not None and not can_confirm_import_types(actor, batch):
        raise PermissionDenied("Only people who import files for this agency can confirm its event types.")
    locked = kernel.lock(ImportBatch.objects.defer("content"), batch.pk)
    if locked.status != ImportStatus.NEEDS_CONFIRMATION:
        raise ValidationError(
            "This import is not waiting for event types to be confirmed (someone may have confirmed them "
            "already). Refresh the page to see where it is."
        )
    answers: dict[str, str] = {}
    problems = []
    for suggestion in locked.type_suggestions:
        choice = mapping.get(suggestion["label"])
        if choice not in (suggestion["nearest"], OTHER_CHOICE):
            problems.append(
                f'Choose how to record "{suggestion["label"]}": as {suggestion["nearest_label"]} or as Other.'
            )
        else:
            answers[suggestion["label"]] = str(choice)
    if problems:
        raise ValidationError(problems)
    before = dict(locked.type_mapping)
    locked.type_mapping = {**before, **answers}
    locked.status = ImportStatus.QUEUED
    locked.rows_done = 0
    locked.started_at = None
    locked.finished_at = None
    locked.version += 1
    locked.save(update_fields=["type_mapping", "status", "rows_done", "started_at", "finished_at", "version"])
    record_activity(
        actor=actor,
        action="import_batch.types_confirmed",
        target=locked,
        changes={"type_mapping": [before or None, locked.type_mapping]},
    )
    for name in ("type_mapping", "status", "rows_done", "started_at", "finished_at", "version"):
        setattr(batch, name, getattr(locked, name))
    return batch
