"""API: /api/v1/audits/ (list and read, with sample and status), responses (an agency token posts its
agency's responses for sampled cases), findings. Not-yours: 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from safeguarding.api.tests.factories import make_token, signed_in_client, token_client
from safeguarding.audits import services
from safeguarding.audits.enums import FindingKind
from safeguarding.audits.models import AuditResponse
from safeguarding.audits.tests.conftest import set_dates
from safeguarding.core.models import ActivityLog


@pytest.fixture
def api(ac):
    audit = ac.running(cases=2)
    _, health_key = make_token(ac.cast.agency)
    _, unrelated_key = make_token(ac.cast.unrelated_agency)
    return audit, token_client(health_key), token_client(unrelated_key)


def _answers(audit, grade="good"):
    return [
        {"question": q.number, "grade": grade, "narrative": f"Because {q.number}"} for q in audit.tool.questions.all()
    ]


def test_list_and_retrieve_with_sample(ac, api):
    audit, health, unrelated = api
    body = health.get("/api/v1/audits/").json()
    assert [a["id"] for a in body["results"]] == [audit.pk]
    item = health.get(f"/api/v1/audits/{audit.pk}/").json()
    assert item["status"] == "in_progress"
    assert item["sample"]["seed"] == 7
    assert item["sample"]["case_count"] == 3
    children = {c["child"]["id"] for c in item["sample"]["cases"]}
    assert ac.cast.other_child.pk in children
    assert item["tool"]["scale"][0] == {"code": "outstanding", "name": "Outstanding"}
    assert ActivityLog.objects.filter(action="audit.sample_viewed", subject_child_id=ac.cast.other_child.pk).exists()
    assert unrelated.get("/api/v1/audits/").json()["results"] == []
    assert unrelated.get(f"/api/v1/audits/{audit.pk}/").status_code == 404


def test_children_hidden_outside_the_audit_period(ac, api):
    audit, health, _ = api
    today = timezone.localdate()
    set_dates(audit, today + timedelta(days=2), today + timedelta(days=30))
    item = health.get(f"/api/v1/audits/{audit.pk}/").json()
    assert item["sample"]["case_count"] == 3
    assert all(c["child"] is None for c in item["sample"]["cases"])


def test_scrutineer_sees_audit_but_no_cases_or_responses(ac, api):
    audit, _, _ = api
    client = signed_in_client(ac.scrutineer, verified=True)
    item = client.get(f"/api/v1/audits/{audit.pk}/").json()
    assert item["sample"]["cases"] is None
    assert item["sample"]["case_count"] == 3
    assert client.get(f"/api/v1/audits/{audit.pk}/responses/").status_code == 404
    assert client.get(f"/api/v1/audits/{audit.pk}/findings/").status_code == 200


def test_token_posts_own_agency_responses(ac, api):
    audit, health, unrelated = api
    case = ac.hand_picked(audit)
    response = health.post(
        f"/api/v1/audits/{audit.pk}/responses/", {"case": case.pk, "answers": _answers(audit)}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert len(response.json()) == audit.tool.questions.count()
    assert set(AuditResponse.objects.values_list("agency_id", flat=True)) == {ac.cast.agency.pk}
    listed = health.get(f"/api/v1/audits/{audit.pk}/responses/").json()
    assert {r["agency"] for r in listed} == {ac.cast.agency.code}
    # Another participating agency's part: 403.
    other = health.post(
        f"/api/v1/audits/{audit.pk}/responses/",
        {"case": case.pk, "agency": ac.cast.partner_agency.code, "answers": _answers(audit)},
        format="json",
    )
    assert other.status_code == 403
    assert unrelated.post(f"/api/v1/audits/{audit.pk}/responses/", {}, format="json").status_code == 404


def test_post_responses_validation(ac, api):
    audit, health, _ = api
    case = ac.hand_picked(audit)
    bad_grade = health.post(
        f"/api/v1/audits/{audit.pk}/responses/",
        {"case": case.pk, "answers": _answers(audit, grade="brilliant")},
        format="json",
    )
    assert bad_grade.status_code == 400
    assert "q1_grade" in bad_grade.json()["errors"]
    no_case = health.post(
        f"/api/v1/audits/{audit.pk}/responses/", {"case": 999999, "answers": _answers(audit)}, format="json"
    )
    assert no_case.status_code == 400
    no_question = health.post(
        f"/api/v1/audits/{audit.pk}/responses/",
        {"case": case.pk, "answers": [{"question": 99, "grade": "good", "narrative": "x"}]},
        format="json",
    )
    assert no_question.status_code == 400
    # A nested field is named by its path, as on every endpoint (not folded into "answers": ["item 2: ..."]).
    unreadable = health.post(
        f"/api/v1/audits/{audit.pk}/responses/",
        {"case": case.pk, "answers": [*_answers(audit), {"question": "first", "grade": "good"}]},
        format="json",
    )
    assert unreadable.status_code == 400
    errors = unreadable.json()["errors"]
    index = len(_answers(audit))
    assert errors == {
        f"answers[{index}].question": ["A valid integer is required."],
        f"answers[{index}].narrative": ["This field is required."],
    }


def test_post_after_the_audit_period_is_refused(ac, api):
    audit, health, _ = api
    today = timezone.localdate()
    set_dates(audit, today - timedelta(days=30), today - timedelta(days=1))
    case = ac.hand_picked(audit)
    response = health.post(
        f"/api/v1/audits/{audit.pk}/responses/", {"case": case.pk, "answers": _answers(audit)}, format="json"
    )
    assert response.status_code == 403
    assert not AuditResponse.objects.exists()


def test_findings_endpoint(ac, api):
    audit, health, unrelated = api
    from safeguarding.audits.enums import AuditStatus
    from safeguarding.audits.models import Audit

    Audit.objects.filter(pk=audit.pk).update(status=AuditStatus.FINDINGS)
    audit.refresh_from_db()
    services.add_finding(actor=ac.lead, audit=audit, kind=FindingKind.STRENGTH, text="Help offered early.")
    body = health.get(f"/api/v1/audits/{audit.pk}/findings/").json()
    assert body == [
        {
            "id": audit.findings.get().pk,
            "number": 1,
            "kind": "strength",
            "text": "Help offered early.",
            "themes": [],
            "actions": [],
            "created_at": body[0]["created_at"],
        }
    ]
    assert unrelated.get(f"/api/v1/audits/{audit.pk}/findings/").status_code == 404
    assert health.get("/api/v1/audits/abc/findings/").status_code == 404
