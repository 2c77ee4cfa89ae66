"""Import agency chronology files: `manage.py import_events --agency CODE FILE [FILE…] [--dry-run]`.

Each file is its own all-or-nothing batch. Exits non-zero, printing the report, when any file
is rejected.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguarding.agencies.models import Agency
from safeguarding.chronology.importer import create_batch, run_batch
from safeguarding.core.context import use_via
from safeguarding.core.enums import Via


class Command(BaseCommand):
    help = "Import chronology entries for an agency from CSV or XLSX files (all or nothing per file)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", required=True, help="The agency's code, e.g. HV.")
        parser.add_argument("files", nargs="+", help="CSV or XLSX files.")
        parser.add_argument("--dry-run", action="store_true", help="Check and count, but save nothing.")
        parser.add_argument("--no-progress", action="store_true", help="Do not show the progress counter.")

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(code=options["agency"].upper(), is_active=True).first()
        if agency is None:
            raise CommandError(
                f"No active agency has the code {options['agency']}. Check the code on the agencies page."
            )
        rejected = 0
        for name in options["files"]:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name} is not a file. Check the path.")
            rejected += not self._import(agency, path, options["dry_run"], not options["no_progress"])
        if rejected:
            raise CommandError(
                f"{rejected} file(s) rejected: nothing was saved from them. Correct the rows listed and import again."
            )

    def _import(self, agency: Agency, path: Path, dry_run: bool, show_progress: bool) -> bool:
        started = time.monotonic()
        err = self.stderr

        def progress(done: int, total: int, stage: str) -> None:
            if show_progress:
                of = f" of {total}" if total else ""
                err.write(f"\r{path.name}: {stage} {done}{of} rows", ending="")
                err.flush()

        with use_via(Via.COMMAND):
            batch = create_batch(
                actor=None, agency=agency, filename=path.name, content=path.read_bytes(), dry_run=dry_run
            )
            result = run_batch(batch, progress=progress)
        if show_progress:
            err.write("")
        seconds = time.monotonic() - started
        verb = "would be " if dry_run else ""
        self.stdout.write(f"{path.name} (import {batch.pk}){' – dry run, nothing saved' if dry_run else ''}")
        self.stdout.write(
            f"  rows: {result.rows_total} in {seconds:.1f} s ({result.rows_total / max(seconds, 1e-9):,.0f} rows/s)"
        )
        if result.rejected:
            self.stdout.write(self.style.ERROR(f"  rejected: {result.error_count} row error(s); nothing was saved"))
            for error in result.errors:
                column = f", column {error['column']}" if error["column"] else ""
                self.stdout.write(f"  row {error['row']}{column}: {error['reason']}")
            if result.error_count > len(result.errors):
                self.stdout.write(f"  … and {result.error_count - len(result.errors)} more")
            return False
        self.stdout.write(f"  events {verb}created: {result.events_created}")
        self.stdout.write(f"  already imported (skipped): {result.events_already_present}")
        self.stdout.write(f"  children matched: {result.children_matched}")
        self.stdout.write(f"  children {verb}created (unverified): {result.children_created}")
        self.stdout.write(f'  types mapped to "other": {result.mapped_to_other}')
        sys.stdout.flush()
        return True
