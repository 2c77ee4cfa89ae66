"""manage.py check_escalation_deadlines [--enqueue]

Marks every escalation stage past its deadline without a response as overdue (once), emails both
sides and their managers, and offers the next stage. Run it from cron every hour, or pass --enqueue
to hand it to the task worker.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from safeguarding.core.context import use_via
from safeguarding.core.enums import Via


class Command(BaseCommand):
    help = "Mark overdue escalation stages and tell both sides and their managers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="Queue the check for the task worker instead.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            from safeguarding.escalations.tasks import check_escalation_deadlines_task

            result = check_escalation_deadlines_task.enqueue()
            self.stdout.write(f"Deadline check queued (task {result.id}).")
            return
        from safeguarding.escalations.services import mark_overdue_escalations

        with use_via(Via.COMMAND):
            marked = mark_overdue_escalations()
        self.stdout.write(self.style.SUCCESS(f"{marked} escalation stage{'s' if marked != 1 else ''} marked overdue."))
