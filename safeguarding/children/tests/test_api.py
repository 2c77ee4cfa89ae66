from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from safeguarding.agencies.enums import AgencyKind, Role
from safeguarding.api.tests.factories import ApiCast, build_api_cast, make_token, token_client
from safeguarding.children.enums import RelationshipKind
from safeguarding.core.enums import Confidentiality, Via
from safeguarding.core.models import ActivityLog
from safeguarding.testing import factories as f


@pytest.fixture
def api_cast(db: None) -> ApiCast:
    """The three personas as agency systems (as in `safeguarding/api/tests/conftest.py`)."""
    return build_api_cast()


LIST_URL = "/api/v1/children/"


def detail_url(pk: Any) -> str:
    return f"/api/v1/children/{pk}/"


def listed_ids(response: Any) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


# --- Access matrix: the involved agency sees the child; a partner and an unrelated agency do not.


def test_children_list_involved_agency_sees_only_its_children(api_cast: ApiCast) -> None:
    response = api_cast.client("involved").get(LIST_URL)

    assert response.status_code == 200
    assert listed_ids(response) == [api_cast.cast.child.pk]
    assert response.json()["count"] == 1


@pytest.mark.parametrize("persona", ["partner", "unrelated"])
def test_children_list_other_agencies_do_not_see_the_child(api_cast: ApiCast, persona: str) -> None:
    response = api_cast.client(persona).get(LIST_URL)

    assert response.status_code == 200
    assert api_cast.cast.child.pk not in listed_ids(response)
    # Each sees exactly the one child its own agency works with (the data that could leak).
    assert len(listed_ids(response)) == 1


def test_children_list_partner_sees_its_own_child_only(api_cast: ApiCast) -> None:
    response = api_cast.client("partner").get(LIST_URL)

    assert listed_ids(response) == [api_cast.cast.other_child.pk]


def test_child_detail_involved_agency_sees_the_record(api_cast: ApiCast) -> None:
    child = api_cast.cast.child

    response = api_cast.client("involved").get(detail_url(child.pk))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == child.pk
    assert body["first_name"] == "Ellis"
    assert body["last_name"] == "Marsh"
    assert [inv["agency_code"] for inv in body["involvements"]] == ["HV"]


@pytest.mark.parametrize("persona", ["partner", "unrelated"])
def test_child_detail_other_agencies_get_the_same_404_as_a_missing_child(api_cast: ApiCast, persona: str) -> None:
    client = api_cast.client(persona)

    hidden = client.get(detail_url(api_cast.cast.child.pk))
    missing = client.get(detail_url(999_999))

    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content == b'{"detail":"Not found."}'
    assert hidden["Content-Type"] == missing["Content-Type"]


@pytest.mark.parametrize("pk", ["abc", "99999999999999999999999", "-1", "1.5"])
def test_child_detail_odd_ids_are_404(api_cast: ApiCast, pk: str) -> None:
    response = api_cast.client("involved").get(detail_url(pk))

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_child_detail_ended_involvement_no_longer_gives_access(api_cast: ApiCast) -> None:
    involvement = api_cast.cast.child.involvements.get()
    involvement.end = timezone.localdate() - dt.timedelta(days=1)
    involvement.save(update_fields=["end"])

    client = api_cast.client("involved")

    assert client.get(detail_url(api_cast.cast.child.pk)).status_code == 404
    assert listed_ids(client.get(LIST_URL)) == []


# --- The record


def test_child_detail_shows_household_relationships_and_involvements(api_cast: ApiCast) -> None:
    child = api_cast.cast.child
    mother = f.AdultFactory(first_name="Dana", last_name="Marsh")
    household = f.HouseholdFactory(reference="HH-1", postcode="NB1 2CD")
    f.HouseholdMemberFactory(household=household, child=child, moved_in=dt.date(2020, 1, 1))
    f.HouseholdMemberFactory(household=household, adult=mother, moved_in=dt.date(2019, 6, 1))
    f.RelationshipFactory(child=child, adult=mother, kind=RelationshipKind.MOTHER, lives_with_child=True)
    f.RelationshipFactory(child=api_cast.cast.other_child, adult=None, other_child=child, kind=RelationshipKind.SIBLING)
    lead = f.UserFactory(first_name="Sam", last_name="Okafor")
    involvement = child.involvements.get()
    involvement.lead_professional = lead
    involvement.service = "Health visiting"
    involvement.save(update_fields=["lead_professional", "service"])

    body = api_cast.client("involved").get(detail_url(child.pk)).json()

    assert body["households"] == [
        {
            "reference": "HH-1",
            "address_line_1": household.address_line_1,
            "address_line_2": "",
            "town": "Northbridge",
            "postcode": "NB1 2CD",
            "moved_in": "2020-01-01",
            "moved_out": None,
            "members": [
                {
                    "person": {
                        "person_type": "adult",
                        "id": mother.pk,
                        "first_name": "Dana",
                        "last_name": "Marsh",
                        "date_of_birth": "1990-05-17",
                        "withheld": False,
                    },
                    "moved_in": "2019-06-01",
                    "moved_out": None,
                }
            ],
        }
    ]
    assert [(r["kind"], r["person"]["person_type"], r["person"]["id"]) for r in body["relationships"]] == [
        ("mother", "adult", mother.pk),
        ("sibling", "child", None),  # the health visitors do not work with the sibling: withheld
    ]
    assert body["relationships"][0]["lives_with_child"] is True
    assert body["relationships"][0]["kind_display"] == "Mother"
    [inv] = body["involvements"]
    assert inv == {
        "id": involvement.pk,
        "agency_code": "HV",
        "agency_name": "Test Community Health",
        "start": involvement.start.isoformat(),
        "end": None,
        "service": "Health visiting",
        "lead_professional": "Sam Okafor",
        "lawful_basis": "public_task",
        "lawful_basis_display": involvement.get_lawful_basis_display(),
        "confidentiality": "normal",
    }


