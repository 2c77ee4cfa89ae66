"""The publication stage of a practice review: deferring and resuming publication, publishing the
learning only, the file to be published and its scan for residual identifiers, marking a hit as
intended, the copy to the NSPCC repository, and closing another learning review without publication.
The rules and their sources are in `reviews.publication`; publishing itself is
`practice.publish_review` (through `move_review`)."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models import Max

from safeguarding.core import kernel
from safeguarding.core.services import record_activity
from safeguarding.reviews import identifier_scan, publication
from safeguarding.reviews.enums import Action, DeferralReason, PublicationScope, Stage
from safeguarding.reviews.identifying import find_identifying, identifying_terms
from safeguarding.reviews.models import (
    IdentifierHit,
    PracticeReview,
    Publication,
    PublicationDeferral,
    PublicationReport,
    Review,
)
from safeguarding.reviews.permissions import can_run_review, can_write_review
from safeguarding.reviews.services.common import MAX_DOCUMENT_BYTES, Upload, locked, required_text, sync, today_of
from safeguarding.reviews.workflow import NOUN, NotAllowed, apply_transition

if TYPE_CHECKING:
    from safeguarding.core.types import Person

RUN_MESSAGE = "Only the business unit or the review's chair can decide on publication."
PSEUDONYMS = "Use the review's pseudonyms: this text names someone from the review's records ({found})."


def _practice_before_publication(review: Review) -> PracticeReview:
    try:
        practice = review.practice_review
    except PracticeReview.DoesNotExist as exc:
        raise NotAllowed("This is recorded once the partners decide to hold a practice review.") from exc
    kernel.require(
        review.stage in publication.BEFORE_PUBLICATION,
        f"This review is at the {review.get_stage_display().lower()} stage: publication decisions are made "
        "before it is published.",
    )
    return practice


def _publication(practice: PracticeReview) -> Publication:
    found, _ = Publication.objects.get_or_create(practice_review=practice)
    return found


def _bump(review: Review, version: int) -> Review:
    """The decision changes how the review is published: the review's version moves on, so a form read
    before it is refused."""
    return kernel.update_versioned(review, version=version, changes={}, noun=NOUN)


@kernel.service
def defer_publication(
    *,
    actor: Person,
    review: Review,
    version: int,
    reason_kind: str,
    reason: str,
    review_by: date | None,
    at: datetime | None = None,
) -> PublicationDeferral:
    """Put publication off (e.g. during criminal proceedings): the publication clock pauses."""
    current = locked(review, version)
    kernel.require(can_run_review(actor, current), RUN_MESSAGE)
    practice = _practice_before_publication(current)
    today = today_of(at)
    errors: dict[str, str] = {}
    if reason_kind not in DeferralReason.values:
        errors["reason_kind"] = "Choose why publication is deferred."
    text = required_text(errors, "reason", reason, "Say why publication is deferred.")
    if review_by is None:
        errors["review_by"] = "Enter the date the partners will look at the deferral again."
    elif review_by <= today:
        errors["review_by"] = "The review-by date must be in the future."
    if errors or review_by is None:
        raise ValidationError(errors)
    kernel.require(publication.open_deferral(practice) is None, "Publication is already deferred.")
    deferral = PublicationDeferral.objects.create(
        publication=_publication(practice),
        reason_kind=reason_kind,
        reason=text,
        deferred_on=today,
        review_by=review_by,
        deferred_by=actor,
        target_before=practice.target_publication_on,
    )
    sync(review, _bump(current, version))
    record_activity(
        actor=actor, action="review.publication_deferred", target=review, changes={"deferral": [None, reason_kind]}
    )
    return deferral


@kernel.service
def resume_publication(*, actor: Person, review: Review, version: int, at: datetime | None = None) -> PracticeReview:
    """Publication goes ahead again; an LCSPR's publication target moves on by the days it was deferred (a serious
    case review's 6-month target is for completing it, which a deferral of publication does not move)."""
    current = locked(review, version)
    kernel.require(can_run_review(actor, current), RUN_MESSAGE)
    practice = _practice_before_publication(current)
    deferral = publication.open_deferral(practice)
    kernel.require(deferral is not None, "Publication is not deferred.")
    assert deferral is not None
    today = today_of(at)
    before = practice.target_publication_on
    if publication.publication_clock_applies(practice):
        practice.target_publication_on = before + (today - deferral.deferred_on)
        practice.save(update_fields=["target_publication_on"])
    deferral.resumed_on, deferral.resumed_by, deferral.target_after = today, actor, practice.target_publication_on
    deferral.save(update_fields=["resumed_on", "resumed_by", "target_after"])
    sync(review, _bump(current, version))
    record_activity(
        actor=actor,
        action="review.publication_resumed",
        target=review,
        changes={"target_publication_on": [before.isoformat(), practice.target_publication_on.isoformat()]},
    )
    return practice


