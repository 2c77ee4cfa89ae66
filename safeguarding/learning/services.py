"""State changes of learning events and briefings: one `verb_noun(*, actor, …)` function per action, each
in a transaction, checking the rule (`permissions`), the version where several people edit, writing the
activity log and queueing emails to go after commit. Pages, the API, commands and tasks call these.

`at` lets demo data date a change in the past; pages and the API never pass it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import F, Model
from django.urls import reverse
from django.utils import timezone

from safeguarding.agencies.models import Agency
from safeguarding.core import kernel
from safeguarding.core.access import is_active_person
from safeguarding.core.services import created_diff, diff, record_activity, snapshot
from safeguarding.learning import notifications
from safeguarding.learning.anonymise import name_rules, real_names_in, scrub
from safeguarding.learning.enums import Delivery, EventStatus, PracticeChanged, RegistrationStatus
from safeguarding.learning.models import (
    Attendance,
    Evaluation,
    FollowUpRequest,
    FollowUpResponse,
    Invitation,
    LearningEvent,
    Registration,
)
from safeguarding.learning.permissions import (
    can_manage_learning,
    can_organise,
    can_record_attendance,
    invitation_memberships,
)
from safeguarding.reviews.models import Review, Theme

M = TypeVar("M", bound=Model)


class LearningError(kernel.ServiceError):
    """A change that cannot happen; the message says why and what to do next."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(LearningError, kernel.NotAllowed):
    pass


class StaleVersion(LearningError, kernel.StaleVersion):
    pass


class EventFull(LearningError):
    pass


STALE_MESSAGE = (
    "Someone else changed this while you were working on it, so your change was not saved. "
    "Read it again, then make your change if it is still needed."
)
FULL_MESSAGE = (
    "This event is full and has started, so its waiting list is closed: every place has been taken. "
    "Ask the business unit about the next one."
)
NOT_INVITED_MESSAGE = "You are not invited to this event. Ask the business unit if you think you should be."
REAL_NAME_MESSAGE = (
    "Remove the child's real name ({names}): use the review's pseudonyms (for example 'Child A') instead."
)

EVENT_FIELDS = (
    "kind",
    "title",
    "description",
    "review",
    "case_study",
    "starts_at",
    "ends_at",
    "delivery",
    "venue",
    "facilitator",
    "facilitator_name",
    "capacity",
    "status",
    "follow_up_after_days",
)


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _require(condition: Any, message: str) -> None:
    if not condition:
        raise NotAllowed(message)


def _no_real_names(errors: dict[str, str], review: Review | None, texts: Mapping[str, str]) -> None:
    """Text about a review names its children by pseudonym only."""
    rules = name_rules(review)
    for field, text in texts.items():
        names = real_names_in(text or "", rules)
        if names and field not in errors:
            errors[field] = REAL_NAME_MESSAGE.format(names=", ".join(sorted(set(names))))


# ---- events ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseStudyPrefill:
    title: str
    case_study: str
    themes: list[Theme]


def case_study_from_review(review: Review) -> CaseStudyPrefill:
    """A workshop's starting text from a review: its title and findings, with every child's real name
    replaced by the review's pseudonym."""
    rules = name_rules(review)
    findings = list(review.findings.prefetch_related("themes").order_by("number"))
    lines = [f"A case study from the review '{review.title}'.", ""]
    for finding in findings:
        lines.append(f"{finding.number}. {finding.title}")
        if finding.text:
            lines.append(f"   {finding.text}")
    themes: dict[int, Theme] = {}
    for finding in findings:
        for theme in finding.themes.all():
            themes.setdefault(theme.pk, theme)
    return CaseStudyPrefill(
        title=scrub(f"Practice workshop: learning from {review.title}", rules),
        case_study=scrub("\n".join(lines).strip(), rules),
        themes=sorted(themes.values(), key=lambda t: (t.order, t.name)),
    )


