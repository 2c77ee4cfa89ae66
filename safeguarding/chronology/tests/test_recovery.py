"""An import whose worker died (`kill -9` while saving): found stalled by its old heartbeat, marked
failed ("nothing was saved"), and tried again from the service, the page, the API and the command,
with the same result as a first import."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from safeguarding.chronology import importer, recovery
from safeguarding.chronology.enums import ImportStatus
from safeguarding.chronology.models import Event, ImportBatch
from safeguarding.chronology.tests.helpers import csv_bytes
from safeguarding.core.kernel import StaleVersion
from safeguarding.core.models import ActivityLog
from safeguarding.testing.personas import Cast

pytestmark = pytest.mark.django_db

FILE = csv_bytes(
    ["Date", "Child name", "DOB", "Event type", "Details"],
    ["12/03/2024", "Ellis Marsh", "", "WNB", "Not brought to clinic"],
    ["14/03/2024", "Ellis Marsh", "", "Home visit", "Seen at home"],
    ["02/04/2024", "Robin Marsh", "", "WNB", "Not brought to clinic"],
)


def _killed_batch(cast: Cast, at: datetime, **fields: Any) -> ImportBatch:
    """What `kill -9` while saving leaves: a running batch, its heartbeat last written at `at`, and
    (the import's transaction having died with its connection) none of its entries."""
    batch = importer.create_batch(actor=cast.involved, agency=cast.agency, filename="hv.csv", content=FILE)
    state = {"status": ImportStatus.RUNNING, "started_at": at - timedelta(seconds=5), "heartbeat_at": at, **fields}
    ImportBatch.objects.filter(pk=batch.pk).update(rows_done=3, **state)
    batch.refresh_from_db()
    return batch


def _later(at: datetime, seconds: int) -> Any:
    return time_machine.travel(at + timedelta(seconds=seconds), tick=False)


def _outcome(batch: ImportBatch) -> tuple[Any, ...]:
    batch.refresh_from_db()
    events = sorted(Event.objects.filter(import_batch=batch).values_list("occurred_on", "summary"))
    return (batch.status, batch.rows_total, batch.events_created, batch.events_already_present, events)


def _first_import_outcome(cast: Cast) -> tuple[Any, ...]:
    """The same file imported once, cleanly, then rolled back: what a retry must give."""
    with transaction.atomic():
        batch = importer.create_batch(actor=cast.involved, agency=cast.agency, filename="hv.csv", content=FILE)
        importer.run_batch(batch)
        status, rows, created, present, events = _outcome(batch)
        transaction.set_rollback(True)
    return (status, rows, created, present, [(day, summary) for day, summary in events])


# ---- the service ---------------------------------------------------------------------------------


def test_a_batch_silent_for_longer_than_the_threshold_is_marked_failed_and_logged(cast: Cast) -> None:
    now = timezone.now()
    batch = _killed_batch(cast, now)
    with _later(now, settings.IMPORT_STALE_AFTER - 1):
        assert recovery.recover_stalled_imports() == []
    with _later(now, settings.IMPORT_STALE_AFTER + 1):
        assert recovery.recover_stalled_imports() == [batch.pk]
        assert recovery.recover_stalled_imports() == []  # once
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert batch.errors == [
        {
            "row": 0,
            "column": "",
            "reason": "The import stopped before it finished: nothing from this file was saved. Try again.",
        }
    ]
    log = ActivityLog.objects.get(action="import_batch.stalled")
    assert (log.actor, log.target_id, log.changes["entries_saved"]) == (None, str(batch.pk), [None, False])


def test_a_live_import_keeps_its_heartbeat_fresh_so_it_is_never_marked(cast: Cast) -> None:
    now = timezone.now()
    batch = _killed_batch(cast, now)
    with _later(now, settings.IMPORT_STALE_AFTER - 10):
        assert recovery.Heartbeat(batch.pk).beat()
    with _later(now, settings.IMPORT_STALE_AFTER + 1):
        assert recovery.recover_stalled_imports() == []
    batch.refresh_from_db()
    assert batch.status == ImportStatus.RUNNING


def test_a_batch_whose_entries_were_saved_is_not_said_to_have_saved_nothing(cast: Cast) -> None:
    now = timezone.now()
    batch = importer.create_batch(actor=cast.involved, agency=cast.agency, filename="hv.csv", content=FILE)
    importer.run_batch(batch)  # entries committed; then the worker "dies" before writing the report
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING, heartbeat_at=now)
    with _later(now, settings.IMPORT_STALE_AFTER + 1):
        assert recovery.recover_stalled_imports() == [batch.pk]
    batch.refresh_from_db()
    assert batch.errors[0]["reason"] == recovery.STALLED_AFTER_SAVING_REASON


