"""State changes of case reviews: one `verb_noun(*, actor, …)` function per action, each in a
transaction, checking the rule, writing (stage changes through `workflow.apply_transition`, which
writes the history row) and logging the activity. Pages, the API, commands and demo data call these.

`at` lets demo data date a change in the past; pages and the API never pass it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from safeguarding.agencies.enums import Role
from safeguarding.agencies.models import Agency
from safeguarding.children.models import Child
from safeguarding.children.queries import children_visible_to
from safeguarding.core.calendar import add_working_days
from safeguarding.core.services import record_activity
from safeguarding.reviews import clocks
from safeguarding.reviews.enums import (
    LOCAL_REVIEW_DECISIONS,
    Action,
    MemberRole,
    RecommendationStatus,
    RequestKind,
    RequestStatus,
    ReviewKind,
    Stage,
)
from safeguarding.reviews.models import (
    AgencyRequest,
    Document,
    FamilyContact,
    Finding,
    Notification,
    PracticeReview,
    PractitionerEvent,
    RapidReview,
    ReportDraft,
    Review,
    ReviewChild,
    ReviewMember,
    ReviewRecommendation,
    SignOff,
    StageChange,
    Submission,
    Theme,
)
from safeguarding.reviews.workflow import (
    STALE_MESSAGE,
    TRANSITIONS,
    NotAllowed,
    StaleVersion,
    acting_agency_id,
    apply_transition,
    can_notify,
    can_run_review,
    can_write_review,
    check,
    is_business_unit,
    lead_agency_ids,
    statutory_partners,
)

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
# Findings and recommendations are written while the report is being drafted.
WRITING_STAGES = frozenset({Stage.IN_PROGRESS, Stage.DRAFT, Stage.WITH_FAMILY})
# Agency chronologies and reports are requested for a practice review; summaries for the rapid review.
REQUEST_STAGES = {
    RequestKind.AGENCY_SUMMARY: frozenset({Stage.NOTIFIED, Stage.RAPID_REVIEW}),
    RequestKind.CHRONOLOGY: frozenset({Stage.RAPID_REVIEW, Stage.DECISION, Stage.IN_PROGRESS}),
    RequestKind.AGENCY_REPORT: frozenset({Stage.IN_PROGRESS}),
}


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _today(at: datetime | None) -> date:
    return timezone.localdate(at) if at else timezone.localdate()


def _locked(review: Review, version: int | None = None) -> Review:
    locked = Review.objects.select_for_update().get(pk=review.pk)
    if version is not None and locked.version != version:
        raise StaleVersion(STALE_MESSAGE)
    return locked


def _sync(target: Review, source: Review) -> Review:
    for field in ("stage", "stage_changed_at", "version"):
        setattr(target, field, getattr(source, field))
    return target


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


def _required_text(errors: dict[str, str], name: str, value: str, message: str) -> str:
    if not (value or "").strip():
        errors[name] = message
    return (value or "").strip()


# ---- documents -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


def store_document(*, actor: Any, upload: Upload, at: datetime | None = None) -> Document:
    if not upload.content:
        raise ValidationError({"document": "The file is empty. Choose the file again."})
    if len(upload.content) > MAX_DOCUMENT_BYTES:
        raise ValidationError({"document": "The file is larger than 20 MB. Reduce its size or split it."})
    return Document.objects.create(
        filename=upload.filename[:255] or "document",
        content_type=(upload.content_type or "application/octet-stream")[:100],
        size=len(upload.content),
        sha256=hashlib.sha256(upload.content).hexdigest(),
        content=upload.content,
        uploaded_by=actor,
        uploaded_at=_now(at),
    )


# ---- notification and rapid review ---------------------------------------------------------------


@dataclass(frozen=True)
class ChildInput:
    child: Child
    pseudonym: str


@transaction.atomic
def notify_serious_incident(
    *,
    actor: Any,
    incident_on: date,
    aware_on: date,
    harm: str,
    summary: str,
    children: Sequence[ChildInput],
    title: str = "",
    at: datetime | None = None,
) -> Review:
    """Record a serious incident notification and open its rapid review (both clocks start)."""
    _require(can_notify(actor), "Only the business unit or the local authority's senior managers can notify.")
    today = _today(at)
    errors: dict[str, str] = {}
    summary = _required_text(errors, "summary", summary, "Describe what happened.")
    if aware_on < incident_on:
        errors["aware_on"] = "The date the local authority became aware must be on or after the incident."
    if aware_on > today or incident_on > today:
        errors["aware_on" if aware_on > today else "incident_on"] = "The date must be today or in the past."
    if not children:
        errors["children"] = "Add at least one child the notification is about."
    pseudonyms = [c.pseudonym.strip() for c in children]
    if any(not p for p in pseudonyms):
        errors["children"] = "Give each child the pseudonym the review will use, for example 'Child A'."
    elif len(set(pseudonyms)) != len(pseudonyms) or len({c.child.pk for c in children}) != len(children):
        errors["children"] = "Give each child once, with a different pseudonym."
    elif not is_business_unit(actor):
        ids = {c.child.pk for c in children}
        if children_visible_to(actor).filter(pk__in=ids).count() != len(ids):
            errors["children"] = "Choose only children your agency works with."
    if errors:
        raise ValidationError(errors)
    now = _now(at)
    review = Review.objects.create(
        title=title.strip() or " and ".join(pseudonyms),
        created_by=actor,
        created_at=now,
        stage=Stage.NOTIFIED,
        stage_changed_at=now,
    )
    ReviewChild.objects.bulk_create(
        [ReviewChild(review=review, child=c.child, pseudonym=p) for c, p in zip(children, pseudonyms, strict=True)]
    )
    Notification.objects.create(
        review=review,
        incident_on=incident_on,
        aware_on=aware_on,
        harm=harm,
        summary=summary,
        due_on=clocks.notification_due(aware_on),
        notified_by=actor,
    )
    # The rapid review opens with the notification; its clock is reset to the date the notification is sent.
    RapidReview.objects.create(review=review, opened_on=today, due_on=clocks.rapid_review_due(today))
    StageChange.objects.create(
        review=review,
        action=Action.NOTIFIED,
        from_stage="",
        to_stage=Stage.NOTIFIED,
        actor=actor,
        actor_agency_id=acting_agency_id(actor),
        at=now,
    )
    record_activity(actor=actor, action="review.notified", target=review, changes={"children": [None, len(children)]})
    return review


@transaction.atomic
def record_notification_sent(
    *, actor: Any, review: Review, version: int, sent_on: date, reason: str = "", at: datetime | None = None
) -> Review:
    """The notification went to the national panel: the rapid review's 15 working days run from it."""
    locked = _locked(review, version)
    if sent_on > _today(at) or sent_on < locked.notification.aware_on:
        raise ValidationError({"sent_on": "Enter a date between the date of awareness and today."})
    Notification.objects.filter(review=locked).update(sent_to_panel_on=sent_on)
    RapidReview.objects.filter(review=locked).update(opened_on=sent_on, due_on=clocks.rapid_review_due(sent_on))
    # Summaries already requested keep their own dates; default ones move with the clock.
    apply_transition(
        locked,
        action=Action.NOTIFICATION_SENT,
        actor=actor,
        version=version,
        reason=reason.strip(),
        at=at,
        today=_today(at),
    )
    return _sync(review, locked)


