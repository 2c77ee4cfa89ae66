"""POST /api/v1/events/: one entry or a batch, recorded item by item through `record_event`,
idempotent on the agency's own reference, children matched as file imports match them."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from safeguarding.agencies.enums import Role
from safeguarding.api.tests.factories import ApiCast, build_api_cast, signed_in_client, token_client
from safeguarding.children.models import Child, Involvement, SharingNotice
from safeguarding.chronology.enums import EventSource, Precision
from safeguarding.chronology.models import ChildAgencyReference, Event, EventChild
from safeguarding.core.enums import Confidentiality, Via
from safeguarding.core.models import ActivityLog
from safeguarding.linking.models import PossibleMatch
from safeguarding.testing import factories as f
from safeguarding.testing.recording import record_as_involved


@pytest.fixture
def api_cast(db: None) -> ApiCast:
    """The three personas as agency systems (as in `safeguarding/api/tests/conftest.py`)."""
    return build_api_cast()


URL = "/api/v1/events/"


def entry(reference: str, child: Child | None = None, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "agency_reference": reference,
        "children": [{"nhs_number": child.nhs_number}] if child is not None else [],
        "occurred_on": "2024-03-12",
        "type": "Home visit",
        "summary": "Visited the family at home; the child was seen.",
    }
    data.update(fields)
    return data


def named(child: Child) -> dict[str, Any]:
    """A child as an agency that does not work with them describes them: name and date of birth."""
    return {"first_name": child.first_name, "last_name": child.last_name, "date_of_birth": str(child.date_of_birth)}


def post(client: Any, body: Any) -> Any:
    return client.post(URL, data=json.dumps(body), content_type="application/json")


# --- Recording -----------------------------------------------------------------------------------


def test_events_post_single_entry_is_recorded_for_the_tokens_agency(api_cast: ApiCast) -> None:
    child = api_cast.cast.child
    response = post(api_cast.client("involved"), entry("HV-1", child, impact="Seen and well", action_taken="None"))

    assert response.status_code == 201
    [result] = response.json()
    event = Event.objects.get(pk=result["id"])
    assert result == {
        "index": 0,
        "status": "created",
        "id": event.pk,
        "type": "home_visit",
        "child_ids": [child.pk],
        "errors": {},
    }
    assert event.agency == api_cast.cast.agency
    assert event.source == EventSource.API
    assert event.agency_reference == "HV-1"
    assert event.occurred_on == dt.date(2024, 3, 12)
    assert (event.impact, event.action_taken) == ("Seen and well", "None")
    assert event.author is None  # an agency system, not a person


def test_events_post_batch_maps_types_categories_and_precision(api_cast: ApiCast) -> None:
    child = api_cast.cast.child
    body = [
        entry("HV-1", child, type="WNB"),
        entry("HV-2", child, type="Something odd happened"),
        entry("HV-3", child, type="concern_raised", category="Neglect"),
        entry("HV-4", child, type="NFA", occurred_on="2023-07-19", precision="month", approximate=True),
    ]
    response = post(api_cast.client("involved"), body)

    assert response.status_code == 201
    results = response.json()
    assert [r["index"] for r in results] == [0, 1, 2, 3]
    assert [r["type"] for r in results] == ["was_not_brought", "other", "concern_raised", "referral_outcome"]
    events = {e.agency_reference: e for e in Event.objects.all()}
    assert events["HV-1"].original_type_label == "WNB"
    assert events["HV-2"].original_type_label == "Something odd happened"
    assert events["HV-3"].category == "neglect"
    assert events["HV-4"].category == "nfa"
    assert (events["HV-4"].occurred_on, events["HV-4"].precision, events["HV-4"].approximate) == (
        dt.date(2023, 7, 1),
        Precision.MONTH,
        True,
    )


def test_events_post_same_batch_twice_adds_nothing(api_cast: ApiCast) -> None:
    child = api_cast.cast.child
    body = [entry("HV-1", child), entry("HV-2", child, type="GP consultation")]
    client = api_cast.client("involved")
    first = post(client, body)
    counts = (Event.objects.count(), Child.objects.count(), Involvement.objects.count())

    second = post(client, body)

    assert first.status_code == 201
    assert second.status_code == 200
    assert [r["status"] for r in second.json()] == ["exists", "exists"]
    assert [r["id"] for r in second.json()] == [r["id"] for r in first.json()]
    assert (Event.objects.count(), Child.objects.count(), Involvement.objects.count()) == counts


def test_events_post_repeated_reference_within_a_batch_is_recorded_once(api_cast: ApiCast) -> None:
    child = api_cast.cast.child
    response = post(api_cast.client("involved"), [entry("HV-1", child), entry("HV-1", child)])

    assert response.status_code == 200
    assert [r["status"] for r in response.json()] == ["created", "exists"]
    assert Event.objects.count() == 1


def test_events_post_bad_items_do_not_stop_the_good_ones(api_cast: ApiCast) -> None:
    child = api_cast.cast.child
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    body = [
        entry("HV-1", child),
        entry("HV-2", child, occurred_on="2024-02-30"),
        entry("HV-3", None, children=[{"nhs_number": "943 476 5910"}]),
        entry("HV-4", child, occurred_on=tomorrow),
        entry("HV-5", child, summary="   "),
    ]
    response = post(api_cast.client("involved"), body)

    assert response.status_code == 207
    results = response.json()
    assert [r["status"] for r in results] == ["created", "error", "error", "error", "error"]
    assert results[1]["errors"] == {
        "occurred_on": [
            "Enter the date as YYYY-MM-DD, for example 2016-03-12 (for a month or a year, give its first day "
            "and set precision)."
        ]
    }
    assert results[2]["errors"] == {
        "children[0].nhs_number": [
            "This is not a valid NHS number: its check digit does not match. Correct it or leave it out."
        ]
    }
    assert results[3]["errors"] == {"occurred_on": ["The date of the event must be today or in the past."]}
    assert results[4]["errors"] == {"summary": ["Enter a factual summary of what happened."]}
    assert all(r["id"] is None for r in results[1:])
    assert list(Event.objects.values_list("agency_reference", flat=True)) == ["HV-1"]


def test_events_post_item_without_a_way_to_identify_the_child_is_an_error(api_cast: ApiCast) -> None:
    response = post(api_cast.client("involved"), entry("HV-1", None, children=[{"first_name": "Ellis"}]))

    assert response.status_code == 207
    assert response.json()[0]["errors"] == {
        "children[0]": [
            "Identify the child by NHS number, by first name, last name and date of birth, "
            "or by your reference for the child."
        ]
    }


# --- Matching children, as file imports do ---------------------------------------------------------


def test_events_post_matches_children_by_name_and_date_of_birth(api_cast: ApiCast) -> None:
    child = api_cast.cast.child
    who = {"first_name": "ELLIS", "last_name": "marsh", "date_of_birth": child.date_of_birth.isoformat()}
    response = post(api_cast.client("involved"), entry("HV-1", None, children=[who]))

    assert response.json()[0]["child_ids"] == [child.pk]


def test_events_post_creates_an_unverified_child_and_learns_the_reference(api_cast: ApiCast) -> None:
    client = api_cast.client("involved")
    who = {"first_name": "Sam", "last_name": "Newcombe", "date_of_birth": "2019-06-01", "child_reference": "C-77"}
    first = post(client, entry("HV-1", None, children=[who]))
    again = post(client, entry("HV-2", None, children=[{**who, "first_name": "Sammy"}]))

    # Sharing in is not seeing: the agency is not involved with the new child, so the answer names
    # no child, exactly as it would for a child that already existed.
    assert [r["status"] for r in (*first.json(), *again.json())] == ["created", "created"]
    assert first.json()[0]["child_ids"] == again.json()[0]["child_ids"] == []
    child = Child.objects.get(last_name="Newcombe")
    assert child.is_verified is False
    assert (child.first_name, child.date_of_birth) == ("Sam", dt.date(2019, 6, 1))
    assert ChildAgencyReference.objects.get(agency=api_cast.cast.agency, reference="C-77").child_id == child.pk
    # The second entry found the child by the agency's own reference.
    assert EventChild.objects.filter(child=child).count() == 2
    assert client.get(f"/api/v1/children/{child.pk}/").status_code == 404
    assert SharingNotice.objects.get(child=child, agency=api_cast.cast.agency).entries == 2


def test_events_post_ambiguous_name_and_date_of_birth_goes_to_the_possible_match_queue(api_cast: ApiCast) -> None:
    dob = dt.date(2018, 2, 2)
    twins = [f.ChildFactory(first_name="Alex", last_name="Twin", date_of_birth=dob, nhs_number=None) for _ in range(2)]
    who = {"first_name": "Alex", "last_name": "Twin", "date_of_birth": dob.isoformat()}
    response = post(api_cast.client("involved"), entry("HV-1", None, children=[who]))

    # The same answer as for a child nobody had recorded: nothing says two such children exist.
    assert response.status_code == 201
    assert response.json()[0]["child_ids"] == []
    new = Child.objects.get(last_name="Twin", is_verified=False)
    assert sorted(PossibleMatch.objects.values_list("child_a_id", "child_b_id")) == sorted(
        (min(t.pk, new.pk), max(t.pk, new.pk)) for t in twins
    )


def test_events_post_one_entry_about_siblings(api_cast: ApiCast) -> None:
    cast = api_cast.cast
    siblings = [{"nhs_number": cast.child.nhs_number}, {**named(cast.other_child)}]
    response = post(api_cast.client("involved"), entry("HV-1", None, children=siblings))

    assert response.status_code == 201
    # The agency works with the first child only: the answer names only the child it may see,
    # though the entry is about both.
    assert response.json()[0]["child_ids"] == [cast.child.pk]
    event = Event.objects.get()
    assert set(event.child_links.values_list("child_id", flat=True)) == {cast.child.pk, cast.other_child.pk}


# --- Agencies, people and the activity log ---------------------------------------------------------


def test_events_post_token_cannot_record_for_another_agency(api_cast: ApiCast) -> None:
    response = post(api_cast.client("involved"), entry("HV-1", api_cast.cast.child, agency="POL"))

    assert response.status_code == 207
    assert response.json()[0]["errors"] == {"agency": ["This token records for HV only. Leave agency out or send HV."]}


def test_events_post_session_user_records_for_their_one_agency(api_cast: ApiCast) -> None:
    client = signed_in_client(api_cast.cast.involved, verified=True)
    response = post(client, entry("HV-1", api_cast.cast.child))

    assert response.status_code == 201
    event = Event.objects.get()
    assert (event.agency, event.author) == (api_cast.cast.agency, api_cast.cast.involved)


def test_events_post_session_user_unknown_agency_is_an_item_error(api_cast: ApiCast) -> None:
    client = signed_in_client(api_cast.cast.involved, verified=True)
    response = post(client, [entry("HV-1", api_cast.cast.child, agency="NOPE"), entry("HV-2", api_cast.cast.child)])

    assert response.status_code == 207
    assert response.json()[0]["errors"] == {
        "agency": ["You cannot record entries for an agency with the code NOPE. Use one of: HV."]
    }
    assert response.json()[1]["status"] == "created"


def test_events_post_session_user_in_two_agencies_must_name_one(api_cast: ApiCast) -> None:
    cast = api_cast.cast
    f.MembershipFactory(user=cast.involved, agency=cast.partner_agency, role=Role.PRACTITIONER)
    client = signed_in_client(cast.involved, verified=True)
    Involvement.objects.create(agency=cast.partner_agency, child=cast.child, start=dt.date(2024, 1, 1))
    response = post(client, [entry("X-1", cast.child), entry("X-2", cast.child, agency="pol")])

    results = response.json()
    assert response.status_code == 207
    assert results[0]["errors"] == {
        "agency": ["You work in more than one agency: send the code of the one recording this entry (HV, POL)."]
    }
    assert results[1]["status"] == "created"
    assert Event.objects.get().agency == cast.partner_agency


def test_events_post_person_without_a_case_role_is_forbidden(api_cast: ApiCast) -> None:
    scrutineer = f.member(api_cast.cast.agency, Role.SCRUTINEER, username="scrutineer")
    response = post(signed_in_client(scrutineer, verified=True), entry("HV-1", api_cast.cast.child))

    assert response.status_code == 403
    assert response.json() == {
        "detail": "You do not hold a case role in any agency, so you cannot record chronology entries."
    }


def test_events_post_unverified_session_and_no_token_are_refused(api_cast: ApiCast) -> None:
    body = entry("HV-1", api_cast.cast.child)
    assert post(token_client("sgh_nope"), body).status_code == 401
    assert post(signed_in_client(api_cast.cast.involved, verified=False), body).status_code == 401
    assert not Event.objects.exists()


def test_events_post_writes_activity_rows_via_api(api_cast: ApiCast) -> None:
    child = api_cast.cast.child
    post(api_cast.client("involved"), entry("HV-1", child))

    row = ActivityLog.objects.get(action="event.recorded")
    assert (row.via, row.subject_child_id, row.actor_agency_code) == (Via.API, child.pk, "HV")
    assert "Visited the family" not in json.dumps(row.changes)  # free text is masked in the log


def test_events_post_restricted_entry_keeps_its_roles(api_cast: ApiCast) -> None:
    body = entry(
        "HV-1",
        api_cast.cast.child,
        confidentiality=Confidentiality.RESTRICTED,
        restricted_to_roles=[Role.SAFEGUARDING_LEAD],
    )
    response = post(api_cast.client("involved"), body)

    assert response.status_code == 201
    assert Event.objects.get().restricted_roles == [Role.SAFEGUARDING_LEAD]


# --- Whole-request errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "Send at least one entry."),
        ("just text", "Send one entry as a JSON object, or a batch as a JSON array of objects."),
        ([{}] * 1001, "Send at most 1000 entries at a time; split the batch."),
    ],
)
def test_events_post_unusable_body_is_a_400(api_cast: ApiCast, body: Any, message: str) -> None:
    response = post(api_cast.client("involved"), body)

    assert response.status_code == 400
    assert response.json()["errors"] == {"non_field_errors": [message]}
    assert not Event.objects.exists()


def test_events_post_badly_shaped_entries_are_a_400_and_nothing_is_recorded(api_cast: ApiCast) -> None:
    child = api_cast.cast.child
    body = [
        entry("HV-1", child),
        entry("HV-2", child, occurred_on="12/03/2016"),
        "not an object",
        {"agency_reference": "HV-4", "children": [{"nhs_number": "12"}], "occurred_on": "2024-01-01", "summary": 5},
        entry("HV-5", child, precision="week", approximate="yes"),
    ]
    response = post(api_cast.client("involved"), body)

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "[1].occurred_on": ["Enter the date as YYYY-MM-DD, for example 2016-03-12."],
        "[2]": ["Send each entry as a JSON object."],
        "[3].type": ["This field is required."],
        "[3].children[0].nhs_number": ["Enter an NHS number of 10 digits, like 943 476 5919."],
        "[3].summary": ["Send text here."],
        "[4].precision": ["Use one of: day, month, year."],
        "[4].approximate": ["Send true or false here."],
    }
    assert not Event.objects.exists()


def test_events_post_malformed_json_is_a_400(api_cast: ApiCast) -> None:
    response = api_cast.client("involved").post(URL, data="{not json", content_type="application/json")

    assert response.status_code == 400
    assert "JSON parse error" in response.json()["errors"]["non_field_errors"][0]


def test_a_reused_reference_of_a_restricted_entry_reveals_nothing(db):
    """Found in an access review: posting a reference that names a restricted entry of the same
    agency must not give away its id, type or children to a caller who may not see it."""
    import datetime as dt

    from rest_framework.test import APIClient

    from safeguarding.agencies.enums import Role
    from safeguarding.api.tests.factories import make_token
    from safeguarding.chronology.models import EventType
    from safeguarding.core.enums import Confidentiality
    from safeguarding.core.restriction import encode_roles
    from safeguarding.testing import factories as f

    agency = f.AgencyFactory(code="MHT", name="Test Mental Health Trust")
    lead = f.member(agency, Role.SAFEGUARDING_LEAD)
    child = f.ChildFactory()
    record_as_involved(
        actor=lead,
        agency=agency,
        children=[child],
        event_type=EventType.objects.get(code="other"),
        occurred_on=dt.date(2025, 1, 6),
        summary="Confidential",
        agency_reference="MH-1",
        confidentiality=Confidentiality.RESTRICTED,
        restricted_to_roles=encode_roles([Role.SAFEGUARDING_LEAD]),
    )
    _, key = make_token(agency)  # the agency system holds no safeguarding-lead role
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = {
        "agency_reference": "MH-1",
        "type": "home_visit",
        "occurred_on": "2025-01-07",
        "summary": "Probe",
        "children": [{"nhs_number": child.nhs_number}],
    }
    response = client.post("/api/v1/events/", body, format="json")
    (item,) = response.json()["results"] if isinstance(response.json(), dict) else response.json()
    assert item["status"] == "error"
    assert item.get("id") is None
    assert "already used by another entry" in str(item["errors"])
    assert not item.get("child_ids")


def test_events_post_keeps_a_household_reference_that_never_identifies_the_child(api_cast: ApiCast) -> None:
    cast = api_cast.cast
    body = [
        entry("HV-1", cast.child, household_reference="TEN-4410"),
        entry("HV-2", None, children=[named(cast.other_child)], household_reference="TEN-4410"),
    ]
    response = post(api_cast.client("involved"), body)

    assert response.status_code == 201
    first, second = (Event.objects.get(agency_reference=r) for r in ("HV-1", "HV-2"))
    assert first.household_reference == second.household_reference == "TEN-4410"
    # One household reference, two children: each entry is about its own child.
    assert list(first.child_links.values_list("child_id", flat=True)) == [cast.child.pk]
    assert list(second.child_links.values_list("child_id", flat=True)) == [cast.other_child.pk]
