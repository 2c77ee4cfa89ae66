"""API: PATCH /api/v1/audits/{id}/ (the plan, with the version read; 409 when stale), GET …/auditors/ and
POST …/auditors/{auditor_id}/remove/ (with the reason). Not-yours: 404; yours to read but not to change: 403."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from safeguarding.api.tests.factories import make_token, signed_in_client, token_client
from safeguarding.audits.enums import AuditStatus
from safeguarding.audits.models import Audit, AuditAuditor
from safeguarding.audits.tests.helpers import grade_all
from safeguarding.audits.workflow import STALE_MESSAGE
from safeguarding.core.models import ActivityLog


def _patch(client, audit, body):
    return client.patch(f"/api/v1/audits/{audit.pk}/", json.dumps(body), content_type="application/json")


def _remove(client, audit, auditor_id, body):
    return client.post(
        f"/api/v1/audits/{audit.pk}/auditors/{auditor_id}/remove/", json.dumps(body), content_type="application/json"
    )


@pytest.fixture
def business(ac):
    return signed_in_client(ac.business, verified=True)


def test_patch_changes_the_plan(ac, business):
    audit = ac.plan()
    today = timezone.localdate()
    response = _patch(
        business,
        audit,
        {
            "version": audit.version,
            "end_on": (today + timedelta(days=60)).isoformat(),
            "agencies": ["HV", "POL", "HSG"],
            "lead_id": ac.business.pk,
            "title": "Early help audit, extended",
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["end_on"] == (today + timedelta(days=60)).isoformat()
    assert sorted(body["agencies"]) == ["HSG", "HV", "POL"]
    assert body["lead_id"] == ac.business.pk
    assert body["title"] == "Early help audit, extended"
    assert body["version"] == audit.version + 1
    log = ActivityLog.objects.get(action="audit.changed")
    assert set(log.changes) == {"end_on", "agencies", "lead", "title"}
    assert log.via == "api"


def test_patch_with_a_stale_version_answers_409(ac, business):
    audit = ac.plan()
    assert _patch(business, audit, {"version": audit.version, "title": "First"}).status_code == 200
    stale = _patch(business, audit, {"version": audit.version, "title": "Second"})
    assert stale.status_code == 409
    assert stale.json() == {"detail": STALE_MESSAGE}
    assert Audit.objects.get(pk=audit.pk).title == "First"


def test_patch_needs_the_version(ac, business):
    audit = ac.plan()
    response = _patch(business, audit, {"title": "No version"})
    assert response.status_code == 400
    assert "version" in response.json()["errors"]


def test_patch_validation_names_the_field_and_the_agency(ac, business):
    audit = ac.running(cases=1)
    grade_all(ac.police_auditor, ac.hand_picked(audit), ac.cast.partner_agency, "good")
    AuditAuditor.objects.filter(audit=audit, user=ac.police_auditor).delete()
    response = _patch(
        business,
        audit,
        {"version": audit.version, "agencies": ["HV"], "end_on": (audit.start_on - timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["agencies"] == [
        "Test Police has already recorded responses, so it cannot be removed from the participating agencies."
    ]
    assert errors["end_on"] == ["The end date must be on or after the start date."]
    unknown = _patch(business, audit, {"version": audit.version, "agencies": ["HV", "NOPE"], "lead_id": 999999})
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == {
        "agencies": ["No agency has the code NOPE."],
        "lead_id": ["No person with this id can lead the audit."],
    }


def test_patch_refused_to_auditors_scrutineers_and_agency_systems(ac):
    audit = ac.running(cases=1)
    _, health_key = make_token(ac.cast.agency)
    _, housing_key = make_token(ac.cast.unrelated_agency)
    body = {"version": audit.version, "title": "Not yours"}
    for client in (
        signed_in_client(ac.cast.involved, verified=True),
        signed_in_client(ac.scrutineer, verified=True),
        token_client(health_key),
    ):
        response = _patch(client, audit, body)
        assert response.status_code == 403
        assert response.json() == {
            "detail": "Only the business unit or the audit's lead can change the audit's details."
        }
    # Those who cannot see the audit at all: 404, as for an audit that does not exist.
    assert _patch(token_client(housing_key), audit, body).status_code == 404
    assert _patch(signed_in_client(ac.cast.unrelated, verified=True), audit, body).status_code == 404
    assert Audit.objects.get(pk=audit.pk).title == "Early help service audit"
    # The lead may.
    assert _patch(signed_in_client(ac.lead, verified=True), audit, body).status_code == 200


def test_patch_a_closed_audit_is_refused(ac, business):
    audit = ac.plan()
    Audit.objects.filter(pk=audit.pk).update(status=AuditStatus.CLOSED)
    response = _patch(business, audit, {"version": audit.version, "title": "Too late"})
    assert response.status_code == 403
    assert response.json() == {"detail": "The audit is closed, so its details can no longer be changed."}


def test_auditors_list_and_remove(ac, business):
    audit = ac.running(cases=1)
    listed = business.get(f"/api/v1/audits/{audit.pk}/auditors/").json()
    assert {(a["user_id"], a["agency"]) for a in listed} == {(ac.cast.involved.pk, "HV"), (ac.police_auditor.pk, "POL")}
    police = next(a for a in listed if a["agency"] == "POL")
    police_client = signed_in_client(ac.police_auditor, verified=True)
    assert police_client.get(f"/api/v1/audits/{audit.pk}/").status_code == 200

    short = _remove(business, audit, police["id"], {"reason": "left"})
    assert short.status_code == 400
    assert short.json()["errors"] == {
        "reason": ["Enter why this person is no longer an auditor, in at least 10 characters."]
    }
    response = _remove(business, audit, police["id"], {"reason": "Moved to the response team"})
    assert response.status_code == 200
    assert [a["user_id"] for a in response.json()] == [ac.cast.involved.pk]
    log = ActivityLog.objects.get(action="audit.auditor_removed")
    assert log.changes["reason"] == [None, "Moved to the response team"]
    assert log.via == "api"
    # Their access has ended: 404 on the audit, its responses and auditors, and the list is empty.
    assert police_client.get(f"/api/v1/audits/{audit.pk}/").status_code == 404
    assert police_client.get(f"/api/v1/audits/{audit.pk}/responses/").status_code == 404
    assert police_client.get(f"/api/v1/audits/{audit.pk}/auditors/").status_code == 404
    assert police_client.get("/api/v1/audits/").json()["results"] == []
    # Already removed, or never on this audit: 404.
    assert _remove(business, audit, police["id"], {"reason": "Moved to the response team"}).status_code == 404
    assert _remove(business, audit, "abc", {"reason": "Moved to the response team"}).status_code == 404


def test_remove_auditor_refused_to_auditors_scrutineers_and_systems(ac):
    audit = ac.running(cases=1)
    police = AuditAuditor.objects.get(audit=audit, user=ac.police_auditor)
    _, health_key = make_token(ac.cast.agency)
    _, housing_key = make_token(ac.cast.unrelated_agency)
    body = {"reason": "Removing a colleague"}
    for client in (
        signed_in_client(ac.cast.involved, verified=True),
        signed_in_client(ac.scrutineer, verified=True),
        token_client(health_key),
    ):
        response = _remove(client, audit, police.pk, body)
        assert response.status_code == 403
        assert response.json() == {"detail": "Only the business unit or the audit's lead can remove auditors."}
    assert _remove(token_client(housing_key), audit, police.pk, body).status_code == 404
    assert AuditAuditor.objects.filter(pk=police.pk).exists()
    # Scrutineers read summaries only: the auditors list is not theirs either.
    assert signed_in_client(ac.scrutineer, verified=True).get(f"/api/v1/audits/{audit.pk}/auditors/").status_code == 404
