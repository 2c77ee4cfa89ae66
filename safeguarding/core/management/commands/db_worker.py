"""`manage.py db_worker`: django-tasks-db's worker, unchanged, with a heartbeat (`core.worker`).

Every option is theirs. While it runs, a thread writes the worker's heartbeat every
WORKER_HEARTBEAT_SECONDS, so /healthz and the pages that wait on it can tell a stopped worker from an
idle one. With `--reload` the heartbeat runs in the reloaded child, the process that runs tasks.
"""

from __future__ import annotations

import os
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from safeguarding.core.worker import WorkerHeartbeatThread


class Command(db_worker.Command):
    help = "Run the database background worker, writing a heartbeat that /healthz reports."

    def handle(self, *args: Any, **options: Any) -> None:
        runs_tasks = not options.get("reload") or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true"
        if options.get("batch") or not runs_tasks:
            # `--batch` runs what is queued and exits (tests, one-off runs): not a worker to watch.
            super().handle(*args, **options)
            return
        heartbeat = WorkerHeartbeatThread(options["worker_id"])
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
