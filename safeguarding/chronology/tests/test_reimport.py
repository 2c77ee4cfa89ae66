"""Importing the same file again (issue 19): when the agency imported this very file successfully
before and every entry has its own reference that is still current, the import reads only the
reference column and stops — nothing is parsed, matched or written. Anything else takes the full path."""

from __future__ import annotations

from typing import Any

import pytest

from safeguarding.agencies.models import Agency
from safeguarding.chronology import import_rows, importer
from safeguarding.chronology.enums import ImportStatus
from safeguarding.chronology.models import Event, ImportBatch
from safeguarding.chronology.tests.helpers import csv_bytes, table_counts
from safeguarding.testing import factories as f

pytestmark = pytest.mark.django_db

HEADER = ["Event ref", "Date", "Child", "DOB", "Type", "Details"]
ROWS = [
    ["E1", "12/03/2016", "Ellis Marsh", "01/05/2014", "WNB", "Audiology"],
    ["E2", "14/03/2016", "Pat New", "02/02/2013", "Home visit", "Seen at home"],
]


@pytest.fixture
def agency() -> Agency:
    return f.AgencyFactory(code="SCH", name="Test Primary School")


def _import(agency: Agency, content: bytes) -> importer.ImportResult:
    batch = importer.create_batch(actor=None, agency=agency, filename="school.csv", content=content)
    return importer.run_batch(batch)


def _parses(monkeypatch: Any) -> list[int]:
    """Records each call of the full parse."""
    calls: list[int] = []
    original = importer.parse_rows

    def counted(*args: Any, **kwargs: Any) -> list[import_rows.Row]:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(importer, "parse_rows", counted)
    return calls


def test_the_same_file_again_reads_only_its_references(agency: Agency, monkeypatch: Any) -> None:
    content = csv_bytes(HEADER, *ROWS)
    first = _import(agency, content)
    assert (first.events_created, first.children_created) == (2, 2)
    after_first = table_counts()
    parses = _parses(monkeypatch)

    again = _import(agency, content)

    assert (again.rejected, again.rows_total, again.events_created, again.events_already_present) == (False, 2, 0, 2)
    assert parses == [], "nothing parsed beyond the reference column"
    assert {k: v for k, v in table_counts().items() if k not in ("ImportBatch", "ActivityLog")} == {
        k: v for k, v in after_first.items() if k not in ("ImportBatch", "ActivityLog")
    }
    stored = ImportBatch.objects.order_by("-pk").first()
    assert stored is not None
    assert (stored.status, stored.rows_total, stored.events_already_present) == (ImportStatus.SUCCEEDED, 2, 2)


def test_a_file_with_a_new_row_or_a_removed_entry_takes_the_full_path(agency: Agency, monkeypatch: Any) -> None:
    content = csv_bytes(HEADER, *ROWS)
    _import(agency, content)
    parses = _parses(monkeypatch)

    longer = _import(agency, csv_bytes(HEADER, *ROWS, ["E3", "15/03/2016", "Pat New", "02/02/2013", "WNB", "Dental"]))
    assert (longer.events_created, longer.events_already_present, parses) == (1, 2, [1])

    Event.objects.filter(agency_reference="E1").update(is_current=False)  # no longer current
    again = _import(agency, content)
    assert (again.events_created, again.events_already_present, parses) == (1, 1, [1, 1])


def test_a_file_without_references_takes_the_full_path(agency: Agency, monkeypatch: Any) -> None:
    content = csv_bytes(HEADER[1:], *[row[1:] for row in ROWS])
    _import(agency, content)
    parses = _parses(monkeypatch)
    again = _import(agency, content)
    assert (again.events_created, again.events_already_present, parses) == (0, 2, [1])