def _validate_event(values: dict[str, Any], *, places_taken: int = 0) -> None:
    errors: dict[str, str] = {}
    if not (values.get("title") or "").strip():
        errors["title"] = "Enter the event's title."
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if starts and ends and ends <= starts:
        errors["ends_at"] = "The event must end after it starts."
    capacity = values.get("capacity") or 0
    if capacity < 1:
        errors["capacity"] = "Enter how many places there are: 1 or more."
    elif capacity < places_taken:
        errors["capacity"] = f"{places_taken} people already have a place: the capacity cannot be fewer than that."
    if values.get("delivery") == Delivery.IN_PERSON and not (values.get("venue") or "").strip():
        errors["venue"] = "Enter where the event is held."
    days = values.get("follow_up_after_days") or 0
    if not 1 <= days <= 730:
        errors["follow_up_after_days"] = "Enter the number of days before the follow-up survey: 1 to 730."
    _no_real_names(
        errors,
        values.get("review"),
        {k: values.get(k) or "" for k in ("title", "description", "case_study")},
    )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_event(
    *, actor: Any, themes: Sequence[Theme] = (), at: datetime | None = None, **fields: Any
) -> LearningEvent:
    """Create an event (draft or published). Fields: see `EVENT_FIELDS`."""
    _require(can_manage_learning(actor), "Only the business unit can create learning events.")
    values = {"status": EventStatus.DRAFT, "follow_up_after_days": 90, "delivery": Delivery.IN_PERSON, **fields}
    unknown = set(values) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown event fields: {sorted(unknown)}")
    _validate_event(values)
    event = LearningEvent.objects.create(created_by=actor, created_at=_now(at), **values)
    event.themes.set(themes)
    record_activity(
        actor=actor,
        action="learning.event_created",
        target=event,
        changes=created_diff(event, EVENT_FIELDS, LearningEvent.MASKED_FIELDS),
    )
    return event


def locked_row(obj: M, version: int | None = None) -> M:
    """`obj` as stored now, locked for this transaction; refused if it changed since `version`."""
    locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    if version is not None and getattr(locked, "version", None) != version:
        raise StaleVersion(STALE_MESSAGE)
    return locked


def _locked_event(event: LearningEvent, version: int | None = None) -> LearningEvent:
    return locked_row(event, version)


@transaction.atomic
def update_event(
    *, actor: Any, event: LearningEvent, version: int, themes: Sequence[Theme] | None = None, **fields: Any
) -> LearningEvent:
    _require(can_manage_learning(actor), "Only the business unit can change learning events.")
    locked = _locked_event(event, version)
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown event fields: {sorted(unknown)}")
    before = snapshot(locked, EVENT_FIELDS)
    values = {name: getattr(locked, name) for name in EVENT_FIELDS}
    values.update(fields)
    _validate_event(values, places_taken=locked.places_taken)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.version = F("version") + 1
    locked.save(update_fields=[*fields, "version"])
    locked.refresh_from_db()
    changes = diff(before, snapshot(locked, EVENT_FIELDS), LearningEvent.MASKED_FIELDS)
    if themes is not None:
        old = sorted(locked.themes.values_list("pk", flat=True))
        locked.themes.set(themes)
        new = sorted(t.pk for t in themes)
        if old != new:
            changes["themes"] = [old, new]
    record_activity(actor=actor, action="learning.event_changed", target=locked, changes=changes)
    # More places (or the event published again) may let people in from the waiting list.
    promote_from_waiting_list(actor=actor, event=locked)
    locked.refresh_from_db(fields=["places_taken"])
    return locked


@transaction.atomic
def add_invitation(
    *, actor: Any, event: LearningEvent, agency: Agency | None = None, agency_kind: str = "", role: str = ""
) -> Invitation:
    _require(can_manage_learning(actor), "Only the business unit can invite people to learning events.")
    if (agency is None) == (not agency_kind):
        raise ValidationError({"agency": "Choose one agency or one kind of agency."})
    existing = Invitation.objects.filter(event=event, role=role)
    existing = (
        existing.filter(agency=agency) if agency else existing.filter(agency__isnull=True, agency_kind=agency_kind)
    )
    if existing.exists():
        raise ValidationError({"agency": "These people are already invited."})
    invitation = Invitation.objects.create(
        event=event, agency=agency, agency_kind=agency_kind if not agency else "", role=role
    )
    record_activity(
        actor=actor,
        action="learning.invitation_added",
        target=event,
        changes={"invitation": [None, {"agency": agency.pk if agency else None, "kind": agency_kind, "role": role}]},
    )
    return invitation


