"""The access matrix: the three personas (involved = invited health practitioner, partner = police
practitioner, unrelated = housing practitioner, neither invited), the facilitator, the business unit,
an administrator and a scrutineer, on every learning page. Not yours == 404, like not found."""

from __future__ import annotations

from typing import Any

import pytest

from safeguarding.learning import services
from safeguarding.learning.enums import EventStatus
from safeguarding.learning.tests.conftest import LearnCast

PEOPLE = ("involved", "partner", "unrelated", "facilitator", "business", "admin", "scrutineer")


def _person(lc: LearnCast, name: str) -> Any:
    return getattr(lc.cast, name) if name in ("involved", "partner", "unrelated") else getattr(lc, name)


@pytest.fixture
def world(lc: LearnCast) -> dict[str, Any]:
    invited = lc.event(title="Invited health workshop")
    services.register_for_event(actor=lc.cast.involved, event=invited)
    draft = lc.event(title="Draft workshop", status=EventStatus.DRAFT)
    return {"invited": invited, "draft": draft}


# person: (events list shows the invited event, event page, draft page, edit page, invitations page,
#          attendance page, create page, reports page)
MATRIX = {
    "involved": (True, 200, 404, 404, 404, 404, 404, 404),
    "partner": (False, 404, 404, 404, 404, 404, 404, 404),
    "unrelated": (False, 404, 404, 404, 404, 404, 404, 404),
    "facilitator": (True, 200, 404, 404, 404, 200, 404, 404),
    "business": (True, 200, 200, 200, 200, 200, 200, 200),
    "admin": (True, 200, 200, 200, 200, 200, 200, 200),
    "scrutineer": (False, 404, 404, 404, 404, 404, 404, 200),
}


@pytest.mark.parametrize("name", PEOPLE)
def test_learning_pages_access_matrix(lc: LearnCast, world: dict[str, Any], client_for, name: str) -> None:
    event, draft = world["invited"], world["draft"]
    client = client_for(_person(lc, name))
    listed, detail, draft_page, edit, invitations, attendance, create, report = MATRIX[name]
    events = client.get("/learning/?when=upcoming").content.decode()
    assert ("Invited health workshop" in events) is listed
    assert ("Draft workshop" in events) is (name in ("business", "admin"))
    assert client.get(f"/learning/events/{event.pk}/").status_code == detail
    assert client.get(f"/learning/events/{draft.pk}/").status_code == draft_page
    assert client.get(f"/learning/events/{event.pk}/edit/").status_code == edit
    assert client.get(f"/learning/events/{event.pk}/invitations/").status_code == invitations
    assert client.get(f"/learning/events/{event.pk}/attendance/").status_code == attendance
    assert client.get("/learning/events/new/").status_code == create
    # Review material is the business unit's (and the review's members'): an administrator manages events
    # but cannot open a review, so cannot build a case study from one.
    from_review = 404 if name == "admin" else create
    assert client.get(f"/learning/events/from-review/{lc.review.pk}/").status_code == from_review
    assert client.get("/learning/reports/").status_code == report
    assert client.get("/learning/briefings/").status_code == 200


def test_registrations_of_others_are_not_shown_to_practitioners(
    lc: LearnCast, world: dict[str, Any], client_for
) -> None:
    event = world["invited"]
    names = str(lc.cast.involved)
    services.register_for_event(actor=lc.facilitator, event=event)
    # The involved practitioner sees their own place but nobody else's name or the counts.
    body = client_for(lc.cast.involved).get(f"/learning/events/{event.pk}/").content.decode()
    assert "You have a place" in body
    assert str(lc.facilitator) in body  # as the named facilitator, not as a registration
    assert "Registered</dt>" not in body
    # The facilitator and the business unit see the register with names.
    for person in (lc.facilitator, lc.business):
        page = client_for(person).get(f"/learning/events/{event.pk}/attendance/").content.decode()
        assert names in page


def test_unknown_and_malformed_ids_are_404(lc: LearnCast, client_for) -> None:
    client = client_for(lc.business)
    for url in ("/learning/events/999999/", "/learning/briefings/999999/", "/learning/events/from-review/999999/"):
        assert client.get(url).status_code == 404


