"""manage.py anchor_activity_log [--to DESTINATION]

Writes the activity log's latest link (seq, hash), the number of log rows and the time to a place
outside the database: ACTIVITY_LOG_ANCHOR (a file path, appended as one JSON line and flushed to
disk, or `syslog` / `syslog:<facility>`), or --to. Run it daily (docs/operations.md); the verifier
checks every anchored link against the chain.
"""

from __future__ import annotations

from logging.handlers import SysLogHandler
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguarding.core import chain_check


class Command(BaseCommand):
    help = "Append the activity log's latest link, row count and time to ACTIVITY_LOG_ANCHOR (a file or syslog)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", metavar="DESTINATION", help="A file path, syslog or syslog:FACILITY.")

    def handle(self, *args: Any, **options: Any) -> None:
        dest = options["to"] or chain_check.destination()
        if not dest:
            raise CommandError("Set ACTIVITY_LOG_ANCHOR (a file path, syslog or syslog:FACILITY), or give --to.")
        if chain_check.is_syslog(dest) and (dest.partition(":")[2] or "user") not in SysLogHandler.facility_names:
            raise CommandError(f"{dest!r}: unknown syslog facility (use e.g. syslog:local0).")
        anchor = chain_check.current_anchor()
        try:
            chain_check.write_anchor(anchor, dest)
        except OSError as exc:
            raise CommandError(f"The anchor could not be written to {dest} ({exc.strerror}).") from exc
        self.stdout.write(
            self.style.SUCCESS(f"Anchored link {anchor.seq} ({anchor.hash[:16]}…, {anchor.count} rows) to {dest}.")
        )