@transaction.atomic
def remove_invitation(*, actor: Any, invitation: Invitation) -> None:
    _require(can_manage_learning(actor), "Only the business unit can change invitations.")
    event = invitation.event
    record_activity(
        actor=actor,
        action="learning.invitation_removed",
        target=event,
        changes={
            "invitation": [
                {"agency": invitation.agency_id, "kind": invitation.agency_kind, "role": invitation.role},
                None,
            ]
        },
    )
    invitation.delete()


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


@transaction.atomic
def register_for_event(*, actor: Any, event: LearningEvent, at: datetime | None = None) -> Registration:
    """Take a place or, when every place is taken (or others are already waiting), join the waiting list.

    The event row is locked (PostgreSQL) so registrations, cancellations and promotions for one event
    happen one at a time, and the place itself is taken by a conditional UPDATE the database constraint
    backs (`_take_place`). The returned registration's `status` says which it is; its position in the
    queue is `queries.waiting_position`. Once the event has started, a full event refuses (`EventFull`):
    nobody would be moved into a place any more."""
    locked = _locked_event(event)
    now = _now(at)
    _require(locked.status == EventStatus.PUBLISHED, "This event is not open for registration.")
    _require(locked.ends_at > now, "This event has finished: you can no longer register.")
    memberships = invitation_memberships(actor, locked)
    _require(memberships, NOT_INVITED_MESSAGE)
    mine = Registration.objects.live().filter(event=locked, user=actor).first()
    if mine is not None and mine.status == RegistrationStatus.WAITING:
        raise LearningError("You are already on the waiting list for this event.")
    if mine is not None:
        raise LearningError("You already have a place on this event.")
    if Attendance.objects.filter(event=locked, user_id=actor.pk).exists():
        raise LearningError("Your attendance at this event is already recorded.")
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
    *, actor: Any, locked: LearningEvent, registration: Registration, now: datetime, action: str
) -> Registration:
    """Cancel a live registration (a place or a place in the queue); a freed place goes to the waiting list."""
    _require(not Attendance.objects.filter(registration=registration).exists(), "Attendance is already recorded.")
    had_place = registration.status == RegistrationStatus.PLACE
    registration.cancelled_at = now
    registration.save(update_fields=["cancelled_at"])
    key = "registration" if had_place else "waiting_list"
    record_activity(actor=actor, action=action, target=locked, changes={key: [registration.pk, None]})
    if had_place:
        _give_back_place(locked)
        promote_from_waiting_list(actor=actor, event=locked, at=now)
    return registration


@transaction.atomic
def cancel_registration(*, actor: Any, event: LearningEvent, at: datetime | None = None) -> Registration:
    """Give up one's place (the first on the waiting list is moved into it) or leave the waiting list."""
    locked = _locked_event(event)
    registration = Registration.objects.live().filter(event=locked, user=actor).first()
    if registration is None:
        raise LearningError("You do not have a place on this event.")
    _cancel(
        actor=actor, locked=locked, registration=registration, now=_now(at), action="learning.registration_cancelled"
    )
    _sync_places(event, locked)
    return registration


