"""Background work (django-tasks; `manage.py db_worker` runs it): generating a committee report."""

from __future__ import annotations

from django_tasks import task

from safeguarding.core.context import use_via
from safeguarding.core.enums import Via


@task()
def generate_committee_report_task(generated_id: int) -> str:
    from safeguarding.core.kernel import ServiceError
    from safeguarding.publishing.models import GeneratedReport
    from safeguarding.publishing.services import generate_report, mark_failed

    generated = GeneratedReport.objects.get(pk=generated_id)
    with use_via(Via.TASK):
        try:
            done = generate_report(actor=generated.requested_by, generated=generated)
        except ServiceError as exc:
            mark_failed(generated, exc.message)
            return "failed"
        except Exception:
            mark_failed(generated, "The report could not be generated. Try again, or ask the service desk.")
            raise
    return done.status