@transaction.atomic
def add_member(*, actor: Any, review: Review, user: Any, role: str, at: datetime | None = None) -> ReviewMember:
    _require(can_run_review(actor, review), "Only the business unit or the review's chair can name people on it.")
    if role == MemberRole.REVIEWER and not user.has_role(Role.REVIEWER):
        raise ValidationError({"user": "Choose someone who holds the independent reviewer role."})
    member, created = ReviewMember.objects.get_or_create(
        review=review, user=user, role=role, defaults={"added_at": _now(at)}
    )
    if created:
        record_activity(actor=actor, action="review.member_added", target=review, changes={"member": [None, role]})
    return member


@transaction.atomic
def request_from_agency(
    *,
    actor: Any,
    review: Review,
    agency: Agency,
    kind: str,
    due_on: date | None = None,
    note: str = "",
    at: datetime | None = None,
) -> AgencyRequest:
    """Ask an agency's safeguarding lead for a summary, chronology or report (default: summary by day 10)."""
    locked = _locked(review)
    _require(can_run_review(actor, locked), "Only the business unit or the review's chair can send requests.")
    if locked.stage not in REQUEST_STAGES[RequestKind(kind)]:
        raise NotAllowed(f"This kind of request cannot be sent at the {locked.get_stage_display().lower()} stage.")
    if not agency.is_active:
        raise ValidationError({"agency": "Choose an agency that is still active in the partnership."})
    if (
        AgencyRequest.objects.filter(review=locked, agency=agency, kind=kind)
        .exclude(status=RequestStatus.WITHDRAWN)
        .exists()
    ):
        raise ValidationError({"agency": "This agency has already been asked for this. Remind it instead."})
    today = _today(at)
    if due_on is None:
        if kind == RequestKind.AGENCY_SUMMARY:
            due_on = clocks.agency_summary_due(locked.rapid_review.opened_on)
        else:
            due_on = add_working_days(today, 20)
    if due_on < today:
        raise ValidationError({"due_on": "The due date must be today or later."})
    request = AgencyRequest.objects.create(
        review=locked,
        agency=agency,
        kind=kind,
        note=note.strip(),
        due_on=due_on,
        requested_by=actor,
        requested_at=_now(at),
    )
    record_activity(actor=actor, action="review.request_sent", target=request, changes={"agency": [None, agency.code]})
    _email_leads(request, f"The partnership has asked your agency for: {request.get_kind_display()}.")
    return request


