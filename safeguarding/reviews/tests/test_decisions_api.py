"""API: the notification's new fields, the copies and partners informed, the national panel's
response, closing a national review and reopening — the same rules as the pages."""

from __future__ import annotations

from typing import Any

import pytest

from safeguarding.api.tests.factories import make_token, signed_in_client, token_client
from safeguarding.core.models import ActivityLog
from safeguarding.reviews import services
from safeguarding.reviews.enums import MemberRole, PanelResponse, Recommendation, Stage
from safeguarding.reviews.models import Review
from safeguarding.reviews.tests.conftest import ReviewCast
from safeguarding.reviews.tests.test_decisions import referred, respond, to_national_decision


def _post(client: Any, review: Review, path: str, **body: Any) -> Any:
    return client.post(f"/api/v1/reviews/{review.pk}/{path}/", body, content_type="application/json")


def _notify_payload(rc: ReviewCast, **changes: Any) -> dict[str, Any]:
    return {
        "incident_on": "2026-03-02",
        "aware_on": "2026-03-02",
        "harm": "death",
        "summary": "S",
        "children": [{"nhs_number": rc.cast.child.nhs_number, "pseudonym": "Child A"}],
        **changes,
    }


def test_notify_needs_abuse_or_neglect_and_refuses_what_is_not_notifiable(rc: ReviewCast) -> None:
    client = signed_in_client(rc.business, verified=True)
    missing = client.post("/api/v1/reviews/notify/", _notify_payload(rc), content_type="application/json")
    assert missing.status_code == 400
    assert "abuse_or_neglect" in missing.json()["errors"]
    refused = client.post(
        "/api/v1/reviews/notify/", _notify_payload(rc, abuse_or_neglect=False), content_type="application/json"
    )
    assert refused.status_code == 400
    assert "not a notifiable incident" in refused.json()["errors"]["abuse_or_neglect"][0]
    assert not Review.objects.exists()
    created = client.post(
        "/api/v1/reviews/notify/",
        _notify_payload(
            rc, abuse_or_neglect=False, looked_after=True, harm_outside_england=True, harm_location="Cardiff, Wales"
        ),
        content_type="application/json",
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["abuse_or_neglect"], body["looked_after"], body["harm_location"]) == (False, True, "Cardiff, Wales")


def test_looked_after_death_notification_sent_needs_both_copies(rc: ReviewCast) -> None:
    review = rc.notify(abuse_or_neglect=False, looked_after=True, harm="death")
    client = signed_in_client(rc.business, verified=True)
    refused = _post(client, review, "transition", to_stage="rapid_review", version=review.version, sent_on="2026-03-04")
    assert refused.status_code == 400
    assert set(refused.json()["errors"]) == {"ofsted_sent_on", "secretary_of_state_sent_on"}
    done = _post(
        client,
        review,
        "transition",
        to_stage="rapid_review",
        version=review.version,
        sent_on="2026-03-04",
        ofsted_sent_on="2026-03-04",
        secretary_of_state_sent_on="2026-03-05",
    )
    assert done.status_code == 200
    assert (done.json()["ofsted_sent_on"], done.json()["secretary_of_state_sent_on"]) == ("2026-03-04", "2026-03-05")


def test_copies_and_partners_informed_show_in_the_review(rc: ReviewCast) -> None:
    review = rc.notify()
    police, _, icb = rc.partners
    client = signed_in_client(rc.business, verified=True)
    assert _post(client, review, "notification-copies", ofsted_sent_on="2026-03-03").json()["ofsted_sent_on"] == (
        "2026-03-03"
    )
    body = _post(client, review, "partners-informed", informed_on="2026-03-03", agencies=[police.code]).json()
    assert body["partners_informed"] == [{"agency": police.code, "informed_on": "2026-03-03"}]
    assert body["partners_not_informed"] == [icb.code]
    assert {"on": "2026-03-03", "text": f"{police.name} informed", "detail": ""} in body["record"]
    bad = _post(client, review, "partners-informed", informed_on="2026-03-03", agencies=["NOPE"])
    assert bad.status_code == 400
    assert "agencies" in bad.json()["errors"]


