"""manage.py seal_activity_log [--all]

Seals the activity log's pending rows into its hash chain now (this happens by itself after every
transaction that writes the log, and before verification and anchoring). --all also seals older
rows that missed their seal (a process that died between its commit and the sealing step), which
the verifier reports as unsealed: check first why they were left.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from safeguarding.core import chain, chain_check


class Command(BaseCommand):
    help = "Seal the activity log's pending rows into its hash chain (--all: every unsealed row)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="Seal every unsealed row, however old.")

    def handle(self, *args: Any, **options: Any) -> None:
        recent = timedelta(minutes=chain_check.grace_minutes())
        sealed = chain.seal_pending(recent=recent, everything=options["all"])
        self.stdout.write(self.style.SUCCESS(f"Sealed {sealed} activity-log row{'s' if sealed != 1 else ''}."))