def test_retry_queues_the_stored_file_again_and_gives_the_result_of_a_first_import(cast: Cast) -> None:
    expected = _first_import_outcome(cast)
    assert expected[0] == ImportStatus.SUCCEEDED
    assert expected[2] == 3
    now = timezone.now()
    batch = _killed_batch(cast, now)
    with _later(now, settings.IMPORT_STALE_AFTER + 1):
        recovery.recover_stalled_imports()
        batch.refresh_from_db()
        recovery.retry_import(actor=cast.involved, batch=batch, version=batch.version)
    batch.refresh_from_db()
    assert (batch.status, batch.version, batch.errors, batch.rows_done, batch.heartbeat_at) == (
        ImportStatus.QUEUED,
        2,
        [],
        0,
        None,
    )
    assert ActivityLog.objects.filter(action="import_batch.retried", actor=cast.involved).count() == 1
    importer.run_batch(batch)
    assert _outcome(batch) == expected


def test_retry_is_refused_for_a_finished_import_and_for_a_stale_version(cast: Cast) -> None:
    batch = importer.create_batch(actor=cast.involved, agency=cast.agency, filename="hv.csv", content=FILE)
    importer.run_batch(batch)
    with pytest.raises(recovery.NotRetryable, match="already been imported"):
        recovery.retry_import(actor=cast.involved, batch=batch, version=batch.version)
    with pytest.raises(StaleVersion):
        recovery.retry_import(actor=cast.involved, batch=batch, version=batch.version + 1)
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.SUCCEEDED
    assert Event.objects.count() == 3


