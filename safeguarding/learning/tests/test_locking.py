"""Every learning service that locks a row (the event, a briefing) running outside the test transaction,
as on PostgreSQL under autocommit: each `select_for_update` must run inside the service's own
transaction (`kernel.service`), and a stale version is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from safeguarding.agencies.enums import Role
from safeguarding.learning import briefings, services, walk_ins
from safeguarding.learning.enums import BriefingStatus, RegistrationStatus
from safeguarding.learning.models import Attendance, FollowUpRequest, LearningEvent, Registration
from safeguarding.learning.tests.conftest import LearnCast, build_learn_cast
from safeguarding.testing import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

BRIEFING = {
    "title": "Learning briefing: Child A and Child B",
    "what_happened": "Child B, aged 2, was taken to hospital; both brothers had been neglected for a year.",
    "what_we_learned": "No agency saw the whole picture of neglect.",
    "do_differently": "Treat repeated missed appointments as a safeguarding concern.",
    "supervision_questions": "What is the child's day like?\nWho else knows this family?",
}


@pytest.fixture
def cast() -> LearnCast:
    return build_learn_cast()


def test_registering_cancelling_and_the_waiting_list_lock_the_event(cast: LearnCast) -> None:
    event = cast.event(capacity=1)
    waiter = f.member(cast.cast.agency, Role.PRACTITIONER, username="waiter")

    first = services.register_for_event(actor=cast.cast.involved, event=event)
    second = services.register_for_event(actor=waiter, event=event)
    assert (first.status, second.status) == (RegistrationStatus.PLACE, RegistrationStatus.WAITING)

    services.cancel_registration(actor=cast.cast.involved, event=event)
    second.refresh_from_db()
    assert second.status == RegistrationStatus.PLACE  # promoted into the freed place
    services.remove_registration(actor=cast.business, registration=second)
    assert not Registration.objects.live().filter(event=event).exists()
    assert services.promote_from_waiting_list(actor=cast.business, event=event) == []
    assert LearningEvent.objects.get(pk=event.pk).places_taken == 0


def test_changing_an_event_locks_it_and_refuses_a_stale_version(cast: LearnCast) -> None:
    event = cast.event()
    read = event.version

    services.update_event(actor=cast.business, event=event, version=read, title="Neglect: the whole picture")
    with pytest.raises(services.StaleVersion):
        services.update_event(actor=cast.business, event=event, version=read, title="Overwritten")

    assert LearningEvent.objects.get(pk=event.pk).title == "Neglect: the whole picture"


def test_attendance_and_walk_ins_lock_the_event(cast: LearnCast) -> None:
    event = cast.event()
    services.register_for_event(actor=cast.cast.involved, event=event)
    starts = timezone.now() - timedelta(hours=1)
    LearningEvent.objects.filter(pk=event.pk).update(starts_at=starts, ends_at=starts + timedelta(hours=3))
    event.refresh_from_db()

    services.record_attendance(actor=cast.facilitator, event=event, attended={cast.cast.involved.pk: True})
    walk_in = walk_ins.record_walk_in(
        actor=cast.business, event=event, name="Nadia Noaccount", agency=cast.cast.agency, role=Role.PRACTITIONER
    )
    walk_ins.remove_walk_in(actor=cast.business, attendance=walk_in)

    assert list(Attendance.objects.filter(event=event).values_list("user_id", "walk_in")) == [
        (cast.cast.involved.pk, False)
    ]


def test_follow_ups_lock_the_event(cast: LearnCast) -> None:
    event = cast.past_event(days_ago=200, follow_up_after_days=30)
    Registration.objects.filter(event=event).delete()
    LearningEvent.objects.filter(pk=event.pk).update(places_taken=0)
    Attendance.objects.create(
        event=event,
        user=cast.cast.involved,
        agency=cast.cast.agency,
        role=Role.PRACTITIONER,
        attended=True,
        walk_in=True,
        recorded_by=cast.business,
        recorded_at=timezone.now(),
    )

    assert services.send_due_follow_ups() == 1
    assert services.send_due_follow_ups() == 0  # nobody is asked twice
    assert FollowUpRequest.objects.filter(event=event, user=cast.cast.involved).exists()


def test_changing_and_publishing_a_briefing_lock_it(cast: LearnCast) -> None:
    briefing = briefings.create_briefing(actor=cast.business, review=cast.review, **BRIEFING)
    read = briefing.version

    briefings.update_briefing(actor=cast.business, briefing=briefing, version=read, title="Learning briefing: neglect")
    with pytest.raises(services.StaleVersion):
        briefings.publish_briefing(actor=cast.business, briefing=briefing, version=read)
    published = briefings.publish_briefing(actor=cast.business, briefing=briefing, version=read + 1)

    assert (published.status, published.published_by, published.version) == (
        BriefingStatus.PUBLISHED,
        cast.business,
        read + 2,
    )
    with pytest.raises(services.LearningError, match="already published"):
        briefings.publish_briefing(actor=cast.business, briefing=briefing, version=published.version)


def test_a_new_status_moves_through_the_event_workflow_with_the_other_changes(cast: LearnCast) -> None:
    from safeguarding.core.models import ActivityLog
    from safeguarding.learning.enums import EventStatus

    event = cast.event(status=EventStatus.DRAFT)
    read = event.version

    services.update_event(
        actor=cast.business, event=event, version=read, status=EventStatus.PUBLISHED, title="Neglect, published"
    )

    stored = LearningEvent.objects.get(pk=event.pk)
    assert (stored.status, stored.title, stored.version) == (EventStatus.PUBLISHED, "Neglect, published", read + 1)
    log = ActivityLog.objects.filter(action="learning.event_changed", target_id=str(event.pk)).get()
    assert log.changes == {
        "status": ["draft", "published"],
        "title": ["Neglect: seeing the whole picture", "Neglect, published"],
    }
    with pytest.raises(services.StaleVersion):
        services.update_event(actor=cast.business, event=event, version=read, status=EventStatus.CANCELLED)
    with pytest.raises(ValidationError, match="Choose draft, published or cancelled"):
        services.update_event(actor=cast.business, event=stored, version=stored.version, status="postponed")
