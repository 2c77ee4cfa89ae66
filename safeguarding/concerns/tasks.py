"""Background work for alerts (django-tasks; `manage.py db_worker` runs it)."""

from __future__ import annotations

from django_tasks import task

from safeguarding.core.context import use_via
from safeguarding.core.enums import Via


@task()
def evaluate_children_task(child_ids: list[int]) -> dict[str, int]:
    """The incremental path: evaluate the active rules for the children whose entries changed."""
    from safeguarding.concerns.scan import evaluate_children
    from safeguarding.concerns.services import close_alerts_resting_on_entries_in_error

    with use_via(Via.TASK):
        # An alert left with only entries entered in error is closed first (issue 17); the rules then
        # run over the entries that count.
        close_alerts_resting_on_entries_in_error(actor=None, child_ids=child_ids)
        outcome = evaluate_children(child_ids)
    return {"children": outcome.children, "raised": len(outcome.raised), "updated": len(outcome.updated)}


@task()
def full_scan_task(as_of: str | None = None) -> dict[str, int]:
    import datetime as dt

    from safeguarding.concerns.scan import full_scan

    with use_via(Via.TASK):
        outcome = full_scan(as_of=dt.date.fromisoformat(as_of) if as_of else None)
    return {"children": outcome.children, "raised": len(outcome.raised), "updated": len(outcome.updated)}


def on_events_changed(sender: object, child_ids: list[int], **kwargs: object) -> None:
    """Receiver of chronology's `events_changed` (sent after commit): queue the evaluation."""
    evaluate_children_task.enqueue(list(child_ids))
