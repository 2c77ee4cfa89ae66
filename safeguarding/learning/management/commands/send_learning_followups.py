"""manage.py send_learning_followups [--enqueue] [--today YYYY-MM-DD]

Emails the follow-up survey to each attendee of every learning event whose follow-up period
(`follow_up_after_days` after the day it ended) has come. Each person is asked once per event, however
often this runs. Run it from cron once a day, or pass --enqueue to hand it to the task worker.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguarding.core.context import use_via
from safeguarding.core.enums import Via


class Command(BaseCommand):
    help = "Email the follow-up survey to attendees of learning events whose follow-up day has come."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="Queue the job for the task worker instead.")
        parser.add_argument("--today", help="Act as if today were this date (YYYY-MM-DD), e.g. to catch up.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            from safeguarding.learning.tasks import send_learning_followups_task

            result = send_learning_followups_task.enqueue()
            self.stdout.write(f"Follow-up survey emails queued (task {result.id}).")
            return
        today = None
        if options.get("today"):
            try:
                today = date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError("Give --today as YYYY-MM-DD, e.g. 2026-03-27.") from exc
        from safeguarding.learning.services import send_due_follow_ups

        with use_via(Via.COMMAND):
            sent = send_due_follow_ups(today=today)
        self.stdout.write(self.style.SUCCESS(f"{sent} follow-up survey email{'s' if sent != 1 else ''} sent."))
