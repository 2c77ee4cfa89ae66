"""The learning API: events (list, read) by invitation, registrations and the waiting list (everyone's for
the organisers, one's own for others), attendance (read and record, walk-ins included) for the business unit
and the facilitator only, and briefings (published only, except for the business unit). Agency tokens
act as their agency: invited agencies see the event; others get 404 as for an id that does not exist."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from safeguarding.agencies.enums import Role
from safeguarding.api.tests.factories import make_token, signed_in_client, token_client
from safeguarding.learning import briefings, services
from safeguarding.learning.models import Attendance, LearningEvent
from safeguarding.learning.tests.conftest import LearnCast
from safeguarding.testing import factories as f


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
    assert (data["capacity"], data["places_taken"], data["places_left"], data["waiting_list_count"]) == (10, 2, 8, 0)
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


# ---- waiting list and walk-ins --------------------------------------------------------------------------


@pytest.fixture
def full(lc: LearnCast) -> dict[str, Any]:
    """A one-place workshop tomorrow: the involved practitioner has the place; two health practitioners
    queue behind, "Wendy Waiting" first."""
    event = lc.event(capacity=1)
    first = f.member(lc.cast.agency, Role.PRACTITIONER, first_name="Wendy", last_name="Waiting")
    second = f.member(lc.cast.agency, Role.PRACTITIONER, first_name="Xavier", last_name="Next")
    services.register_for_event(actor=lc.cast.involved, event=event)
    services.register_for_event(actor=first, event=event, at=timezone.now() - timedelta(minutes=2))
    services.register_for_event(actor=second, event=event, at=timezone.now() - timedelta(minutes=1))
    return {"event": event, "first": first, "second": second}


def test_registrations_api_organisers_see_places_then_the_queue(lc: LearnCast, full: dict[str, Any]) -> None:
    event, first, second = full["event"], full["first"], full["second"]
    url = f"/api/v1/learning-events/{event.pk}/registrations/"
    for organiser in (lc.business, lc.facilitator):
        rows = _session(organiser).get(url).json()
        assert [(r["user"], r["state"], r["waiting_position"]) for r in rows] == [
            (lc.cast.involved.pk, "place", None),
            (first.pk, "waiting", 1),
            (second.pk, "waiting", 2),
        ]
        assert rows[1]["name"] == "Wendy Waiting"
        assert rows[1]["agency"] == lc.cast.agency.pk
    data = _session(lc.cast.involved).get(f"/api/v1/learning-events/{event.pk}/").json()
    assert (data["places_left"], data["waiting_list_count"]) == (0, 2)


def test_registrations_api_practitioners_see_only_their_own(lc: LearnCast, full: dict[str, Any]) -> None:
    event, second = full["event"], full["second"]
    url = f"/api/v1/learning-events/{event.pk}/registrations/"
    mine = _session(second).get(url).json()
    assert [(r["user"], r["state"], r["waiting_position"]) for r in mine] == [(second.pk, "waiting", 2)]
    holder = _session(lc.cast.involved).get(url).json()
    assert [(r["user"], r["state"]) for r in holder] == [(lc.cast.involved.pk, "place")]
    assert _session(lc.cast.partner).get(url).status_code == 404  # not invited: the event is hidden
    _, invited_key = make_token(lc.cast.agency)
    _, other_key = make_token(lc.cast.partner_agency)
    assert token_client(invited_key).get(url).json() == []
    assert token_client(other_key).get(url).status_code == 404


def test_registrations_api_shows_promotion(lc: LearnCast, full: dict[str, Any]) -> None:
    event, first = full["event"], full["first"]
    services.cancel_registration(actor=lc.cast.involved, event=event)
    rows = _session(first).get(f"/api/v1/learning-events/{event.pk}/registrations/").json()
    assert [(r["state"], r["waiting_position"], r["promoted_at"] is not None) for r in rows] == [("place", None, True)]


def test_attendance_api_records_walk_ins_with_attendance(lc: LearnCast, held: LearningEvent) -> None:
    walker = f.member(lc.cast.agency, Role.MANAGER, first_name="Walter", last_name="Walkin")
    client = _session(lc.facilitator)
    url = f"/api/v1/learning-events/{held.pk}/attendance/"
    response = _post(
        client,
        url,
        {
            "entries": [{"user": lc.cast.involved.pk, "attended": True}],
            "walk_ins": [
                {"user": walker.pk},
                {"name": "Nadia Noaccount", "agency": lc.cast.agency.pk, "role": "practitioner"},
            ],
        },
    )
    assert response.status_code == 200, response.content
    rows = [(r["user"], r["name"], r["role"], r["attended"], r["walk_in"]) for r in response.json()]
    assert rows == [
        (lc.cast.involved.pk, str(lc.cast.involved), "practitioner", True, False),
        (lc.facilitator.pk, str(lc.facilitator), "manager", None, False),
        (walker.pk, "Walter Walkin", "manager", True, True),
        (None, "Nadia Noaccount", "practitioner", True, True),
    ]
    assert Attendance.objects.filter(event=held, walk_in=True).count() == 2
    # Walk-ins alone are enough.
    again = _post(client, url, {"walk_ins": [{"name": "Olu Other", "agency": lc.cast.agency.pk, "role": "manager"}]})
    assert again.status_code == 200
    assert Attendance.objects.filter(event=held, walk_in=True).count() == 3


def test_attendance_api_walk_in_errors_record_nothing(lc: LearnCast, held: LearningEvent) -> None:
    client = _session(lc.business)
    url = f"/api/v1/learning-events/{held.pk}/attendance/"
    ok = {"name": "Nadia Noaccount", "agency": lc.cast.agency.pk, "role": "practitioner"}
    police = {"name": "Pat Police", "agency": lc.cast.partner_agency.pk, "role": "practitioner"}
    response = _post(
        client, url, {"entries": [{"user": lc.cast.involved.pk, "attended": True}], "walk_ins": [ok, police]}
    )
    assert response.status_code == 400
    assert "Choose an agency invited to this event." in response.json()["errors"]["walk_ins[1].agency"]
    assert not Attendance.objects.filter(event=held).exists()  # all or nothing
    both = _post(client, url, {"walk_ins": [{"user": lc.cast.partner.pk, **ok}]})
    assert both.status_code == 400
    assert "walk_ins[0]" in both.json()["errors"]
    partial = _post(client, url, {"walk_ins": [{"name": "Nadia Noaccount"}]})
    assert partial.status_code == 400
    unknown = _post(client, url, {"walk_ins": [{**ok, "agency": 987654}]})
    assert unknown.json()["errors"] == {"walk_ins[0].agency": ["No agency has this id."]}
    has_place = _post(client, url, {"walk_ins": [{"user": lc.cast.involved.pk}]})
    assert "has a place on this event" in str(has_place.json()["errors"])
    assert _post(client, url, {}).status_code == 400


def test_attendance_api_walk_ins_only_for_organisers(lc: LearnCast, held: LearningEvent) -> None:
    body = {"walk_ins": [{"name": "Nadia Noaccount", "agency": lc.cast.agency.pk, "role": "practitioner"}]}
    for user in (lc.cast.involved, lc.cast.partner, lc.scrutineer):
        assert _post(_session(user), f"/api/v1/learning-events/{held.pk}/attendance/", body).status_code == 404
    assert not Attendance.objects.exists()
