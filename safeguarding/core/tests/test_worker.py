"""The task worker's heartbeat: `db_worker` is ours (theirs with a heartbeat), /healthz reports the
worker as ok, down or unknown with the age of its last heartbeat, and stays 200 while the database
answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.management import get_commands
from django.utils import timezone

from safeguarding.core import worker
from safeguarding.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_manage_py_db_worker_runs_ours_with_the_heartbeat() -> None:
    assert get_commands()["db_worker"] == "safeguarding.core"


def test_healthz_says_unknown_before_any_worker_was_heard_from(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "worker": "unknown",
        "worker_heartbeat_age_seconds": None,
    }


def test_healthz_says_ok_then_down_as_the_heartbeat_ages(client) -> None:
    now = timezone.now()
    heartbeat = worker.WorkerHeartbeatThread("w1", every=3600)
    with time_machine.travel(now, tick=False):
        heartbeat.start()
    with time_machine.travel(now + timedelta(seconds=settings.WORKER_STALE_AFTER - 1), tick=False):
        body = client.get("/healthz").json()
        assert (body["worker"], body["worker_heartbeat_age_seconds"]) == ("ok", settings.WORKER_STALE_AFTER - 1)
        assert heartbeat.beat()
    killed_at = now + timedelta(seconds=settings.WORKER_STALE_AFTER - 1)  # kill -9: no more beats
    with time_machine.travel(killed_at + timedelta(seconds=settings.WORKER_STALE_AFTER + 1), tick=False):
        response = client.get("/healthz")
        assert response.status_code == 200  # the web side is fine: a load balancer keeps this process
        body = response.json()
        assert (body["worker"], body["worker_heartbeat_age_seconds"]) == ("down", settings.WORKER_STALE_AFTER + 1)
    heartbeat._stop.set()


def test_a_worker_that_stops_cleanly_is_down_at_once() -> None:
    heartbeat = worker.WorkerHeartbeatThread("w2", every=3600)
    heartbeat.start()
    assert worker.worker_state().status == worker.OK
    heartbeat.stop()
    assert worker.worker_state().status == worker.DOWN
    assert WorkerHeartbeat.objects.get(worker_id="w2").stopped_at is not None


def test_a_restarted_worker_is_ok_again_and_old_rows_are_cleared() -> None:
    WorkerHeartbeat.objects.create(worker_id="old", last_seen_at=timezone.now() - timedelta(days=8))
    WorkerHeartbeat.objects.create(worker_id="dead", last_seen_at=timezone.now() - timedelta(hours=1))
    assert worker.worker_state().status == worker.DOWN
    heartbeat = worker.WorkerHeartbeatThread("new", every=3600)
    heartbeat.start()
    assert worker.worker_state().status == worker.OK
    assert set(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == {"dead", "new"}
    heartbeat._stop.set()


def test_pages_count_a_never_seen_worker_as_down_only_once_something_has_waited_too_long() -> None:
    now = timezone.now()
    assert not worker.worker_is_down(now - timedelta(seconds=settings.WORKER_STALE_AFTER - 1), now)
    assert worker.worker_is_down(now - timedelta(seconds=settings.WORKER_STALE_AFTER + 1), now)
