"""Attendance (facilitator or business unit), evaluations (after attending, once) and the follow-up
survey (sent once, on the day the period ends, not the day before)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from safeguarding.learning import services
from safeguarding.learning.models import Attendance, Evaluation, FollowUpRequest, FollowUpResponse, LearningEvent
from safeguarding.learning.tasks import send_learning_followups_task
from safeguarding.learning.tests.conftest import LearnCast


def _attended(lc: LearnCast, days_ago: int = 10, **fields: object) -> LearningEvent:
    """A past event: the involved practitioner came, the facilitator registered and did not."""
    event = lc.event(**fields)
    services.register_for_event(actor=lc.cast.involved, event=event)
    services.register_for_event(actor=lc.facilitator, event=event)
    starts = timezone.now() - timedelta(days=days_ago)
    LearningEvent.objects.filter(pk=event.pk).update(starts_at=starts, ends_at=starts + timedelta(hours=3))
    event.refresh_from_db()
    services.record_attendance(
        actor=lc.facilitator, event=event, attended={lc.cast.involved.pk: True, lc.facilitator.pk: False}
    )
    return event


def test_record_attendance_by_facilitator_and_business_unit_only(lc: LearnCast) -> None:
    event = _attended(lc)
    rows = {a.user_id: a.attended for a in Attendance.objects.filter(event=event)}
    assert rows == {lc.cast.involved.pk: True, lc.facilitator.pk: False}
    assert Attendance.objects.get(user=lc.cast.involved).agency == lc.cast.agency
    services.record_attendance(actor=lc.business, event=event, attended={lc.facilitator.pk: True})
    assert Attendance.objects.get(user=lc.facilitator).attended is True
    for person in (lc.cast.involved, lc.cast.partner, lc.scrutineer):
        with pytest.raises(services.NotAllowed):
            services.record_attendance(actor=person, event=event, attended={lc.cast.involved.pk: False})
    assert Attendance.objects.get(user=lc.cast.involved).attended is True


def test_record_attendance_refuses_people_without_a_place_and_before_the_start(lc: LearnCast) -> None:
    from django.core.exceptions import ValidationError

    event = _attended(lc)
    with pytest.raises(ValidationError, match="no place"):
        services.record_attendance(actor=lc.business, event=event, attended={lc.cast.partner.pk: True})
    future = lc.event()
    services.register_for_event(actor=lc.cast.involved, event=future)
    with pytest.raises(services.NotAllowed, match="once the event has started"):
        services.record_attendance(actor=lc.business, event=future, attended={lc.cast.involved.pk: True})


def test_attendance_page_ticks_who_came(lc: LearnCast, client_for) -> None:
    event = _attended(lc)
    client = client_for(lc.facilitator)
    page = client.get(f"/learning/events/{event.pk}/attendance/")
    assert page.status_code == 200
    response = client.post(f"/learning/events/{event.pk}/attendance/", {"attended": [str(lc.facilitator.pk)]})
    assert response.status_code == 302
    rows = {a.user_id: a.attended for a in Attendance.objects.filter(event=event)}
    assert rows == {lc.cast.involved.pk: False, lc.facilitator.pk: True}
    for person in (lc.cast.involved, lc.cast.partner, lc.cast.unrelated, lc.scrutineer):
        assert client_for(person).get(f"/learning/events/{event.pk}/attendance/").status_code == 404


def test_evaluation_only_after_attending_and_once(lc: LearnCast) -> None:
    event = _attended(lc)
    with pytest.raises(services.NotAllowed, match="only after attending"):
        services.submit_evaluation(
            actor=lc.facilitator, event=event, confidence_before=2, confidence_after=4, practice_change="x"
        )
    evaluation = services.submit_evaluation(
        actor=lc.cast.involved, event=event, confidence_before=2, confidence_after=4, practice_change="Ask more."
    )
    assert (evaluation.change, evaluation.agency) == (2, lc.cast.agency)
    with pytest.raises(services.LearningError, match="already evaluated"):
        services.submit_evaluation(
            actor=lc.cast.involved, event=event, confidence_before=3, confidence_after=3, practice_change="Again."
        )
    assert Evaluation.objects.filter(event=event).count() == 1


def test_evaluation_before_the_event_is_refused(lc: LearnCast) -> None:
    event = lc.event()
    services.register_for_event(actor=lc.cast.involved, event=event)
    with pytest.raises(services.NotAllowed):
        services.submit_evaluation(
            actor=lc.cast.involved, event=event, confidence_before=1, confidence_after=5, practice_change="x"
        )


def test_evaluation_page_keeps_what_was_typed_and_saves(lc: LearnCast, client_for) -> None:
    event = _attended(lc)
    client = client_for(lc.cast.involved)
    response = client.post(f"/learning/events/{event.pk}/evaluation/", {"practice_change": "Ask the child."})
    body = response.content.decode()
    assert "Choose how confident you were before the event" in body
    assert "Ask the child." in body
    response = client.post(
        f"/learning/events/{event.pk}/evaluation/",
        {"confidence_before": "2", "confidence_after": "4", "practice_change": "Ask the child."},
    )
    assert response.status_code == 302
    assert Evaluation.objects.get(event=event).confidence_after == 4
    # Someone who did not attend is sent back with the reason.
    other = client_for(lc.facilitator).get(f"/learning/events/{event.pk}/evaluation/", follow=True)
    assert "only after attending" in other.content.decode()


def test_follow_up_sent_once_on_the_day_the_period_ends(lc: LearnCast, django_capture_on_commit_callbacks) -> None:
    event = _attended(lc, days_ago=10, follow_up_after_days=30)
    due = event.follow_up_due_on()
    assert due == timezone.localdate(event.ends_at) + timedelta(days=30)
    assert services.send_due_follow_ups(today=due - timedelta(days=1)) == 0
    assert FollowUpRequest.objects.count() == 0
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_follow_ups(today=due) == 1  # the attendee only, not the no-show
    assert [m.to for m in mail.outbox] == [[lc.cast.involved.email]]
    assert f"/learning/events/{event.pk}/follow-up/" in mail.outbox[0].body
    assert services.send_due_follow_ups(today=due) == 0
    assert services.send_due_follow_ups(today=due + timedelta(days=5)) == 0
    assert FollowUpRequest.objects.filter(event=event).count() == 1


def test_send_learning_followups_command_and_task(lc: LearnCast) -> None:
    event = _attended(lc, days_ago=40, follow_up_after_days=30)
    out = StringIO()
    call_command("send_learning_followups", stdout=out)
    assert "1 follow-up survey email sent." in out.getvalue()
    call_command("send_learning_followups", stdout=out)
    assert "0 follow-up survey emails sent." in out.getvalue()
    assert FollowUpRequest.objects.filter(event=event).count() == 1
    assert send_learning_followups_task.enqueue().return_value == 0


def test_follow_up_response_only_once_after_being_sent(lc: LearnCast, client_for) -> None:
    event = _attended(lc, days_ago=40, follow_up_after_days=30)
    with pytest.raises(services.NotAllowed, match="opens when you are sent it"):
        services.submit_follow_up(actor=lc.cast.involved, event=event, practice_changed="yes")
    services.send_due_follow_ups()
    client = client_for(lc.cast.involved)
    response = client.post(
        f"/learning/events/{event.pk}/follow-up/", {"practice_changed": "yes", "example": "Home visits now."}
    )
    assert response.status_code == 302
    assert FollowUpResponse.objects.get(event=event).example == "Home visits now."
    with pytest.raises(services.LearningError, match="already answered"):
        services.submit_follow_up(actor=lc.cast.involved, event=event, practice_changed="no")
