"""Every path of the review services that locks a row, run as a real request runs them: outside a
test transaction (`transaction=True`), so each service's own transaction is the only one. On
PostgreSQL under autocommit a `select_for_update()` outside a transaction is refused (issue 14: the
recommendation status page answered 500), and two people saving from the same version must not both
succeed: the second gets `StaleVersion`. Run with DATABASE_URL set to PostgreSQL to prove it there."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from django.db import connection, transaction

from safeguarding.core.kernel import NotAllowed, StaleVersion
from safeguarding.core.models import ActivityLog
from safeguarding.reviews import services
from safeguarding.reviews.enums import Action, MemberRole, Recommendation, RecommendationStatus, RequestKind, Stage
from safeguarding.reviews.models import AgencyRequest, Review, ReviewRecommendation, StageChange, Submission
from safeguarding.reviews.tests.conftest import ReviewCast, at, build_review_cast
from safeguarding.reviews.tests.reports import clean_report

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def trc(transactional_db: None) -> ReviewCast:
    return build_review_cast()


def _fresh(review: Review) -> Review:
    """Another person's copy of the review, read now."""
    return Review.objects.get(pk=review.pk)


def test_two_people_on_the_same_version_the_second_is_refused(trc: ReviewCast) -> None:
    review = trc.notify()
    chair = trc.police_lead  # named as the chair: may move the stage too
    services.add_member(actor=trc.business, review=review, user=chair, role=MemberRole.CHAIR)
    mine, theirs = _fresh(review), _fresh(review)
    assert not connection.in_atomic_block
    services.record_notification_sent(
        actor=trc.business, review=mine, version=mine.version, sent_on=date(2026, 3, 4), at=at(date(2026, 3, 4))
    )
    with pytest.raises(StaleVersion, match="Someone else changed this review"):
        services.record_notification_sent(
            actor=chair, review=theirs, version=theirs.version, sent_on=date(2026, 3, 5), at=at(date(2026, 3, 5))
        )
    stored = _fresh(review)
    assert stored.stage == Stage.RAPID_REVIEW
    assert stored.version == mine.version
    assert stored.notification.sent_to_panel_on == date(2026, 3, 4)
    assert StageChange.objects.filter(review=review, action=Action.NOTIFICATION_SENT).count() == 1
    assert ActivityLog.objects.filter(action="review.notification_sent").count() == 1


def test_move_review_from_a_stale_copy_is_refused(trc: ReviewCast) -> None:
    """The pages' and the API's entry point: the copy read before the other person's change still
    shows the old stage and version, and is refused by the lock, not applied."""
    review = trc.to_in_progress(trc.notify())
    services.update_terms_of_reference(
        actor=trc.business, review=review, terms_of_reference="ToR", key_lines_of_enquiry=""
    )
    services.add_member(actor=trc.business, review=review, user=trc.reviewer, role=MemberRole.REVIEWER)
    services.upload_report_draft(actor=trc.reviewer, review=review, upload=services.Upload("d.txt", b"draft"))
    stale = _fresh(review)
    services.move_review(actor=trc.business, review=_fresh(review), action=Action.DRAFT_RECEIVED, version=stale.version)
    with pytest.raises(StaleVersion):
        services.move_review(actor=trc.business, review=stale, action=Action.DRAFT_RECEIVED, version=stale.version)
    assert _fresh(review).stage == Stage.DRAFT
    assert StageChange.objects.filter(review=review, action=Action.DRAFT_RECEIVED).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections: PostgreSQL only")
def test_a_second_change_waits_for_the_first_then_is_refused(trc: ReviewCast) -> None:
    """Two requests at once: the second blocks on the review's row lock until the first commits,
    then finds the version moved on."""
    review = trc.notify()
    version = review.version
    outcome: list[BaseException | None] = []

    def second() -> None:
        try:
            services.record_notification_sent(
                actor=trc.business, review=_fresh(review), version=version, sent_on=date(2026, 3, 5)
            )
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=second)
    with transaction.atomic():
        services.record_notification_sent(
            actor=trc.business, review=_fresh(review), version=version, sent_on=date(2026, 3, 4)
        )
        thread.start()
        thread.join(timeout=1.0)
        assert thread.is_alive(), "the second change should wait for the first one's row lock"
    thread.join(timeout=30)
    assert len(outcome) == 1
    assert isinstance(outcome[0], StaleVersion)
    assert _fresh(review).notification.sent_to_panel_on == date(2026, 3, 4)
    assert StageChange.objects.filter(review=review, action=Action.NOTIFICATION_SENT).count() == 1


def test_recommendation_status_changes_under_autocommit(trc: ReviewCast) -> None:
    review = trc.to_in_progress(trc.notify())
    recommendation = services.add_recommendation(actor=trc.business, review=review, text="Share concerns")
    assert not connection.in_atomic_block
    changed = services.set_recommendation_status(
        actor=trc.business, recommendation=recommendation, status=RecommendationStatus.AGREED
    )
    assert changed.status == RecommendationStatus.AGREED
    assert ReviewRecommendation.objects.get(pk=recommendation.pk).status == RecommendationStatus.AGREED
    log = ActivityLog.objects.get(action="review.recommendation_status")
    assert log.changes == {"status": [RecommendationStatus.DRAFT, RecommendationStatus.AGREED]}


