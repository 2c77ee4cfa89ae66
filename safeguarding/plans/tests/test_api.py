"""The care-plan API: access for the three personas (agency tokens), agreed versions read-only (409),
objectives, progress updates, scaling scores and reviews."""

from __future__ import annotations

import json

import pytest

from safeguarding.api.tests.factories import make_token, token_client
from safeguarding.core.models import ActivityLog
from safeguarding.plans.models import ObjectiveUpdate
from safeguarding.plans.tests.conftest import today


@pytest.fixture
def tokens(pc):
    return {
        persona: token_client(make_token(agency)[1])
        for persona, agency in (
            ("involved", pc.cast.agency),
            ("partner", pc.cast.partner_agency),
            ("unrelated", pc.cast.unrelated_agency),
        )
    }


def test_list_and_retrieve_for_the_three_personas(agreed_plan, pc, tokens):
    assert [p["id"] for p in tokens["involved"].get("/api/v1/care-plans/").json()["results"]] == [agreed_plan.pk]
    for persona in ("partner", "unrelated"):
        assert tokens[persona].get("/api/v1/care-plans/").json()["results"] == []
        response = tokens[persona].get(f"/api/v1/care-plans/{agreed_plan.pk}/")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
        assert tokens[persona].get(f"/api/v1/care-plans/{agreed_plan.pk}/scaling-scores/").status_code == 404
    body = tokens["involved"].get(f"/api/v1/care-plans/{agreed_plan.pk}/").json()
    assert body["current_version"]["state"] == "agreed"
    assert len(body["current_version"]["objectives"]) == 3
    assert body["current_version"]["agreement"]["people"][0]["name"] == "Jo Marsh"
    assert ActivityLog.objects.filter(action="care_plan.viewed", subject_child_id=pc.cast.child.pk).exists()


def test_listing_plans_is_logged_as_a_look_at_each_childs_record(agreed_plan, pc, tokens):
    """The list returns what the detail logs as a view, so it logs it too (issue 16)."""
    assert tokens["involved"].get("/api/v1/care-plans/").json()["count"] == 1
    views = ActivityLog.objects.filter(action="care_plan.viewed")
    children = set(agreed_plan.children.values_list("pk", flat=True))
    assert set(views.values_list("subject_child_id", flat=True)) == children
    assert views.count() == len(children)
    assert tokens["partner"].get("/api/v1/care-plans/").json()["count"] == 0
    assert views.count() == len(children)


def test_list_filters_by_child(agreed_plan, pc, tokens):
    client = tokens["involved"]
    assert len(client.get(f"/api/v1/care-plans/?child={pc.cast.child.pk}").json()["results"]) == 1
    assert client.get(f"/api/v1/care-plans/?child={pc.cast.other_child.pk}").json()["results"] == []
    assert client.get("/api/v1/care-plans/?child=abc").status_code == 400


def test_agreed_version_is_read_only_through_the_api(agreed_plan, pc, client_for):
    client = client_for(pc.lead)
    response = client.patch(
        f"/api/v1/care-plans/{agreed_plan.pk}/",
        data=json.dumps({"version": agreed_plan.version, "harm": "rewritten"}),
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "cannot be changed" in response.json()["detail"]
    response = client.post(
        f"/api/v1/care-plans/{agreed_plan.pk}/objectives/",
        data=json.dumps(
            {
                "version": agreed_plan.version,
                "action": "New",
                "owner_kind": "family",
                "owner_name": "Jo",
                "due_on": today().isoformat(),
                "progress_measure": "x",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 409
    assert agreed_plan.agreed_version().harm == "Ellis has had untreated tooth decay for a year."
    assert agreed_plan.agreed_version().objectives.count() == 3


def test_draft_can_be_changed_through_the_api_and_stale_versions_conflict(plan, pc, client_for):
    client = client_for(pc.lead)
    url = f"/api/v1/care-plans/{plan.pk}/"
    response = client.patch(
        url, data=json.dumps({"version": plan.version, "harm": "API words"}), content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["draft_version"]["harm"] == "API words"
    stale = client.patch(url, data=json.dumps({"version": plan.version, "harm": "x"}), content_type="application/json")
    assert stale.status_code == 409


def test_objective_updates_get_and_post(agreed_plan, pc, tokens):
    uid = agreed_plan.agreed_version().objectives.first().uid
    url = f"/api/v1/objectives/{uid}/updates/"
    response = tokens["involved"].post(
        url, {"status": "in_progress", "rag": "green", "evidence": "Seen"}, format="json"
    )
    assert response.status_code == 201
    assert ObjectiveUpdate.objects.get().agency == pc.cast.agency
    assert [u["evidence"] for u in tokens["involved"].get(url).json()] == ["Seen"]
    assert tokens["partner"].get(url).status_code == 404
    assert (
        tokens["partner"].post(url, {"status": "achieved", "rag": "green", "evidence": "x"}, format="json").status_code
        == 404
    )
    bad = tokens["involved"].post(url, {"status": "nonsense", "rag": "green", "evidence": "x"}, format="json")
    assert bad.status_code == 400
    assert tokens["involved"].get("/api/v1/objectives/not-a-uid/updates/").status_code == 404


def test_reviews_and_scaling_scores_through_the_api(agreed_plan, pc, client_for, tokens):
    agreed_plan.refresh_from_db()
    client = client_for(pc.lead)
    body = {
        "version": agreed_plan.version,
        "held_on": today().isoformat(),
        "attendance": "Jo Marsh",
        "decisions": "Carry on",
        "scores": [
            {"kind": "family", "name": "Jo Marsh", "role": "Mother", "score": 7, "reason": "Better"},
            {
                "kind": "professional",
                "user": pc.lead.pk,
                "agency": pc.cast.agency.code,
                "score": 4,
                "reason": "Early days",
            },
        ],
    }
    response = client.post(
        f"/api/v1/care-plans/{agreed_plan.pk}/reviews/", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    scores = tokens["involved"].get(f"/api/v1/care-plans/{agreed_plan.pk}/scaling-scores/").json()
    assert sorted((s["name"], s["score"]) for s in scores) == [
        ("Jo Marsh", 7),
        (pc.lead.get_full_name() or pc.lead.username, 4),
    ]
    body["scores"][0]["score"] = 11
    body["version"] = agreed_plan.version + 1
    assert (
        client.post(
            f"/api/v1/care-plans/{agreed_plan.pk}/reviews/", data=json.dumps(body), content_type="application/json"
        ).status_code
        == 400
    )
