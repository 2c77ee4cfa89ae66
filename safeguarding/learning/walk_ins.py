"""Walk-ins: people who came to a learning event without registering (`verb_noun(*, actor, …)` services,
as in `services.py`). The organisers — the business unit, or the event's facilitator — record them once
the event has started: a person with an account from an agency the event invited (chosen from a list),
or, for someone without an account, their name with the agency and role they came for.

A walk-in is an `Attendance` with `walk_in` set and no registration: it counts as attended in the
reports (by agency and role, against the invitations) and is marked as a walk-in there and in the
register. It takes no place: places are about registration, and the person is already in the room.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from safeguarding.agencies.enums import Role
from safeguarding.agencies.models import Agency
from safeguarding.core import kernel
from safeguarding.core.access import is_active_person
from safeguarding.core.services import record_activity
from safeguarding.learning import queries
from safeguarding.learning.checks import NOT_STARTED, ORGANISERS_ONLY, locked_event
from safeguarding.learning.models import Attendance, Evaluation, LearningEvent, Registration
from safeguarding.learning.permissions import can_record_attendance

if TYPE_CHECKING:
    from safeguarding.core.types import Person

NAME_MAX = 200
# Every role a person can hold (an agency's system cannot walk into a room).
WALK_IN_ROLES = tuple(r.value for r in Role if r != Role.AGENCY_SYSTEM)


def _person_errors(user: Person, event: LearningEvent) -> tuple[dict[str, str], Any]:
    """What stops a person with an account being recorded as a walk-in, and the membership they came for."""
    if not is_active_person(user) or getattr(user, "is_system", False):
        return {"user": "Choose a person with an active account."}, None
    membership = queries.walk_in_membership(user, event)
    if membership is None:
        return {"user": f"{user} does not work for an agency invited to this event."}, None
    if Registration.objects.with_place().filter(event=event, user=user).exists():
        return {"user": f"{user} has a place on this event: tick them in the attendance register instead."}, None
    if Attendance.objects.filter(event=event, user=user).exists():
        return {"user": f"{user}'s attendance at this event is already recorded."}, None
    return {}, membership


def _by_hand_errors(event: LearningEvent, name: str, agency: Agency | None, role: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter the name of the person who came."
    elif len(name) > NAME_MAX:
        errors["name"] = f"Keep the name to {NAME_MAX} characters."
    if agency is None:
        errors["agency"] = "Choose the agency they work for."
    elif not queries.invited_agencies(event).filter(pk=agency.pk).exists():
        errors["agency"] = "Choose an agency invited to this event."
    if role not in WALK_IN_ROLES:
        errors["role"] = "Choose their role."
    if not errors and agency is not None:
        same = Attendance.objects.filter(event=event, user__isnull=True, agency=agency, name__iexact=name)
        if same.exists():
            errors["name"] = f"{name} from {agency.name} is already recorded as a walk-in."
    return errors


@kernel.service
def record_walk_in(
    *,
    actor: Person,
    event: LearningEvent,
    user: Person | None = None,
    name: str = "",
    agency: Agency | None = None,
    role: str = "",
    at: datetime | None = None,
) -> Attendance:
    """Record that someone came without registering: a person with an account (`user`; their agency and
    role are taken from their membership of an invited agency), or someone without one (`name`, `agency`
    — one the event invited — and `role`). Someone on the waiting list who came leaves it."""
    locked = locked_event(event)
    kernel.require(can_record_attendance(actor, locked), ORGANISERS_ONLY)
    now = kernel.now(at)
    kernel.require(locked.starts_at <= now, NOT_STARTED)
    name = " ".join((name or "").split())
    if user is not None and name:
        raise ValidationError(
            {"name": "Choose a person with an account, or give the name of someone without one: not both."}
        )
    if user is not None:
        errors, membership = _person_errors(user, locked)
        if errors:
            raise ValidationError(errors)
        agency, role = membership.agency, membership.role
    else:
        errors = _by_hand_errors(locked, name, agency, role)
        if errors:
            raise ValidationError(errors)
    assert agency is not None
    changes: dict[str, Any] = {}
    if user is not None:
        waiting = Registration.objects.waiting().filter(event=locked, user=user).first()
        if waiting is not None:
            waiting.cancelled_at = now
            waiting.save(update_fields=["cancelled_at"])
            changes["waiting_list"] = [waiting.pk, None]
    attendance = Attendance.objects.create(
        event=locked,
        registration=None,
        user=user,
        name="" if user is not None else name,
        agency=agency,
        role=role,
        attended=True,
        walk_in=True,
        recorded_by=actor,
        recorded_at=now,
    )
    changes["walk_in"] = [
        None,
        {
            "attendance": attendance.pk,
            "user": user.pk if user is not None else None,
            "name": attendance.name,
            "agency": agency.pk,
            "role": role,
        },
    ]
    record_activity(actor=actor, action="learning.walk_in_recorded", target=locked, changes=changes)
    return attendance


@kernel.service
def remove_walk_in(*, actor: Person, attendance: Attendance) -> None:
    """Undo a walk-in recorded by mistake (not once the person has evaluated the event)."""
    locked = locked_event(attendance.event)
    kernel.require(can_record_attendance(actor, locked), ORGANISERS_ONLY)
    current = Attendance.objects.filter(pk=attendance.pk, event=locked, walk_in=True).first()
    if current is None:
        raise ValidationError({"walk_in": "This walk-in is no longer recorded."})
    if current.user_id and Evaluation.objects.filter(event=locked, user_id=current.user_id).exists():
        raise ValidationError({"walk_in": "This person has evaluated the event: their attendance stays."})
    record_activity(
        actor=actor,
        action="learning.walk_in_removed",
        target=locked,
        changes={
            "walk_in": [
                {
                    "attendance": current.pk,
                    "user": current.user_id,
                    "name": current.name,
                    "agency": current.agency_id,
                    "role": current.role,
                },
                None,
            ]
        },
    )
    current.delete()
