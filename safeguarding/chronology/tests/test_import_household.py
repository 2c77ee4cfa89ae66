"""Household, tenancy, family and incident references: kept on each entry, never a child's identity.

Declared per agency (`Agency.import_columns`, from the partnership file), per upload (the page's
field, `--household-column`), or by the column's heading ("Tenancy ref"…)."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from safeguarding.agencies.enums import AgencyKind
from safeguarding.agencies.models import Agency
from safeguarding.children.models import Child
from safeguarding.chronology import tabular
from safeguarding.chronology.enums import ImportStatus
from safeguarding.chronology.models import ChildAgencyReference, Event, ImportBatch
from safeguarding.chronology.tests.helpers import csv_bytes, run, table_counts
from safeguarding.core.models import ActivityLog
from safeguarding.testing import factories as f
from safeguarding.testing.personas import Cast

pytestmark = pytest.mark.django_db

# A housing provider's export: one tenancy, two brothers.
HOUSING_HEADER = ["Date", "Tenancy ref", "Child name", "DOB", "Event type", "Details"]
SIBLINGS = (
    ["03/02/2024", "T-100", "Kai Brook", "04/05/2016", "Home visit", "Damp in the boys' bedroom"],
    ["03/02/2024", "T-100", "Rio Brook", "11/09/2018", "Home visit", "Damp in the boys' bedroom"],
    ["20/02/2024", "T-100", "Kai Brook", "04/05/2016", "Housing complaint", "Mould not treated"],
)


@pytest.fixture
def housing() -> Agency:
    return f.AgencyFactory(code="NBH", name="Test Homes", kind=AgencyKind.HOUSING)


def brooks() -> dict[str, list[str]]:
    """Each Brook child's entries' household references."""
    return {
        child.first_name: list(
            Event.objects.filter(child_links__child=child)
            .order_by("occurred_on")
            .values_list("household_reference", flat=True)
        )
        for child in Child.objects.filter(last_name="Brook")
    }


def test_import_tenancy_reference_shared_by_two_siblings_imports_both(housing: Agency) -> None:
    result = run(housing, csv_bytes(HOUSING_HEADER, *SIBLINGS))

    assert (result.rejected, result.events_created, result.children_created) == (False, 3, 2)
    assert brooks() == {"Kai": ["T-100", "T-100"], "Rio": ["T-100"]}
    # A shared reference is never learnt as a child's reference (it would match the wrong child later).
    assert not ChildAgencyReference.objects.exists()
    assert not Event.objects.exclude(agency_reference="").exists()


def test_import_reimporting_a_file_with_household_references_adds_nothing(housing: Agency) -> None:
    content = csv_bytes(HOUSING_HEADER, *SIBLINGS)
    run(housing, content)
    after_first = table_counts()

    again = run(housing, content)

    assert (again.rejected, again.events_created, again.events_already_present) == (False, 0, 3)
    # Every row already present: the import stops before matching children (nothing is written).
    assert (again.children_created, again.children_matched) == (0, 0)
    assert table_counts() == after_first


def test_import_household_reference_is_part_of_the_entry_key(housing: Agency) -> None:
    first = ["03/02/2024", "T-100", "Kai Brook", "04/05/2016", "Home visit", "Visit"]
    moved = ["03/02/2024", "T-200", "Kai Brook", "04/05/2016", "Home visit", "Visit"]
    run(housing, csv_bytes(HOUSING_HEADER, first))

    result = run(housing, csv_bytes(HOUSING_HEADER, moved))

    assert (result.events_created, result.events_already_present) == (1, 0)
    assert sorted(Event.objects.values_list("household_reference", flat=True)) == ["T-100", "T-200"]


def test_import_a_file_imported_before_its_tenancy_column_was_read_is_not_imported_twice(housing: Agency) -> None:
    # Before household references were read, the "Tenancy ref" column was ignored: its entries'
    # keys were made without it.
    without = csv_bytes(
        [h for h in HOUSING_HEADER if h != "Tenancy ref"],
        *([c for n, c in enumerate(row) if n != 1] for row in SIBLINGS),
    )
    run(housing, without)
    before = table_counts()

    result = run(housing, csv_bytes(HOUSING_HEADER, *SIBLINGS))

    assert (result.events_created, result.events_already_present) == (0, 3)
    assert table_counts() == before


# Half-brothers with different surnames under one client id: read as the child's reference, the
# file cannot be right (one reference, two children).
CLIENT_HEADER = ["Date", "Client ID", "Child name", "DOB", "Event type", "Details"]
HALF_BROTHERS = (
    ["03/02/2024", "C-100", "Kai Brook", "04/05/2016", "Home visit", "Damp in the boys' bedroom"],
    ["03/02/2024", "C-100", "Rio Shaw", "11/09/2018", "Home visit", "Damp in the boys' bedroom"],
)


def test_import_a_shared_client_id_is_refused_until_it_is_declared_a_household_column(housing: Agency) -> None:
    content = csv_bytes(CLIENT_HEADER, *HALF_BROTHERS)

    refused = run(housing, content)
    assert refused.rejected
    assert [(e["row"], e["column"]) for e in refused.errors] == [(3, "Agency ref")]
    assert "This reference is used for two different children in the file" in refused.errors[0]["reason"]

    housing.import_columns = {"Client ID": "household"}
    housing.save(update_fields=["import_columns"])
    result = run(housing, content)

    assert (result.rejected, result.events_created, result.children_created) == (False, 2, 2)
    assert sorted(Event.objects.values_list("child_links__child__last_name", "household_reference")) == [
        ("Brook", "C-100"),
        ("Shaw", "C-100"),
    ]
    assert not ChildAgencyReference.objects.exists()


def test_import_the_uploads_setting_overrides_the_agencys(housing: Agency) -> None:
    housing.import_columns = {"Client ID": "child"}
    housing.save(update_fields=["import_columns"])
    content = csv_bytes(CLIENT_HEADER, *HALF_BROTHERS)
    assert run(housing, content).rejected  # the agency says Client ID is the child's

    result = run(housing, content, reference_columns={"client id": "household"})

    assert (result.rejected, result.events_created) == (False, 2)
    assert set(Event.objects.values_list("household_reference", flat=True)) == {"C-100"}


def test_import_an_agency_may_read_a_household_heading_as_the_childs_reference(housing: Agency) -> None:
    housing.import_columns = {"Family ref": "child"}
    housing.save(update_fields=["import_columns"])
    header = ["Date", "Family ref", "Child name", "DOB", "Event type", "Details"]

    result = run(housing, csv_bytes(header, ["03/02/2024", "F-9", "Kai Brook", "04/05/2016", "Home visit", "x"]))

    assert result.events_created == 1
    assert ChildAgencyReference.objects.get().reference == "F-9"
    assert Event.objects.get().household_reference == ""


def test_import_several_household_columns_are_kept_together(housing: Agency) -> None:
    header = ["Date", "Tenancy ref", "Incident number", "Child name", "DOB", "Event type", "Details"]
    rows = [
        ["03/02/2024", "T-100", "INC-7", "Kai Brook", "04/05/2016", "Police attendance", "Neighbour dispute"],
        ["03/02/2024", "T-100", "INC-7", "Rio Brook", "11/09/2018", "Police attendance", "Neighbour dispute"],
    ]

    result = run(housing, csv_bytes(header, *rows), reference_columns={"Incident number": "household"})

    assert (result.rejected, result.events_created) == (False, 2)
    assert set(Event.objects.values_list("household_reference", "agency_reference")) == {("T-100; INC-7", "")}


def test_import_a_named_household_column_missing_from_the_file_is_an_error(housing: Agency) -> None:
    before = table_counts()

    result = run(housing, csv_bytes(HOUSING_HEADER, *SIBLINGS), reference_columns={"Tenancy rf": "household"})

    assert result.rejected
    assert result.errors[0]["row"] == 1
    assert result.errors[0]["column"] == "Tenancy rf"
    assert result.errors[0]["reason"].startswith('The file has no column called "Tenancy rf". Give the column heading')
    assert '"Tenancy ref"' in result.errors[0]["reason"]
    assert table_counts() == before


def test_map_headers_household_synonyms_and_overrides() -> None:
    assert tabular.map_headers(["Date", "Tenancy reference", "Event type"])["household_reference"] == 1
    overrides = tabular.reference_overrides({"Reference": "household"})
    columns = tabular.map_headers(["Date", "Reference", "Incident number"], overrides)
    # The declared column is never the child's reference; the incident number stays the entry's.
    assert columns == {"date": 0, "household_reference": 1, "event_reference": 2}
    both = tabular.reference_overrides({"Reference": "household"}, {"Incident number": "household"})
    header = ["Date", "Reference", "Incident number"]
    columns = tabular.map_headers(header, both)
    assert "event_reference" not in columns
    assert tabular.household_columns(header, columns, both) == [1, 2]


# --- The command ------------------------------------------------------------------------------------

POLICE_HEADER = ["Date", "Incident number", "Child name", "DOB", "Event type", "Details"]
POLICE_ROWS = (
    ["12/01/2024", "INC-55", "Kai Brook", "04/05/2016", "Police attendance", "Called to the flat"],
    ["12/01/2024", "INC-55", "Rio Brook", "11/09/2018", "Police attendance", "Called to the flat"],
)


def test_import_events_command_household_column_option(tmp_path: Any) -> None:
    f.AgencyFactory(code="NBP", name="Test Police", kind=AgencyKind.POLICE)
    path = tmp_path / "police.csv"
    path.write_bytes(csv_bytes(POLICE_HEADER, *POLICE_ROWS))

    out = StringIO()
    with pytest.raises(CommandError, match="rejected"):
        call_command("import_events", "--agency", "NBP", str(path), stdout=out, stderr=StringIO())
    assert "row 3, column Incident number: This reference is also used in row 2" in out.getvalue()

    out = StringIO()
    call_command(
        "import_events",
        "--agency",
        "NBP",
        str(path),
        "--household-column",
        "Incident number",
        stdout=out,
        stderr=StringIO(),
    )

    assert "events created: 2" in out.getvalue()
    assert "household reference columns: Incident number" in out.getvalue()
    assert set(Event.objects.values_list("household_reference", "agency_reference")) == {("INC-55", "")}
    batch = ImportBatch.objects.get(status=ImportStatus.SUCCEEDED)
    assert batch.reference_columns == {"Incident number": "household"}


# --- The upload page -----------------------------------------------------------------------------------


def _upload(client: Any, cast: Cast, content: bytes, name: str = "homes.csv", **extra: Any) -> Any:
    data = {"agency": cast.agency.pk, "file": SimpleUploadedFile(name, content, content_type="text/csv"), **extra}
    return client.post(reverse("chronology:import-new"), data)


def test_upload_page_household_columns_field_is_stored_on_the_batch_and_used(cast: Cast, client_for: Any) -> None:
    header = CLIENT_HEADER
    client = client_for(cast.involved)

    response = _upload(client, cast, csv_bytes(header, *SIBLINGS), household_columns="Client ID,  Incident number ")

    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert batch.reference_columns == {"Client ID": "household", "Incident number": "household"}
    # The file has no "Incident number" column: said so, nothing saved.
    assert batch.status == ImportStatus.REJECTED
    assert batch.errors[0]["reason"].startswith('The file has no column called "Incident number".')

    response = _upload(client, cast, csv_bytes(header, *SIBLINGS), household_columns="Client ID")

    batch = ImportBatch.objects.first()
    assert batch is not None
    assert (batch.status, batch.events_created, batch.reference_columns) == (
        ImportStatus.SUCCEEDED,
        3,
        {"Client ID": "household"},
    )
    assert set(Event.objects.values_list("household_reference", flat=True)) == {"T-100"}
    logged = ActivityLog.objects.filter(action="import_batch.created", target_id=str(batch.pk)).get()
    assert logged.changes["reference_columns"] == [None, {"Client ID": "household"}]
    html = client.get(response["Location"]).content.decode()
    assert "Household reference columns" in html


def test_upload_page_keeps_the_household_columns_typed_when_the_form_has_errors(cast: Cast, client_for: Any) -> None:
    response = _upload(client_for(cast.involved), cast, b"x", name="notes.docx", household_columns="Tenancy ref")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Tenancy ref"' in html
    assert "The file must be a CSV (.csv) or Excel (.xlsx) file." in html
    assert ImportBatch.objects.count() == 0


def test_upload_page_household_columns_field_says_what_is_wrong(cast: Cast, client_for: Any) -> None:
    response = _upload(
        client_for(cast.involved), cast, csv_bytes(HOUSING_HEADER, *SIBLINGS), household_columns="x" * 101
    )

    assert "is too long for a column heading (at most 100 characters)" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_upload_page_lists_the_agencys_household_columns(cast: Cast, client_for: Any) -> None:
    cast.agency.import_columns = {"Tenancy ref": "household", "Client ID": "child"}
    cast.agency.save(update_fields=["import_columns"])

    html = client_for(cast.involved).get(reverse("chronology:import-new")).content.decode()

    assert "Already set up: Tenancy ref." in html


def test_import_household_row_dates_fixed(housing: Agency) -> None:
    # The entries keep their own dates (the tenancy reference changes nothing else).
    run(housing, csv_bytes(HOUSING_HEADER, *SIBLINGS))
    assert sorted(Event.objects.values_list("occurred_on", flat=True)) == [
        dt.date(2024, 2, 3),
        dt.date(2024, 2, 3),
        dt.date(2024, 2, 20),
    ]
