"""Dates that cannot be (issue 16): an entry about a time before the child was born is refused — by the
page's service, the API and imports — without telling anyone a date of birth they may not see; a date
of birth in the future is refused; the gap-in-contact highlight never counts from before birth."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from safeguarding.agencies.models import Agency
from safeguarding.api.tests.factories import make_token, token_client
from safeguarding.children import services as children_services
from safeguarding.children.models import Child, Involvement
from safeguarding.chronology import highlights, merged, services
from safeguarding.chronology.enums import Precision
from safeguarding.chronology.models import Event, EventType
from safeguarding.chronology.tests.helpers import csv_bytes, run
from safeguarding.testing import factories as f
from safeguarding.testing.personas import Cast

pytestmark = pytest.mark.django_db

BORN = dt.date(2020, 5, 14)
HEADER = ["Date of event", "Child name", "DOB", "NHS number", "Event type", "Details"]


@pytest.fixture(autouse=True)
def _on_1_june_2026() -> Any:
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC), tick=False):
        yield


def _born(cast: Cast) -> Child:
    cast.child.date_of_birth = BORN
    cast.child.save(update_fields=["date_of_birth"])
    return cast.child


def _record(actor: Any, agency: Agency, child: Child, day: dt.date, **kwargs: Any) -> Event:
    return services.record_event(
        actor=actor,
        agency=agency,
        children=[child],
        event_type=EventType.objects.get(code="home_visit"),
        occurred_on=day,
        summary="Home visit; the child was seen.",
        **kwargs,
    )


# --- the service (pages call it; the API calls it too) --------------------------------------------


def test_an_entry_before_the_birth_of_a_child_the_recorder_sees_is_refused_naming_the_date(cast: Cast) -> None:
    child = _born(cast)
    with pytest.raises(ValidationError) as refused:
        _record(cast.involved, cast.agency, child, dt.date(2016, 1, 20))
    assert refused.value.message_dict["occurred_on"] == [
        "The date of the event is before Ellis Marsh's date of birth (14 May 2020). An entry cannot be about a "
        "time before the child was born: check the date."
    ]
    assert not Event.objects.exists()
    # The day of birth, and a month or year that includes it, are not before it.
    _record(cast.involved, cast.agency, child, BORN)
    _record(cast.involved, cast.agency, child, dt.date(2020, 5, 1), precision=Precision.MONTH)
    _record(cast.involved, cast.agency, child, dt.date(2020, 1, 1), precision=Precision.YEAR)
    with pytest.raises(ValidationError):
        _record(cast.involved, cast.agency, child, dt.date(2020, 4, 1), precision=Precision.MONTH)
    assert Event.objects.count() == 3


def test_an_agency_that_does_not_see_the_child_learns_nothing_about_its_date_of_birth(cast: Cast) -> None:
    """Sharing in (imports, the API) about a child the agency does not see is never checked against
    the record's date of birth: a refusal would tell it the date."""
    child = _born(cast)
    event = _record(cast.unrelated, cast.unrelated_agency, child, dt.date(2016, 1, 20), shared_in=True)
    assert event.child_links.get().child_id == child.pk


def test_correcting_an_entry_to_a_date_before_birth_is_refused(cast: Cast) -> None:
    child = _born(cast)
    event = _record(cast.involved, cast.agency, child, dt.date(2021, 3, 2))
    with pytest.raises(ValidationError) as refused:
        services.correct_event(actor=cast.involved, event=event, occurred_on=dt.date(2019, 3, 2))
    assert "date of birth (14 May 2020)" in refused.value.message_dict["occurred_on"][0]


def test_a_date_of_birth_in_the_future_is_refused(cast: Cast) -> None:
    with pytest.raises(ValidationError) as refused:
        children_services.create_child(
            actor=cast.involved, first_name="Sky", last_name="Marsh", date_of_birth=dt.date(2026, 6, 2)
        )
    assert refused.value.message_dict["date_of_birth"] == [
        "The date of birth is in the future. Enter a date of birth that is today or earlier."
    ]
    assert not Child.objects.filter(first_name="Sky").exists()


# --- imports -------------------------------------------------------------------------------------


def test_an_import_row_dated_before_the_birth_it_gives_is_refused_and_nothing_is_written() -> None:
    agency = f.AgencyFactory(code="SCH", name="Test Primary School")
    content = csv_bytes(
        HEADER,
        ["12/03/2021", "Ellis Marsh", "14/05/2020", "", "Home visit", "Seen"],
        ["12/03/2016", "Ellis Marsh", "14/05/2020", "", "Home visit", "Seen"],
        ["12/03/2021", "Robin Marsh", "14/05/2027", "", "Home visit", "Seen"],
    )
    result = run(agency, content)
    assert result.rejected
    assert [(e["row"], e["column"], e["reason"]) for e in result.errors] == [
        (
            3,
            "Date of event",
            "The date of the event is before the child's date of birth given in this row. "
            "An entry cannot be about a time before the child was born: check both dates.",
        ),
        (4, "DOB", "The date of birth is in the future. Enter a date of birth that is today or earlier."),
    ]
    assert not Event.objects.exists()
    assert not Child.objects.filter(last_name="Marsh").exists()


