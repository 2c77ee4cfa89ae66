"""manage.py flag_overdue_objectives [--enqueue]

Flags every objective of an agreed plan that is past its date and not recorded as achieved: once per
due date it tells the lead professional and the objective's owner (if a professional) and writes
`plan_objective_overdue` to the children's chronology. Run it daily from cron, or pass --enqueue to
hand it to the task worker.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from safeguarding.core.context import use_via
from safeguarding.core.enums import Via


class Command(BaseCommand):
    help = "Flag plan objectives past their date and tell the lead professional and the owner."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="Queue the check for the task worker instead.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            from safeguarding.plans.tasks import flag_overdue_objectives_task

            result = flag_overdue_objectives_task.enqueue()
            self.stdout.write(f"Overdue check queued (task {result.id}).")
            return
        from safeguarding.plans.services import flag_overdue_objectives

        with use_via(Via.COMMAND):
            flagged = flag_overdue_objectives().flagged
        self.stdout.write(self.style.SUCCESS(f"{flagged} objective{'s' if flagged != 1 else ''} flagged as overdue."))