def test_the_heartbeat_beats_from_its_own_thread(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    batch = _killed_batch(cast, timezone.now() - timedelta(hours=1))
    beats: list[str] = []
    second_beat = threading.Event()
    original = recovery.Heartbeat.beat

    def counted(self: recovery.Heartbeat) -> bool:
        beats.append(threading.current_thread().name)
        if len(beats) >= 2:
            second_beat.set()
        return original(self) if len(beats) == 1 else True  # the thread's connection sees no test data

    monkeypatch.setattr(recovery.Heartbeat, "beat", counted)
    with recovery.Heartbeat(batch.pk, every=0.01):
        assert second_beat.wait(10)
    batch.refresh_from_db()
    assert batch.heartbeat_at is not None
    assert batch.heartbeat_at > timezone.now() - timedelta(minutes=1)
    assert beats[0] == threading.current_thread().name
    assert beats[1] == f"import-heartbeat-{batch.pk}"


# ---- the page --------------------------------------------------------------------------------------


def test_the_page_finds_the_stalled_batch_and_retries_it(cast: Cast, client_for: Any) -> None:
    expected = _first_import_outcome(cast)
    now = timezone.now()
    batch = _killed_batch(cast, now)
    client = client_for(cast.involved)
    url = reverse("chronology:import-detail", args=[batch.pk])
    with _later(now, 60):
        html = client.get(url).content.decode()
        assert "This page updates itself" in html
        assert "Try the import again" not in html
    with _later(now, settings.IMPORT_STALE_AFTER + 1):
        html = client.get(url).content.decode()
        assert "nothing from this file was saved. Try again." in html
        assert 'http-equiv="refresh"' not in html
        assert "Try the import again" in html
        stalled = ActivityLog.objects.get(action="import_batch.stalled")
        assert (stalled.actor, stalled.via) == (None, "system")
        retry = reverse("chronology:import-retry", args=[batch.pk])
        response = client.post(retry, {"version": 1})
        assert response.status_code == 302
        assert response["Location"] == url
        assert _outcome(batch) == expected  # the task ran (immediate backend in tests)
        again = client.post(retry, {"version": 1})
        assert again.status_code == 200
        assert "Someone else changed this import" in again.content.decode()
        done = client.post(retry, {"version": 2}).content.decode()
        assert "This file has already been imported, so there is nothing to try again." in done
    assert Event.objects.count() == 3


@pytest.mark.parametrize("persona", ["partner", "unrelated"])
def test_other_agencies_cannot_retry(cast: Cast, client_for: Any, persona: str) -> None:
    batch = _killed_batch(cast, timezone.now(), status=ImportStatus.FAILED)
    response = client_for(getattr(cast, persona)).post(
        reverse("chronology:import-retry", args=[batch.pk]), {"version": 1}
    )
    assert response.status_code == 404
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.FAILED


# ---- the API ---------------------------------------------------------------------------------------


def test_the_api_reads_the_stalled_batch_as_failed_and_retries_it_with_its_version(cast: Cast, client_for: Any) -> None:
    expected = _first_import_outcome(cast)
    now = timezone.now()
    batch = _killed_batch(cast, now)
    client = client_for(cast.involved)
    url = f"/api/v1/imports/{batch.pk}/"
    with _later(now, settings.IMPORT_STALE_AFTER + 1):
        body = client.get(url).json()
        assert (body["status"], body["version"], body["errors"][0]["reason"]) == (
            "failed",
            1,
            recovery.STALLED_REASON,
        )
        missing = client.post(f"{url}retry/", {}, content_type="application/json")
        assert missing.status_code == 400
        assert "version" in missing.json()["errors"]
        retried = client.post(f"{url}retry/", {"version": 1}, content_type="application/json")
        assert retried.status_code == 200
        assert (retried.json()["status"], retried.json()["version"]) == ("succeeded", 2)
        assert _outcome(batch) == expected
        stale = client.post(f"{url}retry/", {"version": 1}, content_type="application/json")
        done = client.post(f"{url}retry/", {"version": 2}, content_type="application/json")
    assert stale.status_code == 409
    assert done.status_code == 409
    assert "already been imported" in done.json()["detail"]
    assert Event.objects.count() == 3


@pytest.mark.parametrize("persona", ["partner", "unrelated"])
def test_the_api_answers_404_for_another_agencys_batch(cast: Cast, client_for: Any, persona: str) -> None:
    batch = _killed_batch(cast, timezone.now(), status=ImportStatus.FAILED)
    client = client_for(getattr(cast, persona))
    assert client.get(f"/api/v1/imports/{batch.pk}/").status_code == 404
    response = client.post(f"/api/v1/imports/{batch.pk}/retry/", {"version": 1}, content_type="application/json")
    assert response.status_code == 404
    assert response.json() == client.get("/api/v1/imports/999999/").json()
    assert client.get("/api/v1/imports/").json()["results"] == []


# ---- the command -----------------------------------------------------------------------------------


def test_the_command_marks_stalled_batches_and_retries_them(cast: Cast, capsys: pytest.CaptureFixture[str]) -> None:
    expected = _first_import_outcome(cast)
    now = timezone.now()
    batch = _killed_batch(cast, now)
    with _later(now, settings.IMPORT_STALE_AFTER + 1):
        call_command("recover_imports")
        assert f"import {batch.pk}: its worker stopped" in capsys.readouterr().out
        assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.FAILED
        call_command("recover_imports", "--retry", str(batch.pk), "--now")
        assert "3 entries added" in capsys.readouterr().out
    assert _outcome(batch) == expected
    with pytest.raises(CommandError, match="already been imported"):
        call_command("recover_imports", "--retry", str(batch.pk))
    with pytest.raises(CommandError, match="No import has the id 999999"):
        call_command("recover_imports", "--retry", "999999")


# ---- the waiting page when the worker is down ----------------------------------------------------


def test_a_queued_import_says_the_worker_is_down_instead_of_updating_itself(cast: Cast, client_for: Any) -> None:
    from safeguarding.core.models import WorkerHeartbeat
    from safeguarding.core.worker import DOWN_MESSAGE

    now = timezone.now()
    batch = importer.create_batch(actor=cast.involved, agency=cast.agency, filename="hv.csv", content=FILE)
    WorkerHeartbeat.objects.create(worker_id="w1", last_seen_at=now)
    client = client_for(cast.involved)
    url = reverse("chronology:import-detail", args=[batch.pk])
    with _later(now, settings.WORKER_STALE_AFTER - 1):
        html = client.get(url).content.decode()
    assert "This page updates itself" in html
    assert DOWN_MESSAGE not in html
    with _later(now, settings.WORKER_STALE_AFTER + 1):
        html = client.get(url).content.decode()
    assert DOWN_MESSAGE in html
    assert "This page updates itself" not in html
