"""The shape both daily action-plan checks share (`flag_overdue_actions`, `flag_rechecks_due`): run
the check now, or hand it to the task worker with --enqueue; --today checks as on another date, e.g.
to catch up after downtime."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguarding.core.context import use_via
from safeguarding.core.dates import parse_date
from safeguarding.core.enums import Via


class DailyCheckCommand(BaseCommand):
    service: str  # the function in actionplans.services, called with `today`
    task: str  # its task in actionplans.tasks
    queued: str  # what --enqueue says, e.g. "Overdue check queued"

    def flagged(self, count: int) -> str:
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="Queue the check for the task worker instead.")
        parser.add_argument("--today", help="Check as on this date (DD/MM/YYYY), e.g. to catch up after downtime.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            from safeguarding.actionplans import tasks

            result = getattr(tasks, self.task).enqueue()
            self.stdout.write(f"{self.queued} (task {result.id}).")
            return
        from safeguarding.actionplans import services

        today = None
        if options["today"]:
            try:
                today = parse_date(options["today"])
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        with use_via(Via.COMMAND):
            count = getattr(services, self.service)(today=today)
        self.stdout.write(self.style.SUCCESS(self.flagged(count)))