def test_state_changes_are_post_only(lc: LearnCast, world: dict[str, Any], client_for) -> None:
    event = world["invited"]
    client = client_for(lc.cast.involved)
    assert client.get(f"/learning/events/{event.pk}/cancel/").status_code == 405
    assert event.places_taken == 1


def test_navigation_and_home_panel(lc: LearnCast, world: dict[str, Any], client_for) -> None:
    body = client_for(lc.cast.involved).get("/").content.decode()
    assert 'href="/learning/"' in body
    assert "Upcoming events you are invited to" in body
    assert "Invited health workshop" in body
    other = client_for(lc.cast.partner).get("/").content.decode()
    assert "Invited health workshop" not in other


def test_home_panel_lists_evaluations_owed(lc: LearnCast, client_for) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from safeguarding.learning.models import LearningEvent

    event = lc.event(title="Was not brought workshop")
    services.register_for_event(actor=lc.cast.involved, event=event)
    starts = timezone.now() - timedelta(days=2)
    LearningEvent.objects.filter(pk=event.pk).update(starts_at=starts, ends_at=starts + timedelta(hours=2))
    event.refresh_from_db()
    services.record_attendance(actor=lc.facilitator, event=event, attended={lc.cast.involved.pk: True})
    body = client_for(lc.cast.involved).get("/").content.decode()
    assert "Evaluations you still owe" in body
    assert f"/learning/events/{event.pk}/evaluation/" in body
    services.submit_evaluation(
        actor=lc.cast.involved, event=event, confidence_before=2, confidence_after=3, practice_change="x"
    )
    assert "Evaluations you still owe" not in client_for(lc.cast.involved).get("/").content.decode()


def test_create_event_from_review_page_prefills_and_saves(lc: LearnCast, client_for) -> None:
    client = client_for(lc.business)
    page = client.get(f"/learning/events/from-review/{lc.review.pk}/").content.decode()
    assert "Child A was not brought to three health appointments." in page
    data = {
        "kind": "workshop",
        "title": "Practice workshop: learning from Child A and Child B",
        "case_study": "Child A was not brought to three health appointments.",
        "day": "27/3/2027",
        "start_time": "09:30",
        "end_time": "12:30",
        "delivery": "in_person",
        "venue": "Civic Centre",
        "capacity": "20",
        "follow_up_after_days": "90",
        "status": "published",
    }
    response = client.post(f"/learning/events/from-review/{lc.review.pk}/", data)
    assert response.status_code == 302
    from safeguarding.learning.models import LearningEvent

    event = LearningEvent.objects.get(title=data["title"])
    assert event.review == lc.review
    assert event.starts_at.day == 27
    # A real child's name typed into the case study is refused, and what was typed is kept.
    data["case_study"] = "Ellis Marsh was not brought."
    body = client.post(f"/learning/events/from-review/{lc.review.pk}/", data).content.decode()
    assert "use the review&#x27;s pseudonyms" in body
    assert "Ellis Marsh was not brought." in body  # kept in the box for the person to correct


def test_review_page_offers_learning_to_the_business_unit_only(lc: LearnCast, client_for) -> None:
    from django.utils import timezone

    from safeguarding.reviews import services as review_services
    from safeguarding.reviews.enums import Harm
    from safeguarding.reviews.models import ReviewMember

    today = timezone.localdate()
    review = review_services.notify_serious_incident(
        actor=lc.business,
        incident_on=today,
        aware_on=today,
        harm=Harm.SERIOUS_HARM,
        summary="A fictional incident.",
        children=[review_services.ChildInput(lc.cast.child, "Child C")],
    )
    body = client_for(lc.business).get(f"/reviews/{review.pk}/").content.decode()
    assert "Learning from this review" in body
    assert f"/learning/events/from-review/{review.pk}/" in body
    assert f"/learning/briefings/from-review/{review.pk}/" in body
    # A panel member sees the review, but not the business unit's learning section.
    ReviewMember.objects.create(review=review, user=lc.cast.partner, role="panel", added_at=timezone.now())
    member_page = client_for(lc.cast.partner).get(f"/reviews/{review.pk}/")
    assert member_page.status_code == 200
    assert "Learning from this review" not in member_page.content.decode()
