"""Invitations and places: only invited people register; a full event puts them on the waiting list (and
the database would refuse an overbooking even if two requests raced); cancelling frees the place. The
waiting list itself: test_waiting_list.py."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from safeguarding.agencies.enums import AgencyKind, Role
from safeguarding.core.models import ActivityLog
from safeguarding.learning import queries, services
from safeguarding.learning.enums import EventStatus, RegistrationStatus
from safeguarding.learning.models import LearningEvent, Registration
from safeguarding.learning.permissions import is_invited
from safeguarding.learning.tests.conftest import LearnCast, build_learn_cast
from safeguarding.testing import factories as f


def test_register_invited_person_takes_a_place_with_agency_and_role(lc: LearnCast) -> None:
    event = lc.event()
    registration = services.register_for_event(actor=lc.cast.involved, event=event)
    event.refresh_from_db()
    assert event.places_taken == 1
    assert (registration.agency, registration.role) == (lc.cast.agency, Role.PRACTITIONER)
    assert ActivityLog.objects.filter(action="learning.registered", target_id=str(event.pk)).count() == 1


def test_register_not_invited_is_refused(lc: LearnCast) -> None:
    event = lc.event(invite_kind=AgencyKind.HEALTH)
    for person in (lc.cast.partner, lc.cast.unrelated):
        with pytest.raises(services.NotAllowed, match="not invited"):
            services.register_for_event(actor=person, event=event)
    event.refresh_from_db()
    assert event.places_taken == 0
    assert not Registration.objects.exists()


def test_invitation_by_role_covers_only_that_role(lc: LearnCast) -> None:
    event = lc.event(invite_kind=AgencyKind.HEALTH, role=Role.MANAGER)
    assert not is_invited(lc.cast.involved, event)  # a practitioner
    assert is_invited(lc.facilitator, event)  # a manager in a health agency
    with pytest.raises(services.NotAllowed):
        services.register_for_event(actor=lc.cast.involved, event=event)


def test_invitation_of_one_agency_covers_its_people_only(lc: LearnCast) -> None:
    event = lc.event(invite_kind=None)
    services.add_invitation(actor=lc.business, event=event, agency=lc.cast.partner_agency)
    assert is_invited(lc.cast.partner, event)
    assert not is_invited(lc.cast.involved, event)
    assert not is_invited(lc.cast.unrelated, event)


def test_register_full_event_that_has_started_is_refused_with_a_clear_message(lc: LearnCast) -> None:
    event = lc.event(capacity=1)
    services.register_for_event(actor=lc.cast.involved, event=event)
    starts = timezone.now() - timedelta(hours=1)
    LearningEvent.objects.filter(pk=event.pk).update(starts_at=starts, ends_at=starts + timedelta(hours=3))
    event.refresh_from_db()
    with pytest.raises(services.EventFull, match="This event is full and has started"):
        services.register_for_event(actor=lc.facilitator, event=event)
    event.refresh_from_db()
    assert event.places_taken == 1
    assert Registration.objects.filter(event=event).count() == 1


def test_register_with_a_stale_event_still_cannot_overbook(lc: LearnCast) -> None:
    """The race: both requests read the event with a place left; the conditional UPDATE decides, and the
    second person is put on the waiting list instead."""
    event = lc.event(capacity=1)
    stale = LearningEvent.objects.get(pk=event.pk)
    services.register_for_event(actor=lc.cast.involved, event=event)
    assert stale.places_taken == 0  # what the second request believed
    second = services.register_for_event(actor=lc.facilitator, event=stale)
    assert second.status == RegistrationStatus.WAITING
    assert LearningEvent.objects.get(pk=event.pk).places_taken == 1
    assert Registration.objects.with_place().filter(event=event).get().user == lc.cast.involved


def test_database_refuses_more_places_than_capacity(lc: LearnCast) -> None:
    event = lc.event(capacity=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        LearningEvent.objects.filter(pk=event.pk).update(places_taken=3)


def test_register_twice_is_refused_and_cancel_frees_the_place(lc: LearnCast) -> None:
    event = lc.event(capacity=1)
    services.register_for_event(actor=lc.cast.involved, event=event)
    with pytest.raises(services.LearningError, match="already have a place"):
        services.register_for_event(actor=lc.cast.involved, event=event)
    services.cancel_registration(actor=lc.cast.involved, event=event)
    event.refresh_from_db()
    assert event.places_taken == 0
    services.register_for_event(actor=lc.facilitator, event=event)
    assert Registration.objects.filter(event=event, cancelled_at__isnull=True).get().user == lc.facilitator


def test_register_draft_cancelled_or_finished_event_is_refused(lc: LearnCast) -> None:
    draft = lc.event(status=EventStatus.DRAFT)
    cancelled = lc.event(status=EventStatus.CANCELLED)
    finished = lc.past_event()
    for event in (draft, cancelled, finished):
        with pytest.raises(services.NotAllowed):
            services.register_for_event(actor=lc.cast.involved, event=event)


def test_capacity_cannot_drop_below_places_taken(lc: LearnCast) -> None:
    from django.core.exceptions import ValidationError

    event = lc.event(capacity=2)
    services.register_for_event(actor=lc.cast.involved, event=event)
    services.register_for_event(actor=lc.facilitator, event=event)
    with pytest.raises(ValidationError) as error:
        services.update_event(actor=lc.business, event=event, version=event.version, capacity=1)
    assert "2 people already have a place" in str(error.value)


def test_update_event_with_stale_version_is_refused(lc: LearnCast) -> None:
    event = lc.event()
    services.update_event(actor=lc.business, event=event, version=event.version, title="Renamed")
    with pytest.raises(services.StaleVersion):
        services.update_event(actor=lc.business, event=event, version=event.version, title="Renamed again")
    assert LearningEvent.objects.get(pk=event.pk).title == "Renamed"


def test_register_page_full_offers_the_waiting_list_and_not_invited_gets_404(lc: LearnCast, client_for) -> None:
    event = lc.event(capacity=1)
    services.register_for_event(actor=lc.facilitator, event=event)
    client = client_for(lc.cast.involved)
    page = client.get(f"/learning/events/{event.pk}/").content.decode()
    assert "This event is full" in page
    assert "Join the waiting list" in page
    assert "Register for a place" not in page
    response = client.post(f"/learning/events/{event.pk}/register/", follow=True).content.decode()
    assert "you are on the waiting list: you are number 1" in response
    assert "Leave the waiting list" in response
    assert Registration.objects.get(user=lc.cast.involved).status == RegistrationStatus.WAITING
    assert client_for(lc.cast.partner).post(f"/learning/events/{event.pk}/register/").status_code == 404


def test_register_page_registers_and_cancels(lc: LearnCast, client_for) -> None:
    event = lc.event()
    client = client_for(lc.cast.involved)
    response = client.post(f"/learning/events/{event.pk}/register/", follow=True)
    assert "You have a place" in response.content.decode()
    assert Registration.objects.filter(user=lc.cast.involved, cancelled_at__isnull=True).count() == 1
    assert client.get(f"/learning/events/{event.pk}/register/").status_code == 405
    client.post(f"/learning/events/{event.pk}/cancel/")
    assert Registration.objects.filter(user=lc.cast.involved, cancelled_at__isnull=True).count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_overbook() -> None:
    """Real concurrency (PostgreSQL only: SQLite's test database is one in-memory connection)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a database with concurrent connections")
    lc = build_learn_cast()
    event = lc.event(capacity=3, starts_at=timezone.now() + timedelta(days=2))
    people = [f.member(lc.cast.agency, Role.PRACTITIONER, username=f"racer{n}") for n in range(8)]
    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []

    def take(person: object) -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            registration = services.register_for_event(actor=person, event=LearningEvent.objects.get(pk=event.pk))
            outcomes.append(registration.status)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=take, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count(RegistrationStatus.PLACE) == 3
    assert outcomes.count(RegistrationStatus.WAITING) == 5
    assert Registration.objects.with_place().filter(event=event).count() == 3
    assert LearningEvent.objects.get(pk=event.pk).places_taken == 3
    # The five who missed out queue in a strict order: positions 1 to 5, each once.
    waiting = list(Registration.objects.waiting().filter(event=event))
    assert [queries.waiting_position(r) for r in waiting] == [1, 2, 3, 4, 5]