def _email_leads(request: AgencyRequest, headline: str) -> None:
    """Emails name no child: the review reference, what is asked, the due date, and where to answer."""
    User = get_user_model()
    to = list(
        User.objects.filter(
            is_active=True,
            is_system=False,
            email__gt="",
            memberships__agency_id=request.agency_id,
            memberships__role=Role.SAFEGUARDING_LEAD,
            memberships__is_active=True,
        )
        .values_list("email", flat=True)
        .distinct()
    )
    if not to:
        return
    body = (
        f"{headline}\n\nReview: {request.review.reference}\nDue by: {request.due_on:%d %B %Y}\n\n"
        "Sign in to the Safeguarding Hub and open Case reviews to answer."
    )
    message = (f"Case review {request.review.reference}: {request.get_kind_display()}", body, None, to)
    transaction.on_commit(lambda: send_mass_mail([message], fail_silently=True))


def send_request_reminders(*, today: date | None = None) -> int:
    """Remind agencies whose requests are due within 2 working days or overdue (once a working day)."""
    today = today or timezone.localdate()
    soon = add_working_days(today, 2)
    sent = 0
    pending = AgencyRequest.objects.filter(status=RequestStatus.REQUESTED, due_on__lte=soon).exclude(
        last_reminded_on=today
    )
    for request in pending.select_related("review", "agency"):
        with transaction.atomic():
            updated = AgencyRequest.objects.filter(pk=request.pk, status=RequestStatus.REQUESTED).exclude(
                last_reminded_on=today
            )
            if not updated.update(last_reminded_on=today, reminders_sent=request.reminders_sent + 1):
                continue
            late = "is overdue" if request.due_on < today else f"is due by {request.due_on:%d %B %Y}"
            _email_leads(request, f"Reminder: the {request.get_kind_display().lower()} {late}.")
            record_activity(actor=None, action="review.request_reminded", target=request)
            sent += 1
    return sent