@kernel.service
def publish_learning_only(
    *, actor: Person, review: Review, version: int, reasons: str, learning_summary: str
) -> Publication:
    """The partners consider publishing the report in full inappropriate: they publish information about
    the improvements to be made, and the reasons (SI 2018/789 reg. 15). The Panel and the Secretary of
    State still get the full report."""
    current = locked(review, version)
    kernel.require(can_run_review(actor, current), RUN_MESSAGE)
    practice = _practice_before_publication(current)
    errors: dict[str, str] = {}
    why = required_text(errors, "reasons", reasons, "Give the reasons for not publishing the report in full.")
    summary = required_text(
        errors, "learning_summary", learning_summary, "Enter the learning: the improvements to be made."
    )
    if summary and find_identifying(summary, identifying_terms(current, wider=True)):
        errors["learning_summary"] = PSEUDONYMS.format(found="a name, date, address or reference")
    if errors:
        raise ValidationError(errors)
    found = _publication(practice)
    found.scope, found.learning_only_reasons, found.learning_summary = PublicationScope.LEARNING_ONLY, why, summary
    found.save(update_fields=["scope", "learning_only_reasons", "learning_summary"])
    sync(review, _bump(current, version))
    record_activity(
        actor=actor,
        action="review.publication_learning_only",
        target=review,
        changes={"scope": [PublicationScope.FULL, PublicationScope.LEARNING_ONLY]},
    )
    return found


def _store_report(
    found: Publication, *, actor: Person, upload: Upload, fmt: str, at: datetime | None
) -> PublicationReport:
    number = (found.reports.aggregate(n=Max("number"))["n"] or 0) + 1
    report = PublicationReport(
        publication=found,
        number=number,
        filename=(upload.filename or "report")[:255],
        format=fmt,
        size=len(upload.content),
        sha256=hashlib.sha256(upload.content).hexdigest(),
        uploaded_by=actor,
        uploaded_at=kernel.now(at),
    )
    report.file.save(f"report.{fmt}", ContentFile(upload.content), save=False)
    report.save()
    return report


@kernel.service
def upload_publication_report(
    *, actor: Person, review: Review, upload: Upload, at: datetime | None = None
) -> PublicationReport:
    """The file to be published (the final report, or the learning summary), scanned for residual
    identifiers at once: each hit blocks publication until it is marked as intended."""
    current = locked(review)
    kernel.require(
        can_write_review(actor, current),
        "Only the business unit, the chair or the review's independent reviewer can upload the report.",
    )
    practice = _practice_before_publication(current)
    if not upload.content:
        raise ValidationError({"document": "The file is empty. Choose the file again."})
    if len(upload.content) > MAX_DOCUMENT_BYTES:
        raise ValidationError({"document": "The file is larger than 20 MB. Reduce its size or split it."})
    fmt = identifier_scan.file_format(upload.content)
    text = identifier_scan.extract_text(upload.content, fmt)
    hits = identifier_scan.scan_text(text, identifying_terms(current, wider=True))
    report = _store_report(_publication(practice), actor=actor, upload=upload, fmt=fmt, at=at)
    report.text_length = len(text)
    report.save(update_fields=["text_length"])
    IdentifierHit.objects.bulk_create(
        IdentifierHit(
            report=report,
            kind=h.kind,
            label=h.label,
            from_records=h.from_records,
            start=h.start,
            end=h.end,
            found=h.found,
            preview=h.preview,
        )
        for h in hits
    )
    record_activity(
        actor=actor,
        action="review.publication_report_uploaded",
        target=review,
        changes={"report": [None, report.number], "identifiers_found": [None, len(hits)]},
    )
    return report