def test_following_the_action_plan_changes_the_status_once_under_autocommit(trc: ReviewCast) -> None:
    review = trc.to_in_progress(trc.notify())
    recommendation = services.add_recommendation(actor=trc.business, review=review, text="Share concerns")
    assert services.follow_actions(
        actor=trc.business, recommendation=recommendation, status=RecommendationStatus.IN_ACTION_PLAN
    )
    assert not services.follow_actions(
        actor=trc.business, recommendation=recommendation, status=RecommendationStatus.IN_ACTION_PLAN
    )
    assert ReviewRecommendation.objects.get(pk=recommendation.pk).status == RecommendationStatus.IN_ACTION_PLAN
    assert ActivityLog.objects.filter(action="review.recommendation_status").count() == 1


def test_a_request_answered_twice_from_the_same_page_is_refused_the_second_time(trc: ReviewCast) -> None:
    review = trc.notify()
    request = services.request_from_agency(
        actor=trc.business,
        review=review,
        agency=trc.cast.partner_agency,
        kind=RequestKind.AGENCY_SUMMARY,
        at=at(date(2026, 3, 2)),
    )
    first, second = AgencyRequest.objects.get(pk=request.pk), AgencyRequest.objects.get(pk=request.pk)
    services.submit_to_request(actor=trc.police_lead, request=first, involvement="Two call-outs.")
    with pytest.raises(NotAllowed, match="already been answered"):
        services.submit_to_request(actor=trc.police_lead, request=second, involvement="Again.")
    assert Submission.objects.filter(request=request).count() == 1


def test_the_rapid_review_services_lock_the_review_under_autocommit(trc: ReviewCast) -> None:
    """Requests, the panel, sign-offs and the decision each lock the review in their own transaction."""
    review = trc.notify()
    request = services.request_from_agency(
        actor=trc.business,
        review=review,
        agency=trc.cast.partner_agency,
        kind=RequestKind.AGENCY_SUMMARY,
        at=at(date(2026, 3, 2)),
    )
    services.submit_to_request(actor=trc.police_lead, request=request, involvement="Two call-outs.")
    trc.to_decision(review)
    assert _fresh(review).rapid_review.sign_offs.count() == len(trc.partners)
    services.close_at_decision(
        actor=trc.business,
        review=review,
        version=review.version,
        decision=Recommendation.NO_FURTHER_REVIEW,
        reason="Learning captured already.",
    )
    stored = _fresh(review)
    assert stored.stage == Stage.CLOSED
    assert [c.action for c in StageChange.objects.filter(review=review)] == [
        Action.NOTIFIED,
        Action.NOTIFICATION_SENT,
        Action.RAPID_REVIEW_SENT,
        Action.CLOSED_AT_DECISION,
    ]


def _practice_review_to_final(trc: ReviewCast, review: Review) -> Any:
    services.add_member(actor=trc.business, review=review, user=trc.reviewer, role=MemberRole.REVIEWER)
    services.update_terms_of_reference(
        actor=trc.business, review=review, terms_of_reference="ToR", key_lines_of_enquiry="KLOE"
    )
    services.add_practitioner_event(actor=trc.reviewer, review=review, held_on=date(2026, 3, 25), attendance="All")
    services.upload_report_draft(actor=trc.reviewer, review=review, upload=services.Upload("d.txt", b"draft"))
    services.upload_report_draft(actor=trc.reviewer, review=review, upload=services.Upload("d2.txt", b"draft 2"))
    services.move_to_draft(actor=trc.business, review=review, version=review.version, at=at(date(2026, 4, 1)))
    services.add_finding(actor=trc.reviewer, review=review, title="F1", text="T")
    services.add_finding(actor=trc.reviewer, review=review, title="F2", text="T")
    services.add_recommendation(actor=trc.reviewer, review=review, text="R1")
    services.add_recommendation(actor=trc.reviewer, review=review, text="R2")
    services.share_with_family(actor=trc.business, review=review, version=review.version, at=at(date(2026, 4, 2)))
    services.add_family_contact(
        actor=trc.reviewer, review=review, who="Mother of Child A", met_on=None, report_shared_on=date(2026, 4, 2)
    )
    services.finalise_report(actor=trc.business, review=review, version=review.version, at=at(date(2026, 4, 3)))
    return services.record_sent_dates(
        actor=trc.business,
        review=review,
        sent_to_panel_on=date(2026, 4, 20),
        sent_to_secretary_of_state_on=date(2026, 4, 20),
    )


def test_the_practice_review_services_lock_the_review_under_autocommit(trc: ReviewCast) -> None:
    """Terms, events, drafts, findings, recommendations, family engagement, the sent dates and every
    stage to closure, each in its own transaction; numbers are taken under the review's lock."""
    review = trc.to_in_progress(trc.notify())
    _practice_review_to_final(trc, review)
    services.upload_publication_report(actor=trc.reviewer, review=review, upload=clean_report())
    services.publish_review(
        actor=trc.business,
        review=review,
        version=review.version,
        published_on=date(2026, 5, 1),
        at=at(date(2026, 5, 1)),
    )
    services.close_review(actor=trc.business, review=review, version=review.version, at=at(date(2027, 5, 1)))
    stored = _fresh(review)
    assert stored.stage == Stage.CLOSED
    assert list(stored.practice_review.drafts.values_list("number", flat=True)) == [1, 2]
    assert list(stored.findings.values_list("number", flat=True)) == [1, 2]
    assert list(stored.recommendations.values_list("number", flat=True)) == [1, 2]
    assert StageChange.objects.filter(review=review).count() == 9
