"""API v1 dashboard: the same figures and the same people as the page; 404 for anyone else (agency
tokens too, unless the token is the business unit's); 400 with the field named for bad dates."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from safeguarding.agencies.enums import AgencyKind
from safeguarding.api.tests.factories import make_token, signed_in_client, token_client

# The schema as served, and its fixture that keeps the test's database connection across WSGI calls.
from safeguarding.api.tests.test_schemathesis import _keep_the_test_transactions_connection, schema  # noqa: F401
from safeguarding.dashboards.tests.conftest import DashCast, Dataset
from safeguarding.testing import factories as f

FY = "?from=2025-04-01&to=2026-03-31"


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("business", 200),
        ("administrator", 200),
        ("scrutineer", 200),
        ("statutory_senior", 200),
        ("relevant_senior", 404),
        ("involved", 404),
        ("partner", 404),
        ("unrelated", 404),
    ],
)
def test_api_access_matrix_for_people(dataset: Dataset, persona: str, status: int) -> None:
    user = getattr(dataset.dc, persona, None) or getattr(dataset.dc.cast, persona)
    response = signed_in_client(user, verified=True).get("/api/v1/dashboard/" + FY)
    assert response.status_code == status
    if status == 404:
        assert response.json() == {"detail": "Not found."}


def test_api_agency_tokens_only_the_business_units(dataset: Dataset) -> None:
    dc = dataset.dc
    for agency in (dc.cast.agency, dc.cast.partner_agency, dc.cast.unrelated_agency):
        _, key = make_token(agency)
        assert token_client(key).get("/api/v1/dashboard/" + FY).status_code == 404
    _, bu_key = make_token(dc.bu_agency)
    assert token_client(bu_key).get("/api/v1/dashboard/" + FY).status_code == 200


def test_api_unverified_session_and_no_credentials_are_refused(dc: DashCast) -> None:
    assert signed_in_client(dc.business, verified=False).get("/api/v1/dashboard/").status_code in (401, 403)
    assert token_client("nonsense").get("/api/v1/dashboard/").status_code == 401


def test_api_returns_the_figures(dataset: Dataset) -> None:
    data = signed_in_client(dataset.dc.business, verified=True).get("/api/v1/dashboard/" + FY).json()
    assert data["period"] == {
        "kind": "custom",
        "start": "2025-04-01",
        "end": "2026-03-31",
        "label": "1 April 2025 to 31 March 2026",
    }
    assert data["as_at"] == "2026-03-31"
    assert data["reviews"]["in_progress"] == 4
    rapid = next(c for c in data["reviews"]["clocks"] if c["clock"] == "Rapid review")
    assert (rapid["on_time"], rapid["overdue"], rapid["running_overdue"]) == (2, 1, 1)
    plans = data["action_plans"]
    assert (plans["actions"], plans["complete"], plans["percent_complete"], plans["overdue"]) == (6, 2, 33, 3)
    assert [(a["lead_agency"], a["days_overdue"]) for a in plans["overdue_actions"]] == [
        ("Test Police", 30),
        ("Test Community Health", 21),
        ("Test Police", 11),
    ]
    esc = data["escalations"]
    assert (esc["raised"], esc["resolved"], esc["median_working_days_to_resolve"]) == (5, 3, 7.0)
    assert data["learning"]["total"] == 5
    assert {"theme": "Neglect", "items": 2} in data["learning"]["findings_by_theme"]


def test_api_without_dates_is_this_financial_year(dc: DashCast) -> None:
    data = signed_in_client(dc.business, verified=True).get("/api/v1/dashboard/").json()
    assert data["period"]["kind"] == "financial_year"
    assert data["period"]["start"].endswith("-04-01")


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?from=01/04/2025&to=2026-03-31", "from", "Date has wrong format"),
        ("?from=2025-04-01", "to", "Give both from and to"),
        ("?from=2026-03-31&to=2025-04-01", "to", "The last day must be the same as or after the first day."),
        ("?from=2020-01-01&to=2025-04-01", "to", "Choose a period of 3 years or less."),
        ("?from=2025-02-30&to=2025-04-01", "from", "Date has wrong format"),
        ("?to=", "to", "Enter a date as YYYY-MM-DD, or leave the parameter out."),
    ],
)
def test_api_bad_dates_are_400_naming_the_field(dc: DashCast, query: str, field: str, message: str) -> None:
    response = signed_in_client(dc.business, verified=True).get("/api/v1/dashboard/" + query)
    assert response.status_code == 400
    body = response.json()
    assert field in body["errors"]
    assert message in body["errors"][field][0]


# The project's schemathesis test calls as a non-business-unit agency, which only ever gets 404 here:
# this one calls as the business unit's system, so the figures and the 400s are checked against the schema.
@pytest.fixture
def bu_key(db: None) -> str:
    return make_token(f.AgencyFactory(code="BU", name="Test Business Unit", kind=AgencyKind.BUSINESS_UNIT))[1]


# (`schema.include(path=…)` selects nothing here: the config's per-operation block adds an include
# that matches every operation, and includes are alternatives; an exclusion narrows for certain.)
@schema.exclude(func=lambda ctx: ctx.operation.path != "/api/v1/dashboard/").parametrize()
@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema_as_the_business_unit(case: Any, bu_key: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Token {bu_key}"})