def test_an_import_row_before_the_birth_of_a_child_the_agency_works_with_is_refused_naming_it(cast: Cast) -> None:
    child = _born(cast)
    content = csv_bytes(HEADER, ["12/03/2016", "", "", child.nhs_number, "Home visit", "Seen"])
    result = run(cast.agency, content)
    assert [(e["row"], e["column"]) for e in result.errors] == [(2, "Date")]
    assert "Ellis Marsh's date of birth (14 May 2020)" in result.errors[0]["reason"]
    assert not Event.objects.exists()


def test_an_import_row_about_a_child_the_agency_does_not_see_is_not_checked_against_the_record(cast: Cast) -> None:
    child = _born(cast)
    agency = f.AgencyFactory(code="SCH", name="Test Primary School")
    content = csv_bytes(HEADER, ["12/03/2016", "Ellis Marsh", "", child.nhs_number, "Home visit", "Seen"])
    result = run(agency, content)
    assert (result.rejected, result.events_created) == (False, 1)


# --- the API -------------------------------------------------------------------------------------


def _post(agency: Agency, body: Any) -> Any:
    client = token_client(make_token(agency)[1])
    return client.post("/api/v1/events/", data=json.dumps(body), content_type="application/json")


def _entry(reference: str, child: dict[str, Any], occurred_on: str) -> dict[str, Any]:
    return {
        "agency_reference": reference,
        "children": [child],
        "occurred_on": occurred_on,
        "type": "Home visit",
        "summary": "Visited the family at home; the child was seen.",
    }


def test_the_api_refuses_entries_before_birth_and_future_dates_of_birth(cast: Cast) -> None:
    child = _born(cast)
    given = {"first_name": "Sam", "last_name": "Hart", "date_of_birth": "2020-05-14"}
    response = _post(
        cast.agency,
        [
            _entry("E-1", given, "2016-01-20"),
            _entry("E-2", {**given, "date_of_birth": "2026-06-02"}, "2026-05-01"),
            _entry("E-3", {"nhs_number": child.nhs_number}, "2016-01-20"),
            _entry("E-4", {"nhs_number": child.nhs_number}, "2021-01-20"),
        ],
    )
    assert response.status_code == 207
    results = response.json()
    assert results[0]["errors"] == {
        "occurred_on": [
            "The date of the event is before the date of birth given in children[0] of this entry. "
            "An entry cannot be about a time before the child was born: check both dates."
        ]
    }
    assert results[1]["errors"] == {
        "children[0].date_of_birth": [
            "The date of birth is in the future. Enter a date of birth that is today or earlier."
        ]
    }
    # The token's agency works with the child: it is told the date of birth it may see.
    assert "Ellis Marsh's date of birth (14 May 2020)" in results[2]["errors"]["occurred_on"][0]
    assert results[3]["status"] == "created"
    assert list(Event.objects.values_list("agency_reference", flat=True)) == ["E-4"]
    assert not Child.objects.filter(first_name="Sam").exists()


def test_the_api_answers_an_agency_that_does_not_see_the_child_as_for_a_child_with_no_date_of_birth(
    cast: Cast,
) -> None:
    child = _born(cast)
    Involvement.objects.filter(agency=cast.unrelated_agency).delete()
    named = {"first_name": child.first_name, "last_name": child.last_name, "nhs_number": child.nhs_number}
    response = _post(cast.unrelated_agency, [_entry("U-1", named, "2016-01-20")])
    assert response.status_code == 201, response.json()
    assert response.json()[0]["errors"] == {}


# --- the gap-in-contact highlight ----------------------------------------------------------------


def _entry_on(pk: int, day: dt.date) -> highlights.Entry:
    return highlights.Entry(id=pk, occurred_on=day, type_code="home_visit", agency_id=1)


def test_gaps_never_count_from_before_birth() -> None:
    entries = [_entry_on(1, dt.date(2016, 1, 20)), _entry_on(2, dt.date(2020, 6, 1)), _entry_on(3, dt.date(2020, 7, 1))]
    assert [h.title for h in highlights.gaps(entries)] == ["No agency contact for 1594 days"]
    assert highlights.gaps(entries, born=dt.date(2020, 5, 14)) == []


def test_the_merged_chronology_counts_gaps_from_birth(cast: Cast) -> None:
    child = _born(cast)
    # Recorded before the date of birth was (as an entry from an old import would be).
    child.date_of_birth = None
    child.save(update_fields=["date_of_birth"])
    for day in (dt.date(2016, 1, 20), dt.date(2020, 6, 1), dt.date(2020, 7, 1), dt.date(2026, 5, 20)):
        _record(cast.involved, cast.agency, child, day)
    child = _born(cast)
    titles = [h.title for h in merged.merged_chronology(cast.involved, child).highlights]
    assert not any("1594" in title for title in titles)
    assert "No agency contact for 2149 days" in titles
