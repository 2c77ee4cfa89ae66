"""The upload page and the progress page, with the three personas."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safeguarding.agencies.enums import Role
from safeguarding.chronology.enums import ImportStatus
from safeguarding.chronology.models import Event, ImportBatch
from safeguarding.chronology.tests.helpers import csv_bytes
from safeguarding.core.models import ActivityLog
from safeguarding.testing import factories as f
from safeguarding.testing.personas import Cast

pytestmark = pytest.mark.django_db

GOOD = csv_bytes(
    ["Date", "Child name", "DOB", "Event type", "Details"],
    ["12/03/2024", "Ellis Marsh", "", "WNB", "Not brought to clinic"],
)


def _upload(client: Any, cast: Cast, content: bytes = GOOD, name: str = "hv.csv", **extra: Any) -> Any:
    data = {"agency": cast.agency.pk, "file": SimpleUploadedFile(name, content, content_type="text/csv"), **extra}
    return client.post(reverse("chronology:import-new"), data)


def test_upload_page_lists_only_the_users_case_agencies(cast: Cast, client_for: Any) -> None:
    response = client_for(cast.involved).get(reverse("chronology:import-new"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert cast.agency.name in html
    assert cast.partner_agency.name not in html


def test_upload_creates_batch_runs_task_and_shows_report(cast: Cast, client_for: Any) -> None:
    client = client_for(cast.involved)
    response = _upload(client, cast)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("chronology:import-detail", args=[batch.pk])
    assert (batch.status, batch.events_created, batch.uploaded_by, bytes(batch.content)) == (
        ImportStatus.SUCCEEDED,
        1,
        cast.involved,
        GOOD,
    )
    assert Event.objects.get().import_batch == batch
    assert ActivityLog.objects.filter(action="import_batch.created", actor=cast.involved).exists()
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Import complete" in html
    assert 'http-equiv="refresh"' not in html


def test_upload_cannot_name_another_agency(cast: Cast, client_for: Any) -> None:
    client = client_for(cast.involved)
    data = {"agency": cast.partner_agency.pk, "file": SimpleUploadedFile("x.csv", GOOD)}
    response = client.post(reverse("chronology:import-new"), data)
    assert response.status_code == 200
    assert "Choose an agency you work in." in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_upload_refuses_other_file_types(cast: Cast, client_for: Any) -> None:
    response = _upload(client_for(cast.involved), cast, name="notes.docx")
    assert "must be a CSV (.csv) or Excel (.xlsx) file" in response.content.decode()


def test_rejected_upload_shows_row_column_reason_table(cast: Cast, client_for: Any) -> None:
    client = client_for(cast.involved)
    bad = csv_bytes(["Date", "Child name", "Event type"], ["31/02/2024", "Ellis Marsh", "WNB"])
    response = _upload(client, cast, content=bad)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.REJECTED
    html = client.get(response["Location"]).content.decode()
    assert "The file was not imported" in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">2</td>' in html
    assert "This is not a real date." in html
    assert Event.objects.count() == 0


def test_progress_page_refreshes_while_running(cast: Cast, client_for: Any) -> None:
    """In place, by its script (a timed meta refresh fails axe's meta-refresh rule); a link without it."""
    batch = ImportBatch.objects.create(agency=cast.agency, filename="big.csv", sha256="0" * 64, status="running")
    html = client_for(cast.involved).get(reverse("chronology:import-detail", args=[batch.pk])).content.decode()
    assert 'http-equiv="refresh"' not in html
    assert '<div id="import-status" data-running="true">' in html
    assert "chronology/import_progress" in html
    assert "Refresh the page</a> to see how far it has got." in html


@pytest.mark.parametrize("persona", ["partner", "unrelated"])
def test_other_agencies_get_404_for_a_batch(cast: Cast, client_for: Any, persona: str) -> None:
    _upload(client_for(cast.involved), cast)
    batch = ImportBatch.objects.get()
    response = client_for(getattr(cast, persona)).get(reverse("chronology:import-detail", args=[batch.pk]))
    assert response.status_code == 404
    listing = client_for(getattr(cast, persona)).get(reverse("chronology:import-list"))
    assert "hv.csv" not in listing.content.decode()


def test_import_list_shows_own_agencys_batches(cast: Cast, client_for: Any) -> None:
    _upload(client_for(cast.involved), cast)
    colleague = f.member(cast.agency, Role.MANAGER)
    html = client_for(colleague).get(reverse("chronology:import-list")).content.decode()
    assert "hv.csv" in html


def test_people_without_a_case_role_cannot_upload(cast: Cast, client_for: Any) -> None:
    scrutineer = f.member(cast.agency, Role.SCRUTINEER)
    assert client_for(scrutineer).get(reverse("chronology:import-new")).status_code == 404
