"""Background work for chronology imports (django-tasks; `manage.py db_worker` runs it)."""

from __future__ import annotations

from django_tasks import task

from safeguarding.core.context import use_via
from safeguarding.core.enums import Via


@task()
def import_events_task(batch_id: int) -> dict[str, int]:
    from safeguarding.chronology.importer import run_batch
    from safeguarding.chronology.models import ImportBatch

    batch = ImportBatch.objects.select_related("agency", "uploaded_by").get(pk=batch_id)
    with use_via(Via.TASK):
        result = run_batch(batch)
    return {"rows": result.rows_total, "events_created": result.events_created, "errors": result.error_count}
