"""The escalations API: the access matrix with three agency tokens, every action, 403 for a guard,
409 for a stale version, and the same services as the pages."""

from __future__ import annotations

import pytest

from safeguarding.api.tests.factories import ApiCast, build_api_cast
from safeguarding.escalations import services
from safeguarding.escalations.models import Escalation, EscalationReason
from safeguarding.escalations.tests.helpers import entry_about as _entry


@pytest.fixture
def api_cast(db: None) -> ApiCast:
    """The three personas as agency systems (as in `safeguarding/api/tests/conftest.py`)."""
    return build_api_cast()


def raise_one(api_cast: ApiCast) -> Escalation:
    return services.raise_escalation(
        actor=api_cast.cast.involved,
        children=[api_cast.cast.child],
        raising_agency=api_cast.cast.agency,
        receiving_agency=api_cast.cast.partner_agency,
        reason=EscalationReason.objects.get(code="threshold"),
        disputed_decision="Closed with no further action.",
        desired_outcome="A strategy discussion.",
        raiser_level_of_need=4,
    )


@pytest.mark.parametrize(
    ("persona", "status", "children"), [("involved", 200, 1), ("partner", 200, 0), ("unrelated", 404, None)]
)
def test_escalation_detail_access_matrix(api_cast: ApiCast, persona: str, status: int, children: int | None) -> None:
    esc = raise_one(api_cast)
    response = api_cast.client(persona).get(f"/api/v1/escalations/{esc.pk}/")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert len(body["children"]) == children
        assert body["children_not_shown"] == 1 - children
    else:
        assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize(("persona", "count"), [("involved", 1), ("partner", 1), ("unrelated", 0)])
def test_escalation_list_access_matrix(api_cast: ApiCast, persona: str, count: int) -> None:
    raise_one(api_cast)
    assert api_cast.client(persona).get("/api/v1/escalations/").json()["count"] == count


def test_listing_escalations_is_logged_as_a_look_at_each_visible_childs_record(api_cast: ApiCast) -> None:
    """The list returns what the detail logs as a view, so it logs it too (issue 16)."""
    from safeguarding.core.models import ActivityLog

    esc = raise_one(api_cast)
    assert api_cast.client("involved").get("/api/v1/escalations/").json()["count"] == 1
    assert api_cast.client("partner").get("/api/v1/escalations/").json()["count"] == 1

    views = ActivityLog.objects.filter(action="escalation.viewed", target_id=str(esc.pk))
    assert views.count() == 2
    # The involved agency sees the child, so its look is against the child's record; the partner sees
    # the escalation without the child.
    assert sorted(views.values_list("subject_child_id", flat=True), key=str) == sorted(
        [api_cast.cast.child.pk, None], key=str
    )