@transaction.atomic
def submit_to_request(
    *,
    actor: Any,
    request: AgencyRequest,
    involvement: str,
    analysis: str = "",
    learning: str = "",
    immediate_actions: str = "",
    upload: Upload | None = None,
    at: datetime | None = None,
) -> Submission:
    """The agency's answer. A chronology file is imported into the review chronology, all or nothing."""
    locked = AgencyRequest.objects.select_for_update().select_related("review", "agency").get(pk=request.pk)
    _require(
        locked.agency_id in lead_agency_ids(actor),
        "Only the agency's safeguarding lead (or its system) can answer this request.",
    )
    if locked.status != RequestStatus.REQUESTED:
        raise NotAllowed("This request has already been answered or was withdrawn.")
    errors: dict[str, str] = {}
    involvement = _required_text(errors, "involvement", involvement, "Describe your agency's involvement.")
    if locked.kind != RequestKind.AGENCY_SUMMARY and upload is None:
        errors["document"] = "Upload the agency's document."
    if errors:
        raise ValidationError(errors)
    document = store_document(actor=actor, upload=upload, at=at) if upload is not None else None
    submission = Submission.objects.create(
        request=locked,
        submitted_by=actor,
        submitted_at=_now(at),
        involvement=involvement,
        analysis=analysis.strip(),
        learning=learning.strip(),
        immediate_actions=immediate_actions.strip(),
        document=document,
    )
    if locked.kind == RequestKind.CHRONOLOGY and upload is not None:
        from safeguarding.reviews.chronology import import_submission

        import_submission(submission, upload)
    AgencyRequest.objects.filter(pk=locked.pk).update(status=RequestStatus.SUBMITTED)
    locked.status = request.status = RequestStatus.SUBMITTED
    record_activity(actor=actor, action="review.submitted", target=submission)
    return submission


@transaction.atomic
def record_panel_meeting(
    *,
    actor: Any,
    review: Review,
    met_on: date,
    attendance: str,
    summary: str,
    recommendation: str,
    reasons: str = "",
    notes: str = "",
    at: datetime | None = None,
) -> RapidReview:
    locked = _locked(review)
    _require(can_run_review(actor, locked), "Only the business unit or the review's chair can record the panel.")
    if locked.stage != Stage.RAPID_REVIEW:
        raise NotAllowed("The panel meeting is recorded during the rapid review.")
    errors: dict[str, str] = {}
    summary = _required_text(errors, "summary", summary, "Enter the summary the panel agreed.")
    attendance = _required_text(errors, "attendance", attendance, "Say who attended.")
    if met_on > _today(at):
        errors["met_on"] = "The meeting date must be today or in the past."
    if not recommendation:
        errors["recommendation"] = "Choose the panel's recommendation."
    if errors:
        raise ValidationError(errors)
    RapidReview.objects.filter(review=locked).update(
        panel_met_on=met_on,
        panel_attendance=attendance,
        panel_notes=notes.strip(),
        summary=summary,
        recommendation=recommendation,
        recommendation_reasons=reasons.strip(),
    )
    record_activity(
        actor=actor, action="review.panel_recorded", target=locked, changes={"recommendation": [None, recommendation]}
    )
    return RapidReview.objects.get(review=locked)


@transaction.atomic
def sign_off_rapid_review(
    *, actor: Any, review: Review, agency: Agency, signed_by_name: str, signed_on: date, at: datetime | None = None
) -> SignOff:
    """A statutory partner's sign-off (recorded by the business unit or chair, or by the partner's own people)."""
    locked = _locked(review)
    own = any(m.agency_id == agency.pk for m in actor.active_memberships) if actor.is_authenticated else False
    _require(
        can_run_review(actor, locked) or (own and not actor.is_system and bool(locked.members.filter(user=actor))),
        "Only the business unit, the chair, or the partner's own panel member can record its sign-off.",
    )
    if locked.stage != Stage.RAPID_REVIEW:
        raise NotAllowed("Sign-off is recorded during the rapid review.")
    if agency.pk not in {a.pk for a in statutory_partners()}:
        raise ValidationError({"agency": "Choose one of the three statutory safeguarding partners."})
    if not locked.rapid_review.summary:
        raise NotAllowed("Record the panel's summary and recommendation before the partners sign off.")
    errors: dict[str, str] = {}
    name = _required_text(errors, "signed_by_name", signed_by_name, "Enter the name of the partner who signed off.")
    if signed_on > _today(at):
        errors["signed_on"] = "The date must be today or in the past."
    if errors:
        raise ValidationError(errors)
    sign_off, _ = SignOff.objects.update_or_create(
        rapid_review=locked.rapid_review,
        agency=agency,
        defaults={"signed_by_name": name, "signed_on": signed_on, "recorded_by": actor},
    )
    record_activity(actor=actor, action="review.signed_off", target=locked, changes={"partner": [None, agency.code]})
    return sign_off


