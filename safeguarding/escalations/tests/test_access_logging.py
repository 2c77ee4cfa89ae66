"""Opening an escalation is a view of each named child's record (found in an access review)."""

import pytest

from safeguarding.core.models import ActivityLog

pytestmark = pytest.mark.django_db


def test_opening_an_escalation_page_logs_a_view_of_the_childs_record(esc_cast, client_for):
    esc = esc_cast.raise_one()
    response = client_for(esc_cast.raiser).get(f"/escalations/{esc.pk}/")
    assert response.status_code == 200
    rows = ActivityLog.objects.filter(action="escalation.viewed", actor=esc_cast.raiser)
    assert list(rows.values_list("subject_child_id", flat=True)) == [esc_cast.cast.child.pk]


def test_the_receiving_side_sees_no_child_and_its_view_is_logged_without_one(esc_cast, client_for):
    esc = esc_cast.raise_one()
    response = client_for(esc_cast.receiver).get(f"/escalations/{esc.pk}/")
    assert response.status_code == 200
    assert esc_cast.cast.child.first_name not in response.content.decode()
    rows = ActivityLog.objects.filter(action="escalation.viewed", actor=esc_cast.receiver)
    assert list(rows.values_list("subject_child_id", flat=True)) == [None]


def test_api_retrieve_logs_the_view(esc_cast):
    from safeguarding.api.tests.factories import make_token

    esc = esc_cast.raise_one()
    _, key = make_token(esc_cast.cast.agency)
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(f"/api/v1/escalations/{esc.pk}/").status_code == 200
    assert ActivityLog.objects.filter(
        action="escalation.viewed", subject_child_id=esc_cast.cast.child.pk, via="api"
    ).exists()


def test_api_create_answers_a_hidden_child_like_a_missing_one(esc_cast):
    from rest_framework.test import APIClient

    from safeguarding.api.tests.factories import make_token

    _, key = make_token(esc_cast.cast.agency)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = {
        "receiving_agency": esc_cast.cast.partner_agency.code,
        "reason": "threshold",
        "disputed_decision": "The referral was closed.",
        "desired_outcome": "A strategy discussion.",
        "raiser_level_of_need": 3,
    }
    hidden = client.post("/api/v1/escalations/", {**body, "children": [esc_cast.cast.other_child.pk]}, format="json")
    missing = client.post("/api/v1/escalations/", {**body, "children": [10_000_000]}, format="json")
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["errors"]["children"] == [
        m.replace("10000000", str(esc_cast.cast.other_child.pk)) for m in missing.json()["errors"]["children"]
    ]
