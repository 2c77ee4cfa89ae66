"""Import agency chronology files: `manage.py import_events --agency CODE FILE [FILE…] [--dry-run]`.

Each file is its own all-or-nothing batch. Exits non-zero, printing the report, when any file
is rejected, or when event types close to a known type need confirming and neither
`--accept-suggestions` nor `--as-other` says what they mean. `--household-column HEADER` reads a
column as a household, tenancy, family or incident reference (never the child's), for these files.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguarding.agencies.models import Agency
from safeguarding.chronology.enums import ImportStatus
from safeguarding.chronology.import_rows import OTHER_CHOICE
from safeguarding.chronology.importer import ImportResult, confirm_import_types, create_batch, run_batch
from safeguarding.chronology.models import ImportBatch
from safeguarding.core.context import use_via
from safeguarding.core.enums import Via


class Command(BaseCommand):
    help = "Import chronology entries for an agency from CSV or XLSX files (all or nothing per file)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", required=True, help="The agency's code, e.g. HV.")
        parser.add_argument("files", nargs="+", help="CSV or XLSX files.")
        parser.add_argument("--dry-run", action="store_true", help="Check and count, but save nothing.")
        parser.add_argument("--no-progress", action="store_true", help="Do not show the progress counter.")
        parser.add_argument(
            "--household-column",
            action="append",
            default=[],
            metavar="HEADER",
            help="A column holding a household, tenancy, family or incident reference several children may "
            "share: kept on each entry, never used to match a child. Repeat for several columns.",
        )
        choice = parser.add_mutually_exclusive_group()
        choice.add_argument(
            "--accept-suggestions",
            action="store_true",
            help="Record each event type close to a known type as that type.",
        )
        choice.add_argument(
            "--as-other", action="store_true", help='Record each event type close to a known type as "Other".'
        )

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(code=options["agency"].upper(), is_active=True).first()
        if agency is None:
            raise CommandError(
                f"No active agency has the code {options['agency']}. Check the code on the agencies page."
            )
        columns = {" ".join(h.split()): "household" for h in options["household_column"] if h.strip()}
        decision = "nearest" if options["accept_suggestions"] else OTHER_CHOICE if options["as_other"] else None
        rejected = waiting = 0
        for name in options["files"]:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name} is not a file. Check the path.")
            outcome = self._import(agency, path, options["dry_run"], not options["no_progress"], columns, decision)
            rejected += outcome == ImportStatus.REJECTED
            waiting += outcome == ImportStatus.NEEDS_CONFIRMATION
        problems = []
        if rejected:
            problems.append(
                f"{rejected} file(s) rejected: nothing was saved from them. Correct the rows listed and import again."
            )
        if waiting:
            problems.append(
                f"{waiting} file(s) not imported: some event types are close to a known type. Run the command "
                "again with --accept-suggestions to record each as its nearest type, "
                'or --as-other to record them as "Other".'
            )
        if problems:
            raise CommandError(" ".join(problems))

    def _import(
        self,
        agency: Agency,
        path: Path,
        dry_run: bool,
        show_progress: bool,
        columns: dict[str, str],
        decision: str | None,
    ) -> str:
        started = time.monotonic()
        err = self.stderr

        def progress(done: int, total: int, stage: str) -> None:
            if show_progress:
                of = f" of {total}" if total else ""
                err.write(f"\r{path.name}: {stage} {done}{of} rows", ending="")
                err.flush()

        with use_via(Via.COMMAND):
            batch = create_batch(
                actor=None,
                agency=agency,
                filename=path.name,
                content=path.read_bytes(),
                dry_run=dry_run,
                reference_columns=columns,
            )
            result = run_batch(batch, progress=progress)
            if batch.status == ImportStatus.NEEDS_CONFIRMATION and decision is not None:
                mapping = {
                    s["label"]: s["nearest"] if decision == "nearest" else OTHER_CHOICE for s in batch.type_suggestions
                }
                confirm_import_types(actor=None, batch=batch, mapping=mapping)
                result = run_batch(batch, progress=progress)
        if show_progress:
            err.write("")
        self._report(batch, result, path, dry_run, time.monotonic() - started)
        return str(batch.status)

    def _print_suggestions(self, batch: ImportBatch, *, confirmed: bool = False) -> None:
        for s in batch.type_suggestions:
            rows = f"{s['rows']} row{'s' if s['rows'] != 1 else ''}"
            choice = batch.type_mapping.get(s["label"]) if confirmed else None
            if choice is None:
                then = f"nearest type: {s['nearest_label']} ({s['nearest']})"
            elif choice == OTHER_CHOICE:
                then = f"recorded as Other (nearest type: {s['nearest_label']})"
            else:
                then = f"recorded as {s['nearest_label']} ({s['nearest']})"
            self.stdout.write(f'    "{s["label"]}" ({rows}): {then}')

    def _report(self, batch: ImportBatch, result: ImportResult, path: Path, dry_run: bool, seconds: float) -> None:
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
            if result.type_suggestions:
                self.stdout.write("  event types close to a known type (you will be asked about them):")
                self._print_suggestions(batch)
            return
        if result.needs_confirmation:
            self.stdout.write(
                self.style.WARNING(
                    f"  waiting: {len(result.type_suggestions)} event type(s) close to a known type; "
                    "nothing was saved. Use --accept-suggestions or --as-other."
                )
            )
            self._print_suggestions(batch)
            if not dry_run:
                return
        self.stdout.write(f"  events {verb}created: {result.events_created}")
        self.stdout.write(f"  already imported (skipped): {result.events_already_present}")
        self.stdout.write(f"  children matched: {result.children_matched}")
        self.stdout.write(f"  children {verb}created (unverified): {result.children_created}")
        self.stdout.write(f'  types mapped to "other": {result.mapped_to_other}')
        if batch.type_mapping and batch.type_suggestions and not result.needs_confirmation:
            self.stdout.write(f"  event types close to a known type, confirmed: {len(batch.type_suggestions)}")
            self._print_suggestions(batch, confirmed=True)
        if batch.reference_columns:
            self.stdout.write(f"  household reference columns: {', '.join(batch.reference_columns)}")
        sys.stdout.flush()