def test_an_unseen_sibling_in_the_household_is_withheld_until_the_reader_may_see_them(api_cast: ApiCast) -> None:
    """Issue 16: a sibling the reader may not see was named, with id and date of birth."""
    child, sibling = api_cast.cast.child, api_cast.cast.other_child
    household = f.HouseholdFactory(reference="HH-2")
    f.HouseholdMemberFactory(household=household, child=child)
    f.HouseholdMemberFactory(household=household, child=sibling)
    client = api_cast.client("involved")

    [member] = client.get(detail_url(child.pk)).json()["households"][0]["members"]

    assert member["person"] == {
        "person_type": "child",
        "id": None,
        "first_name": "",
        "last_name": "",
        "date_of_birth": None,
        "withheld": True,
    }
    f.InvolvementFactory(agency=api_cast.cast.agency, child=sibling)
    [member] = client.get(detail_url(child.pk)).json()["households"][0]["members"]
    assert (member["person"]["id"], member["person"]["withheld"]) == (sibling.pk, False)


def test_child_detail_hides_another_agencys_restricted_involvement(api_cast: ApiCast) -> None:
    child = api_cast.cast.child
    camhs = f.AgencyFactory(code="CAMHS", name="Test CAMHS", kind=AgencyKind.MENTAL_HEALTH)
    f.InvolvementFactory(agency=camhs, child=child, confidentiality=Confidentiality.RESTRICTED)
    f.InvolvementFactory(agency=api_cast.cast.partner_agency, child=child, service="Neighbourhood policing")
    _, camhs_key = make_token(camhs)

    as_involved = api_cast.client("involved").get(detail_url(child.pk)).json()
    as_camhs = token_client(camhs_key).get(detail_url(child.pk)).json()

    assert sorted(inv["agency_code"] for inv in as_involved["involvements"]) == ["HV", "POL"]
    assert sorted(inv["agency_code"] for inv in as_camhs["involvements"]) == ["CAMHS", "HV", "POL"]


def test_child_detail_restricted_to_other_roles_gives_the_system_no_access(api_cast: ApiCast) -> None:
    """A restricted involvement limited to the safeguarding lead does not let the agency's system in."""
    child = f.ChildFactory()
    camhs = f.AgencyFactory(code="CAMHS", name="Test CAMHS", kind=AgencyKind.MENTAL_HEALTH)
    f.InvolvementFactory(
        agency=camhs,
        child=child,
        confidentiality=Confidentiality.RESTRICTED,
        restricted_to_roles=f",{Role.SAFEGUARDING_LEAD},",
    )
    _, camhs_key = make_token(camhs)

    response = token_client(camhs_key).get(detail_url(child.pk))

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


# --- Search


@pytest.fixture
def searchable(api_cast: ApiCast) -> dict[str, Any]:
    agency = api_cast.cast.agency
    alice = f.ChildFactory(first_name="Alice", last_name="Smith-Jones", date_of_birth=dt.date(2016, 2, 29))
    alex = f.ChildFactory(first_name="Alex", last_name="Smith", date_of_birth=dt.date(2017, 3, 1))
    zoe = f.ChildFactory(first_name="Zoë", last_name="Brown", date_of_birth=dt.date(2016, 2, 29))
    for child in (alice, alex, zoe):
        f.InvolvementFactory(agency=agency, child=child)
    # Data that could leak: a matching name that only the partner agency works with.
    hidden = f.ChildFactory(first_name="Alice", last_name="Smith", date_of_birth=dt.date(2016, 2, 29))
    f.InvolvementFactory(agency=api_cast.cast.partner_agency, child=hidden)
    return {"alice": alice, "alex": alex, "zoe": zoe, "hidden": hidden}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"name": "ali"}, ["alice"]),
        ({"name": "smith"}, ["alex", "alice"]),
        ({"name": "jones"}, ["alice"]),
        ({"name": "zoe"}, ["zoe"]),
        ({"date_of_birth": "2016-02-29"}, ["zoe", "alice"]),
        ({"name": "smi", "date_of_birth": "2016-02-29"}, ["alice"]),
        ({"name": "nobody"}, []),
    ],
)
def test_children_list_search(
    api_cast: ApiCast, searchable: dict[str, Any], params: dict[str, str], expected: list[str]
) -> None:
    response = api_cast.client("involved").get(LIST_URL, params)

    assert response.status_code == 200
    assert listed_ids(response) == [searchable[name].pk for name in expected]


