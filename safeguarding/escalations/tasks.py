"""Background work (django-tasks; `manage.py db_worker` runs it): the deadline check."""

from __future__ import annotations

from django_tasks import task

from safeguarding.core.context import use_via
from safeguarding.core.enums import Via


@task()
def check_escalation_deadlines_task() -> int:
    from safeguarding.escalations.services import mark_overdue_escalations

    with use_via(Via.TASK):
        return mark_overdue_escalations()
