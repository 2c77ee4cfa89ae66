"""The import page reachable (menu, home page, chronology page), a CSV template per agency, and a
progress bar while a file is checked and saved (issue 17)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from safeguarding.agencies.enums import Role
from safeguarding.chronology import importer, recovery, tabular
from safeguarding.chronology.enums import ImportStatus
from safeguarding.chronology.import_template import template_headers
from safeguarding.chronology.models import ImportBatch
from safeguarding.chronology.tests.helpers import csv_bytes
from safeguarding.testing import factories as f
from safeguarding.testing.personas import Cast

pytestmark = pytest.mark.django_db

FILE = csv_bytes(["Date", "Child name", "Event type", "Details"], ["12/03/2024", "Ellis Marsh", "WNB", "Not brought"])


def _header(response) -> list[str]:
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8-sig")
    return next(csv.reader(io.StringIO(text)))


def test_the_template_has_every_column_the_importer_reads(cast: Cast, client_for) -> None:
    response = client_for(cast.involved).get("/chronology/imports/template.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="chronology-import-template-hv.csv"' in response["Content-Disposition"]
    header = _header(response)
    assert header[:4] == ["Date", "Child name", "DOB", "NHS number"]
    assert set(tabular.map_headers(header)) == set(tabular.FIELD_ORDER)


def test_the_template_uses_the_agencys_own_reference_columns(cast: Cast) -> None:
    cast.unrelated_agency.import_columns = {"Tenancy ref": "household", "Client ID": "child"}
    cast.unrelated_agency.save(update_fields=["import_columns"])
    header = template_headers(cast.unrelated_agency)
    assert "Tenancy ref" in header
    assert "Client ID" in header
    assert "Household ref" not in header
    overrides = tabular.reference_overrides(cast.unrelated_agency.import_columns)
    mapping = tabular.map_headers(header, overrides)
    assert header[mapping["household_reference"]] == "Tenancy ref"
    assert header[mapping["child_reference"]] == "Client ID"


def test_the_template_is_only_for_the_agencies_the_person_imports_for(cast: Cast, client_for) -> None:
    client = client_for(cast.involved)
    assert client.get(f"/chronology/imports/template.csv?agency={cast.partner_agency.pk}").status_code == 404
    assert client.get("/chronology/imports/template.csv?agency=x").status_code == 404
    scrutineer = f.member(f.AgencyFactory(code="BU2"), Role.SCRUTINEER)
    assert client_for(scrutineer).get("/chronology/imports/template.csv").status_code in (403, 404)


def test_the_import_page_is_linked_for_people_who_may_import(cast: Cast, client_for) -> None:
    home = client_for(cast.involved).get("/").content.decode()
    assert 'href="/chronology/imports/"' in home  # the menu
    assert 'href="/chronology/imports/new/"' in home  # the home-page panel
    chronology = client_for(cast.involved).get(f"/chronology/children/{cast.child.pk}/").content.decode()
    assert "Import entries from a file" in chronology
    new = client_for(cast.involved).get("/chronology/imports/new/").content.decode()
    assert f'href="/chronology/imports/template.csv?agency={cast.agency.pk}"' in new
    scrutineer = f.member(f.AgencyFactory(code="BU2"), Role.SCRUTINEER)
    assert "/chronology/imports/" not in client_for(scrutineer).get("/").content.decode()


def test_the_heartbeat_writes_how_far_saving_has_got(cast: Cast) -> None:
    batch = importer.create_batch(actor=cast.involved, agency=cast.agency, filename="hv.csv", content=FILE)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING)
    heartbeat = recovery.Heartbeat(batch.pk)
    heartbeat.saving = (250, 1000)
    assert heartbeat.beat()
    batch.refresh_from_db()
    assert (batch.rows_saved, batch.rows_to_save, batch.saving_percent) == (250, 1000, 25)


def test_a_finished_import_starts_from_no_saving_progress(cast: Cast) -> None:
    batch = importer.create_batch(actor=cast.involved, agency=cast.agency, filename="hv.csv", content=FILE)
    ImportBatch.objects.filter(pk=batch.pk).update(rows_saved=9, rows_to_save=9)
    batch.refresh_from_db()
    importer.run_batch(batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.SUCCEEDED
    assert (batch.rows_saved, batch.rows_to_save) == (0, 0)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"rows_done": 40}, ['<progress class="app-progress" id="import-progress" aria-labelledby', "Checked 40 rows"]),
        (
            {"rows_done": 100, "rows_saved": 30, "rows_to_save": 120},
            ['max="120" value="30"', "Saved 30 of 120 entries (25%)."],
        ),
    ],
)
def test_the_batch_page_shows_a_progress_bar_while_running(cast: Cast, client_for, fields, expected) -> None:
    batch = importer.create_batch(actor=cast.involved, agency=cast.agency, filename="hv.csv", content=FILE)
    now = timezone.now()
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.RUNNING, started_at=now - timedelta(seconds=3), heartbeat_at=now, **fields
    )
    body = client_for(cast.involved).get(f"/chronology/imports/{batch.pk}/").content.decode()
    for text in expected:
        assert text in body
    assert "style=" not in body
