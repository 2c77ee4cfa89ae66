"""Walk-ins: the organisers (business unit, the event's facilitator) record people who came without
registering — a person with an account from an invited agency, or by hand a name, agency and role — once
the event has started. They count as attending in the reports, marked as walk-ins, and take no place."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from safeguarding.agencies.enums import Role
from safeguarding.core.models import ActivityLog
from safeguarding.learning import reports, services, walk_ins
from safeguarding.learning.models import Attendance, FollowUpRequest, LearningEvent, Registration
from safeguarding.learning.tests.conftest import LearnCast
from safeguarding.testing import factories as f


@pytest.fixture
def held(lc: LearnCast) -> LearningEvent:
    """A workshop for every health agency that started an hour ago: the involved practitioner registered."""
    event = lc.event()
    services.register_for_event(actor=lc.cast.involved, event=event)
    starts = timezone.now() - timedelta(hours=1)
    LearningEvent.objects.filter(pk=event.pk).update(starts_at=starts, ends_at=starts + timedelta(hours=3))
    event.refresh_from_db()
    return event


@pytest.fixture
def walker(lc: LearnCast) -> Any:
    """A health manager with an account who did not register."""
    return f.member(lc.cast.agency, Role.MANAGER, first_name="Walter", last_name="Walkin")


def test_walk_ins_are_recorded_and_counted_in_the_attendance_report(
    lc: LearnCast, held: LearningEvent, walker: Any
) -> None:
    services.record_attendance(actor=lc.facilitator, event=held, attended={lc.cast.involved.pk: True})
    with_account = walk_ins.record_walk_in(actor=lc.facilitator, event=held, user=walker)
    by_hand = walk_ins.record_walk_in(
        actor=lc.business, event=held, name="  Nadia   Noaccount ", agency=lc.cast.agency, role=Role.PRACTITIONER
    )
    assert (with_account.walk_in, with_account.attended, with_account.registration) == (True, True, None)
    assert (with_account.agency, with_account.role) == (lc.cast.agency, Role.MANAGER)
    assert (by_hand.user, by_hand.name, by_hand.who) == (None, "Nadia Noaccount", "Nadia Noaccount")
    held.refresh_from_db()
    assert held.places_taken == 1  # a walk-in takes no place
    assert ActivityLog.objects.filter(action="learning.walk_in_recorded", target_id=str(held.pk)).count() == 2

    report = reports.attendance_report(reports.Period(), charts=False)
    agency = {r.label: (r.registered, r.attended, r.walk_ins, r.percent_attended) for r in report.by_agency}
    assert agency["Test Community Health"] == (1, 3, 2, 100)
    role = {r.label: (r.registered, r.attended, r.walk_ins) for r in report.by_role}
    assert role["Manager"] == (0, 1, 1)
    assert role["Practitioner"] == (1, 2, 1)
    (row,) = report.events
    assert (row.registered, row.attended, row.walk_ins, row.agencies_attended, row.percent_attended) == (
        1,
        3,
        2,
        1,
        100,
    )
    assert (report.total.attended, report.total.walk_ins) == (3, 2)


def test_walk_in_must_come_from_an_invited_agency(lc: LearnCast, held: LearningEvent) -> None:
    with pytest.raises(ValidationError, match="does not work for an agency invited"):
        walk_ins.record_walk_in(actor=lc.business, event=held, user=lc.cast.partner)
    with pytest.raises(ValidationError, match="Choose an agency invited to this event"):
        walk_ins.record_walk_in(
            actor=lc.business, event=held, name="Pat Police", agency=lc.cast.partner_agency, role=Role.PRACTITIONER
        )
    assert not Attendance.objects.filter(walk_in=True).exists()


def test_walk_in_refusals_say_what_to_do(lc: LearnCast, held: LearningEvent, walker: Any) -> None:
    with pytest.raises(ValidationError, match="has a place on this event: tick them"):
        walk_ins.record_walk_in(actor=lc.business, event=held, user=lc.cast.involved)
    walk_ins.record_walk_in(actor=lc.business, event=held, user=walker)
    with pytest.raises(ValidationError, match="already recorded"):
        walk_ins.record_walk_in(actor=lc.business, event=held, user=walker)
    walk_ins.record_walk_in(
        actor=lc.business, event=held, name="Nadia Noaccount", agency=lc.cast.agency, role=Role.PRACTITIONER
    )
    with pytest.raises(ValidationError, match="already recorded as a walk-in"):
        walk_ins.record_walk_in(
            actor=lc.business, event=held, name="NADIA NOACCOUNT", agency=lc.cast.agency, role=Role.MANAGER
        )
    with pytest.raises(ValidationError) as missing:
        walk_ins.record_walk_in(actor=lc.business, event=held, name="", agency=None, role="")
    assert set(missing.value.message_dict) == {"name", "agency", "role"}
    with pytest.raises(ValidationError, match="not both"):
        walk_ins.record_walk_in(actor=lc.business, event=held, user=walker, name="Someone")


def test_walk_ins_only_once_the_event_has_started(lc: LearnCast, walker: Any) -> None:
    upcoming = lc.event()
    with pytest.raises(services.NotAllowed, match="once the event has started"):
        walk_ins.record_walk_in(actor=lc.business, event=upcoming, user=walker)


def test_only_organisers_record_walk_ins(lc: LearnCast, held: LearningEvent, walker: Any) -> None:
    for person in (lc.cast.involved, lc.cast.partner, lc.cast.unrelated, lc.scrutineer, walker):
        with pytest.raises(services.NotAllowed, match="facilitator or the business unit"):
            walk_ins.record_walk_in(actor=person, event=held, user=walker)
    assert not Attendance.objects.filter(walk_in=True).exists()


def test_someone_on_the_waiting_list_who_came_leaves_it(lc: LearnCast, walker: Any) -> None:
    event = lc.event(capacity=1)
    services.register_for_event(actor=lc.cast.involved, event=event)
    waiting = services.register_for_event(actor=walker, event=event)
    assert waiting.is_waiting
    LearningEvent.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
    event.refresh_from_db()
    walk_ins.record_walk_in(actor=lc.facilitator, event=event, user=walker)
    assert not Registration.objects.waiting().filter(event=event).exists()
    assert Attendance.objects.get(event=event, user=walker).walk_in


def test_walk_in_with_an_account_evaluates_and_gets_the_follow_up(lc: LearnCast, held: LearningEvent, walker: Any):
    walk_ins.record_walk_in(actor=lc.business, event=held, user=walker)
    walk_ins.record_walk_in(
        actor=lc.business, event=held, name="Nadia Noaccount", agency=lc.cast.agency, role=Role.PRACTITIONER
    )
    services.submit_evaluation(
        actor=walker, event=held, confidence_before=2, confidence_after=3, practice_change="Ask about dads."
    )
    LearningEvent.objects.filter(pk=held.pk).update(
        starts_at=held.starts_at - timedelta(days=100), ends_at=held.ends_at - timedelta(days=100)
    )
    assert services.send_due_follow_ups() == 1  # the walk-in with an account; nobody without one
    assert FollowUpRequest.objects.get(event=held).user == walker
    # Their attendance stays once they have evaluated.
    with pytest.raises(ValidationError, match="has evaluated"):
        walk_ins.remove_walk_in(actor=lc.business, attendance=Attendance.objects.get(user=walker))


def test_remove_walk_in_recorded_by_mistake(lc: LearnCast, held: LearningEvent, walker: Any) -> None:
    row = walk_ins.record_walk_in(actor=lc.business, event=held, user=walker)
    with pytest.raises(services.NotAllowed):
        walk_ins.remove_walk_in(actor=lc.cast.involved, attendance=row)
    walk_ins.remove_walk_in(actor=lc.facilitator, attendance=row)
    assert not Attendance.objects.filter(pk=row.pk).exists()
    assert ActivityLog.objects.filter(action="learning.walk_in_removed").count() == 1


def test_database_keeps_walk_ins_consistent(lc: LearnCast, held: LearningEvent) -> None:
    base = {"event": held, "agency": lc.cast.agency, "role": Role.PRACTITIONER, "recorded_by": lc.business}
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(walk_in=True, attended=False, name="No Show", **base)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(walk_in=True, attended=True, name="", **base)  # nobody
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(walk_in=False, attended=True, name="Not registered", **base)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("involved", 404),
        ("partner", 404),
        ("unrelated", 404),
        ("scrutineer", 404),
        ("facilitator", 200),
        ("business", 200),
    ],
)
def test_walk_in_page_access(
    lc: LearnCast, held: LearningEvent, client_for: Any, walker: Any, persona: str, status: int
) -> None:
    user = getattr(lc.cast, persona, None) or getattr(lc, persona)
    client = client_for(user)
    url = f"/learning/events/{held.pk}/walk-ins/"
    assert client.get(url).status_code == status
    response = client.post(url, {"who": "person", "person-user": walker.pk})
    assert response.status_code == (302 if status == 200 else 404)
    assert Attendance.objects.filter(user=walker, walk_in=True).exists() is (status == 200)


def test_walk_in_pages_record_by_hand_and_list_walk_ins(
    lc: LearnCast, held: LearningEvent, client_for: Any, walker: Any
) -> None:
    client = client_for(lc.facilitator)
    form = client.get(f"/learning/events/{held.pk}/walk-ins/").content.decode()
    assert "Walter Walkin" in form  # a health manager without a place
    assert f">{lc.cast.involved}" not in form  # has a place: ticked in the register instead
    assert str(lc.cast.partner) not in form  # police: not invited
    response = client.post(
        f"/learning/events/{held.pk}/walk-ins/",
        {"who": "by-hand", "by-hand-name": "", "by-hand-agency": lc.cast.partner_agency.pk, "by-hand-role": ""},
    )
    body = response.content.decode()
    assert "Enter the name of the person who came" in body
    assert "Choose an invited agency" in body
    response = client.post(
        f"/learning/events/{held.pk}/walk-ins/",
        {
            "who": "by-hand",
            "by-hand-name": "Nadia Noaccount",
            "by-hand-agency": lc.cast.agency.pk,
            "by-hand-role": Role.PRACTITIONER,
        },
        follow=True,
    )
    body = response.content.decode()
    assert "Nadia Noaccount is recorded as a walk-in." in body
    register = body[body.index('id="walk-ins"') :]
    assert "Nadia Noaccount" in register
    assert "Walk-in" in register
    row = Attendance.objects.get(name="Nadia Noaccount")
    client.post(f"/learning/events/{held.pk}/walk-ins/{row.pk}/remove/")
    assert not Attendance.objects.filter(pk=row.pk).exists()


def test_report_page_marks_walk_ins(lc: LearnCast, held: LearningEvent, client_for: Any, walker: Any) -> None:
    walk_ins.record_walk_in(actor=lc.business, event=held, user=walker)
    page = client_for(lc.business).get("/learning/reports/").content.decode()
    assert "Of whom walk-ins" in page
    table = page[page.index('id="table-attendance-events"') :]
    cells = re.findall(r'numeric">([^<]*)</td>', table[: table.index("</table>")])
    # agencies invited, agencies that came, places, registered, on the waiting list, attended, walk-ins, %
    assert cells[2:] == ["10", "1", "0", "1", "1", "0%"]
