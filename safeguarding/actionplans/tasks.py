"""Background work (django-tasks; `manage.py db_worker` runs it): the daily overdue and re-check checks."""

from __future__ import annotations

from django_tasks import task

from safeguarding.core.context import use_via
from safeguarding.core.enums import Via


@task()
def flag_overdue_actions_task() -> int:
    from safeguarding.actionplans.services import flag_overdue_actions

    with use_via(Via.TASK):
        return flag_overdue_actions()


@task()
def flag_rechecks_due_task() -> int:
    from safeguarding.actionplans.services import flag_rechecks_due

    with use_via(Via.TASK):
        return flag_rechecks_due()