@transaction.atomic
def remove_registration(*, actor: Any, registration: Registration, at: datetime | None = None) -> Registration:
    """The organiser takes someone off the event: their place (the first waiting person is moved into it)
    or their place on the waiting list. They are told by email."""
    locked = _locked_event(registration.event)
    _require(can_organise(actor, locked), "Only the event's facilitator or the business unit can take people off it.")
    current = Registration.objects.live().filter(pk=registration.pk, event=locked).select_related("user").first()
    if current is None:
        raise LearningError("This person no longer has a place or a place on the waiting list.")
    was_waiting = current.status == RegistrationStatus.WAITING
    _cancel(actor=actor, locked=locked, registration=current, now=_now(at), action="learning.registration_removed")
    current.event = locked
    notifications.removed_by_organiser(current, was_waiting=was_waiting)
    registration.cancelled_at = current.cancelled_at
    return current


@transaction.atomic
def promote_from_waiting_list(*, actor: Any, event: LearningEvent, at: datetime | None = None) -> list[Registration]:
    """Move people from the waiting list into free places, first come first served, and email each one.

    Called by every service that frees a place or adds places (a cancellation, the organiser taking
    someone off, a larger capacity, the event published again), in the same transaction and under the
    same lock on the event row. Only before the event starts: a place given once it is under way is no
    use to anyone. Someone whose account has since been closed leaves the queue instead."""
    locked = _locked_event(event)
    now = _now(at)
    if locked.status != EventStatus.PUBLISHED or locked.starts_at <= now:
        return []
    promoted: list[Registration] = []
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
    return promoted


@transaction.atomic
def record_attendance(
    *, actor: Any, event: LearningEvent, attended: Mapping[int, bool], at: datetime | None = None
) -> list[Attendance]:
    """Record who came: `attended` maps the user id of each registered person to yes/no."""
    locked = _locked_event(event)
    _require(
        can_record_attendance(actor, locked),
        "Only the event's facilitator or the business unit can record attendance.",
    )
    now = _now(at)
    _require(locked.starts_at <= now, "You can record attendance once the event has started.")
    registrations = {
        r.user_id: r for r in Registration.objects.with_place().filter(event=locked, user_id__in=list(attended))
    }
    missing = sorted(set(attended) - set(registrations))
    if missing:
        raise ValidationError(
            {"attended": f"These people have no place on this event: {', '.join(map(str, missing))}."}
        )
    rows = []
    changes: dict[str, Any] = {}
    for user_id, came in sorted(attended.items()):
        registration = registrations[user_id]
        row, created = Attendance.objects.get_or_create(
            registration=registration,
            defaults={
                "event": locked,
                "user_id": user_id,
                "agency_id": registration.agency_id,
                "role": registration.role,
                "attended": came,
                "recorded_by": actor,
                "recorded_at": now,
            },
        )
        if not created and row.attended != came:
            if not came and Evaluation.objects.filter(event=locked, user_id=user_id).exists():
                raise ValidationError(
                    {"attended": "Someone who has already evaluated the event attended it: their record stays."}
                )
            changes[str(user_id)] = [row.attended, came]
            row.attended, row.recorded_by, row.recorded_at = came, actor, now
            row.save(update_fields=["attended", "recorded_by", "recorded_at"])
        elif created:
            changes[str(user_id)] = [None, came]
        rows.append(row)
    if changes:
        record_activity(
            actor=actor, action="learning.attendance_recorded", target=locked, changes={"attended": changes}
        )
    return rows


@transaction.atomic
def submit_evaluation(
    *,
    actor: Any,
    event: LearningEvent,
    confidence_before: int,
    confidence_after: int,
    practice_change: str,
    comments: str = "",
    at: datetime | None = None,
) -> Evaluation:
    attendance = Attendance.objects.filter(event=event, user_id=actor.pk, attended=True).first()
    _require(attendance is not None, "You can evaluate an event only after attending it.")
    assert attendance is not None
    if Evaluation.objects.filter(event=event, user_id=actor.pk).exists():
        raise LearningError("You have already evaluated this event. Thank you.")
    errors: dict[str, str] = {}
    for name, value in (("confidence_before", confidence_before), ("confidence_after", confidence_after)):
        if value not in range(1, 6):
            errors[name] = "Choose a number from 1 to 5."
    if not (practice_change or "").strip():
        errors["practice_change"] = "Say what will change in your practice."
    if errors:
        raise ValidationError(errors)
    evaluation = Evaluation.objects.create(
        event=event,
        user=actor,
        agency_id=attendance.agency_id,
        confidence_before=confidence_before,
        confidence_after=confidence_after,
        practice_change=practice_change.strip(),
        comments=comments.strip(),
        submitted_at=_now(at),
    )
    record_activity(
        actor=actor, action="learning.evaluated", target=event, changes={"evaluation": [None, evaluation.pk]}
    )
    return evaluation


