"""`manage.py scan_concerns [--as-of DATE] [--rule CODE ...]`: run the active rules over every child.

The same evaluation as the incremental path after new entries, so both raise the same alerts. Safe
to run again: open alerts gain new evidence, nothing is raised twice. Run it every night: a gap in
contact still going on becomes long with no new entry arriving, and only this scan finds it.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguarding.concerns.models import Rule
from safeguarding.concerns.scan import full_scan
from safeguarding.core.context import use_via
from safeguarding.core.dates import parse_date
from safeguarding.core.enums import Via


class Command(BaseCommand):
    help = "Evaluate the cumulative-concern rules over every child's chronology and raise or update alerts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of",
            help="Only entries on or before this date (e.g. 31/03/2025 or 2025-03-31), evaluated on it: a gap in "
            "contact still going on is measured to it. Default: every entry, evaluated today.",
        )
        parser.add_argument("--rule", action="append", default=[], help="Only this rule (by code); may repeat.")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = None
        if options["as_of"]:
            try:
                as_of = parse_date(options["as_of"])
            except ValidationError as exc:
                raise CommandError(f"Could not read the date {options['as_of']!r}: {exc.messages[0]}") from exc
        codes = options["rule"]
        if codes:
            known = set(Rule.objects.filter(code__in=codes).values_list("code", flat=True))
            missing = sorted(set(codes) - known)
            if missing:
                raise CommandError(f"No rule with the code: {', '.join(missing)}.")
        start = time.perf_counter()
        with use_via(Via.COMMAND):
            outcome = full_scan(as_of=as_of, codes=codes or None)
        self.stdout.write(
            f"Scanned {outcome.children:,} children ({outcome.entries:,} entries): {len(outcome.raised):,} alerts "
            f"raised, {len(outcome.updated):,} open alerts given new evidence, in {time.perf_counter() - start:.1f} s."
        )
