"""manage.py flag_rechecks_due [--enqueue] [--today DD/MM/YYYY]

Tells the lead officer and the business unit about every complete action (signed off or not) whose
date to check that the change held has arrived and that has no re-check that held recorded, once per
re-check date (an action given a new re-check date is told again when that arrives). Run it from cron
once a day, beside `flag_overdue_actions`, or pass --enqueue to hand it to the task worker.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguarding.core.context import use_via
from safeguarding.core.dates import parse_date
from safeguarding.core.enums import Via


class Command(BaseCommand):
    help = "Email the lead officer and the business unit about re-checks due (once per re-check date)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="Queue the check for the task worker instead.")
        parser.add_argument("--today", help="Check as on this date (DD/MM/YYYY), e.g. to catch up after downtime.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            from safeguarding.actionplans.tasks import flag_rechecks_due_task

            result = flag_rechecks_due_task.enqueue()
            self.stdout.write(f"Re-check check queued (task {result.id}).")
            return
        from safeguarding.actionplans.services import flag_rechecks_due

        today = None
        if options["today"]:
            try:
                today = parse_date(options["today"])
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        with use_via(Via.COMMAND):
            flagged = flag_rechecks_due(today=today)
        plural = "s" if flagged != 1 else ""
        self.stdout.write(self.style.SUCCESS(f"{flagged} action{plural} with a re-check due flagged."))
