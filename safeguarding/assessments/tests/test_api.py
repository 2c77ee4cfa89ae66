"""API: read for agency tokens and people (the access matrix with three personas), filters, create and
complete for trained people only (tokens and untrained people 403), completed assessments immutable
(409), templates without descriptor wording."""

from __future__ import annotations

from typing import Any

import pytest

from safeguarding.api.tests.factories import make_token, token_client
from safeguarding.assessments.enums import AssessmentStatus
from safeguarding.assessments.models import Assessment
from safeguarding.assessments.tests.conftest import CODES, AsmCast
from safeguarding.core.models import ActivityLog


def _token(asm: AsmCast, persona: str) -> Any:
    agency = {"involved": asm.cast.agency, "partner": asm.cast.partner_agency, "unrelated": asm.cast.unrelated_agency}
    return token_client(make_token(agency[persona])[1])


@pytest.mark.parametrize(
    ("persona", "status", "count"), [("involved", 200, 2), ("partner", 404, 0), ("unrelated", 404, 0)]
)
def test_token_access_matrix(asm: AsmCast, persona: str, status: int, count: int) -> None:
    first = asm.completed(days_ago=20)
    asm.completed(asm.csc, days_ago=5)
    asm.draft()  # drafts are the assessor's own: never shown to a token
    client = _token(asm, persona)
    listed = client.get("/api/v1/assessments/").json()
    assert listed["count"] == count
    response = client.get(f"/api/v1/assessments/{first.pk}/")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["child"] == asm.cast.child.pk
        assert body["template"] == "neglect-profile"
        assert body["status"] == AssessmentStatus.COMPLETED
        assert [g["unit"] for g in body["grades"]] == CODES
        assert body["grades"][0] == {
            "unit": "nutrition",
            "area": "physical-care",
            "sub_area": "nutrition",
            "item": None,
            "grade": 3,
            "evidence": "Evidence for nutrition.",
            "cited_entries": [],
        }
        log = ActivityLog.objects.filter(action="assessment.viewed").latest("at")
        assert log.subject_child_id == asm.cast.child.pk
    else:
        assert response.json() == {"detail": "Not found."}


def test_listing_assessments_is_logged_as_a_look_at_each_childs_record(asm: AsmCast) -> None:
    """The list returns what the detail logs as a view, so it logs it too (issue 16)."""
    first = asm.completed(days_ago=20)
    second = asm.completed(asm.csc, days_ago=5)
    assert _token(asm, "involved").get("/api/v1/assessments/").json()["count"] == 2
    views = ActivityLog.objects.filter(action="assessment.viewed")
    assert sorted(views.values_list("target_id", flat=True)) == sorted([str(first.pk), str(second.pk)])
    assert set(views.values_list("subject_child_id", flat=True)) == {asm.cast.child.pk}
    # Nothing shown, nothing logged.
    assert _token(asm, "partner").get("/api/v1/assessments/").json()["count"] == 0
    assert views.count() == 2


def test_list_filters(asm: AsmCast) -> None:
    asm.completed(days_ago=20)
    csc_one = asm.completed(asm.csc, days_ago=5)
    client = _token(asm, "involved")
    assert [a["id"] for a in client.get("/api/v1/assessments/?agency=CSC").json()["results"]] == [csc_one.pk]
    assert client.get(f"/api/v1/assessments/?child={asm.cast.child.pk}&template=neglect-profile").json()["count"] == 2
    assert client.get(f"/api/v1/assessments/?child={asm.cast.other_child.pk}").json()["count"] == 0
    bad = client.get("/api/v1/assessments/?child=abc")
    assert bad.status_code == 400
    assert bad.json()["errors"]["child"] == ["Give a child's id (a whole number)."]


def test_a_token_cannot_create_or_complete(asm: AsmCast) -> None:
    client = _token(asm, "involved")
    response = client.post(
        "/api/v1/assessments/", {"child": asm.cast.child.pk, "template": "neglect-profile"}, format="json"
    )
    assert response.status_code == 403
    assert "agency system token can read assessments but not make them" in response.json()["detail"]
    draft = asm.draft()
    assert client.post(f"/api/v1/assessments/{draft.pk}/complete/", {"version": 1}, format="json").status_code == 404
    assert Assessment.objects.count() == 1


def _grades(value: int = 2) -> list[dict[str, Any]]:
    return [{"unit": code, "grade": value, "evidence": f"Seen: {code}"} for code in CODES]