@kernel.service
def mark_identifier_intended(
    *, actor: Person, review: Review, hit: IdentifierHit, reason: str, at: datetime | None = None
) -> IdentifierHit:
    """A person decides that a detail the scan found is meant to be there (e.g. the name of a national
    body), with the reason; logged."""
    current = locked(review)
    kernel.require(can_run_review(actor, current), "Only the business unit or the review's chair can decide this.")
    practice = _practice_before_publication(current)
    stored = kernel.lock(IdentifierHit, hit.pk, noun="identifier")
    kernel.require(
        stored.report_id == getattr(publication.current_report(practice), "pk", None),
        "This is not in the report to be published now.",
    )
    kernel.require(not stored.intended, "This has already been marked as intended.")
    errors: dict[str, str] = {}
    why = required_text(errors, "reason", reason, "Say why this detail is meant to be in the published report.")
    if errors:
        raise ValidationError(errors)
    stored.intended, stored.intended_reason, stored.marked_by, stored.marked_at = True, why, actor, kernel.now(at)
    stored.save(update_fields=["intended", "intended_reason", "marked_by", "marked_at"])
    record_activity(
        actor=actor,
        action="review.identifier_marked_intended",
        target=review,
        changes={"identifier": [None, f"{stored.label} at {stored.start}"], "reason": [None, why]},
    )
    return stored


@kernel.service
def record_nspcc_copy(
    *, actor: Person, review: Review, sent_on: date | None, at: datetime | None = None
) -> Publication:
    """The published report's copy to the NSPCC national case review repository."""
    current = locked(review)
    kernel.require(can_run_review(actor, current), RUN_MESSAGE)
    practice = current.practice_review
    kernel.require(
        current.stage in (Stage.PUBLISHED, Stage.CLOSED) and practice.published_on is not None,
        "The copy goes to the national case review repository once the report is published.",
    )
    assert practice.published_on is not None
    if sent_on is None:
        raise ValidationError({"sent_on": "Enter the date the report was sent to the NSPCC repository."})
    if sent_on < practice.published_on:
        raise ValidationError({"sent_on": f"Enter a date on or after publication ({practice.published_on:%-d %B %Y})."})
    if sent_on > today_of(at):
        raise ValidationError({"sent_on": "The date must be today or in the past."})
    found = _publication(practice)
    before = found.sent_to_nspcc_on
    found.sent_to_nspcc_on = sent_on
    found.save(update_fields=["sent_to_nspcc_on"])
    record_activity(
        actor=actor,
        action="review.sent_to_nspcc",
        target=review,
        changes={"sent_to_nspcc_on": [before.isoformat() if before else None, sent_on.isoformat()]},
    )
    return found


@kernel.service
def close_without_publication(
    *, actor: Person, review: Review, version: int, reason: str = "", at: datetime | None = None
) -> Review:
    """Another learning review closes when the partnership decides, published or not (the guard refuses
    a statutory review)."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the review is closing without publication."})
    current = locked(review, version)
    apply_transition(
        current,
        action=Action.CLOSED_UNPUBLISHED,
        actor=actor,
        version=version,
        reason=reason.strip(),
        at=at,
        today=today_of(at),
    )
    return sync(review, current)
