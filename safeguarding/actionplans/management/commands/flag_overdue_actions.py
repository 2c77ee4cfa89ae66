"""manage.py flag_overdue_actions [--enqueue] [--today DD/MM/YYYY]

Tells the lead officer and the business unit about every action past its due date and not complete,
once per due date (an action given a new due date is told again when that passes). Run it from cron
once a day, or pass --enqueue to hand it to the task worker.
"""

from __future__ import annotations

from safeguarding.actionplans.management.commands._daily import DailyCheckCommand


class Command(DailyCheckCommand):
    help = "Email the lead officer and the business unit about overdue actions (once per due date)."
    service = "flag_overdue_actions"
    task = "flag_overdue_actions_task"
    queued = "Overdue check queued"

    def flagged(self, count: int) -> str:
        return f"{count} overdue action{'s' if count != 1 else ''} flagged."