@transaction.atomic
def send_rapid_review(
    *, actor: Any, review: Review, version: int, sent_on: date, reason: str = "", at: datetime | None = None
) -> Review:
    locked = _locked(review, version)
    if sent_on > _today(at):
        raise ValidationError({"sent_on": "The date must be today or in the past."})
    RapidReview.objects.filter(review=locked).update(sent_to_panel_on=sent_on)
    apply_transition(
        locked,
        action=Action.RAPID_REVIEW_SENT,
        actor=actor,
        version=version,
        reason=reason.strip(),
        at=at,
        today=_today(at),
    )
    return _sync(review, locked)


@transaction.atomic
def decide_practice_review(
    *,
    actor: Any,
    review: Review,
    version: int,
    kind: str,
    decided_on: date,
    reason: str = "",
    at: datetime | None = None,
) -> PracticeReview:
    """The partners decide to hold a local practice review: publication is due 6 months later."""
    locked = _locked(review, version)
    if kind not in (ReviewKind.LCSPR, ReviewKind.OTHER_LEARNING):
        raise ValidationError({"kind": "Choose a local practice review or another learning review."})
    if decided_on > _today(at):
        raise ValidationError({"decided_on": "The date must be today or in the past."})
    apply_transition(
        locked,
        action=Action.PRACTICE_REVIEW_OPENED,
        actor=actor,
        version=version,
        reason=reason.strip(),
        at=at,
        today=_today(at),
    )
    practice = PracticeReview.objects.create(
        review=locked, kind=kind, decided_on=decided_on, target_publication_on=clocks.target_publication(decided_on)
    )
    _sync(review, locked)
    return practice


@transaction.atomic
def close_at_decision(
    *, actor: Any, review: Review, version: int, decision: str, reason: str, at: datetime | None = None
) -> Review:
    """No local practice review: no further review, or the national panel takes a national review."""
    locked = _locked(review, version)
    if decision in LOCAL_REVIEW_DECISIONS:
        raise ValidationError({"decision": "Choose no further review or a national review."})
    if not reason.strip():
        raise ValidationError({"reason": "Give the reasons for the decision."})
    apply_transition(
        locked,
        action=Action.CLOSED_AT_DECISION,
        actor=actor,
        version=version,
        reason=f"{decision}: {reason.strip()}",
        at=at,
        today=_today(at),
    )
    return _sync(review, locked)


@transaction.atomic
def open_legacy_review(
    *,
    actor: Any,
    title: str,
    decided_on: date,
    children: Sequence[ChildInput],
    kind: str = ReviewKind.SCR,
    at: datetime | None = None,
) -> Review:
    """Record a review that began before this system (e.g. a pre-2018 serious case review) at 'in progress'."""
    _require(is_business_unit(actor), "Only the business unit can record an earlier review.")
    now = _now(at)
    review = Review.objects.create(
        title=title.strip(), created_by=actor, created_at=now, stage=Stage.IN_PROGRESS, stage_changed_at=now
    )
    ReviewChild.objects.bulk_create(
        [ReviewChild(review=review, child=c.child, pseudonym=c.pseudonym) for c in children]
    )
    PracticeReview.objects.create(
        review=review, kind=kind, decided_on=decided_on, target_publication_on=clocks.target_publication(decided_on)
    )
    StageChange.objects.create(
        review=review,
        action=Action.LEGACY_OPENED,
        from_stage="",
        to_stage=Stage.IN_PROGRESS,
        actor=actor,
        actor_agency_id=acting_agency_id(actor),
        at=now,
    )
    record_activity(actor=actor, action="review.legacy_opened", target=review)
    return review


# ---- practice review -----------------------------------------------------------------------------


def _practice(actor: Any, review: Review, *, run: bool = False) -> PracticeReview:
    allowed = can_run_review(actor, review) if run else can_write_review(actor, review)
    _require(allowed, "Only the business unit, the chair or the review's independent reviewer can do this.")
    try:
        return review.practice_review
    except PracticeReview.DoesNotExist as exc:
        raise NotAllowed("This is recorded once the partners decide to hold a practice review.") from exc


