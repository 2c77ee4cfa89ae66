from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from safeguarding.core.kernel import NotAllowed, StaleVersion
from safeguarding.core.models import ActivityLog
from safeguarding.reviews import services
from safeguarding.reviews.enums import Action, MemberRole, Recommendation, RequestKind, Stage
from safeguarding.reviews.models import Notification, Review, StageChange
from safeguarding.reviews.tests.conftest import ReviewCast, at
from safeguarding.reviews.tests.reports import clean_report


def test_notify_starts_both_clocks_and_writes_history(rc: ReviewCast) -> None:
    review = rc.notify(aware_on=date(2026, 4, 2))

    assert review.stage == Stage.NOTIFIED
    assert review.notification.due_on == date(2026, 4, 13)
    assert review.rapid_review.due_on == date(2026, 4, 27)  # 15 working days, Easter excluded
    assert [c.to_stage for c in review.stage_changes.all()] == [Stage.NOTIFIED]
    assert ActivityLog.objects.filter(action="review.notified").count() == 1


def test_notification_overdue_flag(rc: ReviewCast) -> None:
    review = rc.notify(aware_on=date(2026, 3, 2))  # due 9 March 2026
    notification = review.notification
    assert not notification.is_overdue(date(2026, 3, 9))
    assert notification.is_overdue(date(2026, 3, 10))
    assert list(Notification.objects.overdue(date(2026, 3, 10))) == [notification]
    Notification.objects.filter(pk=notification.pk).update(sent_to_panel_on=date(2026, 3, 11))
    notification.refresh_from_db()
    assert notification.is_overdue(date(2026, 3, 12))  # sent late: the flag stays
    assert list(Notification.objects.overdue(date(2026, 3, 12))) == []


def test_notification_sent_leaves_the_rapid_review_clock_on_the_day_of_awareness(rc: ReviewCast) -> None:
    review = rc.notify(aware_on=date(2026, 3, 2))
    services.record_notification_sent(
        actor=rc.business, review=review, version=review.version, sent_on=date(2026, 3, 5), at=at(date(2026, 3, 5))
    )
    review.refresh_from_db()
    assert review.stage == Stage.RAPID_REVIEW
    assert (review.rapid_review.opened_on, review.rapid_review.due_on) == (date(2026, 3, 2), date(2026, 3, 23))


def test_notification_sent_resets_the_rapid_review_clock_under_the_procedure(rc: ReviewCast, settings: Any) -> None:
    settings.RAPID_REVIEW_CLOCK_FROM = "notification"
    review = rc.notify(aware_on=date(2026, 3, 2))
    services.record_notification_sent(
        actor=rc.business, review=review, version=review.version, sent_on=date(2026, 3, 5), at=at(date(2026, 3, 5))
    )
    review.refresh_from_db()
    assert (review.rapid_review.opened_on, review.rapid_review.due_on) == (date(2026, 3, 5), date(2026, 3, 26))
    assert review.rapid_review.clock_from == "notification"


def test_practitioner_cannot_notify(rc: ReviewCast) -> None:
    with pytest.raises(NotAllowed):
        rc.notify(actor=rc.cast.involved)


def test_notify_refuses_awareness_before_incident(rc: ReviewCast) -> None:
    with pytest.raises(ValidationError) as exc:
        rc.notify(incident_on=date(2026, 3, 5), aware_on=date(2026, 3, 2))
    assert "aware_on" in exc.value.message_dict


def test_rapid_review_cannot_be_sent_without_panel_and_three_sign_offs(rc: ReviewCast) -> None:
    review = rc.notify()
    services.record_notification_sent(
        actor=rc.business, review=review, version=review.version, sent_on=date(2026, 3, 3), at=at(date(2026, 3, 3))
    )
    with pytest.raises(NotAllowed, match="panel meeting"):
        services.send_rapid_review(
            actor=rc.business, review=review, version=review.version, sent_on=date(2026, 3, 4), at=at(date(2026, 3, 4))
        )
    services.record_panel_meeting(
        actor=rc.business,
        review=review,
        met_on=date(2026, 3, 3),
        attendance="All",
        summary="S",
        recommendation=Recommendation.LCSPR,
        at=at(date(2026, 3, 3)),
    )
    for partner in rc.partners[:2]:
        services.sign_off_rapid_review(
            actor=rc.business,
            review=review,
            agency=partner,
            signed_by_name="P",
            signed_on=date(2026, 3, 3),
            at=at(date(2026, 3, 3)),
        )
    with pytest.raises(NotAllowed, match="statutory safeguarding partner"):
        services.send_rapid_review(
            actor=rc.business, review=review, version=review.version, sent_on=date(2026, 3, 4), at=at(date(2026, 3, 4))
        )
    services.sign_off_rapid_review(
        actor=rc.business,
        review=review,
        agency=rc.partners[2],
        signed_by_name="P",
        signed_on=date(2026, 3, 3),
        at=at(date(2026, 3, 3)),
    )
    services.send_rapid_review(
        actor=rc.business, review=review, version=review.version, sent_on=date(2026, 3, 4), at=at(date(2026, 3, 4))
    )
    assert review.stage == Stage.DECISION


