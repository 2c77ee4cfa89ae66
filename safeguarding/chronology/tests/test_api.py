"""GET /api/v1/children/{id}/chronology/: the merged chronology (the page's `merged_chronology`),
its filters, who may read it, and the activity log."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from safeguarding.agencies.enums import Role
from safeguarding.api.tests.factories import ApiCast, build_api_cast, signed_in_client

# The schema as served, and its fixture that keeps the test's database connection across WSGI calls.
from safeguarding.api.tests.test_schemathesis import _keep_the_test_transactions_connection, schema  # noqa: F401
from safeguarding.chronology.models import EventType
from safeguarding.core.enums import Confidentiality, Via
from safeguarding.core.models import ActivityLog
from safeguarding.testing import factories as f
from safeguarding.testing.recording import record_as_involved


@pytest.fixture
def api_cast(db: None) -> ApiCast:
    """The three personas as agency systems (as in `safeguarding/api/tests/conftest.py`)."""
    return build_api_cast()


D0 = dt.date(2024, 1, 8)


def url(pk: Any) -> str:
    return f"/api/v1/children/{pk}/chronology/"


def add(actor: Any, agency: Any, children: list[Any], code: str, days: int, **kwargs: Any) -> Any:
    return record_as_involved(
        actor=actor,
        agency=agency,
        children=children,
        event_type=EventType.objects.get(code=code),
        occurred_on=D0 + dt.timedelta(days=days),
        summary=kwargs.pop("summary", f"{code} entry"),
        **kwargs,
    )


@pytest.fixture
def officer(api_cast: ApiCast) -> Any:
    return f.member(api_cast.cast.partner_agency, Role.PRACTITIONER, username="officer")


def test_chronology_round_trip_posted_entries_come_back_merged(api_cast: ApiCast) -> None:
    client, child = api_cast.client("involved"), api_cast.cast.child
    batch = [
        {
            "agency_reference": ref,
            "children": [{"nhs_number": child.nhs_number}],
            "occurred_on": day,
            "type": label,
            "summary": f"{label} on {day}",
        }
        for ref, day, label in [
            ("HV-1", "2024-02-01", "DNA"),
            ("HV-2", "2024-01-10", "Health visitor contact"),
            ("HV-3", "2024-02-20", "missed appointment"),
        ]
    ]
    posted = client.post("/api/v1/events/", data=json.dumps(batch), content_type="application/json").json()
    ids = {item["agency_reference"]: result["id"] for item, result in zip(batch, posted, strict=True)}

    response = client.get(url(child.pk))

    assert response.status_code == 200
    body = response.json()
    assert body["child"]["id"] == child.pk
    assert body["total_entries"] == 3
    entries = body["entries"]
    assert [e["id"] for e in entries] == [ids["HV-2"], ids["HV-1"], ids["HV-3"]]
    assert [e["type"] for e in entries] == ["health_visitor_contact", "was_not_brought", "was_not_brought"]
    first_wnb = entries[1]
    assert first_wnb["agency"] == "HV"
    assert first_wnb["original_type_label"] == "DNA"
    assert "health" in first_wnb["tags"]
    assert first_wnb["sources"] == [{"agency": "HV", "id": ids["HV-1"], "agency_reference": "HV-1"}]
    assert first_wnb["child_ids"] == [child.pk]
    assert (first_wnb["precision"], first_wnb["approximate"]) == ("day", False)
    # Two missed appointments with none attended between: a "was not brought" run.
    [run] = [h for h in body["highlights"] if h["kind"] == "was_not_brought_run"]
    assert run["entry_ids"] == [ids["HV-1"], ids["HV-3"]]
    assert "was_not_brought_run" in first_wnb["highlights"]


def test_chronology_same_event_from_two_agencies_is_one_entry_with_both_sources(
    api_cast: ApiCast, officer: Any
) -> None:
    cast = api_cast.cast
    mine = add(cast.involved, cast.agency, [cast.child], "strategy_discussion", 3, agency_reference="HV-9")
    theirs = add(officer, cast.partner_agency, [cast.child], "strategy_discussion", 3, agency_reference="P-1")

    entries = api_cast.client("involved").get(url(cast.child.pk)).json()["entries"]

    assert len(entries) == 1
    assert sorted((s["agency"], s["id"], s["agency_reference"]) for s in entries[0]["sources"]) == [
        ("HV", mine.pk, "HV-9"),
        ("POL", theirs.pk, "P-1"),
    ]


# --- Access: the involved agency reads it; partner and unrelated agencies get the missing-child 404.


def test_chronology_access_matrix(api_cast: ApiCast) -> None:
    cast = api_cast.cast
    add(cast.involved, cast.agency, [cast.child], "home_visit", 1)
    missing = api_cast.client("involved").get(url(10**9))

    assert api_cast.client("involved").get(url(cast.child.pk)).status_code == 200
    for persona in ("partner", "unrelated"):
        response = api_cast.client(persona).get(url(cast.child.pk))
        assert response.status_code == 404
        assert response.content == missing.content
        assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("pk", ["abc", "-1", "99999999999999999999999", "1.5"])
def test_chronology_odd_ids_are_the_same_404(api_cast: ApiCast, pk: str) -> None:
    response = api_cast.client("involved").get(url(pk))

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_chronology_without_credentials_is_a_401(api_cast: ApiCast) -> None:
    from rest_framework.test import APIClient

    assert APIClient().get(url(api_cast.cast.child.pk)).status_code == 401


def test_chronology_verified_session_reads_it(api_cast: ApiCast) -> None:
    cast = api_cast.cast
    add(cast.involved, cast.agency, [cast.child], "home_visit", 1)
    response = signed_in_client(cast.involved, verified=True).get(url(cast.child.pk))

    assert response.status_code == 200
    assert len(response.json()["entries"]) == 1


def test_chronology_restricted_entries_are_hidden_from_other_agencies(api_cast: ApiCast, officer: Any) -> None:
    cast = api_cast.cast
    add(cast.involved, cast.agency, [cast.child], "home_visit", 1)
    secret = add(
        officer, cast.partner_agency, [cast.child], "police_attendance", 2, confidentiality=Confidentiality.RESTRICTED
    )

    involved = api_cast.client("involved").get(url(cast.child.pk)).json()
    # Recording gave the police an involvement, so its token sees the child, and its own entry.
    police = api_cast.client("partner").get(url(cast.child.pk)).json()

    assert [e["type"] for e in involved["entries"]] == ["home_visit"]
    assert secret.pk not in {e["id"] for e in involved["entries"]}
    assert secret.pk in {e["id"] for e in police["entries"]}
    assert involved["total_entries"] == 1


def test_chronology_read_is_logged_via_api(api_cast: ApiCast) -> None:
    child = api_cast.cast.child
    api_cast.client("involved").get(url(child.pk))

    row = ActivityLog.objects.get(action="chronology.viewed")
    assert (row.subject_child_id, row.via, row.actor_agency_code) == (child.pk, Via.API, "HV")


def test_chronology_denied_read_is_not_logged(api_cast: ApiCast) -> None:
    api_cast.client("partner").get(url(api_cast.cast.child.pk))

    assert not ActivityLog.objects.filter(action="chronology.viewed").exists()


# --- Filters, as on the page -----------------------------------------------------------------------


@pytest.fixture
def mixed(api_cast: ApiCast, officer: Any) -> dict[str, Any]:
    cast = api_cast.cast
    return {
        "visit": add(cast.involved, cast.agency, [cast.child], "home_visit", 0),
        "wnb": add(cast.involved, cast.agency, [cast.child], "was_not_brought", 30),
        "police": add(officer, cast.partner_agency, [cast.child], "police_attendance", 60),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["visit", "wnb", "police"]),
        ("?agency=POL", ["police"]),
        ("?agency=POL&agency=HV", ["visit", "wnb", "police"]),
        ("?type=was_not_brought&type=home_visit", ["visit", "wnb"]),
        ("?tag=police", ["police"]),
        ("?from=2024-02-01", ["wnb", "police"]),
        ("?to=2024-02-07", ["visit", "wnb"]),
        ("?from=2024-02-01&to=2024-02-07", ["wnb"]),
        ("?from=&to=&family=&gap_days=", ["visit", "wnb", "police"]),
        ("?agency=NOPE", []),
    ],
)
def test_chronology_filters(api_cast: ApiCast, mixed: dict[str, Any], query: str, expected: list[str]) -> None:
    response = api_cast.client("involved").get(url(api_cast.cast.child.pk) + query)

    assert response.status_code == 200
    assert [e["id"] for e in response.json()["entries"]] == [mixed[name].pk for name in expected]
    assert response.json()["total_entries"] == 3  # filters never change what the highlights look at


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("?from=12/03/2016", {"from": ["Enter the date as YYYY-MM-DD, for example 2016-03-12."]}),
        ("?to=2016-02-30", {"to": ["Enter the date as YYYY-MM-DD, for example 2016-03-12."]}),
        ("?from=2016-03-02&to=2016-03-01", {"to": ["The end date must be the same as or after the start date."]}),
        ("?family=maybe", {"family": ["Send family=true or family=false."]}),
        ("?gap_days=0", {"gap_days": ["Enter the gap as a whole number of days from 1 to 3650, e.g. 90."]}),
        ("?gap_days=ninety", {"gap_days": ["Enter the gap as a whole number of days from 1 to 3650, e.g. 90."]}),
    ],
)
def test_chronology_bad_filters_are_a_400(api_cast: ApiCast, query: str, errors: dict[str, list[str]]) -> None:
    response = api_cast.client("involved").get(url(api_cast.cast.child.pk) + query)

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request has errors. Correct the fields named in errors and try again.",
        "errors": errors,
    }


def test_chronology_gap_days_changes_the_gap_highlights(api_cast: ApiCast, mixed: dict[str, Any]) -> None:
    client, child = api_cast.client("involved"), api_cast.cast.child

    def gaps(query: str) -> int:
        return sum(h["kind"] == "gap" for h in client.get(url(child.pk) + query).json()["highlights"])

    assert gaps("?gap_days=10") > gaps("?gap_days=3000")


def test_chronology_family_adds_siblings_entries(api_cast: ApiCast) -> None:
    from safeguarding.children.enums import RelationshipKind

    cast = api_cast.cast
    sibling = f.ChildFactory()
    f.InvolvementFactory(agency=cast.agency, child=sibling)
    f.RelationshipFactory(child=cast.child, adult=None, other_child=sibling, kind=RelationshipKind.SIBLING)
    add(cast.involved, cast.agency, [cast.child], "home_visit", 0)
    add(cast.involved, cast.agency, [sibling], "injury", 5)
    client = api_cast.client("involved")

    alone = client.get(url(cast.child.pk)).json()
    family = client.get(url(cast.child.pk) + "?family=true").json()

    assert [e["type"] for e in alone["entries"]] == ["home_visit"]
    assert [e["type"] for e in family["entries"]] == ["home_visit", "injury"]
    assert [c["id"] for c in family["children"]] == [cast.child.pk, sibling.pk]


def test_chronology_answers_the_object_its_schema_documents(api_cast: ApiCast) -> None:
    """The chronology is one object (child, children, entries, highlights), and the schema says so:
    schemathesis validates real answers, with entries and a highlight, against the served schema."""
    cast = api_cast.cast
    for days in (0, 30, 60):
        add(cast.involved, cast.agency, [cast.child], "was_not_brought", days)
    add(cast.involved, cast.agency, [cast.child], "health_visitor_contact", 90)
    documented = schema.raw_schema["paths"]["/api/v1/children/{id}/chronology/"]["get"]["responses"]["200"]
    assert documented["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Chronology"}
    operation = schema["/api/v1/children/{id}/chronology/"]["GET"]
    headers = {"Authorization": f"Token {api_cast.involved_key}"}
    for query in ({}, {"family": "true", "gap_days": "20"}):
        case = operation.Case(path_parameters={"id": cast.child.pk}, query=query)
        response = case.call_and_validate(headers=headers)
        assert response.status_code == 200
        body = response.json()
        assert isinstance(body, dict)
        assert len(body["entries"]) == 4
        assert body["highlights"]
