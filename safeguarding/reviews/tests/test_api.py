"""API v1 case reviews: the same rules as the pages, 404 for what the caller may not see."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from safeguarding.api.tests.factories import make_token, signed_in_client, token_client
from safeguarding.core.models import ActivityLog
from safeguarding.reviews import services
from safeguarding.reviews.enums import MemberRole, RequestKind, Stage
from safeguarding.reviews.models import ChronologyEntry, Review, StageChange
from safeguarding.reviews.tests.conftest import REVIEW_MOMENT, ReviewCast, build_review_cast


@pytest.fixture(autouse=True)
def _clock_after_the_casts_days(time_machine: Any) -> None:
    # The cast's reviews are notified and decided on fixed days in March 2026, which the services
    # refuse while they are still to come: the clock stands where the review tests' does.
    time_machine.move_to(REVIEW_MOMENT, tick=False)


@pytest.fixture
def rc(db: None) -> ReviewCast:
    return build_review_cast()


@pytest.fixture
def review(rc: ReviewCast) -> Review:
    review = rc.to_in_progress(rc.notify())
    services.add_member(actor=rc.business, review=review, user=rc.reviewer, role=MemberRole.REVIEWER)
    return review


def test_business_unit_lists_and_reads_reviews_with_pseudonyms_only(rc: ReviewCast, review: Review) -> None:
    client = signed_in_client(rc.business, verified=True)
    listed = client.get("/api/v1/reviews/").json()
    detail = client.get(f"/api/v1/reviews/{review.pk}/").json()

    assert [r["reference"] for r in listed["results"]] == [review.reference]
    assert detail["children"] == ["Child A", "Child B"]
    assert detail["stage"] == "in_progress"
    assert "Ellis" not in str(detail)


def test_agency_system_and_other_reviewer_see_no_review(rc: ReviewCast, review: Review) -> None:
    _, key = make_token(rc.cast.agency)
    assert token_client(key).get("/api/v1/reviews/").json()["results"] == []
    assert token_client(key).get(f"/api/v1/reviews/{review.pk}/").status_code == 404
    other = signed_in_client(rc.other_reviewer, verified=True)
    assert other.get(f"/api/v1/reviews/{review.pk}/").status_code == 404
    assert other.post(f"/api/v1/reviews/{review.pk}/findings/", {"title": "t", "text": "t"}).status_code == 404


def test_reviewer_adds_findings_and_numbered_recommendations(rc: ReviewCast, review: Review) -> None:
    client = signed_in_client(rc.reviewer, verified=True)
    finding = client.post(
        f"/api/v1/reviews/{review.pk}/findings/",
        {"title": "Neglect not recognised", "text": "Evidence", "themes": ["neglect"]},
        content_type="application/json",
    )
    first = client.post(
        f"/api/v1/reviews/{review.pk}/recommendations/",
        {"text": "Share concerns", "addressee": "POL"},
        content_type="application/json",
    )
    second = client.post(
        f"/api/v1/reviews/{review.pk}/recommendations/", {"text": "Guidance"}, content_type="application/json"
    )

    assert finding.status_code == 201
    assert finding.json()["themes"] == ["neglect"]
    assert (first.json()["number"], first.json()["addressee"]) == (1, "POL")
    assert (second.json()["reference"], second.json()["addressee"]) == (f"{review.reference}-R2", None)
    listed = client.get(f"/api/v1/reviews/{review.pk}/recommendations/").json()
    assert [r["uid"] for r in listed] == [first.json()["uid"], second.json()["uid"]]


def test_agency_system_answers_its_own_request_with_a_chronology(rc: ReviewCast, review: Review) -> None:
    own = services.request_from_agency(
        actor=rc.business, review=review, agency=rc.cast.agency, kind=RequestKind.CHRONOLOGY
    )
    other = services.request_from_agency(
        actor=rc.business, review=review, agency=rc.cast.partner_agency, kind=RequestKind.CHRONOLOGY
    )
    _, key = make_token(rc.cast.agency)
    client = token_client(key)
    assert [r["id"] for r in client.get("/api/v1/review-requests/").json()["results"]] == [own.pk]
    assert client.get(f"/api/v1/review-requests/{other.pk}/").status_code == 404
    content = b"Date,Child name,Event type,Details\n01/02/2025,Ellis Marsh,Home visit,Seen at home.\n"
    response = client.post(
        f"/api/v1/review-requests/{own.pk}/submit/",
        {
            "involvement": "Health visiting.",
            "document_name": "c.csv",
            "document_base64": base64.b64encode(content).decode(),
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "submitted"
    assert ChronologyEntry.objects.filter(agency=rc.cast.agency).count() == 1
    again = client.post(f"/api/v1/review-requests/{own.pk}/submit/", {"involvement": "x"}, format="json")
    assert again.status_code == 403


def test_notify_through_the_api(rc: ReviewCast) -> None:
    client = signed_in_client(rc.business, verified=True)
    payload: dict[str, Any] = {
        "incident_on": "2026-03-02",
        "aware_on": "2026-03-02",
        "harm": "death",
        "summary": "S",
        "abuse_or_neglect": True,
        "children": [{"nhs_number": rc.cast.child.nhs_number, "pseudonym": "Child A"}],
    }
    response = client.post("/api/v1/reviews/notify/", payload, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["notification_due_on"] == "2026-03-09"
    _, key = make_token(rc.cast.unrelated_agency)
    assert token_client(key).post("/api/v1/reviews/notify/", payload, format="json").status_code == 404


def test_codes_with_a_nul_character_are_a_400(rc: ReviewCast, review: Review) -> None:
    client = signed_in_client(rc.reviewer, verified=True)
    response = client.post(
        f"/api/v1/reviews/{review.pk}/recommendations/",
        {"text": "x", "addressee": "PO\x00L"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "addressee" in response.json()["errors"]


# ---- stage transitions ----------------------------------------------------------------------------


def _move(client: Any, review: Review, **body: Any) -> Any:
    return client.post(f"/api/v1/reviews/{review.pk}/transition/", body, content_type="application/json")


def test_business_unit_moves_the_stage_through_the_same_workflow(rc: ReviewCast) -> None:
    review = rc.notify()
    client = signed_in_client(rc.business, verified=True)
    response = _move(client, review, to_stage="rapid_review", version=review.version, sent_on="2026-03-04")

    assert response.status_code == 200, response.json()
    assert (response.json()["stage"], response.json()["version"]) == ("rapid_review", review.version + 1)
    assert response.json()["notification_sent_on"] == "2026-03-04"
    step = StageChange.objects.filter(review=review).latest("at")
    assert (step.action, step.actor) == ("notification_sent", rc.business)
    assert ActivityLog.objects.filter(action="review.notification_sent", target_id=str(review.pk)).exists()


def test_closing_at_decision_keeps_the_reasons(rc: ReviewCast) -> None:
    review = rc.to_decision(rc.notify())
    client = signed_in_client(rc.business, verified=True)
    missing = _move(client, review, to_stage="closed", version=review.version)
    response = _move(
        client,
        review,
        to_stage="closed",
        version=review.version,
        decision="no_further_review",
        reason="Learning known.",
    )

    assert missing.status_code == 400
    assert set(missing.json()["errors"]) == {"decision", "reason"}
    assert response.status_code == 200, response.json()
    assert response.json()["stage"] == "closed"
    assert StageChange.objects.filter(review=review).latest("at").reason == "no_further_review: Learning known."


def test_a_stale_version_is_a_409_and_changes_nothing(rc: ReviewCast) -> None:
    review = rc.notify()
    client = signed_in_client(rc.business, verified=True)
    response = _move(client, review, to_stage="rapid_review", version=review.version + 1, sent_on="2026-03-04")

    assert response.status_code == 409
    assert "Someone else changed this review" in response.json()["detail"]
    review.refresh_from_db()
    assert review.stage == Stage.NOTIFIED


def test_the_guard_refusing_is_a_403_saying_what_is_missing(rc: ReviewCast, review: Review) -> None:
    response = _move(signed_in_client(rc.business, verified=True), review, to_stage="draft", version=review.version)

    assert response.status_code == 403
    assert "terms of reference" in response.json()["detail"]
    review.refresh_from_db()
    assert review.stage == Stage.IN_PROGRESS


def test_who_may_move_the_stage(rc: ReviewCast, review: Review) -> None:
    body = {"to_stage": "draft", "version": review.version}
    named_reviewer = _move(signed_in_client(rc.reviewer, verified=True), review, **body)
    unrelated = _move(signed_in_client(rc.cast.unrelated, verified=True), review, **body)
    _, key = make_token(rc.cast.agency)
    system = token_client(key).post(f"/api/v1/reviews/{review.pk}/transition/", body, format="json")

    assert named_reviewer.status_code == 403  # sees the review, may not run it
    assert (unrelated.status_code, system.status_code) == (404, 404)
    assert "Someone" not in str(unrelated.json())


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"to_stage": "published"}, "to_stage"),  # not reachable from in progress
        ({"to_stage": "somewhere"}, "to_stage"),
        ({"to_stage": "draft", "version": "x"}, "version"),
        ({"to_stage": "draft", "version": None}, "version"),
        ({"to_stage": "draft", "sent_on": "31/02/2026"}, "sent_on"),
        ({"to_stage": "draft", "reason": "a\x00b"}, "reason"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(rc: ReviewCast, review: Review, body: dict[str, Any], field: str) -> None:
    payload = {"version": review.version, **body}
    response = _move(signed_in_client(rc.business, verified=True), review, **payload)

    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_a_missing_date_is_a_400_for_the_step_that_needs_it(rc: ReviewCast) -> None:
    review = rc.notify()
    response = _move(signed_in_client(rc.business, verified=True), review, to_stage="rapid_review", version=1)

    assert response.status_code == 400
    assert response.json()["errors"] == {"sent_on": ["Enter the date the notification was sent to the national panel."]}


# ---- recommendation status -------------------------------------------------------------------------


def _status_url(review: Review, recommendation: Any) -> str:
    return f"/api/v1/reviews/{review.pk}/recommendations/{recommendation.pk}/status/"


def test_business_unit_changes_a_recommendations_status(rc: ReviewCast, review: Review) -> None:
    recommendation = services.add_recommendation(actor=rc.reviewer, review=review, text="Share concerns")
    client = signed_in_client(rc.business, verified=True)
    response = client.post(_status_url(review, recommendation), {"status": "agreed"}, content_type="application/json")

    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["uid"]) == ("agreed", str(recommendation.uid))
    recommendation.refresh_from_db()
    assert recommendation.status == "agreed"
    log = ActivityLog.objects.get(action="review.recommendation_status")
    assert log.changes == {"status": ["draft", "agreed"]}


def test_who_may_change_a_recommendations_status(rc: ReviewCast, review: Review) -> None:
    recommendation = services.add_recommendation(actor=rc.reviewer, review=review, text="Share concerns")
    other_review = rc.to_in_progress(rc.notify())
    body = {"status": "agreed"}
    reviewer = signed_in_client(rc.reviewer, verified=True)
    business = signed_in_client(rc.business, verified=True)

    assert reviewer.post(_status_url(review, recommendation), body, format="json").status_code == 403
    unrelated = signed_in_client(rc.cast.unrelated, verified=True)
    assert unrelated.post(_status_url(review, recommendation), body, format="json").status_code == 404
    # A recommendation of another review, or no recommendation at all: 404.
    assert business.post(_status_url(other_review, recommendation), body, format="json").status_code == 404
    assert business.post(f"/api/v1/reviews/{review.pk}/recommendations/x/status/", body).status_code == 404
    bad = business.post(_status_url(review, recommendation), {"status": "done"}, format="json")
    assert bad.status_code == 400
    assert "status" in bad.json()["errors"]
    recommendation.refresh_from_db()
    assert recommendation.status == "draft"
    assert not ActivityLog.objects.filter(action="review.recommendation_status").exists()
