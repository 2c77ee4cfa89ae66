"""Is the task worker alive? Heartbeats from `manage.py db_worker`, read by /healthz and waiting pages.

django-tasks-db records which worker claimed a task, but nothing while a worker is idle, so a worker
that died cannot be told from one with nothing to do. Our `db_worker` (core/management/commands) is
theirs with a heartbeat: a thread of its own (so its own database connection, in autocommit) writes
`WorkerHeartbeat.last_seen_at` every WORKER_HEARTBEAT_SECONDS, whether the worker is idle or running a
long task. The worker is:

- "ok" when some worker was heard from within WORKER_STALE_AFTER seconds;
- "down" when workers have been heard from, but none recently (killed, crashed, or stopped);
- "unknown" when no worker has ever been heard from (a new installation, or tasks run in-process).

Heartbeats are operational state, not anyone's work: they are written outside the services and never
reach the activity log.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import timezone

from safeguarding.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

OK = "ok"
DOWN = "down"
UNKNOWN = "unknown"

DOWN_MESSAGE = (
    "The background worker is not running, so this will not finish until it is restarted. "
    "Tell your system administrator."
)

# Rows of workers not heard from for this long are deleted when a worker starts.
KEEP_STOPPED = timedelta(days=7)


@dataclass(frozen=True)
class WorkerState:
    status: str  # OK, DOWN or UNKNOWN
    last_seen_at: datetime | None

    def age_seconds(self, now: datetime | None = None) -> int | None:
        if self.last_seen_at is None:
            return None
        return max(0, int(((now or timezone.now()) - self.last_seen_at).total_seconds()))


def worker_state(now: datetime | None = None) -> WorkerState:
    """The newest heartbeat of any worker, and what it says."""
    now = now or timezone.now()
    latest = WorkerHeartbeat.objects.order_by("-last_seen_at").values_list("last_seen_at", "stopped_at").first()
    if latest is None:
        return WorkerState(UNKNOWN, None)
    last_seen_at, stopped_at = latest
    fresh = last_seen_at >= now - timedelta(seconds=settings.WORKER_STALE_AFTER)
    return WorkerState(OK if fresh and stopped_at is None else DOWN, last_seen_at)


def worker_is_down(waiting_since: datetime | None = None, now: datetime | None = None) -> bool:
    """For pages that wait on the worker: down, or never heard from while this has waited longer
    than a worker would take to pick it up."""
    now = now or timezone.now()
    state = worker_state(now)
    if state.status == DOWN:
        return True
    if state.status == UNKNOWN and waiting_since is not None:
        return waiting_since < now - timedelta(seconds=settings.WORKER_STALE_AFTER)
    return False


class BeatingThread:
    """Calls `beat()` every `every` seconds from a thread of its own (with its own database
    connections, closed when it ends) until `halt()`: a worker's or a running import's heartbeat."""

    def __init__(self, name: str, every: float) -> None:
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def beat(self) -> bool:
        raise NotImplementedError

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.every):
                self.beat()
        finally:
            connections.close_all()  # this thread's own connections

    def halt(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.every + 30)


class WorkerHeartbeatThread(BeatingThread):
    """Writes this worker's heartbeat now and then every `every` seconds until stopped."""

    def __init__(self, worker_id: str, every: float | None = None) -> None:
        self.worker_id = worker_id
        super().__init__(f"heartbeat-{worker_id}", settings.WORKER_HEARTBEAT_SECONDS if every is None else every)

    def start(self) -> None:
        WorkerHeartbeat.objects.filter(last_seen_at__lt=timezone.now() - KEEP_STOPPED).delete()
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={"last_seen_at": timezone.now(), "stopped_at": None},
            create_defaults={"hostname": socket.gethostname()[:255], "pid": os.getpid()},
        )
        self._thread.start()

    def beat(self) -> bool:
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).update(last_seen_at=timezone.now())
        except DatabaseError:  # e.g. SQLite busy while a long import saves: the next beat will do
            logger.warning("Could not write the worker heartbeat; trying again in %s s.", self.every)
            return False
        return True

    def stop(self) -> None:
        self.halt()
        WorkerHeartbeat.objects.filter(worker_id=self.worker_id).update(
            last_seen_at=timezone.now(), stopped_at=timezone.now()
        )
