"""Registering for a learning event, its waiting list, cancelling, and the organisers taking someone off:
`kernel.service`s under the event row's lock, so changes for one event happen one at a time, with
the place itself taken by a conditional UPDATE the database constraint backs (`_take_place`).
`services` re-exports these for existing callers."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import F

from safeguarding.core import kernel
from safeguarding.core.access import is_active_person
from safeguarding.core.services import record_activity
from safeguarding.learning import notifications
from safeguarding.learning.checks import FULL_MESSAGE, NOT_INVITED_MESSAGE, EventFull, locked_event
from safeguarding.learning.enums import EventStatus, RegistrationStatus
from safeguarding.learning.models import Attendance, LearningEvent, Registration
from safeguarding.learning.permissions import can_organise, invitation_memberships

if TYPE_CHECKING:
    from safeguarding.core.types import Person


def _take_place(event: LearningEvent) -> bool:
    """One place, by one conditional UPDATE that the database constraint backs: two people asking for the
    last place at the same moment can never both get it."""
    return bool(
        LearningEvent.objects.filter(pk=event.pk, places_taken__lt=F("capacity")).update(
            places_taken=F("places_taken") + 1
        )
    )


def _give_back_place(event: LearningEvent) -> None:
    LearningEvent.objects.filter(pk=event.pk, places_taken__gt=0).update(places_taken=F("places_taken") - 1)


def _sync_places(event: LearningEvent, locked: LearningEvent) -> None:
    """The caller's copy of the event shows the places as they now are."""
    locked.refresh_from_db(fields=["places_taken"])
    event.places_taken = locked.places_taken


@kernel.service
def register_for_event(*, actor: Person, event: LearningEvent, at: datetime | None = None) -> Registration:
    """Take a place or, when every place is taken (or others are already waiting), join the waiting list.

    The event row is locked (PostgreSQL) so registrations, cancellations and promotions for one event
    happen one at a time, and the place itself is taken by a conditional UPDATE the database constraint
    backs (`_take_place`). The returned registration's `status` says which it is; its position in the
    queue is `queries.waiting_position`. Once the event has started, a full event refuses (`EventFull`):
    nobody would be moved into a place any more."""
    locked = locked_event(event)
    now = kernel.now(at)
    kernel.require(locked.status == EventStatus.PUBLISHED, "This event is not open for registration.")
    kernel.require(locked.ends_at > now, "This event has finished: you can no longer register.")
    memberships = invitation_memberships(actor, locked)
    kernel.require(memberships, NOT_INVITED_MESSAGE)
    mine = Registration.objects.live().filter(event=locked, user=actor).first()
    if mine is not None and mine.status == RegistrationStatus.WAITING:
        raise kernel.ServiceError("You are already on the waiting list for this event.")
    if mine is not None:
        raise kernel.ServiceError("You already have a place on this event.")
    if Attendance.objects.filter(event=locked, user_id=actor.pk).exists():
        raise kernel.ServiceError("Your attendance at this event is already recorded.")
    # Nobody jumps the queue: while anyone is waiting, a newcomer waits behind them.
    queue = Registration.objects.waiting().filter(event=locked).exists()
    if not queue and _take_place(locked):
        status = RegistrationStatus.PLACE
    elif locked.starts_at <= now:
        raise EventFull(FULL_MESSAGE)
    else:
        status = RegistrationStatus.WAITING
    membership = memberships[0]
    registration = Registration.objects.create(
        event=locked, user=actor, agency=membership.agency, role=membership.role, status=status, registered_at=now
    )
    if status == RegistrationStatus.PLACE:
        changes: dict[str, Any] = {"registration": [None, registration.pk]}
        action = "learning.registered"
    else:
        changes = {"waiting_list": [None, registration.pk]}
        action = "learning.waiting_list_joined"
    record_activity(actor=actor, action=action, target=locked, changes=changes)
    _sync_places(event, locked)
    return registration