def test_recording_is_refused_to_a_reviewer_and_not_found_for_others(rc: ReviewCast) -> None:
    review = rc.notify()
    services.add_member(actor=rc.business, review=review, user=rc.reviewer, role=MemberRole.REVIEWER)
    reviewer = signed_in_client(rc.reviewer, verified=True)
    assert _post(reviewer, review, "notification-copies", ofsted_sent_on="2026-03-03").status_code == 403
    _, key = make_token(rc.cast.partner_agency)
    for client in (signed_in_client(rc.other_reviewer, verified=True), token_client(key)):
        assert _post(client, review, "notification-copies", ofsted_sent_on="2026-03-03").status_code == 404
        assert _post(client, review, "panel-response", version=review.version).status_code == 404
    assert Review.objects.get(pk=review.pk).notification.ofsted_sent_on is None


def test_referral_through_the_transition_and_the_panel_response(rc: ReviewCast) -> None:
    review = to_national_decision(rc, rc.notify())
    client = signed_in_client(rc.business, verified=True)
    closing = _post(
        client, review, "transition", to_stage="closed", version=review.version, decision="national_review", reason="r"
    )
    assert closing.status_code == 403  # the guard: it waits for the national panel
    moved = _post(client, review, "transition", to_stage="awaiting_panel", version=review.version)
    assert moved.status_code == 200
    assert moved.json()["stage"] == "awaiting_panel"
    generic = _post(client, review, "transition", to_stage="national_review", version=moved.json()["version"])
    assert generic.status_code == 400
    assert "panel-response" in generic.json()["errors"]["to_stage"][0]
    answered = _post(
        client,
        review,
        "panel-response",
        version=moved.json()["version"],
        response="returned",
        responded_on="2026-04-01",
        panel_words="A local review is the right route.",
    )
    assert answered.status_code == 200
    body = answered.json()
    assert (body["stage"], body["panel_response"], body["panel_responded_on"]) == (
        "in_progress",
        "returned",
        "2026-04-01",
    )
    assert body["target_publication_on"] == "2026-10-01"


def test_panel_response_stale_version_is_409_and_bad_input_400(rc: ReviewCast) -> None:
    review = referred(rc)
    client = signed_in_client(rc.business, verified=True)
    body = {"response": "accepted", "responded_on": "2026-04-01", "panel_words": "Yes."}
    assert _post(client, review, "panel-response", version=review.version - 1, **body).status_code == 409
    bad = _post(client, review, "panel-response", version=review.version, response="maybe")
    assert bad.status_code == 400
    assert {"response", "responded_on", "panel_words"} <= set(bad.json()["errors"])
    assert Review.objects.get(pk=review.pk).stage == Stage.AWAITING_PANEL


def test_close_national_review_and_reopen(rc: ReviewCast) -> None:
    review = referred(rc)
    respond(rc, review, PanelResponse.ACCEPTED)
    client = signed_in_client(rc.business, verified=True)
    closed = _post(client, review, "close-national-review", version=review.version, published_on="2026-10-01")
    assert closed.status_code == 200
    assert (closed.json()["stage"], closed.json()["national_published_on"]) == ("closed", "2026-10-01")
    missing = _post(client, review, "reopen", version=closed.json()["version"])
    assert missing.status_code == 400
    assert "reason" in missing.json()["errors"]
    reopened = _post(client, review, "reopen", version=closed.json()["version"], reason="Closed too early.")
    assert reopened.status_code == 200
    assert reopened.json()["stage"] == "national_review"
    assert ActivityLog.objects.filter(action="review.reopened", target_id=str(review.pk)).count() == 1


def test_reopen_is_403_for_the_chair_and_409_when_stale(rc: ReviewCast) -> None:
    review = rc.to_decision(rc.notify())
    services.add_member(actor=rc.business, review=review, user=rc.reviewer, role=MemberRole.CHAIR)
    services.close_at_decision(
        actor=rc.business, review=review, version=review.version, decision=Recommendation.NO_FURTHER_REVIEW, reason="r"
    )
    chair = signed_in_client(rc.reviewer, verified=True)
    refused = _post(chair, review, "reopen", version=review.version, reason="r")
    assert refused.status_code == 403
    assert "Only the business unit" in str(refused.json())
    business = signed_in_client(rc.business, verified=True)
    assert _post(business, review, "reopen", version=review.version - 1, reason="r").status_code == 409
    assert Review.objects.get(pk=review.pk).stage == Stage.CLOSED


@pytest.mark.parametrize("path", ["panel-response", "close-national-review", "reopen"])
def test_steps_at_the_wrong_stage_are_403(rc: ReviewCast, path: str) -> None:
    review = rc.notify()
    client = signed_in_client(rc.business, verified=True)
    body = {"response": "accepted", "responded_on": "2026-04-01", "panel_words": "W", "reason": "r"}
    assert _post(client, review, path, version=review.version, **body).status_code == 403