@transaction.atomic
def update_terms_of_reference(
    *, actor: Any, review: Review, terms_of_reference: str, key_lines_of_enquiry: str
) -> PracticeReview:
    practice = _practice(actor, _locked(review))
    errors: dict[str, str] = {}
    terms = _required_text(errors, "terms_of_reference", terms_of_reference, "Enter the terms of reference.")
    if errors:
        raise ValidationError(errors)
    practice.terms_of_reference = terms
    practice.key_lines_of_enquiry = key_lines_of_enquiry.strip()
    practice.save(update_fields=["terms_of_reference", "key_lines_of_enquiry"])
    record_activity(actor=actor, action="review.terms_updated", target=review)
    return practice


@transaction.atomic
def add_practitioner_event(
    *, actor: Any, review: Review, held_on: date, attendance: str, notes: str = ""
) -> PractitionerEvent:
    practice = _practice(actor, _locked(review))
    if not attendance.strip():
        raise ValidationError({"attendance": "Say which agencies and roles took part."})
    event = PractitionerEvent.objects.create(
        practice_review=practice, held_on=held_on, attendance=attendance.strip(), notes=notes.strip()
    )
    record_activity(actor=actor, action="review.practitioner_event_added", target=review)
    return event


@transaction.atomic
def add_family_contact(
    *, actor: Any, review: Review, who: str, met_on: date | None, report_shared_on: date | None, notes: str = ""
) -> FamilyContact:
    practice = _practice(actor, _locked(review))
    if not who.strip():
        raise ValidationError({"who": "Say who was met, by their relationship to the child."})
    contact = FamilyContact.objects.create(
        practice_review=practice, who=who.strip(), met_on=met_on, report_shared_on=report_shared_on, notes=notes.strip()
    )
    record_activity(actor=actor, action="review.family_contact_added", target=review)
    return contact


@transaction.atomic
def upload_report_draft(
    *, actor: Any, review: Review, upload: Upload, note: str = "", at: datetime | None = None
) -> ReportDraft:
    practice = _practice(actor, _locked(review))
    number = (practice.drafts.aggregate(n=Max("number"))["n"] or 0) + 1
    draft = ReportDraft.objects.create(
        practice_review=practice,
        number=number,
        document=store_document(actor=actor, upload=upload, at=at),
        note=note.strip(),
    )
    record_activity(actor=actor, action="review.draft_uploaded", target=review, changes={"draft": [None, number]})
    return draft


@transaction.atomic
def record_sent_dates(
    *, actor: Any, review: Review, sent_to_panel_on: date | None, sent_to_secretary_of_state_on: date | None
) -> PracticeReview:
    """The final report goes to the national panel and the Secretary of State before publication."""
    locked = _locked(review)
    practice = _practice(actor, locked, run=True)
    if locked.stage != Stage.FINAL:
        raise NotAllowed("The final report is sent once the review is at the final report stage.")
    practice.sent_to_panel_on = sent_to_panel_on
    practice.sent_to_secretary_of_state_on = sent_to_secretary_of_state_on
    practice.save(update_fields=["sent_to_panel_on", "sent_to_secretary_of_state_on"])
    record_activity(actor=actor, action="review.report_sent", target=review)
    return practice


def _move(action: str, *, actor: Any, review: Review, version: int, reason: str = "", at: datetime | None) -> Review:
    locked = _locked(review, version)
    apply_transition(locked, action=action, actor=actor, version=version, reason=reason, at=at, today=_today(at))
    return _sync(review, locked)


@transaction.atomic
def move_to_draft(*, actor: Any, review: Review, version: int, reason: str = "", at: datetime | None = None) -> Review:
    return _move(Action.DRAFT_RECEIVED, actor=actor, review=review, version=version, reason=reason.strip(), at=at)


@transaction.atomic
def share_with_family(
    *, actor: Any, review: Review, version: int, reason: str = "", at: datetime | None = None
) -> Review:
    return _move(Action.SHARED_WITH_FAMILY, actor=actor, review=review, version=version, reason=reason.strip(), at=at)


@transaction.atomic
def finalise_report(
    *, actor: Any, review: Review, version: int, reason: str = "", at: datetime | None = None
) -> Review:
    return _move(Action.FINALISED, actor=actor, review=review, version=version, reason=reason.strip(), at=at)


