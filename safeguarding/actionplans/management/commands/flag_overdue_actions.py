"""manage.py flag_overdue_actions [--enqueue] [--today DD/MM/YYYY]

Tells the lead officer and the business unit about every action past its due date and not complete,
once per due date (an action given a new due date is told again when that passes). Run it from cron
once a day, or pass --enqueue to hand it to the task worker.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguarding.core.context import use_via
from safeguarding.core.dates import parse_date
from safeguarding.core.enums import Via


class Command(BaseCommand):
    help = "Email the lead officer and the business unit about overdue actions (once per due date)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="Queue the check for the task worker instead.")
        parser.add_argument("--today", help="Check as on this date (DD/MM/YYYY), e.g. to catch up after downtime.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            from safeguarding.actionplans.tasks import flag_overdue_actions_task

            result = flag_overdue_actions_task.enqueue()
            self.stdout.write(f"Overdue check queued (task {result.id}).")
            return
        from safeguarding.actionplans.services import flag_overdue_actions

        today = None
        if options["today"]:
            try:
                today = parse_date(options["today"])
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        with use_via(Via.COMMAND):
            flagged = flag_overdue_actions(today=today)
        self.stdout.write(self.style.SUCCESS(f"{flagged} overdue action{'s' if flagged != 1 else ''} flagged."))
