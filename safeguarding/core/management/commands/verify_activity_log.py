"""manage.py verify_activity_log [--json] [--anchor-file PATH] [--no-seal]

Checks the activity log's whole hash chain (docs/operations.md, "The activity log: verification and
anchor"): every row's hash, every link in order, no row left unsealed for long, and every anchor in
the anchor file (ACTIVITY_LOG_ANCHOR, when it is a file; or --anchor-file). Names the first broken
row; exits 1 when anything is wrong, 0 when the chain holds. The database is the one DATABASE_URL
names, as for every command.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from safeguarding.core import chain_check


class Command(BaseCommand):
    help = "Verify the activity log's hash chain and its anchors; exit 1 naming the first broken row."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print the result as one JSON object.")
        parser.add_argument(
            "--anchor-file", metavar="PATH", help="Check against this anchor file (default: ACTIVITY_LOG_ANCHOR)."
        )
        parser.add_argument(
            "--no-seal", action="store_true", help="Do not seal pending rows first (read-only; e.g. a replica)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = chain_check.verify(anchor_file=options["anchor_file"], seal=not options["no_seal"])
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), sort_keys=True))
        elif report.ok:
            anchors = f", {report.anchors_checked} of {report.anchors} anchors matched" if report.anchors else ""
            self.stdout.write(
                self.style.SUCCESS(
                    f"Activity log verified: {report.links} rows chained, last link {report.last_seq} "
                    f"({report.last_hash[:16]}…){anchors}."
                )
            )
        else:
            for problem in report.problems:
                self.stderr.write(f"FAILED ({problem.kind}): {problem.message}")
        if not report.ok:
            raise SystemExit(1)