# ---- follow-up survey -----------------------------------------------------------------------------


def _follow_up_email(event: LearningEvent) -> tuple[str, str]:
    base = settings.SITE_URL.rstrip("/")
    url = f"{base}{reverse('learning:follow-up', args=[event.pk])}"
    subject = f"Has your practice changed since {event.title}?"
    body = (
        f"You attended '{event.title}' on {timezone.localtime(event.starts_at):%d/%m/%Y}.\n\n"
        "The partnership would like to know whether it has changed your practice. It takes two minutes:\n"
        f"{url}\n\n"
        "This email holds no personal details. Do not forward it outside your agency."
    )
    return subject, body


def send_due_follow_ups(*, today: date | None = None) -> int:
    """Email each attendee of every event whose follow-up day has come, once (a `FollowUpRequest` row
    per person, unique, so a second run, or two runs at once, never asks anyone twice)."""
    today = today or timezone.localdate()
    sent = 0
    candidates = LearningEvent.objects.published().filter(ends_at__lt=timezone.now()).order_by("ends_at")
    for event in candidates.iterator():
        if event.follow_up_due_on() > today:
            continue
        sent += _send_follow_ups_for(event)
    return sent


@transaction.atomic
def _send_follow_ups_for(event: LearningEvent) -> int:
    locked = _locked_event(event)
    already = FollowUpRequest.objects.filter(event=locked).values_list("user_id", flat=True)
    # Everyone who came and has an account (a walk-in without one cannot sign in to answer).
    attendees = [
        a.user
        for a in Attendance.objects.filter(event=locked, attended=True, user__isnull=False)
        .exclude(user_id__in=already)
        .select_related("user")
        if a.user is not None
    ]
    if not attendees:
        return 0
    FollowUpRequest.objects.bulk_create([FollowUpRequest(event=locked, user=user) for user in attendees])
    record_activity(actor=None, action="learning.follow_up_sent", target=locked, changes={"sent": len(attendees)})
    subject, body = _follow_up_email(locked)
    sender = settings.DEFAULT_FROM_EMAIL
    datatuple = [(subject, body, sender, [user.email]) for user in attendees if user.email]
    if datatuple:
        transaction.on_commit(lambda: send_mass_mail(datatuple, fail_silently=False))
    return len(attendees)


@transaction.atomic
def submit_follow_up(
    *, actor: Any, event: LearningEvent, practice_changed: str, example: str = "", at: datetime | None = None
) -> FollowUpResponse:
    attendance = Attendance.objects.filter(event=event, user_id=actor.pk, attended=True).first()
    _require(attendance is not None, "The follow-up survey is for people who attended the event.")
    assert attendance is not None
    _require(
        FollowUpRequest.objects.filter(event=event, user_id=actor.pk).exists(),
        "The follow-up survey opens when you are sent it, after the event's follow-up period.",
    )
    if FollowUpResponse.objects.filter(event=event, user_id=actor.pk).exists():
        raise LearningError("You have already answered the follow-up survey. Thank you.")
    if practice_changed not in PracticeChanged.values:
        raise ValidationError({"practice_changed": "Choose whether your practice has changed."})
    response = FollowUpResponse.objects.create(
        event=event,
        user=actor,
        agency_id=attendance.agency_id,
        practice_changed=practice_changed,
        example=example.strip(),
        submitted_at=_now(at),
    )
    record_activity(
        actor=actor, action="learning.follow_up_answered", target=event, changes={"response": [None, response.pk]}
    )
    return response
