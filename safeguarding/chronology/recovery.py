"""When an import's worker dies: its heartbeat, finding it stalled, and trying it again.

**Heartbeat.** While `run_batch` checks and saves a file, `Heartbeat` writes the batch's
`heartbeat_at` every IMPORT_HEARTBEAT_SECONDS from a thread of its own. Django gives each thread its
own database connection, in autocommit, so each beat is a short committed UPDATE of its own, outside
the import's one big transaction (which would hide it from everyone else until the end):

- PostgreSQL: the beat commits at once while the import's transaction is open. The import only
  inserts rows pointing at the batch (a KEY SHARE lock on the batch row), which does not block an
  UPDATE of other columns, so beats carry on while the file is saved.
- SQLite allows one writer at a time, and our connections open every transaction with
  BEGIN IMMEDIATE, so no beat can be written while the import saves (the beat waits, then is
  skipped). That is safe: a writer holding SQLite's lock is alive (the operating system releases the
  lock of a killed process, and the journal rolls its writes back), and the check below takes the
  same lock, so it cannot run in the middle of a save. IMPORT_STALE_AFTER must be longer than the
  longest save, or a live import just finishing is taken for stalled (it then still records success).

**Stalled.** A running batch silent for IMPORT_STALE_AFTER seconds lost its worker (killed, out of
memory, machine gone). `fail_stalled_import` marks it failed, through a service (actor None: the
system), logged. The import is all or nothing, so when none of its entries exist nothing was saved:
the reason says so and to try again. Found by `manage.py recover_imports` (cron, every few minutes),
and also when the batch's page or API answer is read.

**Retry.** `retry_import` queues a failed batch again with its stored file; the caller runs it (the
page and API through the task, the command at once or through the task). A finished import is refused.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import DatabaseError
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from safeguarding.chronology.enums import ImportStatus
from safeguarding.chronology.models import Event, ImportBatch
from safeguarding.core import kernel
from safeguarding.core.context import use_via
from safeguarding.core.enums import Via
from safeguarding.core.worker import BeatingThread

if TYPE_CHECKING:
    from safeguarding.core.types import Person

logger = logging.getLogger(__name__)

STALLED_REASON = "The import stopped before it finished: nothing from this file was saved. Try again."
# The worker died after the entries were committed and before the report was: trying again writes
# the report (the import is idempotent, so nothing is added twice).
STALLED_AFTER_SAVING_REASON = (
    "The import stopped after its entries were saved, before its report was written. "
    "Try again to see the report: nothing is added twice."
)
RESET_FIELDS = (
    "rows_total",
    "rows_done",
    "events_created",
    "events_already_present",
    "children_involved",
    "children_shared",
    "mapped_to_other",
)


class NotRetryable(kernel.ServiceError):
    """The batch is not in a state that can be tried again (the API answers 409)."""


class Heartbeat(BeatingThread):
    """`with Heartbeat(batch_id):` beats once now (on the caller's connection), then every `every`
    seconds from its own thread (its own connection) until the block ends."""

    def __init__(self, batch_id: int, every: float | None = None) -> None:
        self.batch_id = batch_id
        # (saved, to save) while the rows are written: the import's own writes are in its transaction,
        # so the beat (on its own connection) is what lets the batch's page show how far saving has got.
        self.saving: tuple[int, int] | None = None
        super().__init__(f"import-heartbeat-{batch_id}", settings.IMPORT_HEARTBEAT_SECONDS if every is None else every)

    def beat(self) -> bool:
        progress = {"rows_saved": self.saving[0], "rows_to_save": self.saving[1]} if self.saving else {}
        try:
            ImportBatch.objects.filter(pk=self.batch_id, status=ImportStatus.RUNNING).update(
                heartbeat_at=timezone.now(), **progress
            )
        except DatabaseError:  # SQLite while the import saves: the lock holder is alive, skip this beat
            return False
        return True

    def __enter__(self) -> Heartbeat:
        self.beat()
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.halt()


def stale_before(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(seconds=settings.IMPORT_STALE_AFTER)


def stalled_batches(now: datetime | None = None) -> QuerySet[ImportBatch]:
    """Running batches not heard from for IMPORT_STALE_AFTER seconds (a batch started before
    heartbeats existed counts from its start)."""
    return (
        ImportBatch.objects.filter(status=ImportStatus.RUNNING)
        .alias(last_heard=Coalesce("heartbeat_at", "started_at", "created_at"))
        .filter(last_heard__lt=stale_before(now))
        .defer("content")
    )


def _looks_stalled(batch: ImportBatch, now: datetime | None = None) -> bool:
    if batch.status != ImportStatus.RUNNING:
        return False
    last_heard = batch.heartbeat_at or batch.started_at or batch.created_at
    return last_heard < stale_before(now)


@kernel.service
def fail_stalled_import(*, actor: Person | None, batch_id: int, now: datetime | None = None) -> bool:
    """Mark a running batch whose heartbeat is too old as failed; False if it is not (or no longer)
    stalled. `actor` None: the system (the command, a page's check)."""
    from safeguarding.core.services import record_activity

    locked = kernel.lock(ImportBatch.objects.defer("content"), batch_id)
    if not _looks_stalled(locked, now):
        kernel.unchanged()
        return False
    saved = Event.objects.filter(import_batch_id=locked.pk).exists()
    reason = STALLED_AFTER_SAVING_REASON if saved else STALLED_REASON
    last_heard = locked.heartbeat_at or locked.started_at
    locked.status = ImportStatus.FAILED
    locked.finished_at = kernel.now(now)
    locked.errors = [{"row": 0, "column": "", "reason": reason}]
    locked.save(update_fields=["status", "finished_at", "errors"])
    record_activity(
        actor=actor,
        action="import_batch.stalled",
        target=locked,
        changes={
            "status": [ImportStatus.RUNNING, ImportStatus.FAILED],
            "heartbeat_at": [last_heard.isoformat() if last_heard else None, None],
            "entries_saved": [None, saved],
        },
    )
    logger.warning(
        "Import batch %s (agency %s) stalled: no heartbeat since %s; marked failed (entries saved: %s).",
        locked.pk,
        locked.agency_id,
        last_heard.isoformat() if last_heard else "its start",
        saved,
    )
    return True


def recover_stalled_imports(now: datetime | None = None) -> list[int]:
    """Mark every stalled batch failed, each in its own transaction; the ids marked."""
    marked = []
    for batch_id in stalled_batches(now).values_list("pk", flat=True):
        if fail_stalled_import(actor=None, batch_id=batch_id, now=now):
            marked.append(batch_id)
    return marked


def check_stalled(batch: ImportBatch) -> ImportBatch:
    """For a page or API read of `batch`: if it looks stalled, mark it failed and return it as stored
    now. Best effort: if the database is busy (SQLite while an import saves), show it as it is."""
    if not _looks_stalled(batch):
        return batch
    try:
        with use_via(Via.SYSTEM):  # the system marks it, not the person who happened to look
            stalled = fail_stalled_import(actor=None, batch_id=batch.pk)
        if stalled:
            batch.refresh_from_db(fields=["status", "finished_at", "errors"])
    except DatabaseError:
        logger.warning("Could not check import batch %s for a stalled worker; the database is busy.", batch.pk)
    return batch


@kernel.service
def retry_import(*, actor: Person | None, batch: ImportBatch, version: int) -> ImportBatch:
    """Queue a failed batch again with the file it was uploaded with; the caller runs it. A batch
    that finished (imported, rejected, waiting for its event types) or is already queued or running
    is refused, so trying again never imports twice. `actor` None is an operator's command."""
    from safeguarding.chronology.permissions import can_retry_import
    from safeguarding.core.services import record_activity

    if actor is not None and not can_retry_import(actor, batch):
        raise kernel.NotAllowed("Only people who import files for this agency can try its imports again.")
    locked = kernel.lock(ImportBatch.objects.defer("content"), batch.pk, version=version, noun="import")
    refusal = {
        ImportStatus.SUCCEEDED: "This file has already been imported, so there is nothing to try again.",
        ImportStatus.REJECTED: "This file was refused because of problems in its rows. Correct them and upload "
        "the whole file again.",
        ImportStatus.NEEDS_CONFIRMATION: "This import is waiting for its event types to be confirmed, not to be "
        "tried again. Confirm the event types on its page.",
        ImportStatus.QUEUED: "This import is already waiting to run. Refresh its page to see where it is.",
        ImportStatus.RUNNING: "This import is running. Refresh its page to see where it is.",
    }.get(ImportStatus(locked.status))
    if refusal:
        raise NotRetryable(refusal)
    before = {"status": locked.status, "errors": locked.errors}
    for name in RESET_FIELDS:
        setattr(locked, name, 0)
    locked.status = ImportStatus.QUEUED
    locked.errors = []
    locked.started_at = locked.finished_at = locked.heartbeat_at = None
    locked.version += 1
    locked.save(
        update_fields=[*RESET_FIELDS, "status", "errors", "started_at", "finished_at", "heartbeat_at", "version"]
    )
    record_activity(
        actor=actor,
        action="import_batch.retried",
        target=locked,
        changes={"status": [before["status"], locked.status], "version": [version, locked.version]},
    )
    for name in (*RESET_FIELDS, "status", "errors", "started_at", "finished_at", "heartbeat_at", "version"):
        setattr(batch, name, getattr(locked, name))
    return batch
