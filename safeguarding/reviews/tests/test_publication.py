"""Publication of the review report (SI 2018/789 reg. 15; Working Together 2018 ch. 4, 2023 ch. 5):
the copies to the Panel and the Secretary of State 7 working days before, deferral, the learning only,
another learning review's own path, the file to be published and its identifier scan, the NSPCC copy.

The tests' today is Friday 20 November 2026 (REVIEW_MOMENT); the review was decided on 20 March 2026."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from safeguarding.core import kernel
from safeguarding.core.models import ActivityLog
from safeguarding.reviews import publication, queries, services
from safeguarding.reviews.enums import Action, DeferralReason, MemberRole, ReviewKind, Stage, Timeliness
from safeguarding.reviews.models import IdentifierHit, Review
from safeguarding.reviews.tests.conftest import ReviewCast, at
from safeguarding.reviews.tests.reports import clean_report, docx_bytes

TODAY = date(2026, 11, 20)


def to_final(rc: ReviewCast, kind: str = ReviewKind.LCSPR) -> Review:
    review = rc.to_in_progress(rc.notify())
    if kind != ReviewKind.LCSPR:
        review.practice_review.kind = kind
        review.practice_review.save(update_fields=["kind"])
    services.update_terms_of_reference(
        actor=rc.business, review=review, terms_of_reference="ToR", key_lines_of_enquiry=""
    )
    services.add_member(actor=rc.business, review=review, user=rc.reviewer, role=MemberRole.REVIEWER)
    services.upload_report_draft(actor=rc.reviewer, review=review, upload=services.Upload("d.txt", b"draft"))
    services.move_to_draft(actor=rc.business, review=review, version=review.version, at=at(date(2026, 4, 1)))
    services.add_finding(actor=rc.reviewer, review=review, title="F", text="T")
    services.add_recommendation(actor=rc.reviewer, review=review, text="R")
    services.share_with_family(actor=rc.business, review=review, version=review.version, at=at(date(2026, 4, 2)))
    services.add_family_contact(
        actor=rc.reviewer, review=review, who="Mother of Child A", met_on=None, report_shared_on=date(2026, 4, 2)
    )
    services.finalise_report(actor=rc.business, review=review, version=review.version, at=at(date(2026, 4, 3)))
    return review


def send_copies(rc: ReviewCast, review: Review, panel: date, sos: date) -> None:
    services.record_sent_dates(
        actor=rc.business, review=review, sent_to_panel_on=panel, sent_to_secretary_of_state_on=sos
    )
    review.practice_review.refresh_from_db()


def publish(rc: ReviewCast, review: Review, on: date = TODAY) -> Review:
    return services.publish_review(actor=rc.business, review=review, version=review.version, published_on=on)


@pytest.fixture
def final(rc: ReviewCast) -> Review:
    return to_final(rc)


# ---- the copies: 7 working days before publication ---------------------------------------------


def test_publish_review_refuses_without_both_copies(rc: ReviewCast, final: Review) -> None:
    services.upload_publication_report(actor=rc.reviewer, review=final, upload=clean_report())
    send_copies(rc, final, date(2026, 11, 2), None)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as refused:
        publish(rc, final)
    assert refused.value.message_dict["published_on"] == [
        "Send the full report to the Secretary of State and record the date first: it must reach them at least "
        "7 working days before publication."
    ]
    assert Review.objects.get(pk=final.pk).stage == Stage.FINAL


def test_publish_review_refuses_copies_fewer_than_7_working_days_before(rc: ReviewCast, final: Review) -> None:
    services.upload_publication_report(actor=rc.reviewer, review=final, upload=clean_report())
    # Thursday 12 November: 7 working days later is Monday 23 November.
    send_copies(rc, final, date(2026, 11, 2), date(2026, 11, 12))
    assert publication.earliest_publication(final.practice_review) == date(2026, 11, 23)
    with pytest.raises(ValidationError) as refused:
        publish(rc, final)
    assert refused.value.message_dict["published_on"] == [
        "The full report must reach the Child Safeguarding Practice Review Panel and the Secretary of State at "
        "least 7 working days before publication. The later copy was sent on 12 November 2026, so the earliest "
        "publication date is 23 November 2026."
    ]


def test_publish_review_refuses_copies_dated_after_publication(rc: ReviewCast, final: Review) -> None:
    services.upload_publication_report(actor=rc.reviewer, review=final, upload=clean_report())
    send_copies(rc, final, date(2026, 11, 20), date(2026, 11, 20))
    with pytest.raises(ValidationError, match="earliest publication date is 1 December 2026"):
        publish(rc, final, on=date(2026, 11, 19))


def test_publish_review_allows_the_seventh_working_day(rc: ReviewCast, final: Review) -> None:
    services.upload_publication_report(actor=rc.reviewer, review=final, upload=clean_report())
    send_copies(rc, final, date(2026, 11, 10), date(2026, 11, 9))  # Tuesday 10th + 7 working days = Thursday 19th
    publish(rc, final, on=date(2026, 11, 19))
    stored = Review.objects.get(pk=final.pk)
    assert (stored.stage, stored.practice_review.published_on) == (Stage.PUBLISHED, date(2026, 11, 19))
    assert stored.practice_review.publication.published_report == publication.current_report(stored.practice_review)


def test_a_serious_case_review_goes_to_ofsted_and_the_dfe_at_least_one_week_before(rc: ReviewCast) -> None:
    # Working Together 2013 and 2015, chapter 4: one week (7 calendar days), not reg. 15's 7 working days.
    scr = to_final(rc, ReviewKind.SCR)
    services.upload_publication_report(actor=rc.reviewer, review=scr, upload=clean_report())
    send_copies(rc, scr, date(2026, 11, 12), None)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as refused:
        publish(rc, scr)
    assert refused.value.message_dict["published_on"] == [
        "Send the full report to the Department for Education and record the date first: it must reach them at "
        "least one week (7 days) before publication."
    ]
    send_copies(rc, scr, date(2026, 11, 12), date(2026, 11, 14))  # Saturday 14th + 7 days = Saturday 21st
    with pytest.raises(ValidationError) as refused:
        publish(rc, scr)
    assert refused.value.message_dict["published_on"] == [
        "The full report must reach Ofsted and the Department for Education at least one week (7 days) before "
        "publication. The later copy was sent on 14 November 2026, so the earliest publication date is "
        "21 November 2026."
    ]
    send_copies(rc, scr, date(2026, 11, 12), date(2026, 11, 13))  # Friday 13th + 7 days = Friday 20th (today)
    publish(rc, scr)
    assert Review.objects.get(pk=scr.pk).stage == Stage.PUBLISHED


def test_record_sent_dates_refuses_days_to_come(rc: ReviewCast, final: Review) -> None:
    with pytest.raises(ValidationError) as refused:
        send_copies(rc, final, date(2026, 11, 21), TODAY)
    assert refused.value.message_dict == {"sent_to_panel_on": ["The date must be today or in the past."]}


# ---- the identifier scan blocks publication ----------------------------------------------------


def test_residual_identifiers_block_publication_until_each_is_marked_intended(rc: ReviewCast, final: Review) -> None:
    send_copies(rc, final, date(2026, 11, 2), date(2026, 11, 2))
    with pytest.raises(kernel.ServiceError, match="Upload the report to be published first"):
        publish(rc, final)
    text = "Ellis was seen at home. Call 0113 496 0000. The panel email is panel@example.org."
    report = services.upload_publication_report(
        actor=rc.reviewer, review=final, upload=services.Upload("final.docx", docx_bytes(text))
    )
    hits = list(report.hits.all())
    assert [(h.kind, h.found) for h in hits] == [
        ("name", "Ellis"),
        ("PHONE_NUMBER", "0113 496 0000"),
        ("EMAIL_ADDRESS", "panel@example.org"),
    ]
    assert hits[0].preview.startswith("[Name] was seen at home. Call [Phone number].")
    with pytest.raises(kernel.ServiceError, match="still has 3 possible identifying details"):
        publish(rc, final)
    for hit in hits[:2]:
        services.mark_identifier_intended(actor=rc.business, review=final, hit=hit, reason="Synthetic test data")
    with pytest.raises(kernel.ServiceError, match="still has 1 possible identifying detail\\."):
        publish(rc, final)
    with pytest.raises(ValidationError, match="Say why"):
        services.mark_identifier_intended(actor=rc.business, review=final, hit=hits[2], reason="  ")
    with pytest.raises(kernel.NotAllowed, match="business unit or the review's chair"):
        services.mark_identifier_intended(actor=rc.reviewer, review=final, hit=hits[2], reason="Ours")
    services.mark_identifier_intended(actor=rc.business, review=final, hit=hits[2], reason="The panel's own address")
    with pytest.raises(kernel.NotAllowed, match="already been marked"):
        services.mark_identifier_intended(actor=rc.business, review=final, hit=hits[2], reason="Again")
    publish(rc, final)
    assert Review.objects.get(pk=final.pk).stage == Stage.PUBLISHED
    marked = ActivityLog.objects.filter(action="review.identifier_marked_intended")
    assert marked.count() == 3


def test_a_new_upload_replaces_the_report_and_old_hits_no_longer_count(rc: ReviewCast, final: Review) -> None:
    send_copies(rc, final, date(2026, 11, 2), date(2026, 11, 2))
    first = services.upload_publication_report(
        actor=rc.reviewer, review=final, upload=services.Upload("a.docx", docx_bytes("Robin Marsh at school."))
    )
    assert first.hits.count() == 1  # the full name, longest first, once
    second = services.upload_publication_report(actor=rc.reviewer, review=final, upload=clean_report())
    assert (second.number, second.hits.count()) == (2, 0)
    with pytest.raises(kernel.NotAllowed, match="not in the report to be published now"):
        services.mark_identifier_intended(actor=rc.business, review=final, hit=first.hits.get(), reason="x")
    publish(rc, final)
    assert IdentifierHit.objects.filter(report=first, intended=False).count() == 1


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (services.Upload("r.txt", b"plain text"), "Upload the report as a PDF or a Word (.docx) file."),
        (services.Upload("r.docx", b""), "The file is empty. Choose the file again."),
        (services.Upload("r.pdf", b"%PDF-1.4 broken"), "The PDF could not be read."),
    ],
)
def test_upload_publication_report_refuses_what_it_cannot_read(
    rc: ReviewCast, final: Review, upload: services.Upload, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        services.upload_publication_report(actor=rc.reviewer, review=final, upload=upload)
    assert refused.value.message_dict["document"][0].startswith(message)
    assert publication.current_report(final.practice_review) is None


def test_upload_publication_report_refuses_files_over_the_limit(
    rc: ReviewCast, final: Review, monkeypatch: Any
) -> None:
    monkeypatch.setattr("safeguarding.reviews.services.publication.MAX_DOCUMENT_BYTES", 100)
    with pytest.raises(ValidationError, match="larger than 20 MB"):
        services.upload_publication_report(actor=rc.reviewer, review=final, upload=clean_report())


def test_uploaded_report_is_kept_in_django_storage(rc: ReviewCast, final: Review) -> None:
    upload = clean_report()
    report = services.upload_publication_report(actor=rc.reviewer, review=final, upload=upload)
    assert report.file.name == f"reviews/{final.pk}/publication/report-1.docx"
    with report.file.open("rb") as handle:
        assert handle.read() == upload.content
    assert (report.format, report.size, report.filename) == ("docx", len(upload.content), "report.docx")


# ---- deferral ------------------------------------------------------------------------------------


def test_deferral_pauses_the_clock_and_resuming_moves_the_target_on(
    rc: ReviewCast, final: Review, time_machine: Any
) -> None:
    row = next(r for r in queries.monitoring_rows(TODAY) if r.review.pk == final.pk)
    assert row.timeliness == Timeliness.LATE  # target 20 September 2026
    services.defer_publication(
        actor=rc.business,
        review=final,
        version=final.version,
        reason_kind=DeferralReason.CRIMINAL_PROCEEDINGS,
        reason="The trial is listed for January.",
        review_by=date(2027, 1, 29),
    )
    row = next(r for r in queries.monitoring_rows(TODAY) if r.review.pk == final.pk)
    assert row.timeliness == Timeliness.DEFERRED
    send_copies(rc, final, date(2026, 11, 2), date(2026, 11, 2))
    services.upload_publication_report(actor=rc.reviewer, review=final, upload=clean_report())
    assert workflow_blocker(rc, final) == (
        "Publication is deferred (criminal proceedings) until it is resumed: resume publication first."
    )
    with pytest.raises(kernel.NotAllowed, match="already deferred"):
        services.defer_publication(
            actor=rc.business,
            review=final,
            version=final.version,
            reason_kind=DeferralReason.OTHER,
            reason="x",
            review_by=date(2027, 1, 1),
        )
    time_machine.move_to(at(date(2026, 12, 10)), tick=False)
    services.resume_publication(actor=rc.business, review=final, version=final.version)
    practice = Review.objects.get(pk=final.pk).practice_review
    assert practice.target_publication_on == date(2026, 10, 10)  # 20 September + the 20 days deferred
    deferral = practice.publication.deferrals.get()
    assert (deferral.resumed_on, deferral.target_before, deferral.target_after) == (
        date(2026, 12, 10),
        date(2026, 9, 20),
        date(2026, 10, 10),
    )
    assert workflow_blocker(rc, final) is None
    publish(rc, final, on=date(2026, 12, 10))


def workflow_blocker(rc: ReviewCast, review: Review) -> str | None:
    from safeguarding.reviews import workflow

    return workflow.blocker(Action.PUBLISHED, rc.business, Review.objects.get(pk=review.pk))


def test_defer_publication_checks_what_it_needs(rc: ReviewCast, final: Review) -> None:
    with pytest.raises(ValidationError) as refused:
        services.defer_publication(
            actor=rc.business, review=final, version=final.version, reason_kind="", reason=" ", review_by=TODAY
        )
    assert refused.value.message_dict == {
        "reason_kind": ["Choose why publication is deferred."],
        "reason": ["Say why publication is deferred."],
        "review_by": ["The review-by date must be in the future."],
    }
    with pytest.raises(kernel.StaleVersion):
        services.defer_publication(
            actor=rc.business,
            review=final,
            version=final.version - 1,
            reason_kind=DeferralReason.INQUEST,
            reason="Inquest",
            review_by=date(2027, 1, 1),
        )
    with pytest.raises(kernel.NotAllowed, match="business unit or the review's chair"):
        services.defer_publication(
            actor=rc.reviewer,
            review=final,
            version=final.version,
            reason_kind=DeferralReason.INQUEST,
            reason="Inquest",
            review_by=date(2027, 1, 1),
        )
    with pytest.raises(kernel.NotAllowed, match="not deferred"):
        services.resume_publication(actor=rc.business, review=final, version=final.version)


# ---- the learning only ---------------------------------------------------------------------------


def test_publish_learning_only_needs_reasons_and_pseudonyms(rc: ReviewCast, final: Review) -> None:
    with pytest.raises(ValidationError) as refused:
        services.publish_learning_only(
            actor=rc.business, review=final, version=final.version, reasons="", learning_summary="Ellis was"
        )
    assert refused.value.message_dict == {
        "reasons": ["Give the reasons for not publishing the report in full."],
        "learning_summary": [
            "Use the review's pseudonyms: this text names someone from the review's records (a name, date, "
            "address or reference)."
        ],
    }
    services.publish_learning_only(
        actor=rc.business,
        review=final,
        version=final.version,
        reasons="The family would be identified.",
        learning_summary="Agencies will share neglect concerns at the front door.",
    )
    practice = Review.objects.get(pk=final.pk).practice_review
    assert (practice.publication.scope, practice.publication.learning_only_reasons) == (
        "learning_only",
        "The family would be identified.",
    )
    # The Panel and the Secretary of State still get the full report, 7 working days before.
    with pytest.raises(ValidationError, match="Send the full report"):
        publish(rc, final)
    send_copies(rc, final, date(2026, 11, 2), date(2026, 11, 2))
    with pytest.raises(kernel.ServiceError, match="Upload the learning summary to be published first"):
        publish(rc, final)


# ---- another learning review -----------------------------------------------------------------------


def test_other_learning_review_has_no_statutory_clock_and_publishes_without_copies(rc: ReviewCast) -> None:
    review = to_final(rc, ReviewKind.OTHER_LEARNING)
    assert queries.current_clock(Review.objects.get(pk=review.pk)) is None
    assert publication.state(review).target_on is None
    services.upload_publication_report(actor=rc.reviewer, review=review, upload=clean_report())
    publish(rc, review)  # no copies, no 7-day check
    services.close_review(actor=rc.business, review=review, version=review.version)  # no 12 months online
    assert Review.objects.get(pk=review.pk).stage == Stage.CLOSED
    row = next(r for r in queries.monitoring_rows(TODAY) if r.review.pk == review.pk)
    assert row.timeliness is None


def test_other_learning_review_closes_without_publication(rc: ReviewCast) -> None:
    review = rc.to_in_progress(rc.notify())
    review.practice_review.kind = ReviewKind.OTHER_LEARNING
    review.practice_review.save(update_fields=["kind"])
    with pytest.raises(ValidationError, match="Say why the review is closing"):
        services.move_review(actor=rc.business, review=review, action=Action.CLOSED_UNPUBLISHED, version=review.version)
    services.move_review(
        actor=rc.business,
        review=review,
        action=Action.CLOSED_UNPUBLISHED,
        version=review.version,
        reason="The learning went to the practice guidance instead.",
    )
    stored = Review.objects.get(pk=review.pk)
    assert stored.stage == Stage.CLOSED
    assert stored.stage_changes.last().reason == "The learning went to the practice guidance instead."


def test_statutory_review_cannot_close_unpublished(rc: ReviewCast, final: Review) -> None:
    with pytest.raises(kernel.NotAllowed, match="Only another learning review closes without publication"):
        services.close_without_publication(
            actor=rc.business, review=final, version=final.version, reason="We would rather not."
        )


# ---- the NSPCC repository ------------------------------------------------------------------------


def test_nspcc_copy_is_recorded_on_or_after_publication(rc: ReviewCast, final: Review) -> None:
    with pytest.raises(kernel.NotAllowed, match="once the report is published"):
        services.record_nspcc_copy(actor=rc.business, review=final, sent_on=TODAY)
    send_copies(rc, final, date(2026, 11, 2), date(2026, 11, 2))
    services.upload_publication_report(actor=rc.reviewer, review=final, upload=clean_report())
    publish(rc, final, on=date(2026, 11, 16))
    with pytest.raises(ValidationError, match="on or after publication \\(16 November 2026\\)"):
        services.record_nspcc_copy(actor=rc.business, review=final, sent_on=date(2026, 11, 13))
    services.record_nspcc_copy(actor=rc.business, review=final, sent_on=TODAY)
    assert Review.objects.get(pk=final.pk).practice_review.publication.sent_to_nspcc_on == TODAY