def _cancel(
    *, actor: Person, locked: LearningEvent, registration: Registration, now: datetime, action: str
) -> Registration:
    """Cancel a live registration (a place or a place in the queue); a freed place goes to the waiting list."""
    kernel.require(not Attendance.objects.filter(registration=registration).exists(), "Attendance is already recorded.")
    had_place = registration.status == RegistrationStatus.PLACE
    registration.cancelled_at = now
    registration.save(update_fields=["cancelled_at"])
    key = "registration" if had_place else "waiting_list"
    record_activity(actor=actor, action=action, target=locked, changes={key: [registration.pk, None]})
    if had_place:
        _give_back_place(locked)
        promote_from_waiting_list(actor=actor, event=locked, at=now)
    return registration


@kernel.service
def cancel_registration(*, actor: Person, event: LearningEvent, at: datetime | None = None) -> Registration:
    """Give up one's place (the first on the waiting list is moved into it) or leave the waiting list."""
    locked = locked_event(event)
    registration = Registration.objects.live().filter(event=locked, user=actor).first()
    if registration is None:
        raise kernel.ServiceError("You do not have a place on this event.")
    _cancel(
        actor=actor,
        locked=locked,
        registration=registration,
        now=kernel.now(at),
        action="learning.registration_cancelled",
    )
    _sync_places(event, locked)
    return registration


@kernel.service
def remove_registration(*, actor: Person, registration: Registration, at: datetime | None = None) -> Registration:
    """The organiser takes someone off the event: their place (the first waiting person is moved into it)
    or their place on the waiting list. They are told by email."""
    locked = locked_event(registration.event)
    kernel.require(
        can_organise(actor, locked), "Only the event's facilitator or the business unit can take people off it."
    )
    current = Registration.objects.live().filter(pk=registration.pk, event=locked).select_related("user").first()
    if current is None:
        raise kernel.ServiceError("This person no longer has a place or a place on the waiting list.")
    was_waiting = current.status == RegistrationStatus.WAITING
    _cancel(
        actor=actor, locked=locked, registration=current, now=kernel.now(at), action="learning.registration_removed"
    )
    current.event = locked
    notifications.removed_by_organiser(current, was_waiting=was_waiting)
    registration.cancelled_at = current.cancelled_at
    return current


@kernel.service
def promote_from_waiting_list(*, actor: Person, event: LearningEvent, at: datetime | None = None) -> list[Registration]:
    """Move people from the waiting list into free places, first come first served, and email each one.

    Called by every service that frees a place or adds places (a cancellation, the organiser taking
    someone off, a larger capacity, the event published again), in the same transaction and under the
    same lock on the event row. Only before the event starts: a place given once it is under way is no
    use to anyone. Someone whose account has since been closed leaves the queue instead."""
    locked = locked_event(event)
    now = kernel.now(at)
    if locked.status != EventStatus.PUBLISHED or locked.starts_at <= now:
        kernel.unchanged()
        return []
    promoted: list[Registration] = []
    left = 0
    for registration in Registration.objects.waiting().filter(event=locked).select_related("user"):
        if not is_active_person(registration.user):
            registration.cancelled_at = now
            registration.save(update_fields=["cancelled_at"])
            record_activity(
                actor=actor,
                action="learning.registration_removed",
                target=locked,
                changes={"waiting_list": [registration.pk, None], "reason": [None, "account closed"]},
            )
            left += 1
            continue
        if not _take_place(locked):
            break
        registration.status = RegistrationStatus.PLACE
        registration.promoted_at = now
        registration.save(update_fields=["status", "promoted_at"])
        record_activity(
            actor=actor,
            action="learning.promoted_from_waiting_list",
            target=locked,
            changes={"waiting_list": [registration.pk, None], "registration": [None, registration.pk]},
        )
        registration.event = locked
        notifications.place_from_waiting_list(registration)
        promoted.append(registration)
    if promoted:
        _sync_places(event, locked)
    elif not left:
        kernel.unchanged()  # nobody waiting, or no free place
    return promoted
