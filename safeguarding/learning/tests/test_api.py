"""The learning API: events (list, read) by invitation, attendance (read and record) for the business unit
and the facilitator only, and briefings (published only, except for the business unit). Agency tokens
act as their agency: invited agencies see the event; others get 404 as for an id that does not exist."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from safeguarding.api.tests.factories import make_token, signed_in_client, token_client
from safeguarding.learning import briefings, services
from safeguarding.learning.models import Attendance, LearningEvent
from safeguarding.learning.tests.conftest import LearnCast


def _post(client: Any, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def _session(user: Any) -> Any:
    return signed_in_client(user, verified=True)


@pytest.fixture
def held(lc: LearnCast) -> LearningEvent:
    """A workshop that started an hour ago; the involved practitioner and the facilitator registered."""
    event = lc.event()
    services.register_for_event(actor=lc.cast.involved, event=event)
    services.register_for_event(actor=lc.facilitator, event=event)
    starts = timezone.now() - timedelta(hours=1)
    LearningEvent.objects.filter(pk=event.pk).update(starts_at=starts, ends_at=starts + timedelta(hours=3))
    event.refresh_from_db()
    return event


@pytest.mark.parametrize(
    ("persona", "status"),
    [("involved", 200), ("partner", 404), ("unrelated", 404), ("business", 200), ("scrutineer", 404)],
)
def test_event_retrieve_and_list_access_matrix(lc: LearnCast, held: LearningEvent, persona: str, status: int) -> None:
    user = getattr(lc.cast, persona, None) or getattr(lc, persona)
    client = _session(user)
    assert client.get(f"/api/v1/learning-events/{held.pk}/").status_code == status
    listed = [row["id"] for row in client.get("/api/v1/learning-events/").json()["results"]]
    assert (held.pk in listed) is (status == 200)


def test_event_payload(lc: LearnCast, held: LearningEvent) -> None:
    data = _session(lc.cast.involved).get(f"/api/v1/learning-events/{held.pk}/").json()
    assert data["reference"] == f"LE-{held.pk:05d}"
    assert (data["capacity"], data["places_taken"], data["places_left"]) == (10, 2, 8)
    assert data["invitations"] == [
        {"agency": None, "agency_name": None, "agency_kind": "health", "role": "", "who": "Every health agency"}
    ]


def test_agency_tokens_see_events_their_agency_is_invited_to(lc: LearnCast, held: LearningEvent) -> None:
    _, invited_key = make_token(lc.cast.agency)
    _, other_key = make_token(lc.cast.partner_agency)
    assert token_client(invited_key).get(f"/api/v1/learning-events/{held.pk}/").status_code == 200
    assert token_client(other_key).get(f"/api/v1/learning-events/{held.pk}/").status_code == 404
    # Attendance is the business unit's and the facilitator's: an agency system gets 404.
    assert token_client(invited_key).get(f"/api/v1/learning-events/{held.pk}/attendance/").status_code == 404


def test_attendance_get_and_post_by_facilitator(lc: LearnCast, held: LearningEvent) -> None:
    client = _session(lc.facilitator)
    rows = client.get(f"/api/v1/learning-events/{held.pk}/attendance/").json()
    assert {r["user"]: r["attended"] for r in rows} == {lc.cast.involved.pk: None, lc.facilitator.pk: None}
    response = _post(
        client,
        f"/api/v1/learning-events/{held.pk}/attendance/",
        {"entries": [{"user": lc.cast.involved.pk, "attended": True}]},
    )
    assert response.status_code == 200
    assert {r["user"]: r["attended"] for r in response.json()} == {lc.cast.involved.pk: True, lc.facilitator.pk: None}
    assert Attendance.objects.get(user=lc.cast.involved).recorded_by == lc.facilitator


def test_attendance_is_404_for_practitioners_even_invited_ones(lc: LearnCast, held: LearningEvent) -> None:
    for user in (lc.cast.involved, lc.cast.partner, lc.cast.unrelated, lc.scrutineer):
        client = _session(user)
        assert client.get(f"/api/v1/learning-events/{held.pk}/attendance/").status_code == 404
        response = _post(
            client, f"/api/v1/learning-events/{held.pk}/attendance/", {"entries": [{"user": user.pk, "attended": True}]}
        )
        assert response.status_code == 404
    assert not Attendance.objects.exists()


def test_attendance_post_errors(lc: LearnCast, held: LearningEvent) -> None:
    client = _session(lc.business)
    url = f"/api/v1/learning-events/{held.pk}/attendance/"
    not_registered = _post(client, url, {"entries": [{"user": lc.cast.partner.pk, "attended": True}]})
    assert not_registered.status_code == 400
    assert "no place" in str(not_registered.json()["errors"])
    assert _post(client, url, {"entries": []}).status_code == 400
    future = lc.event()
    services.register_for_event(actor=lc.cast.involved, event=future)
    early = _post(
        client,
        f"/api/v1/learning-events/{future.pk}/attendance/",
        {"entries": [{"user": lc.cast.involved.pk, "attended": True}]},
    )
    assert early.status_code == 403
    assert "once the event has started" in early.json()["detail"]
    assert client.get("/api/v1/learning-events/99999999999999999999999/").status_code == 404


def test_briefings_api_published_only_for_practitioners(lc: LearnCast) -> None:
    values = {
        "title": "Learning briefing: Child A and Child B",
        "what_happened": "Child B was hurt.",
        "what_we_learned": "Look at the whole picture.",
        "do_differently": "Share early.",
        "supervision_questions": "What is the child's day like?",
    }
    draft = briefings.create_briefing(actor=lc.business, review=lc.review, **values)
    published = briefings.create_briefing(
        actor=lc.business, review=lc.review, findings=list(lc.review.findings.all()), **values
    )
    published = briefings.publish_briefing(actor=lc.business, briefing=published, version=published.version)
    _, key = make_token(lc.cast.unrelated_agency)
    for client in (_session(lc.cast.involved), _session(lc.scrutineer), token_client(key)):
        listed = [row["id"] for row in client.get("/api/v1/learning-briefings/").json()["results"]]
        assert listed == [published.pk]
        assert client.get(f"/api/v1/learning-briefings/{draft.pk}/").status_code == 404
        data = client.get(f"/api/v1/learning-briefings/{published.pk}/").json()
        assert data["status"] == "published"
        assert [f["title"] for f in data["findings"]] == [
            "Child A was not brought to three health appointments.",
            "Nobody asked Child B what life at home was like.",
        ]
    business = [row["id"] for row in _session(lc.business).get("/api/v1/learning-briefings/").json()["results"]]
    assert sorted(business) == sorted([draft.pk, published.pk])


def test_no_credentials_is_401(lc: LearnCast) -> None:
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/learning-events/").status_code == 401
