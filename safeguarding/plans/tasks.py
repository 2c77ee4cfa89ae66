"""Background work (django-tasks; `manage.py db_worker` runs it): the overdue-objective check."""

from __future__ import annotations

from django_tasks import task

from safeguarding.core.context import use_via
from safeguarding.core.enums import Via


@task()
def flag_overdue_objectives_task() -> int:
    from safeguarding.plans.services import flag_overdue_objectives

    with use_via(Via.TASK):
        return flag_overdue_objectives().flagged