def test_create_raises_for_the_token_agency(api_cast: ApiCast) -> None:
    response = api_cast.client("involved").post(
        "/api/v1/escalations/",
        {
            "children": [api_cast.cast.child.pk],
            "receiving_agency": "POL",
            "reason": "threshold",
            "disputed_decision": "No further action.",
            "desired_outcome": "Strategy discussion.",
            "raiser_level_of_need": 4,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["raising_agency"] == "HV"
    assert response.json()["stage"] == 1


def test_create_refuses_a_child_the_agency_does_not_work_with(api_cast: ApiCast) -> None:
    response = api_cast.client("unrelated").post(
        "/api/v1/escalations/",
        {
            "children": [api_cast.cast.child.pk],
            "receiving_agency": "POL",
            "reason": "threshold",
            "disputed_decision": "x",
            "desired_outcome": "y",
            "raiser_level_of_need": 3,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "children" in response.json()["errors"]


def test_respond_outcome_escalate_and_resolve_through_the_api(api_cast: ApiCast) -> None:
    esc = raise_one(api_cast)
    partner, involved = api_cast.client("partner"), api_cast.client("involved")
    url = f"/api/v1/escalations/{esc.pk}"
    r = partner.post(
        f"{url}/respond/", {"version": 1, "kind": "disagree", "reasons": "Not at threshold."}, format="json"
    )
    assert r.status_code == 200
    assert r.json()["status"] == "responded"
    r = involved.post(f"{url}/escalate/", {"version": 2, "reason": "Still worried."}, format="json")
    assert r.status_code == 200
    assert r.json()["stage"] == 2
    r = partner.post(f"{url}/respond/", {"version": 3, "kind": "agree", "reasons": "On reflection."}, format="json")
    assert r.status_code == 200
    r = partner.post(
        f"{url}/outcome/",
        {
            "version": 4,
            "outcome": "Strategy discussion held.",
            "actions": [{"description": "Hold it", "owner_agency": "POL", "owner_name": "DS", "due_on": "2030-01-31"}],
        },
        format="json",
    )
    assert r.status_code == 200
    assert r.json()["status"] == "outcome_agreed"
    r = involved.post(f"{url}/resolve/", {"version": 5, "how": "accepted"}, format="json")
    assert r.status_code == 200
    assert r.json()["status"] == "resolved"
    assert [h["action"] for h in r.json()["history"]] == [
        "raised",
        "responded",
        "escalated",
        "responded",
        "outcome_recorded",
        "accepted",
    ]


def test_guard_refusal_is_403_and_stale_version_is_409(api_cast: ApiCast) -> None:
    esc = raise_one(api_cast)
    url = f"/api/v1/escalations/{esc.pk}/respond/"
    body = {"version": 1, "kind": "agree", "reasons": "Yes."}
    assert api_cast.client("involved").post(url, body, format="json").status_code == 403
    assert api_cast.client("unrelated").post(url, body, format="json").status_code == 404
    assert api_cast.client("partner").post(url, {**body, "version": 9}, format="json").status_code == 409


def test_resolve_by_referral_needs_a_reason(api_cast: ApiCast) -> None:
    esc = raise_one(api_cast)
    url = f"/api/v1/escalations/{esc.pk}/resolve/"
    assert api_cast.client("involved").post(url, {"version": 1, "how": "referral"}, format="json").status_code == 400
    r = api_cast.client("involved").post(
        url, {"version": 1, "how": "referral", "reason": "MASH referral."}, format="json"
    )
    assert r.status_code == 200
    assert r.json()["status"] == "resolved_by_referral"


def test_no_token_is_401(api_cast: ApiCast) -> None:
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/escalations/").status_code == 401


def test_a_nul_character_in_a_code_is_a_400_not_a_server_error(db):
    from safeguarding.escalations.api.serializers import EscalationCreateSerializer

    serializer = EscalationCreateSerializer(data={"receiving_agency": "AB\x00C", "reason": "thres\x00hold"})
    assert not serializer.is_valid()
    assert "receiving_agency" in serializer.errors
    assert "reason" in serializer.errors


def test_create_answers_alike_for_every_evidence_id_the_caller_may_not_cite(api_cast: ApiCast) -> None:
    """A missing entry, another child's entry and a restricted entry get the same answer (issue 16:
    different messages told entries that exist apart from those that don't, and marked restricted ones)."""
    cast = api_cast.cast
    own = _entry(cast.involved, cast.agency, cast.child)
    other_childs = _entry(cast.partner, cast.partner_agency, cast.other_child)
    restricted = _entry(
        cast.involved, cast.agency, cast.child, confidentiality="restricted", restricted_to_roles=["data_steward"]
    )
    missing = max(own.pk, other_childs.pk, restricted.pk) + 1000

    def post(evidence: list[int]):
        body = {
            "children": [cast.child.pk],
            "receiving_agency": "POL",
            "reason": "threshold",
            "disputed_decision": "No further action.",
            "desired_outcome": "Strategy discussion.",
            "raiser_level_of_need": 4,
            "evidence": evidence,
        }
        return api_cast.client("involved").post("/api/v1/escalations/", body, format="json")

    answers = [post([pk]) for pk in (missing, other_childs.pk, restricted.pk)]

    assert {r.status_code for r in answers} == {400}
    assert [r.json() for r in answers] == [answers[0].json()] * 3
    assert answers[0].json()["errors"]["evidence"] == [services.EVIDENCE_NOT_VISIBLE]
    created = post([own.pk])
    assert created.status_code == 201, created.json()
    assert Escalation.objects.get().evidence.get() == own