def test_sign_off_only_by_statutory_partners(rc: ReviewCast) -> None:
    review = rc.notify()
    services.record_notification_sent(
        actor=rc.business, review=review, version=review.version, sent_on=date(2026, 3, 3), at=at(date(2026, 3, 3))
    )
    services.record_panel_meeting(
        actor=rc.business,
        review=review,
        met_on=date(2026, 3, 3),
        attendance="All",
        summary="S",
        recommendation=Recommendation.LCSPR,
        at=at(date(2026, 3, 3)),
    )
    with pytest.raises(ValidationError):
        services.sign_off_rapid_review(
            actor=rc.business,
            review=review,
            agency=rc.cast.agency,
            signed_by_name="P",
            signed_on=date(2026, 3, 3),
            at=at(date(2026, 3, 3)),
        )


def test_decision_sets_publication_target_six_months_on(rc: ReviewCast) -> None:
    review = rc.to_in_progress(rc.notify(), decided_on=date(2026, 3, 20))
    assert review.stage == Stage.IN_PROGRESS
    assert review.practice_review.target_publication_on == date(2026, 9, 20)


def test_close_at_decision_refuses_a_local_review(rc: ReviewCast) -> None:
    review = rc.to_decision(rc.notify())
    with pytest.raises(ValidationError):
        services.close_at_decision(
            actor=rc.business, review=review, version=review.version, decision=Recommendation.LCSPR, reason="r"
        )
    services.close_at_decision(
        actor=rc.business,
        review=review,
        version=review.version,
        decision=Recommendation.NO_FURTHER_REVIEW,
        reason="Learning captured already.",
    )
    assert review.stage == Stage.CLOSED


def test_stale_version_is_refused(rc: ReviewCast) -> None:
    review = rc.notify()
    with pytest.raises(StaleVersion):
        services.record_notification_sent(
            actor=rc.business,
            review=review,
            version=review.version + 1,
            sent_on=date(2026, 3, 3),
            at=at(date(2026, 3, 3)),
        )


def test_practice_review_guards_through_to_publication_and_closure(rc: ReviewCast) -> None:
    review = rc.to_in_progress(rc.notify())
    with pytest.raises(NotAllowed, match="terms of reference"):
        services.move_to_draft(actor=rc.business, review=review, version=review.version, at=at(date(2026, 4, 1)))
    services.update_terms_of_reference(
        actor=rc.business, review=review, terms_of_reference="ToR", key_lines_of_enquiry="KLOE"
    )
    with pytest.raises(NotAllowed, match="independent reviewer"):
        services.move_to_draft(actor=rc.business, review=review, version=review.version, at=at(date(2026, 4, 1)))
    services.add_member(actor=rc.business, review=review, user=rc.reviewer, role=MemberRole.REVIEWER)
    with pytest.raises(NotAllowed, match="draft report"):
        services.move_to_draft(actor=rc.business, review=review, version=review.version, at=at(date(2026, 4, 1)))
    services.upload_report_draft(actor=rc.reviewer, review=review, upload=services.Upload("d.txt", b"draft"))
    services.move_to_draft(actor=rc.business, review=review, version=review.version, at=at(date(2026, 4, 1)))
    with pytest.raises(NotAllowed, match="findings"):
        services.share_with_family(actor=rc.business, review=review, version=review.version, at=at(date(2026, 4, 2)))
    services.add_finding(actor=rc.reviewer, review=review, title="F", text="T")
    for n in range(5):
        services.add_recommendation(
            actor=rc.reviewer, review=review, text=f"R{n}", addressee=rc.cast.agency if n % 2 else None
        )
    services.share_with_family(actor=rc.business, review=review, version=review.version, at=at(date(2026, 4, 2)))
    with pytest.raises(NotAllowed, match="shared with the family"):
        services.finalise_report(actor=rc.business, review=review, version=review.version, at=at(date(2026, 4, 3)))
    services.add_family_contact(
        actor=rc.reviewer,
        review=review,
        who="Mother of Child A",
        met_on=date(2026, 4, 2),
        report_shared_on=date(2026, 4, 2),
    )
    services.finalise_report(actor=rc.business, review=review, version=review.version, at=at(date(2026, 4, 3)))
    with pytest.raises(ValidationError, match="Secretary of State"):
        services.publish_review(
            actor=rc.business,
            review=review,
            version=review.version,
            published_on=date(2026, 5, 1),
            at=at(date(2026, 5, 1)),
        )
    services.record_sent_dates(
        actor=rc.business,
        review=review,
        sent_to_panel_on=date(2026, 4, 20),
        sent_to_secretary_of_state_on=date(2026, 4, 20),
    )
    services.upload_publication_report(actor=rc.reviewer, review=review, upload=clean_report())
    with pytest.raises(ValidationError, match="online until"):
        services.publish_review(
            actor=rc.business,
            review=review,
            version=review.version,
            published_on=date(2026, 5, 1),
            may_come_down_on=date(2027, 4, 30),
            at=at(date(2026, 5, 1)),
        )
    services.publish_review(
        actor=rc.business, review=review, version=review.version, published_on=date(2026, 5, 1), at=at(date(2026, 5, 1))
    )
    review.practice_review.refresh_from_db()
    assert review.practice_review.may_come_down_on == date(2027, 5, 1)
    with pytest.raises(NotAllowed, match="12 months"):
        services.close_review(actor=rc.business, review=review, version=review.version, at=at(date(2026, 6, 1)))
    services.close_review(actor=rc.business, review=review, version=review.version, at=at(date(2027, 5, 1)))
    assert review.stage == Stage.CLOSED
    assert [c.action for c in StageChange.objects.filter(review=review)] == [
        Action.NOTIFIED,
        Action.NOTIFICATION_SENT,
        Action.RAPID_REVIEW_SENT,
        Action.PRACTICE_REVIEW_OPENED,
        Action.DRAFT_RECEIVED,
        Action.SHARED_WITH_FAMILY,
        Action.FINALISED,
        Action.PUBLISHED,
        Action.CLOSED,
    ]
    numbers = list(review.recommendations.values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4, 5]
    assert len(set(review.recommendations.values_list("uid", flat=True))) == 5