@transaction.atomic
def publish_review(
    *,
    actor: Any,
    review: Review,
    version: int,
    published_on: date,
    may_come_down_on: date | None = None,
    reason: str = "",
    at: datetime | None = None,
) -> Review:
    """Published reports stay online for at least 12 months: the take-down date defaults to that."""
    locked = _locked(review, version)
    practice = locked.practice_review
    earliest = clocks.earliest_takedown(published_on)
    may_come_down_on = may_come_down_on or earliest
    errors: dict[str, str] = {}
    if published_on > _today(at):
        errors["published_on"] = "The publication date must be today or in the past."
    elif practice.sent_to_secretary_of_state_on and published_on < practice.sent_to_secretary_of_state_on:
        errors["published_on"] = "Publish after the report was sent to the Secretary of State."
    if may_come_down_on < earliest:
        errors["may_come_down_on"] = f"The report must stay online until at least {earliest:%d %B %Y}."
    if errors:
        raise ValidationError(errors)
    apply_transition(
        locked, action=Action.PUBLISHED, actor=actor, version=version, reason=reason.strip(), at=at, today=_today(at)
    )
    practice.published_on = published_on
    practice.may_come_down_on = may_come_down_on
    practice.save(update_fields=["published_on", "may_come_down_on"])
    return _sync(review, locked)


@transaction.atomic
def close_review(*, actor: Any, review: Review, version: int, reason: str = "", at: datetime | None = None) -> Review:
    return _move(Action.CLOSED, actor=actor, review=review, version=version, reason=reason.strip(), at=at)


# What each stage change needs besides the version (the services check the values themselves).
TRANSITION_NEEDS: dict[str, dict[str, str]] = {
    Action.NOTIFICATION_SENT: {"sent_on": "Enter the date the notification was sent to the national panel."},
    Action.RAPID_REVIEW_SENT: {"sent_on": "Enter the date the rapid review was sent to the national panel."},
    Action.PRACTICE_REVIEW_OPENED: {
        "kind": "Choose a local practice review or another learning review.",
        "decided_on": "Enter the date of the decision.",
    },
    Action.CLOSED_AT_DECISION: {
        "decision": "Choose no further review or a national review.",
        "reason": "Give the reasons for the decision.",
    },
    Action.PUBLISHED: {"published_on": "Enter the date of publication."},
}


def move_review(
    *,
    actor: Any,
    review: Review,
    action: str,
    version: int,
    reason: str = "",
    sent_on: date | None = None,
    kind: str = "",
    decided_on: date | None = None,
    decision: str = "",
    published_on: date | None = None,
    may_come_down_on: date | None = None,
) -> Review:
    """Take one stage transition with what it needs: the one entry point for the pages and the API.

    The rule is checked before the details, so someone who may not take the step is told so (not
    asked for dates); each step's own service then checks the version, writes and logs."""
    if action not in TRANSITIONS:
        raise ValidationError({"action": "Choose one of the review's stage changes."})
    if review.version != version:
        raise StaleVersion(STALE_MESSAGE)
    check(action, actor, review)
    given = {
        "sent_on": sent_on,
        "kind": kind,
        "decided_on": decided_on,
        "decision": decision,
        "reason": reason.strip(),
        "published_on": published_on,
    }
    errors = {name: message for name, message in TRANSITION_NEEDS.get(action, {}).items() if given[name] in (None, "")}
    if errors:
        raise ValidationError(errors)
    common: dict[str, Any] = {"actor": actor, "review": review, "version": version}
    if action == Action.NOTIFICATION_SENT:
        return record_notification_sent(**common, sent_on=cast(date, sent_on), reason=reason)
    if action == Action.RAPID_REVIEW_SENT:
        return send_rapid_review(**common, sent_on=cast(date, sent_on), reason=reason)
    if action == Action.PRACTICE_REVIEW_OPENED:
        decide_practice_review(**common, kind=kind, decided_on=cast(date, decided_on), reason=reason)
        return review
    if action == Action.CLOSED_AT_DECISION:
        return close_at_decision(**common, decision=decision, reason=reason)
    if action == Action.PUBLISHED:
        return publish_review(
            **common, published_on=cast(date, published_on), may_come_down_on=may_come_down_on, reason=reason
        )
    if action == Action.DRAFT_RECEIVED:
        return move_to_draft(**common, reason=reason)
    if action == Action.SHARED_WITH_FAMILY:
        return share_with_family(**common, reason=reason)
    if action == Action.FINALISED:
        return finalise_report(**common, reason=reason)
    return close_review(**common, reason=reason)