def test_children_list_search_by_nhs_number(api_cast: ApiCast, searchable: dict[str, Any]) -> None:
    alex = searchable["alex"]
    spaced = f"{alex.nhs_number[:3]} {alex.nhs_number[3:6]} {alex.nhs_number[6:]}"

    response = api_cast.client("involved").get(LIST_URL, {"nhs_number": spaced})

    assert listed_ids(response) == [alex.pk]


def test_children_list_search_never_finds_a_hidden_child_by_nhs_number(
    api_cast: ApiCast, searchable: dict[str, Any]
) -> None:
    response = api_cast.client("involved").get(LIST_URL, {"nhs_number": searchable["hidden"].nhs_number})

    assert response.status_code == 200
    assert listed_ids(response) == []


@pytest.mark.parametrize("value", ["29/02/2016", "2016-02-30", "yesterday", "2016-02-29T10:00:00"])
def test_children_list_bad_date_of_birth_is_400_with_a_message(api_cast: ApiCast, value: str) -> None:
    response = api_cast.client("involved").get(LIST_URL, {"date_of_birth": value})

    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "The request has errors. Correct the fields named in errors and try again."
    assert body["errors"] == {"date_of_birth": ["Enter the date of birth as YYYY-MM-DD, for example 2015-03-31."]}


def test_children_list_bad_nhs_number_is_400_with_a_message(api_cast: ApiCast) -> None:
    response = api_cast.client("involved").get(LIST_URL, {"nhs_number": "12345"})

    assert response.status_code == 400
    assert response.json()["errors"] == {"nhs_number": ["Enter an NHS number of 10 digits, like 943 476 5919."]}


def test_children_list_is_paginated(api_cast: ApiCast) -> None:
    for _ in range(51):
        f.InvolvementFactory(agency=api_cast.cast.agency, child=f.ChildFactory())
    client = api_cast.client("involved")

    first = client.get(LIST_URL).json()
    second = client.get(LIST_URL, {"page": 2}).json()

    assert first["count"] == 52
    assert len(first["results"]) == 50
    assert first["next"] == "http://testserver/api/v1/children/?page=2"
    assert len(second["results"]) == 2


def test_children_list_query_count_does_not_grow_with_results(
    api_cast: ApiCast, django_assert_num_queries: Any
) -> None:
    for _ in range(20):
        f.InvolvementFactory(agency=api_cast.cast.agency, child=f.ChildFactory())
    client = api_cast.client("involved")
    client.get(LIST_URL)  # writes last_used_at and caches content types

    # The token (with its service account), memberships, count, page, the activity-log row.
    with django_assert_num_queries(5):
        response = client.get(LIST_URL)
    assert len(response.json()["results"]) == 21


def test_child_detail_query_count_does_not_grow_with_the_record(
    api_cast: ApiCast, django_assert_num_queries: Any
) -> None:
    child = api_cast.cast.child
    household = f.HouseholdFactory()
    f.HouseholdMemberFactory(household=household, child=child)
    for _ in range(3):
        adult = f.AdultFactory()
        f.HouseholdMemberFactory(household=household, adult=adult)
        f.RelationshipFactory(child=child, adult=adult)
        f.InvolvementFactory(child=child, lead_professional=f.UserFactory())
    client = api_cast.client("involved")
    client.get(detail_url(child.pk))

    # Token, memberships, child, activity-log row, households (+ members), relationships both
    # ways, involvements.
    with django_assert_num_queries(9):
        response = client.get(detail_url(child.pk))
    assert len(response.json()["involvements"]) == 4


# --- Activity log


def test_child_detail_writes_a_child_viewed_row_via_api(api_cast: ApiCast) -> None:
    child = api_cast.cast.child
    client = api_cast.client("involved")

    client.get(detail_url(child.pk))
    client.get(detail_url(child.pk))

    rows = list(ActivityLog.objects.filter(action="child.viewed").order_by("id"))
    assert len(rows) == 2
    for row in rows:
        assert row.via == Via.API
        assert row.subject_child_id == child.pk
        assert row.actor_id == api_cast.involved_token.service_user_id
        assert row.actor_agency_code == "HV"
        assert row.request_id


@pytest.mark.parametrize("persona", ["partner", "unrelated"])
def test_child_detail_refused_writes_no_view_row(api_cast: ApiCast, persona: str) -> None:
    api_cast.client(persona).get(detail_url(api_cast.cast.child.pk))

    assert not ActivityLog.objects.filter(action="child.viewed").exists()


def test_children_list_logs_the_search_without_its_terms(api_cast: ApiCast, searchable: dict[str, Any]) -> None:
    api_cast.client("involved").get(LIST_URL, {"name": "Alice", "date_of_birth": "2016-02-29"})

    row = ActivityLog.objects.get(action="children.searched")
    assert row.changes == {"results": 1}
    assert row.via == Via.API
    assert row.actor_agency_code == "HV"
    assert "Alice" not in str(row.changes)
