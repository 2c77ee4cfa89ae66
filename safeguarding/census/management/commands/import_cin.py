"""Import a Children in Need census XML file: `manage.py import_cin FILE.xml [--agency CODE] [--dry-run]`.

The file is checked by the national validator before anything is written; its errors refuse the
whole file (printed with rule, child, field and the rule's words; exit status 1), its queries are
printed as warnings. The import is all or nothing and idempotent (a re-import adds nothing). The
agency is the partnership's children's social care agency (name it with --agency when there are
several).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguarding.census.importer import FORMAT
from safeguarding.census.management.commands.export_cin import census_agency
from safeguarding.chronology.enums import ImportStatus
from safeguarding.chronology.importer import ImportResult, create_batch, run_batch
from safeguarding.chronology.models import ImportBatch
from safeguarding.core.context import use_via
from safeguarding.core.enums import Via


class Command(BaseCommand):
    help = "Import a Children in Need census XML file (checked by the census validator first; all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The census XML file.")
        parser.add_argument("--agency", help="The children's social care agency's code (when there are several).")
        parser.add_argument("--dry-run", action="store_true", help="Check and count, but save nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path} is not a file. Check the path.")
        agency = census_agency(options["agency"])
        started = time.monotonic()
        with use_via(Via.COMMAND):
            batch = create_batch(
                actor=None,
                agency=agency,
                filename=path.name,
                content=path.read_bytes(),
                dry_run=options["dry_run"],
                file_format=FORMAT,
            )
            result = run_batch(batch)
        batch.refresh_from_db()
        self._report(batch, result, time.monotonic() - started)
        if batch.status == ImportStatus.REJECTED:
            raise CommandError(
                f"{path.name} was refused: {len(batch.errors)} problem(s), nothing was saved. Correct them in the "
                "case-management system and import the whole file again."
            )

    def _report(self, batch: ImportBatch, result: ImportResult, seconds: float) -> None:
        dry_run = batch.dry_run
        verb = "would be " if dry_run else ""
        self.stdout.write(f"{batch.filename} (import {batch.pk}){' – dry run, nothing saved' if dry_run else ''}")
        self.stdout.write(f"  children in the file: {batch.rows_total} (checked and imported in {seconds:.1f} s)")
        for error in batch.errors:
            child = f"child {error['child']}" if error.get("child") else "the file"
            field = f", {error['column']}" if error.get("column") else ""
            self.stdout.write(self.style.ERROR(f"  error ({child}{field}): {error['reason']}"))
        for warning in batch.warnings:
            child = f"child {warning['child']}" if warning.get("child") else "the file"
            field = f", {warning['column']}" if warning.get("column") else ""
            self.stdout.write(self.style.WARNING(f"  query ({child}{field}): {warning['reason']}"))
        if batch.status != ImportStatus.SUCCEEDED:
            return
        self.stdout.write(f"  entries {verb}created: {batch.events_created}")
        self.stdout.write(f"  already imported (skipped): {batch.events_already_present}")
        self.stdout.write(f"  children matched: {result.children_matched}")
        self.stdout.write(f"  children {verb}created (unverified, named by LA child ID): {result.children_created}")
        self.stdout.write(f"  children with an open involvement: {batch.children_involved}")
