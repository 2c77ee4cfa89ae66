"""GET /api/v1/alerts/ with filters, and the acknowledge / decide / close actions, for the three personas."""

from __future__ import annotations

from typing import Any

import pytest

from safeguarding.api.tests.factories import make_token, token_client
from safeguarding.concerns.models import Alert
from safeguarding.concerns.tests.helpers import days_ago
from safeguarding.escalations.models import Escalation
from safeguarding.testing.personas import Cast

pytestmark = pytest.mark.django_db
URL = "/api/v1/alerts/"


def test_list_with_filters_and_evidence_ids(cast: Cast, alert: Alert) -> None:
    _, key = make_token(cast.agency)
    client = token_client(key)
    body = client.get(URL).json()
    (row,) = body["results"]
    assert (row["rule"], row["status"], row["child"]) == ("wnb", "new", cast.child.pk)
    assert row["first_met_on"] == days_ago(100).isoformat()
    assert sorted(row["evidence"]) == sorted(alert.evidence.values_list("event_id", flat=True))
    assert client.get(URL, {"rule": "wnb", "status": "new", "child": cast.child.pk}).json()["count"] == 1
    assert client.get(URL, {"rule": "other"}).json()["count"] == 0
    assert client.get(URL, {"status": "closed"}).json()["count"] == 0
    assert client.get(URL, {"status": "nonsense"}).status_code == 400
    assert client.get(URL, {"child": "abc"}).status_code == 400


def test_reading_one_alert_is_logged_as_a_look_at_the_childs_record(cast: Cast, alert: Alert) -> None:
    from safeguarding.core.models import ActivityLog

    _, key = make_token(cast.agency)
    assert token_client(key).get(f"{URL}{alert.pk}/").status_code == 200
    assert ActivityLog.objects.for_child(cast.child.pk).views().filter(action="alert.viewed").count() == 1


def test_listing_alerts_is_logged_as_a_look_at_each_childs_record(cast: Cast, alert: Alert) -> None:
    """The list returns what the detail logs as a view, so it logs it too (issue 16)."""
    from safeguarding.core.models import ActivityLog

    _, key = make_token(cast.agency)
    assert token_client(key).get(URL, {"child": cast.child.pk}).json()["count"] == 1
    assert ActivityLog.objects.for_child(cast.child.pk).views().filter(action="alert.viewed").count() == 1


@pytest.mark.parametrize("persona", ["partner", "unrelated"])
def test_other_agencies_get_nothing_and_404(cast: Cast, alert: Alert, persona: str) -> None:
    agency = cast.partner_agency if persona == "partner" else cast.unrelated_agency
    _, key = make_token(agency)
    client = token_client(key)
    assert client.get(URL).json()["count"] == 0
    assert client.get(f"{URL}{alert.pk}/").status_code == 404
    response = client.post(f"{URL}{alert.pk}/acknowledge/", {"version": alert.version}, format="json")
    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.status == "new"


def test_session_user_acts_through_the_api(cast: Cast, alert: Alert, client_for: Any) -> None:
    client = client_for(cast.involved)
    response = client.post(f"{URL}{alert.pk}/acknowledge/", {"version": alert.version}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "acknowledged"
    stale = client.post(f"{URL}{alert.pk}/acknowledge/", {"version": 1}, content_type="application/json")
    assert stale.status_code == 409


def test_decide_and_close(cast: Cast, alert: Alert) -> None:
    _, key = make_token(cast.agency)
    client = token_client(key)
    v = alert.version
    no_reason = client.post(f"{URL}{alert.pk}/decide/", {"version": v, "decision": "no_action"}, format="json")
    assert no_reason.status_code == 400
    assert "note" in no_reason.json()["errors"]
    early = client.post(f"{URL}{alert.pk}/close/", {"version": v}, format="json")
    assert early.status_code == 400
    missing = client.post(
        f"{URL}{alert.pk}/decide/", {"version": v, "decision": "escalation", "escalation": 999999}, format="json"
    )
    assert missing.status_code == 400
    decided = client.post(f"{URL}{alert.pk}/decide/", {"version": v, "decision": "referral"}, format="json")
    assert decided.status_code == 200
    assert decided.json()["decision"] == "referral"
    closed = client.post(f"{URL}{alert.pk}/close/", {"version": decided.json()["version"]}, format="json")
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert not Escalation.objects.exists()
