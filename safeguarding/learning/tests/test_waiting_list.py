"""The waiting list: registering for a full event queues the person (told their position); when a place
comes free — a cancellation, the organiser taking someone off, more places — the first in the queue is
moved into it and emailed, before the event starts; the organisers see the queue in order, nobody else
sees anyone's but their own."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from safeguarding.agencies.enums import Role
from safeguarding.core.models import ActivityLog
from safeguarding.learning import queries, services
from safeguarding.learning.enums import EventStatus, RegistrationStatus
from safeguarding.learning.models import LearningEvent, Registration
from safeguarding.learning.tests.conftest import LearnCast
from safeguarding.testing import factories as f


@pytest.fixture
def queue(lc: LearnCast) -> dict[str, Any]:
    """A one-place workshop tomorrow: the involved practitioner has the place, then two health
    practitioners ("Wendy Waiting", "Xavier Next") queue, in that order."""
    event = lc.event(capacity=1)
    first = f.member(lc.cast.agency, Role.PRACTITIONER, first_name="Wendy", last_name="Waiting")
    second = f.member(lc.cast.agency, Role.PRACTITIONER, first_name="Xavier", last_name="Next")
    services.register_for_event(actor=lc.cast.involved, event=event)
    services.register_for_event(actor=first, event=event, at=timezone.now() - timedelta(minutes=2))
    services.register_for_event(actor=second, event=event, at=timezone.now() - timedelta(minutes=1))
    event.refresh_from_db()
    return {"event": event, "first": first, "second": second}


def _registration(event: LearningEvent, user: Any) -> Registration:
    return Registration.objects.live().get(event=event, user=user)


def _started(event: LearningEvent) -> None:
    starts = timezone.now() - timedelta(hours=1)
    LearningEvent.objects.filter(pk=event.pk).update(starts_at=starts, ends_at=starts + timedelta(hours=3))
    event.refresh_from_db()


def test_full_event_puts_people_on_the_waiting_list_in_order(lc: LearnCast, queue: dict[str, Any]) -> None:
    event, first, second = queue["event"], queue["first"], queue["second"]
    assert event.places_taken == 1
    assert _registration(event, lc.cast.involved).status == RegistrationStatus.PLACE
    assert [r.user for r in queries.waiting_list(event)] == [first, second]
    assert queries.waiting_position(_registration(event, first)) == 1
    assert queries.waiting_position(_registration(event, second)) == 2
    assert queries.waiting_position(_registration(event, lc.cast.involved)) is None
    assert queries.waiting_count(event) == 2
    assert ActivityLog.objects.filter(action="learning.waiting_list_joined", target_id=str(event.pk)).count() == 2


def test_joining_the_waiting_list_twice_is_refused(lc: LearnCast, queue: dict[str, Any]) -> None:
    with pytest.raises(services.LearningError, match="already on the waiting list"):
        services.register_for_event(actor=queue["first"], event=queue["event"])
    assert queries.waiting_count(queue["event"]) == 2


def test_cancelling_a_place_moves_the_first_waiting_in_and_emails_them(
    lc: LearnCast, queue: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    event, first, second = queue["event"], queue["first"], queue["second"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_registration(actor=lc.cast.involved, event=event)
    event.refresh_from_db()
    assert event.places_taken == 1
    promoted = _registration(event, first)
    assert (promoted.status, promoted.promoted_at is not None) == (RegistrationStatus.PLACE, True)
    assert queries.waiting_position(_registration(event, second)) == 1
    assert [m.to for m in mail.outbox] == [[first.email]]
    assert mail.outbox[0].subject == f"You have a place on {event.title}"
    assert f"/learning/events/{event.pk}/" in mail.outbox[0].body
    log = ActivityLog.objects.get(action="learning.promoted_from_waiting_list", target_id=str(event.pk))
    assert log.actor == lc.cast.involved
    assert log.changes == {"waiting_list": [promoted.pk, None], "registration": [None, promoted.pk]}


def test_leaving_the_waiting_list_frees_no_place_and_moves_the_queue_up(
    lc: LearnCast, queue: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    event, first, second = queue["event"], queue["first"], queue["second"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        left = services.cancel_registration(actor=first, event=event)
    assert left.cancelled_at is not None
    event.refresh_from_db()
    assert event.places_taken == 1
    assert _registration(event, lc.cast.involved).status == RegistrationStatus.PLACE
    assert queries.waiting_position(_registration(event, second)) == 1
    assert mail.outbox == []


def test_organiser_taking_someone_off_promotes_the_first_waiting(
    lc: LearnCast, queue: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    event, first = queue["event"], queue["first"]
    place = _registration(event, lc.cast.involved)
    with pytest.raises(services.NotAllowed):
        services.remove_registration(actor=queue["second"], registration=place)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_registration(actor=lc.facilitator, registration=place)
    assert not Registration.objects.live().filter(event=event, user=lc.cast.involved).exists()
    assert _registration(event, first).status == RegistrationStatus.PLACE
    assert sorted(m.to[0] for m in mail.outbox) == sorted([lc.cast.involved.email, first.email])
    assert ActivityLog.objects.filter(action="learning.registration_removed", actor=lc.facilitator).count() == 1


def test_raising_the_capacity_promotes_the_waiting_in_order(
    lc: LearnCast, queue: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    event, first, second = queue["event"], queue["first"], queue["second"]
    third = f.member(lc.cast.agency, Role.PRACTITIONER)
    services.register_for_event(actor=third, event=event)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event = services.update_event(actor=lc.business, event=event, version=event.version, capacity=3)
    assert event.places_taken == 3
    assert _registration(event, first).status == RegistrationStatus.PLACE
    assert _registration(event, second).status == RegistrationStatus.PLACE
    assert queries.waiting_position(_registration(event, third)) == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.email, second.email])


def test_no_promotion_once_the_event_has_started(
    lc: LearnCast, queue: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    event, first = queue["event"], queue["first"]
    _started(event)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_registration(actor=lc.cast.involved, event=event)
    event.refresh_from_db()
    assert event.places_taken == 0
    assert _registration(event, first).status == RegistrationStatus.WAITING
    assert mail.outbox == []


def test_publishing_again_fills_places_freed_while_cancelled(lc: LearnCast, queue: dict[str, Any]) -> None:
    event, first = queue["event"], queue["first"]
    event = services.update_event(actor=lc.business, event=event, version=event.version, status=EventStatus.CANCELLED)
    services.cancel_registration(actor=lc.cast.involved, event=event)
    assert _registration(event, first).status == RegistrationStatus.WAITING
    event.refresh_from_db()
    services.update_event(actor=lc.business, event=event, version=event.version, status=EventStatus.PUBLISHED)
    assert _registration(event, first).status == RegistrationStatus.PLACE


def test_a_newcomer_never_jumps_the_queue(lc: LearnCast, queue: dict[str, Any]) -> None:
    """Even with a place free (here made by hand, bypassing the services), while people wait a newcomer
    queues behind them."""
    event = queue["event"]
    LearningEvent.objects.filter(pk=event.pk).update(capacity=2)
    newcomer = services.register_for_event(actor=lc.facilitator, event=event)
    assert newcomer.status == RegistrationStatus.WAITING
    assert queries.waiting_position(newcomer) == 3


def test_a_closed_account_leaves_the_queue_and_the_next_is_promoted(lc: LearnCast, queue: dict[str, Any]) -> None:
    event, first, second = queue["event"], queue["first"], queue["second"]
    first.is_active = False
    first.save(update_fields=["is_active"])
    services.cancel_registration(actor=lc.cast.involved, event=event)
    assert not Registration.objects.live().filter(event=event, user=first).exists()
    assert _registration(event, second).status == RegistrationStatus.PLACE


def test_someone_waiting_cannot_be_ticked_as_attending(lc: LearnCast, queue: dict[str, Any]) -> None:
    from django.core.exceptions import ValidationError

    event = queue["event"]
    _started(event)
    with pytest.raises(ValidationError, match="no place"):
        services.record_attendance(actor=lc.business, event=event, attended={queue["first"].pk: True})


def test_event_page_organisers_see_the_queue_in_order_others_only_their_position(
    lc: LearnCast, queue: dict[str, Any], client_for: Any
) -> None:
    event = queue["event"]
    for organiser in (lc.business, lc.facilitator):
        page = client_for(organiser).get(f"/learning/events/{event.pk}/").content.decode()
        table = page[page.index('id="waiting-list"') :]
        assert table.index("Wendy Waiting") < table.index("Xavier Next")
        assert "Take off" in page
    waiting = client_for(queue["second"]).get(f"/learning/events/{event.pk}/").content.decode()
    assert "you are number 2" in waiting
    assert "Leave the waiting list" in waiting
    assert "Wendy Waiting" not in waiting
    assert 'id="waiting-list"' not in waiting
    assert "2 on the waiting list" in waiting
    holder = client_for(lc.cast.involved).get(f"/learning/events/{event.pk}/").content.decode()
    assert "You have a place" in holder
    assert "Wendy Waiting" not in holder
    assert "Xavier Next" not in holder


def test_take_off_page_only_for_organisers(lc: LearnCast, queue: dict[str, Any], client_for: Any) -> None:
    event, first = queue["event"], queue["first"]
    place = _registration(event, lc.cast.involved)
    url = f"/learning/events/{event.pk}/registrations/{place.pk}/remove/"
    for outsider in (lc.cast.involved, queue["second"], lc.scrutineer, lc.cast.partner):
        assert client_for(outsider).post(url).status_code == 404
    assert _registration(event, lc.cast.involved).has_place
    response = client_for(lc.business).post(url, follow=True).content.decode()
    assert "is taken off from the event" in response
    assert _registration(event, first).has_place


def test_events_list_and_home_panel_say_on_the_waiting_list(
    lc: LearnCast, queue: dict[str, Any], client_for: Any
) -> None:
    client = client_for(queue["first"])
    assert "On the waiting list" in client.get("/learning/").content.decode()
    assert "On the waiting list" in client.get("/").content.decode()
