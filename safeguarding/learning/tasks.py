"""Background work (django-tasks; `manage.py db_worker` runs it): the follow-up survey emails."""

from __future__ import annotations

from django_tasks import task

from safeguarding.core.context import use_via
from safeguarding.core.enums import Via


@task()
def send_learning_followups_task() -> int:
    from safeguarding.learning.services import send_due_follow_ups

    with use_via(Via.TASK):
        return send_due_follow_ups()
