"""Pages: the notification's new questions, the partners-informed panel, the copies, the national
panel's response, closing a national review and reopening, with the personas that must not reach them."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from safeguarding.core.models import ActivityLog
from safeguarding.reviews import services
from safeguarding.reviews.enums import MemberRole, PanelResponse, Recommendation, Stage
from safeguarding.reviews.models import Notification, Review
from safeguarding.reviews.tests.conftest import ReviewCast
from safeguarding.reviews.tests.test_decisions import referred, respond

NOTIFY = {
    "incident_on": "02/03/2026",
    "aware_on": "02/03/2026",
    "harm": "death",
    "abuse_or_neglect": "no",
    "looked_after": "no",
    "harm_outside_england": "no",
    "summary": "Sudden death at home, no concerns known.",
}


def _notify_data(rc: ReviewCast, **changes: str) -> dict[str, str]:
    return {**NOTIFY, "child_1_nhs": rc.cast.child.nhs_number, "child_1_pseudonym": "Child A", **changes}


def test_notify_page_explains_an_incident_that_is_not_notifiable(rc: ReviewCast, client_for: Any) -> None:
    response = client_for(rc.business).post("/reviews/notify/", _notify_data(rc))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in page
    assert "This is not a notifiable incident" in page
    assert "Sudden death at home, no concerns known." in page  # what was typed is kept
    assert not Review.objects.exists()


def test_notify_page_asks_each_new_question(rc: ReviewCast, client_for: Any) -> None:
    data = _notify_data(rc)
    for name in ("abuse_or_neglect", "looked_after", "harm_outside_england"):
        del data[name]
    page = client_for(rc.business).post("/reviews/notify/", data).content.decode()
    assert "Say whether abuse or neglect is known or suspected" in page
    assert "Say whether the child was looked after" in page
    assert "Say whether it happened outside England" in page


def test_looked_after_death_is_notified_and_the_page_says_copies_are_required(rc: ReviewCast, client_for: Any) -> None:
    client = client_for(rc.business)
    response = client.post("/reviews/notify/", _notify_data(rc, looked_after="yes"))
    review = Review.objects.get()
    assert response.status_code == 302
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    assert "Death of a looked-after child" in page
    assert page.count("Required</strong>") == 2  # Ofsted and the Secretary of State

    sent = client.post(f"/reviews/{review.pk}/notification-sent/", {"version": review.version, "sent_on": "03/03/2026"})
    assert "enter the date the local authority notified Ofsted" in sent.content.decode()
    sent = client.post(
        f"/reviews/{review.pk}/notification-sent/",
        {
            "version": review.version,
            "sent_on": "03/03/2026",
            "ofsted_sent_on": "03/03/2026",
            "secretary_of_state_sent_on": "04/03/2026",
        },
    )
    assert sent.status_code == 302
    n = Notification.objects.get(review=review)
    assert (n.ofsted_sent_on, n.secretary_of_state_sent_on) == (date(2026, 3, 3), date(2026, 3, 4))


def test_harm_outside_england_needs_where(rc: ReviewCast, client_for: Any) -> None:
    data = _notify_data(rc, abuse_or_neglect="yes", harm_outside_england="yes")
    page = client_for(rc.business).post("/reviews/notify/", data).content.decode()
    assert "Say where outside England the harm happened" in page


def test_partners_panel_shows_who_has_not_been_informed(rc: ReviewCast, client_for: Any) -> None:
    review = rc.notify(harm_outside_england=True, harm_location="Cardiff, Wales")
    police, _, icb = rc.partners
    client = client_for(rc.business)
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    assert (
        f"Not yet informed: {icb.name}, {police.name}." in page
        or f"Not yet informed: {police.name}, {icb.name}." in (page)
    )
    form = client.get(f"/reviews/{review.pk}/partners-informed/").content.decode()
    assert "Test Social Care" not in form  # children's social care notifies: not offered
    response = client.post(
        f"/reviews/{review.pk}/partners-informed/",
        {"agencies": [police.pk], "harm_area": "on", "informed_on": "03/03/2026"},
    )
    assert response.status_code == 302
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    assert f"Not yet informed: {icb.name}." in page
    assert f"{police.name}: 3 March 2026" in page
    assert "Area informed: 3 March 2026" in page
    assert "Area where the harm happened informed (Cardiff, Wales)" in page  # the case's record


def test_partners_informed_form_keeps_what_was_typed(rc: ReviewCast, client_for: Any) -> None:
    review = rc.notify()
    page = (
        client_for(rc.business)
        .post(f"/reviews/{review.pk}/partners-informed/", {"informed_on": "01/01/2026"})
        .content.decode()
    )
    assert "Enter a date between the date the local authority became aware and today." in page
    assert 'value="01/01/2026"' in page


def test_copies_page_records_the_ofsted_date(rc: ReviewCast, client_for: Any) -> None:
    review = rc.notify()
    response = client_for(rc.business).post(
        f"/reviews/{review.pk}/notification-copies/", {"ofsted_sent_on": "03/03/2026"}
    )
    assert response.status_code == 302
    assert Notification.objects.get(review=review).ofsted_sent_on == date(2026, 3, 3)


@pytest.mark.parametrize("persona", ["reviewer", "other_reviewer", "police_lead", "scrutineer", "unrelated"])
def test_recording_pages_are_not_found_for_everyone_else(rc: ReviewCast, client_for: Any, persona: str) -> None:
    review = rc.notify(summary="Ellis Whitlock was harmed.")
    services.add_member(actor=rc.business, review=review, user=rc.reviewer, role=MemberRole.REVIEWER)
    user = getattr(rc, persona, None) or getattr(rc.cast, persona)
    client = client_for(user)
    for url in ("notification-copies", "partners-informed"):
        response = client.post(f"/reviews/{review.pk}/{url}/", {"ofsted_sent_on": "03/03/2026"})
        assert response.status_code == 404, (persona, url)
        assert b"Whitlock" not in response.content
    assert Notification.objects.get(review=review).ofsted_sent_on is None


# ---- the national panel's response ---------------------------------------------------------------


def test_decision_page_offers_the_referral_and_the_referral_page_works(rc: ReviewCast, client_for: Any) -> None:
    from safeguarding.reviews.tests.test_decisions import to_national_decision

    review = to_national_decision(rc, rc.notify())
    client = client_for(rc.business)
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    assert f'href="/reviews/{review.pk}/refer-national-review/"' in page
    assert "Decide: no local practice review</strong>: The rapid review recommended a national review" in page
    response = client.post(f"/reviews/{review.pk}/refer-national-review/", {"version": review.version})
    assert response.status_code == 302
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    assert "Waiting for the national panel's response." in page
    assert f'href="/reviews/{review.pk}/panel-response/?response=accepted"' in page


def test_panel_response_page_records_acceptance(rc: ReviewCast, client_for: Any) -> None:
    review = referred(rc)
    client = client_for(rc.business)
    form = client.get(f"/reviews/{review.pk}/panel-response/?response=returned").content.decode()
    assert re.search(r'value="returned"[^>]*checked', form)
    assert not re.search(r'value="accepted"[^>]*checked', form)
    response = client.post(
        f"/reviews/{review.pk}/panel-response/",
        {
            "version": review.version,
            "response": "accepted",
            "responded_on": "01/04/2026",
            "panel_words": "The Panel will lead a national review.",
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.stage == Stage.NATIONAL_REVIEW
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    assert "The Panel will lead a national review." in page
    assert f'href="/reviews/{review.pk}/close-national-review/"' in page


def test_panel_response_page_answers_409_on_a_stale_version_and_keeps_the_words(
    rc: ReviewCast, client_for: Any
) -> None:
    review = referred(rc)
    response = client_for(rc.business).post(
        f"/reviews/{review.pk}/panel-response/",
        {
            "version": review.version - 1,
            "response": "no_review",
            "responded_on": "01/04/2026",
            "panel_words": "Words typed by the business unit.",
            "reason": "Addressed locally.",
        },
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this review" in page
    assert "Words typed by the business unit." in page
    assert Review.objects.get(pk=review.pk).stage == Stage.AWAITING_PANEL


def test_panel_response_page_explains_missing_reasons(rc: ReviewCast, client_for: Any) -> None:
    review = referred(rc)
    response = client_for(rc.business).post(
        f"/reviews/{review.pk}/panel-response/",
        {"version": review.version, "response": "no_review", "responded_on": "01/04/2026", "panel_words": "No."},
    )
    assert response.status_code == 200
    assert "Give the reasons the case closes with no review." in response.content.decode()


def test_panel_response_page_refuses_those_who_cannot_run_the_review(rc: ReviewCast, client_for: Any) -> None:
    review = referred(rc)
    services.add_member(actor=rc.business, review=review, user=rc.reviewer, role=MemberRole.REVIEWER)
    named = client_for(rc.reviewer).post(f"/reviews/{review.pk}/panel-response/", {"version": review.version})
    assert named.status_code == 302  # sees the review: sent back with the reason
    for user in (rc.other_reviewer, rc.police_lead, rc.scrutineer, rc.cast.unrelated):
        assert client_for(user).get(f"/reviews/{review.pk}/panel-response/").status_code == 404
    assert Review.objects.get(pk=review.pk).stage == Stage.AWAITING_PANEL


def test_close_national_review_page(rc: ReviewCast, client_for: Any) -> None:
    review = referred(rc)
    respond(rc, review, PanelResponse.ACCEPTED)
    client = client_for(rc.business)
    missing = client.post(f"/reviews/{review.pk}/close-national-review/", {"version": review.version})
    assert "give the reason for closing it" in missing.content.decode()
    done = client.post(
        f"/reviews/{review.pk}/close-national-review/", {"version": review.version, "published_on": "01/10/2026"}
    )
    assert done.status_code == 302
    assert Review.objects.get(pk=review.pk).stage == Stage.CLOSED


# ---- reopening -----------------------------------------------------------------------------------


def _closed(rc: ReviewCast) -> Review:
    review = rc.to_decision(rc.notify())
    services.add_member(actor=rc.business, review=review, user=rc.reviewer, role=MemberRole.CHAIR)
    services.close_at_decision(
        actor=rc.business, review=review, version=review.version, decision=Recommendation.NO_FURTHER_REVIEW, reason="r"
    )
    return review


def test_reopen_page_needs_a_reason_and_reopens(rc: ReviewCast, client_for: Any) -> None:
    review = _closed(rc)
    client = client_for(rc.business)
    form = client.get(f"/reviews/{review.pk}/reopen/").content.decode()
    assert "The review goes back to the decision stage" in form
    missing = client.post(f"/reviews/{review.pk}/reopen/", {"version": review.version, "reason": ""})
    assert "Give the reason for reopening the review" in missing.content.decode()
    done = client.post(f"/reviews/{review.pk}/reopen/", {"version": review.version, "reason": "New evidence."})
    assert done.status_code == 302
    assert Review.objects.get(pk=review.pk).stage == Stage.DECISION
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    assert "Reopened" in page
    assert "New evidence." in page
    assert ActivityLog.objects.filter(action="review.reopened", target_id=str(review.pk)).count() == 1


def test_reopen_page_is_the_business_units_only(rc: ReviewCast, client_for: Any) -> None:
    review = _closed(rc)
    chair = client_for(rc.reviewer)
    assert f"/reviews/{review.pk}/reopen/" not in chair.get(f"/reviews/{review.pk}/").content.decode()
    refused = chair.post(f"/reviews/{review.pk}/reopen/", {"version": review.version, "reason": "r"}, follow=True)
    assert "Only the business unit can reopen a closed review." in refused.content.decode()
    assert client_for(rc.cast.unrelated).get(f"/reviews/{review.pk}/reopen/").status_code == 404
    assert Review.objects.get(pk=review.pk).stage == Stage.CLOSED


def test_a_legacy_review_page_has_no_notification_panels(rc: ReviewCast, client_for: Any) -> None:
    review = services.open_legacy_review(
        actor=rc.business,
        title="Child R",
        decided_on=date(2017, 5, 1),
        children=[services.ChildInput(rc.cast.child, "Child R")],
    )
    page = client_for(rc.business).get(f"/reviews/{review.pk}/").content.decode()
    assert "Safeguarding partners informed" not in page
    assert "Practice review recorded" in page  # the case's record still has its history
