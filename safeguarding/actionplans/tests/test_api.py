"""API v1 action plans, actions and updates: the same rules as the pages; 401 without credentials, 404
for what the caller may not see, 403 for a change they may not make, 400 naming the field."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from safeguarding.actionplans.enums import ActionRag, ActionStatus
from safeguarding.actionplans.models import Action, ActionUpdate
from safeguarding.actionplans.tests.conftest import PlanCast
from safeguarding.api.tests.factories import make_token, signed_in_client, token_client

S, R = ActionStatus, ActionRag


def _update(pc: PlanCast, action: Action | None = None, **extra: str) -> dict[str, Any]:
    """An update as a client sends it, with the action's version as it reads it now (a1 unless named)."""
    version = Action.objects.values_list("version", flat=True).get(pk=(action or pc.a1).pk)
    return {
        "version": version,
        "written_on": pc.today.isoformat(),
        "narrative": "Progress",
        "status": S.ON_TRACK,
        "rag": R.GREEN,
        **extra,
    }


def test_plan_list_and_detail_with_actions_and_progress(pc: PlanCast) -> None:
    pc.update(pc.a1, S.COMPLETE, R.BLUE)
    client = signed_in_client(pc.business, verified=True)
    listed = client.get("/api/v1/action-plans/").json()
    assert [p["reference"] for p in listed["results"]] == [pc.plan.reference]
    assert listed["results"][0]["progress"]["percent_complete"] == 50
    detail = client.get(f"/api/v1/action-plans/{pc.plan.pk}/").json()
    assert [a["reference"] for a in detail["actions"]] == [pc.a1.reference, pc.a2.reference]
    assert detail["actions"][0]["recommendation"]["uid"] == str(pc.recs[1].uid)
    assert detail["progress"]["by_status"]["complete"] == 1
    assert detail["review"] == pc.review.pk
    per_rec = detail["recommendations"]
    assert [r["recommendation"]["number"] for r in per_rec] == [1, 2, 3, 4, 5]
    assert [r["actions"] for r in per_rec] == [[], [pc.a1.pk], [], [], [pc.a2.pk]]
    assert per_rec[1]["progress"]["percent_complete"] == 100
    assert per_rec[0]["text"] == pc.recs[0].text


def test_api_needs_credentials(pc: PlanCast) -> None:
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/action-plans/").status_code == 401
    assert APIClient().get("/api/v1/actions/").status_code == 401


def test_actions_filters_and_bad_filter_is_400(pc: PlanCast) -> None:
    late = pc.action(due_in=-1)
    client = signed_in_client(pc.business, verified=True)
    overdue = client.get("/api/v1/actions/?overdue=true").json()["results"]
    assert [a["id"] for a in overdue] == [late.pk]
    assert overdue[0]["overdue"] is True
    by_agency = client.get(f"/api/v1/actions/?lead_agency={pc.rc.cast.partner_agency.code}").json()["results"]
    assert [a["id"] for a in by_agency] == [pc.a2.pk]
    assert len(client.get(f"/api/v1/actions/?plan={pc.plan.pk}&status=not_started").json()["results"]) == 3
    assert len(client.get("/api/v1/actions/?overdue=false").json()["results"]) == 2
    bad = client.get("/api/v1/actions/?status=finished")
    assert bad.status_code == 400
    assert "status" in bad.json()["errors"]


def test_scrutineer_reads_but_cannot_post(pc: PlanCast) -> None:
    client = signed_in_client(pc.rc.scrutineer, verified=True)
    assert client.get(f"/api/v1/action-plans/{pc.plan.pk}/").status_code == 200
    assert client.get(f"/api/v1/actions/{pc.a1.pk}/updates/").status_code == 200
    response = client.post(f"/api/v1/actions/{pc.a1.pk}/updates/", _update(pc), content_type="application/json")
    assert response.status_code == 403
    assert not ActionUpdate.objects.exists()


def test_lead_officer_posts_on_own_action_only(pc: PlanCast) -> None:
    client = signed_in_client(pc.lead, verified=True)
    refused = client.post(f"/api/v1/actions/{pc.a2.pk}/updates/", _update(pc, pc.a2), content_type="application/json")
    assert refused.status_code == 403
    created = client.post(f"/api/v1/actions/{pc.a1.pk}/updates/", _update(pc), content_type="application/json")
    assert created.status_code == 201
    assert created.json()["status"] == "on_track"
    assert Action.objects.get(pk=pc.a1.pk).status == S.ON_TRACK


