"""State changes of learning events: one `verb_noun(*, actor, …)` `kernel.service` per action (one
transaction, the rule checked in `permissions`, the version checked where several people edit, the
activity log written, emails queued to go after commit). Registrations and the waiting list are in
`registrations`, briefings in `briefings`, walk-ins in `walk_ins`; the registration services and the
shared errors are importable from here too. Pages, the API, commands and tasks call these.

`at` lets demo data date a change in the past; pages and the API never pass it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from safeguarding.agencies.models import Agency
from safeguarding.core import kernel
from safeguarding.core.services import created_diff, diff, record_activity, snapshot
from safeguarding.learning.anonymise import name_rules, scrub
from safeguarding.learning.checks import (
    FULL_MESSAGE,
    NOT_INVITED_MESSAGE,
    NOT_STARTED,
    REAL_NAME_MESSAGE,
    EventFull,
    LearningError,
    NotAllowed,
    StaleVersion,
    locked_event,
    no_real_names,
)
from safeguarding.learning.enums import Delivery, EventStatus, PracticeChanged
from safeguarding.learning.models import (
    Attendance,
    Evaluation,
    FollowUpRequest,
    FollowUpResponse,
    Invitation,
    LearningEvent,
    Registration,
)
from safeguarding.learning.permissions import EVENT_WORKFLOW, can_manage_learning, can_record_attendance, event_action
from safeguarding.learning.registrations import (
    cancel_registration,
    promote_from_waiting_list,
    register_for_event,
    remove_registration,
)
from safeguarding.reviews.models import Review, Theme

if TYPE_CHECKING:
    from safeguarding.core.types import Person

__all__ = [
    "FULL_MESSAGE",
    "NOT_INVITED_MESSAGE",
    "REAL_NAME_MESSAGE",
    "EventFull",
    "LearningError",
    "NotAllowed",
    "StaleVersion",
    "cancel_registration",
    "promote_from_waiting_list",
    "register_for_event",
    "remove_registration",
]

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
    no_real_names(
        errors,
        values.get("review"),
        {k: values.get(k) or "" for k in ("title", "description", "case_study")},
    )
    if errors:
        raise ValidationError(errors)


@kernel.service
def create_event(
    *, actor: Person, themes: Sequence[Theme] = (), at: datetime | None = None, **fields: Any
) -> LearningEvent:
    """Create an event (draft or published). Fields: see `EVENT_FIELDS`."""
    kernel.require(can_manage_learning(actor), "Only the business unit can create learning events.")
    values = {"status": EventStatus.DRAFT, "follow_up_after_days": 90, "delivery": Delivery.IN_PERSON, **fields}
    unknown = set(values) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown event fields: {sorted(unknown)}")
    _validate_event(values)
    event = LearningEvent.objects.create(created_by=actor, created_at=kernel.now(at), **values)
    event.themes.set(themes)
    record_activity(
        actor=actor,
        action="learning.event_created",
        target=event,
        changes=created_diff(event, EVENT_FIELDS, LearningEvent.MASKED_FIELDS),
    )
    return event


@kernel.service
def update_event(
    *, actor: Person, event: LearningEvent, version: int, themes: Sequence[Theme] | None = None, **fields: Any
) -> LearningEvent:
    kernel.require(can_manage_learning(actor), "Only the business unit can change learning events.")
    locked = locked_event(event, version)
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown event fields: {sorted(unknown)}")
    status = fields.pop("status", locked.status)
    action = event_action(locked.status, status)
    before = snapshot(locked, EVENT_FIELDS)
    values = {name: getattr(locked, name) for name in EVENT_FIELDS}
    values.update(fields, status=status)
    _validate_event(values, places_taken=locked.places_taken)
    # The event as it will be, to say what changed (the change is saved once, below).
    preview = copy.copy(locked)
    for name, value in values.items():
        setattr(preview, name, value)
    changes = diff(before, snapshot(preview, EVENT_FIELDS), LearningEvent.MASKED_FIELDS)
    if themes is not None:
        old = sorted(locked.themes.values_list("pk", flat=True))
        locked.themes.set(themes)
        new = sorted(t.pk for t in themes)
        if old != new:
            changes["themes"] = [old, new]
    if action:
        # A new status moves through the event's workflow, with the other changes saved alongside.
        EVENT_WORKFLOW.apply(
            locked,
            action=action,
            actor=actor,
            version=version,
            fields=fields,
            log_action="learning.event_changed",
            log_changes={name: change for name, change in changes.items() if name != "status"},
        )
    else:
        kernel.update_versioned(locked, version=version, changes=fields, noun="event")
        record_activity(actor=actor, action="learning.event_changed", target=locked, changes=changes)
    # More places (or the event published again) may let people in from the waiting list.
    promote_from_waiting_list(actor=actor, event=locked)
    locked.refresh_from_db(fields=["places_taken"])
    return locked


@kernel.service
def add_invitation(
    *, actor: Person, event: LearningEvent, agency: Agency | None = None, agency_kind: str = "", role: str = ""
) -> Invitation:
    kernel.require(can_manage_learning(actor), "Only the business unit can invite people to learning events.")
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


@kernel.service
def remove_invitation(*, actor: Person, invitation: Invitation) -> None:
    kernel.require(can_manage_learning(actor), "Only the business unit can change invitations.")
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


@kernel.service
def record_attendance(
    *, actor: Person, event: LearningEvent, attended: Mapping[int, bool], at: datetime | None = None
) -> list[Attendance]:
    """Record who came: `attended` maps the user id of each registered person to yes/no."""
    locked = locked_event(event)
    kernel.require(
        can_record_attendance(actor, locked),
        "Only the event's facilitator or the business unit can record attendance.",
    )
    now = kernel.now(at)
    kernel.require(locked.starts_at <= now, NOT_STARTED)
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
    else:
        kernel.unchanged()
    return rows


@kernel.service
def submit_evaluation(
    *,
    actor: Person,
    event: LearningEvent,
    confidence_before: int,
    confidence_after: int,
    practice_change: str,
    comments: str = "",
    at: datetime | None = None,
) -> Evaluation:
    attendance = Attendance.objects.filter(event=event, user_id=actor.pk, attended=True).first()
    kernel.require(attendance is not None, "You can evaluate an event only after attending it.")
    assert attendance is not None
    if Evaluation.objects.filter(event=event, user_id=actor.pk).exists():
        raise kernel.ServiceError("You have already evaluated this event. Thank you.")
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
        submitted_at=kernel.now(at),
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
        sent += _send_follow_ups_for(event, actor=None)
    return sent


@kernel.service
def _send_follow_ups_for(event: LearningEvent, *, actor: Person | None = None) -> int:
    """One event's follow-up emails, in one transaction under the event's lock (`actor`: None, the job)."""
    locked = locked_event(event)
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
        kernel.unchanged()
        return 0
    FollowUpRequest.objects.bulk_create([FollowUpRequest(event=locked, user=user) for user in attendees])
    record_activity(actor=None, action="learning.follow_up_sent", target=locked, changes={"sent": len(attendees)})
    subject, body = _follow_up_email(locked)
    sender = settings.DEFAULT_FROM_EMAIL
    datatuple = [(subject, body, sender, [user.email]) for user in attendees if user.email]
    if datatuple:
        transaction.on_commit(lambda: send_mass_mail(datatuple, fail_silently=False))
    return len(attendees)


@kernel.service
def submit_follow_up(
    *, actor: Person, event: LearningEvent, practice_changed: str, example: str = "", at: datetime | None = None
) -> FollowUpResponse:
    attendance = Attendance.objects.filter(event=event, user_id=actor.pk, attended=True).first()
    kernel.require(attendance is not None, "The follow-up survey is for people who attended the event.")
    assert attendance is not None
    kernel.require(
        FollowUpRequest.objects.filter(event=event, user_id=actor.pk).exists(),
        "The follow-up survey opens when you are sent it, after the event's follow-up period.",
    )
    if FollowUpResponse.objects.filter(event=event, user_id=actor.pk).exists():
        raise kernel.ServiceError("You have already answered the follow-up survey. Thank you.")
    if practice_changed not in PracticeChanged.values:
        raise ValidationError({"practice_changed": "Choose whether your practice has changed."})
    response = FollowUpResponse.objects.create(
        event=event,
        user=actor,
        agency_id=attendance.agency_id,
        practice_changed=practice_changed,
        example=example.strip(),
        submitted_at=kernel.now(at),
    )
    record_activity(
        actor=actor, action="learning.follow_up_answered", target=event, changes={"response": [None, response.pk]}
    )
    return response
