"""Several task workers on one PostgreSQL (docs/scaling.md): django-tasks-db's worker claims a task
with `SELECT … FOR UPDATE SKIP LOCKED` and marks it running in the same transaction, so two workers
share the queue — each task is run once, by one of them, and both take work.

Real threads with their own connections, on committed rows (`transaction=True`); PostgreSQL only
(SQLite has one writer at a time, and the test database is in memory).
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection
from django_tasks import task
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections: PostgreSQL only"),
]

TASKS = 24
_runs: list[tuple[int, str]] = []
_runs_lock = threading.Lock()


@task()
def record_run(number: int) -> int:
    """A task that takes a moment (so the other worker has time to claim the next one) and notes who ran it."""
    time.sleep(0.05)
    with _runs_lock:
        _runs.append((number, threading.current_thread().name))
    return number


def _work(worker_id: str, errors: list[BaseException]) -> None:
    try:
        Worker(
            queue_names=["default"],
            interval=0,
            batch=True,  # run what is queued, then stop
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        ).run()
    except BaseException as exc:  # noqa: BLE001 - handed to the test thread
        errors.append(exc)
    finally:
        connection.close()


def test_two_workers_claim_disjoint_tasks_and_run_each_once(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # the suite runs tasks at once
    _runs.clear()
    enqueued = [record_run.enqueue(n) for n in range(TASKS)]
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_work, args=(f"worker-{i}", errors), name=f"worker-{i}") for i in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert not any(thread.is_alive() for thread in threads)

    numbers = sorted(number for number, _who in _runs)
    assert numbers == list(range(TASKS)), "every task ran exactly once"
    results = DBTaskResult.objects.filter(pk__in=[r.id for r in enqueued])
    assert sorted(results.values_list("status", flat=True)) == ["SUCCESSFUL"] * TASKS
    claimed_by = {str(r.pk): r.worker_ids for r in results}
    assert all(len(ids) == 1 for ids in claimed_by.values()), "no task was claimed by two workers"
    ran_by = {who for _number, who in _runs}
    assert ran_by == {"worker-1", "worker-2"}, "both workers took tasks from the queue"
    for number, who in _runs:
        assert claimed_by[str(enqueued[number].id)] == [who]