def test_a_trained_person_creates_and_completes_through_the_api(asm: AsmCast, client_for) -> None:
    client = client_for(asm.involved)
    response = client.post(
        "/api/v1/assessments/",
        {"child": asm.cast.child.pk, "template": "neglect-profile", "grades": _grades()[:3]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert body["agency"] == "HV"
    assert [g["grade"] for g in body["grades"]][:4] == [2, 2, 2, None]
    pk, version = body["id"], body["version"]
    incomplete = client.post(
        f"/api/v1/assessments/{pk}/complete/", {"version": version}, content_type="application/json"
    )
    assert incomplete.status_code == 400
    assert "Choose a grade for hygiene before you complete." in incomplete.json()["errors"]["hygiene"]
    done = client.post(
        f"/api/v1/assessments/{pk}/complete/",
        {"version": version, "grades": _grades(), "overall_view": "Improving.", "next_steps": "Review in 3 months."},
        content_type="application/json",
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "completed"
    again = client.post(
        f"/api/v1/assessments/{pk}/complete/",
        {"version": done.json()["version"], "grades": _grades(5)},
        content_type="application/json",
    )
    assert again.status_code == 409
    assert "cannot be changed" in again.json()["detail"]
    assert Assessment.objects.get(pk=pk).grades.filter(grade=5).count() == 0


def test_create_and_complete_at_once_and_stale_version(asm: AsmCast, client_for) -> None:
    client = client_for(asm.csc)
    body = {
        "child": asm.cast.child.pk,
        "template": "neglect-profile",
        "grades": _grades(4),
        "overall_view": "Serious concerns.",
        "next_steps": "Strategy discussion.",
        "complete": True,
    }
    response = client.post("/api/v1/assessments/", body, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["status"] == "completed"
    assert response.json()["agency"] == "CSC"
    draft = client.post(
        "/api/v1/assessments/",
        {"child": asm.cast.child.pk, "template": "neglect-profile"},
        content_type="application/json",
    ).json()
    stale = client.post(
        f"/api/v1/assessments/{draft['id']}/complete/",
        {"version": draft["version"] + 5},
        content_type="application/json",
    )
    assert stale.status_code == 409


def test_an_untrained_person_is_refused_and_hidden_children_look_missing(asm: AsmCast, client_for) -> None:
    untrained = client_for(asm.untrained).post(
        "/api/v1/assessments/",
        {"child": asm.cast.child.pk, "template": "neglect-profile"},
        content_type="application/json",
    )
    assert untrained.status_code == 403
    assert "trained for the Neglect profile" in untrained.json()["detail"]
    hidden = client_for(asm.involved).post(
        "/api/v1/assessments/",
        {"child": asm.cast.other_child.pk, "template": "neglect-profile"},
        content_type="application/json",
    )
    assert hidden.status_code == 400
    assert hidden.json()["errors"]["child"] == ["Choose a child your agency works with."]
    missing = client_for(asm.involved).post(
        "/api/v1/assessments/", {"child": 987654, "template": "neglect-profile"}, content_type="application/json"
    )
    assert (missing.status_code, missing.json()) == (hidden.status_code, hidden.json())
    unknown = client_for(asm.involved).post(
        "/api/v1/assessments/", {"child": asm.cast.child.pk, "template": "nope"}, content_type="application/json"
    )
    assert unknown.json()["errors"]["template"] == [
        "No template in use has this code. See /api/v1/assessment-templates/."
    ]
    assert not Assessment.objects.exists()


def test_templates_endpoint(asm: AsmCast) -> None:
    client = _token(asm, "unrelated")
    listed = client.get("/api/v1/assessment-templates/").json()
    assert [t["code"] for t in listed["results"]] == ["neglect-profile"]
    detail = client.get(f"/api/v1/assessment-templates/{asm.template.pk}/").json()
    assert detail["grade_by"] == "sub_area"
    assert [s["value"] for s in detail["scale"]] == [1, 2, 3, 4, 5]
    assert [a["code"] for a in detail["areas"]] == ["physical-care", "safety", "love-and-belonging", "esteem"]
    assert "'descriptors':" not in str(detail)  # no such key anywhere in the structure
    assert client.get("/api/v1/assessment-templates/99999/").status_code == 404
    assert client.get("/api/v1/assessment-templates/abc/").status_code == 404


def test_nested_errors_are_named_by_path(asm: AsmCast, client_for) -> None:
    response = client_for(asm.involved).post(
        "/api/v1/assessments/",
        {
            "child": asm.cast.child.pk,
            "template": "neglect-profile",
            "grades": [{"grade": 999}, {"unit": "x", "entries": ["a"]}],
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["grades[0].unit"] == ["This field is required."]
    assert errors["grades[0].grade"] == ["Ensure this value is less than or equal to 100."]
    assert errors["grades[1].entries[0]"] == ["A valid integer is required."]
    refused = client_for(asm.involved).post("/api/v1/assessments/?child=0", {}, content_type="application/json")
    assert refused.status_code == 400
    assert _token(asm, "involved").get("/api/v1/assessments/?child=0").status_code == 400
