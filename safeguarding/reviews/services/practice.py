"""The practice review: the people named on it, its terms of reference, practitioner events, family
engagement, report drafts, the dates the final report was sent, and its stages from draft to closed."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone

from safeguarding.agencies.enums import Role
from safeguarding.core import kernel
from safeguarding.core.dates import long_date
from safeguarding.core.services import record_activity
from safeguarding.reviews import clocks, publication
from safeguarding.reviews.enums import Action, MemberRole, Stage
from safeguarding.reviews.models import (
    FamilyContact,
    PracticeReview,
    PractitionerEvent,
    ReportDraft,
    Review,
    ReviewMember,
)
from safeguarding.reviews.permissions import can_run_review, can_write_review
from safeguarding.reviews.services.common import Upload, locked, required_text, store_document, sync, today_of
from safeguarding.reviews.workflow import NotAllowed, apply_transition

if TYPE_CHECKING:
    from safeguarding.core.types import Person


@kernel.service
def add_member(*, actor: Person, review: Review, user: Person, role: str, at: datetime | None = None) -> ReviewMember:
    kernel.require(can_run_review(actor, review), "Only the business unit or the review's chair can name people on it.")
    if role == MemberRole.REVIEWER and not user.has_role(Role.REVIEWER):
        raise ValidationError({"user": "Choose someone who holds the independent reviewer role."})
    member, created = ReviewMember.objects.get_or_create(
        review=review, user=user, role=role, defaults={"added_at": kernel.now(at)}
    )
    if created:
        record_activity(actor=actor, action="review.member_added", target=review, changes={"member": [None, role]})
    else:
        kernel.unchanged()  # already named in this role
    return member


def _practice(actor: Person, review: Review, *, run: bool = False) -> PracticeReview:
    allowed = can_run_review(actor, review) if run else can_write_review(actor, review)
    kernel.require(allowed, "Only the business unit, the chair or the review's independent reviewer can do this.")
    try:
        return review.practice_review
    except PracticeReview.DoesNotExist as exc:
        raise NotAllowed("This is recorded once the partners decide to hold a practice review.") from exc


@kernel.service
def update_terms_of_reference(
    *, actor: Person, review: Review, terms_of_reference: str, key_lines_of_enquiry: str
) -> PracticeReview:
    practice = _practice(actor, locked(review))
    errors: dict[str, str] = {}
    terms = required_text(errors, "terms_of_reference", terms_of_reference, "Enter the terms of reference.")
    if errors:
        raise ValidationError(errors)
    practice.terms_of_reference = terms
    practice.key_lines_of_enquiry = key_lines_of_enquiry.strip()
    practice.save(update_fields=["terms_of_reference", "key_lines_of_enquiry"])
    record_activity(actor=actor, action="review.terms_updated", target=review)
    return practice


@kernel.service
def add_practitioner_event(
    *, actor: Person, review: Review, held_on: date, attendance: str, notes: str = ""
) -> PractitionerEvent:
    practice = _practice(actor, locked(review))
    if not attendance.strip():
        raise ValidationError({"attendance": "Say which agencies and roles took part."})
    event = PractitionerEvent.objects.create(
        practice_review=practice, held_on=held_on, attendance=attendance.strip(), notes=notes.strip()
    )
    record_activity(actor=actor, action="review.practitioner_event_added", target=review)
    return event


@kernel.service
def add_family_contact(
    *, actor: Person, review: Review, who: str, met_on: date | None, report_shared_on: date | None, notes: str = ""
) -> FamilyContact:
    practice = _practice(actor, locked(review))
    if not who.strip():
        raise ValidationError({"who": "Say who was met, by their relationship to the child."})
    contact = FamilyContact.objects.create(
        practice_review=practice, who=who.strip(), met_on=met_on, report_shared_on=report_shared_on, notes=notes.strip()
    )
    record_activity(actor=actor, action="review.family_contact_added", target=review)
    return contact


@kernel.service
def upload_report_draft(
    *, actor: Person, review: Review, upload: Upload, note: str = "", at: datetime | None = None
) -> ReportDraft:
    practice = _practice(actor, locked(review))
    # Numbered under the review's lock, so two uploads at once cannot take the same number.
    number = (practice.drafts.aggregate(n=Max("number"))["n"] or 0) + 1
    draft = ReportDraft.objects.create(
        practice_review=practice,
        number=number,
        document=store_document(actor=actor, upload=upload, at=at),
        note=note.strip(),
    )
    record_activity(actor=actor, action="review.draft_uploaded", target=review, changes={"draft": [None, number]})
    return draft


@kernel.service
def record_sent_dates(
    *, actor: Person, review: Review, sent_to_panel_on: date | None, sent_to_secretary_of_state_on: date | None
) -> PracticeReview:
    """The final report goes to the Panel and the Secretary of State before publication (a serious case
    review's to Ofsted and the Department for Education: `publication.copy_rule`)."""
    current = locked(review)
    practice = _practice(actor, current, run=True)
    kernel.require(
        current.stage == Stage.FINAL, "The final report is sent once the review is at the final report stage."
    )
    today = timezone.localdate()
    future = {
        name: "The date must be today or in the past."
        for name, day in (
            ("sent_to_panel_on", sent_to_panel_on),
            ("sent_to_secretary_of_state_on", sent_to_secretary_of_state_on),
        )
        if day is not None and day > today
    }
    if future:
        raise ValidationError(future)
    practice.sent_to_panel_on = sent_to_panel_on
    practice.sent_to_secretary_of_state_on = sent_to_secretary_of_state_on
    practice.save(update_fields=["sent_to_panel_on", "sent_to_secretary_of_state_on"])
    record_activity(actor=actor, action="review.report_sent", target=review)
    return practice


# ---- stages from draft to closed -----------------------------------------------------------------


def _move(action: str, *, actor: Person, review: Review, version: int, reason: str = "", at: datetime | None) -> Review:
    current = locked(review, version)
    apply_transition(current, action=action, actor=actor, version=version, reason=reason, at=at, today=today_of(at))
    return sync(review, current)


@kernel.service
def move_to_draft(
    *, actor: Person, review: Review, version: int, reason: str = "", at: datetime | None = None
) -> Review:
    return _move(Action.DRAFT_RECEIVED, actor=actor, review=review, version=version, reason=reason.strip(), at=at)


@kernel.service
def share_with_family(
    *, actor: Person, review: Review, version: int, reason: str = "", at: datetime | None = None
) -> Review:
    return _move(Action.SHARED_WITH_FAMILY, actor=actor, review=review, version=version, reason=reason.strip(), at=at)


@kernel.service
def finalise_report(
    *, actor: Person, review: Review, version: int, reason: str = "", at: datetime | None = None
) -> Review:
    return _move(Action.FINALISED, actor=actor, review=review, version=version, reason=reason.strip(), at=at)


@kernel.service
def publish_review(
    *,
    actor: Person,
    review: Review,
    version: int,
    published_on: date,
    may_come_down_on: date | None = None,
    reason: str = "",
    at: datetime | None = None,
) -> Review:
    """Record publication (`reviews.publication` has the rules and their sources): not while deferred; a
    statutory review's full report went to the Panel and the Secretary of State at least 7 working days
    before `published_on` (a serious case review's to Ofsted and the Department for Education, at least 7 days
    before); the file to be published was scanned and each residual identifier marked as
    intended. Published reports stay online for at least 12 months: the take-down date defaults to that."""
    current = locked(review, version)
    practice = current.practice_review
    earliest = clocks.earliest_takedown(published_on)
    may_come_down_on = may_come_down_on or earliest
    errors: dict[str, str] = {}
    if published_on > today_of(at):
        errors["published_on"] = "The publication date must be today or in the past."
    elif problem := publication.copy_problem(practice, published_on):
        errors["published_on"] = problem
    if may_come_down_on < earliest:
        errors["may_come_down_on"] = f"The report must stay online until at least {long_date(earliest)}."
    if errors:
        raise ValidationError(errors)
    problem = publication.deferral_problem(practice) or publication.report_problem(practice)
    kernel.require(problem is None, problem or "", error=kernel.ServiceError)
    apply_transition(
        current, action=Action.PUBLISHED, actor=actor, version=version, reason=reason.strip(), at=at, today=today_of(at)
    )
    practice.published_on = published_on
    practice.may_come_down_on = may_come_down_on
    practice.save(update_fields=["published_on", "may_come_down_on"])
    published = publication.publication_of(practice)
    if published is not None:
        published.published_report = publication.current_report(practice)
        published.save(update_fields=["published_report"])
    return sync(review, current)


@kernel.service
def close_review(
    *, actor: Person, review: Review, version: int, reason: str = "", at: datetime | None = None
) -> Review:
    return _move(Action.CLOSED, actor=actor, review=review, version=version, reason=reason.strip(), at=at)