def test_status_rule_breaks_are_400_naming_the_field(pc: PlanCast) -> None:
    client = signed_in_client(pc.lead, verified=True)
    url = f"/api/v1/actions/{pc.a1.pk}/updates/"
    wrong_rag = client.post(url, _update(pc, rag=R.BLUE), content_type="application/json")
    assert wrong_rag.status_code == 400
    assert "rag" in wrong_rag.json()["errors"]
    no_evidence = client.post(
        url, _update(pc, status=S.COMPLETE_WITH_IMPACT, rag=R.BLUE), content_type="application/json"
    )
    assert "evidence" in no_evidence.json()["errors"]
    bad_date = client.post(url, _update(pc, written_on="31/12/2026"), content_type="application/json")
    assert "written_on" in bad_date.json()["errors"]


def test_multipart_update_with_evidence(pc: PlanCast) -> None:
    client = signed_in_client(pc.lead, verified=True)
    response = client.post(
        f"/api/v1/actions/{pc.a1.pk}/updates/",
        {
            **_update(pc, status=S.COMPLETE_WITH_IMPACT, rag=R.BLUE),
            "evidence": [SimpleUploadedFile("a.txt", b"one"), SimpleUploadedFile("b.txt", b"two")],
        },
    )
    assert response.status_code == 201, response.json()
    assert sorted(e["filename"] for e in response.json()["evidence"]) == ["a.txt", "b.txt"]
    assert Action.objects.get(pk=pc.a1.pk).completed_on == pc.today


def test_too_many_or_too_large_evidence_files_are_refused_before_reading(pc: PlanCast, monkeypatch) -> None:
    from safeguarding.actionplans import services

    client = signed_in_client(pc.lead, verified=True)
    url = f"/api/v1/actions/{pc.a1.pk}/updates/"
    files = [SimpleUploadedFile(f"{n}.txt", b"x") for n in range(services.MAX_EVIDENCE_FILES + 1)]
    many = client.post(url, {**_update(pc), "evidence": files})
    assert many.status_code == 400
    assert many.json()["errors"]["evidence"] == ["Attach at most 10 files to one update."]
    monkeypatch.setattr(services, "MAX_DOCUMENT_BYTES", 2)
    large = client.post(url, {**_update(pc), "evidence": [SimpleUploadedFile("big.txt", b"three")]})
    assert large.status_code == 400
    assert "larger than" in large.json()["errors"]["evidence"][0]
    assert not pc.a1.updates.exists()


def test_agency_token_sees_and_updates_its_agencys_actions_only(pc: PlanCast) -> None:
    _, police_key = make_token(pc.rc.cast.partner_agency)
    _, housing_key = make_token(pc.rc.cast.unrelated_agency)
    police = token_client(police_key)
    detail = police.get(f"/api/v1/action-plans/{pc.plan.pk}/").json()
    assert [a["id"] for a in detail["actions"]] == [pc.a2.pk]  # only the action its agency leads
    assert [a["id"] for a in police.get("/api/v1/actions/").json()["results"]] == [pc.a2.pk]
    assert police.get(f"/api/v1/actions/{pc.a1.pk}/").status_code == 404
    assert police.post(f"/api/v1/actions/{pc.a1.pk}/updates/", _update(pc), format="json").status_code == 404
    assert police.post(f"/api/v1/actions/{pc.a2.pk}/updates/", _update(pc, pc.a2), format="json").status_code == 201
    housing = token_client(housing_key)
    assert housing.get("/api/v1/action-plans/").json()["results"] == []
    assert housing.get(f"/api/v1/action-plans/{pc.plan.pk}/").status_code == 404


def test_unrelated_and_odd_ids_answer_404(pc: PlanCast) -> None:
    client = signed_in_client(pc.rc.cast.unrelated, verified=True)
    for url in (
        f"/api/v1/action-plans/{pc.plan.pk}/",
        f"/api/v1/actions/{pc.a1.pk}/",
        f"/api/v1/actions/{pc.a1.pk}/updates/",
        "/api/v1/actions/abc/",
        "/api/v1/action-plans/99999999999999999999999/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Not found."}
    assert client.get("/api/v1/actions/").json()["results"] == []
    assert Action.objects.count() == 2  # the data that could leak is there


def test_a_second_update_from_a_stale_read_is_409_and_changes_nothing(pc: PlanCast) -> None:
    """Issue 14: two people updating the same action; the second no longer overwrites the first."""
    client = signed_in_client(pc.lead, verified=True)
    read = _update(pc)  # both read version 1
    first = client.post(f"/api/v1/actions/{pc.a1.pk}/updates/", read, content_type="application/json")
    second = client.post(
        f"/api/v1/actions/{pc.a1.pk}/updates/",
        {**read, "status": S.OFF_TRACK, "rag": R.RED, "narrative": "Stalled"},
        content_type="application/json",
    )
    assert (first.status_code, second.status_code) == (201, 409)
    assert "Someone else changed this action" in second.json()["detail"]
    action = Action.objects.get(pk=pc.a1.pk)
    assert (action.status, action.rag, action.updates.count()) == (S.ON_TRACK, R.GREEN, 1)
