"""`manage.py recover_imports [--retry ID …] [--now]`: find imports whose worker died; try them again.

Without options: every running import with no heartbeat for IMPORT_STALE_AFTER seconds is marked
failed ("The import stopped before it finished: nothing from this file was saved. Try again."), as
the system, logged. Safe to run at any time and as often as you like: schedule it every 5 minutes.

`--retry ID` queues failed import ID again with its stored file, for `db_worker` (repeat for several);
with `--now` it runs here instead, and prints the result (for when the worker is down). An import that
is not failed (already imported, refused, queued, running) is refused, and the command exits non-zero.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguarding.chronology import recovery
from safeguarding.chronology.importer import run_batch
from safeguarding.chronology.models import ImportBatch
from safeguarding.chronology.tasks import import_events_task
from safeguarding.core import kernel
from safeguarding.core.context import use_via
from safeguarding.core.enums import Via


class Command(BaseCommand):
    help = "Mark imports whose worker stopped as failed (run every 5 minutes); --retry ID tries one again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--retry", action="append", type=int, default=[], metavar="ID", help="Try failed import ID again."
        )
        parser.add_argument("--now", action="store_true", help="With --retry: run it here, not in the worker.")

    def handle(self, *args: Any, **options: Any) -> None:
        with use_via(Via.SYSTEM):
            marked = recovery.recover_stalled_imports()
        for batch_id in marked:
            self.stdout.write(f"import {batch_id}: its worker stopped; marked failed (nothing was saved). Retry it.")
        if not options["retry"]:
            self.stdout.write(f"{len(marked)} stalled import(s) marked failed.")
            return
        refused = [message for batch_id in options["retry"] if (message := self._retry(batch_id, options["now"]))]
        if refused:
            raise CommandError(" ".join(refused))

    def _retry(self, batch_id: int, now: bool) -> str:
        batch = ImportBatch.objects.select_related("agency").filter(pk=batch_id).first()
        if batch is None:
            return f"No import has the id {batch_id}. Check it on the imports page."
        try:
            with use_via(Via.COMMAND):
                recovery.retry_import(actor=None, batch=batch, version=batch.version)
        except kernel.ServiceError as exc:
            return f"import {batch_id}: {exc.message}"
        if not now:
            import_events_task.enqueue(batch.pk)
            self.stdout.write(f"import {batch_id}: queued again for the worker.")
            return ""
        with use_via(Via.COMMAND):
            result = run_batch(batch)
        self.stdout.write(
            f"import {batch_id}: {batch.get_status_display().lower()}; {result.rows_total} rows, "
            f"{result.events_created} entries added, {result.events_already_present} already there."
        )
        return ""
