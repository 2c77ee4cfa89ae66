"""Remind agencies of review requests due within 2 working days or overdue (run daily, e.g. from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from safeguarding.reviews.services import send_request_reminders


class Command(BaseCommand):
    help = "Email agencies' safeguarding leads about review requests due soon or overdue (once a day each)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_request_reminders()
        self.stdout.write(f"Reminders sent: {sent}")