# ---- findings and recommendations ----------------------------------------------------------------


def _writing(actor: Any, review: Review) -> Review:
    locked = _locked(review)
    _require(
        can_write_review(actor, locked),
        "Only the business unit, the chair or the review's independent reviewer can do this.",
    )
    if locked.stage not in WRITING_STAGES:
        raise NotAllowed("Findings and recommendations are written while the practice review is in progress.")
    return locked


@transaction.atomic
def add_finding(
    *, actor: Any, review: Review, title: str, text: str, themes: Sequence[Theme] = (), at: datetime | None = None
) -> Finding:
    locked = _writing(actor, review)
    errors: dict[str, str] = {}
    title = _required_text(errors, "title", title, "Enter the finding in a sentence.")
    text = _required_text(errors, "text", text, "Describe the finding and the evidence for it.")
    if errors:
        raise ValidationError(errors)
    number = (locked.findings.aggregate(n=Max("number"))["n"] or 0) + 1
    finding = Finding.objects.create(review=locked, number=number, title=title, text=text, created_at=_now(at))
    finding.themes.set(themes)
    record_activity(actor=actor, action="review.finding_added", target=finding)
    return finding


@transaction.atomic
def add_recommendation(
    *,
    actor: Any,
    review: Review,
    text: str,
    addressee: Agency | None = None,
    status: str = RecommendationStatus.DRAFT,
    at: datetime | None = None,
) -> ReviewRecommendation:
    """Numbered in order; addressed to the partnership (no agency) or to one agency."""
    locked = _writing(actor, review)
    if not text.strip():
        raise ValidationError({"text": "Enter the recommendation."})
    number = (locked.recommendations.aggregate(n=Max("number"))["n"] or 0) + 1
    recommendation = ReviewRecommendation.objects.create(
        review=locked, number=number, text=text.strip(), addressee=addressee, status=status, created_at=_now(at)
    )
    record_activity(actor=actor, action="review.recommendation_added", target=recommendation)
    return recommendation


@transaction.atomic
def follow_actions(*, actor: Any, recommendation: ReviewRecommendation, status: str) -> bool:
    """Move a recommendation to the status its action plan's actions give it (in an action plan, or
    complete once every action is signed off). Called by the action-plan services, which have checked
    that `actor` may change the plan; logged as the person's change. True if the status changed."""
    before = ReviewRecommendation.objects.select_for_update().values_list("status", flat=True).get(pk=recommendation.pk)
    if before == status:
        recommendation.status = status
        return False
    ReviewRecommendation.objects.filter(pk=recommendation.pk).update(status=status)
    recommendation.status = status
    record_activity(
        actor=actor,
        action="review.recommendation_status",
        target=recommendation,
        changes={"status": [before, status], "because": [None, "action plan"]},
    )
    return True


@transaction.atomic
def set_recommendation_status(*, actor: Any, recommendation: ReviewRecommendation, status: str) -> ReviewRecommendation:
    """The business unit or the chair moves a recommendation on (draft, agreed, in an action plan, complete)."""
    _require(can_run_review(actor, recommendation.review), "Only the business unit or the chair can change this.")
    if status not in RecommendationStatus.values:
        raise ValidationError({"status": "Choose one of: " + ", ".join(RecommendationStatus.values) + "."})
    before = ReviewRecommendation.objects.select_for_update().values_list("status", flat=True).get(pk=recommendation.pk)
    ReviewRecommendation.objects.filter(pk=recommendation.pk).update(status=status)
    recommendation.status = status
    record_activity(
        actor=actor, action="review.recommendation_status", target=recommendation, changes={"status": [before, status]}
    )
    return recommendation