def test_reviewer_cannot_move_the_stage_and_others_cannot_write(rc: ReviewCast) -> None:
    review = rc.to_in_progress(rc.notify())
    services.add_member(actor=rc.business, review=review, user=rc.reviewer, role=MemberRole.REVIEWER)
    with pytest.raises(NotAllowed):
        services.move_to_draft(actor=rc.reviewer, review=review, version=review.version)
    with pytest.raises(NotAllowed):
        services.add_finding(actor=rc.other_reviewer, review=review, title="F", text="T")


def test_agency_summary_request_defaults_to_day_10_and_only_the_lead_answers(rc: ReviewCast) -> None:
    review = rc.notify(aware_on=date(2026, 3, 2))
    services.record_notification_sent(
        actor=rc.business, review=review, version=review.version, sent_on=date(2026, 3, 2), at=at(date(2026, 3, 2))
    )
    request = services.request_from_agency(
        actor=rc.business,
        review=review,
        agency=rc.cast.partner_agency,
        kind=RequestKind.AGENCY_SUMMARY,
        at=at(date(2026, 3, 2)),
    )
    assert request.due_on == date(2026, 3, 16)
    with pytest.raises(NotAllowed):
        services.submit_to_request(actor=rc.health_lead, request=request, involvement="x")
    with pytest.raises(NotAllowed):
        services.submit_to_request(actor=rc.cast.partner, request=request, involvement="x")
    submission = services.submit_to_request(actor=rc.police_lead, request=request, involvement="Two call-outs.")
    assert submission.request.status == "submitted"


def test_reminders_go_once_a_day_for_requests_due_soon(rc: ReviewCast) -> None:
    review = rc.notify(aware_on=date(2026, 3, 2))
    services.record_notification_sent(
        actor=rc.business, review=review, version=review.version, sent_on=date(2026, 3, 2), at=at(date(2026, 3, 2))
    )
    services.request_from_agency(
        actor=rc.business,
        review=review,
        agency=rc.cast.partner_agency,
        kind=RequestKind.AGENCY_SUMMARY,
        at=at(date(2026, 3, 2)),
    )
    assert services.send_request_reminders(today=date(2026, 3, 3)) == 0
    assert services.send_request_reminders(today=date(2026, 3, 12)) == 1
    assert services.send_request_reminders(today=date(2026, 3, 12)) == 0


def test_the_rules_are_the_permissions_pages_and_templates_ask(rc: ReviewCast) -> None:
    """The workflow registers one permission per stage change (its guard); the page-level rules are
    registered in permissions.py. Pages and templates ask these, the services the same predicates."""
    review = rc.to_in_progress(rc.notify())
    services.add_member(actor=rc.business, review=review, user=rc.reviewer, role=MemberRole.REVIEWER)
    review = Review.objects.get(pk=review.pk)
    assert rc.business.has_perm("reviews.draft_received", review)
    assert not rc.reviewer.has_perm("reviews.draft_received", review)
    assert not rc.business.has_perm("reviews.notification_sent", review)  # not from this stage
    assert rc.reviewer.has_perm("reviews.write_findings", review)
    assert not rc.other_reviewer.has_perm("reviews.view_review", review)
    assert not rc.scrutineer.has_perm("reviews.view_review", review)
    assert rc.scrutineer.has_perm("reviews.monitor")
    assert not rc.scrutineer.has_perm("reviews.open_any_review")
    assert not rc.business.has_perm("reviews.run_review")  # asked without a review: refused
