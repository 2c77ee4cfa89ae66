"""The chronology's locking paths run outside a test transaction, as a request does (issue 14): each
service is its own transaction, so `select_for_update` never runs under autocommit (PostgreSQL
refuses it there). Run on PostgreSQL with DATABASE_URL."""

from __future__ import annotations

import datetime as dt

import pytest

from safeguarding.agencies.enums import Role
from safeguarding.chronology import importer, services
from safeguarding.chronology.enums import ImportStatus
from safeguarding.chronology.models import Event, EventType, ImportBatch
from safeguarding.chronology.tests.helpers import csv_bytes
from safeguarding.core import kernel
from safeguarding.core.models import ActivityLog
from safeguarding.testing import factories as f
from safeguarding.testing.personas import build_cast
from safeguarding.testing.recording import record_as_involved

pytestmark = pytest.mark.django_db(transaction=True)


def _entry(cast_: object) -> Event:
    return record_as_involved(
        actor=cast_.involved,  # type: ignore[attr-defined]
        agency=cast_.agency,  # type: ignore[attr-defined]
        children=[cast_.child],  # type: ignore[attr-defined]
        event_type=EventType.objects.get(code="home_visit"),
        occurred_on=dt.date(2024, 3, 1),
        summary="Visited at home; Ellis was well.",
    )


def test_correcting_an_entry_locks_it_in_its_own_transaction() -> None:
    cast_ = build_cast()
    event = _entry(cast_)
    new = services.correct_event(
        actor=cast_.involved, event=event, version=event.version, summary="Visited at home; Ellis was tired."
    )
    assert (new.version, new.is_current) == (2, True)
    assert ActivityLog.objects.filter(action="event.corrected", subject_child_id=cast_.child.pk).count() == 1


def test_a_correction_from_a_version_corrected_since_is_refused_as_stale() -> None:
    cast_ = build_cast()
    event = _entry(cast_)
    services.correct_event(actor=cast_.involved, event=event, version=1, summary="First correction, by a colleague.")
    with pytest.raises(kernel.StaleVersion) as refused:
        services.correct_event(actor=cast_.involved, event=event, version=1, summary="Second correction, too late.")
    assert refused.value.message == services.STALE_CORRECTION
    assert Event.objects.current().get(lineage=event.lineage).summary == "First correction, by a colleague."


def test_confirming_import_types_locks_the_batch_in_its_own_transaction() -> None:
    agency = f.AgencyFactory(code="SCH", name="Test Primary School")
    uploader = f.member(agency, Role.PRACTITIONER)
    batch = importer.create_batch(actor=uploader, agency=agency, filename="file.csv", content=b"Date\n")
    suggestion = {"label": "Home vist", "nearest": "home_visit", "nearest_label": "Home visit", "rows": 1}
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.NEEDS_CONFIRMATION, type_suggestions=[suggestion]
    )
    batch.refresh_from_db()
    importer.confirm_import_types(actor=uploader, batch=batch, mapping={"Home vist": "other"})
    batch.refresh_from_db()
    assert (batch.status, batch.type_mapping) == (ImportStatus.QUEUED, {"Home vist": "other"})


def test_an_import_locks_its_agency_and_writes_in_its_own_transaction() -> None:
    agency = f.AgencyFactory(code="SCH", name="Test Primary School")
    header = ["Date of event", "Child name", "DOB", "Event type", "Details"]
    content = csv_bytes(header, ["12/03/2016", "Ellis Marsh", "01/05/2014", "Home visit", "Seen at home"])
    result = importer.import_table(actor=None, agency=agency, filename="file.csv", content=content)
    assert (result.rejected, result.events_created) == (False, 1)
    again = importer.import_table(actor=None, agency=agency, filename="file.csv", content=content)
    assert (again.events_created, again.events_already_present) == (0, 1)
    assert Event.objects.count() == 1
