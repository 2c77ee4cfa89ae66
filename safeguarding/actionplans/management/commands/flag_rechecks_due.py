"""manage.py flag_rechecks_due [--enqueue] [--today DD/MM/YYYY]

Tells the lead officer and the business unit about every complete action (signed off or not) whose
date to check that the change held has arrived and that has no re-check that held recorded, once per
re-check date (an action given a new re-check date is told again when that arrives). Run it from cron
once a day, beside `flag_overdue_actions`, or pass --enqueue to hand it to the task worker.
"""

from __future__ import annotations

from safeguarding.actionplans.management.commands._daily import DailyCheckCommand


class Command(DailyCheckCommand):
    help = "Email the lead officer and the business unit about re-checks due (once per re-check date)."
    service = "flag_rechecks_due"
    task = "flag_rechecks_due_task"
    queued = "Re-check check queued"

    def flagged(self, count: int) -> str:
        return f"{count} action{'s' if count != 1 else ''} with a re-check due flagged."
