"""The access matrix over the review pages, with data present that could leak, and the page flows."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from safeguarding.core.models import ActivityLog
from safeguarding.reviews import services
from safeguarding.reviews.enums import MemberRole, RequestKind, Stage
from safeguarding.reviews.models import Review
from safeguarding.reviews.tests.conftest import ReviewCast


@pytest.fixture
def setup(rc: ReviewCast) -> tuple[ReviewCast, Review, Any, Any]:
    review = rc.to_in_progress(rc.notify())
    services.add_member(actor=rc.business, review=review, user=rc.reviewer, role=MemberRole.REVIEWER)
    police_request = services.request_from_agency(
        actor=rc.business, review=review, agency=rc.cast.partner_agency, kind=RequestKind.CHRONOLOGY
    )
    health_request = services.request_from_agency(
        actor=rc.business, review=review, agency=rc.cast.agency, kind=RequestKind.AGENCY_REPORT
    )
    services.add_finding(actor=rc.reviewer, review=review, title="Nobody saw the whole picture", text="Evidence")
    return rc, review, police_request, health_request


def _pages(review: Review) -> list[str]:
    return [
        f"/reviews/{review.pk}/",
        f"/reviews/{review.pk}/findings/",
        f"/reviews/{review.pk}/chronology/",
        f"/reviews/{review.pk}/findings/new/",
    ]


def test_business_unit_and_named_reviewer_see_review_material(setup: Any, client_for: Any) -> None:
    rc, review, _, _ = setup
    for user in (rc.business, rc.reviewer):
        client = client_for(user)
        for url in _pages(review):
            assert client.get(url).status_code == 200, (user, url)
    assert ActivityLog.objects.filter(action="review.viewed", target_id=str(review.pk)).count() == 2
    assert ActivityLog.objects.filter(action="review.chronology_viewed").count() == 2


@pytest.mark.parametrize("persona", ["other_reviewer", "police_lead", "scrutineer", "unrelated", "involved"])
def test_everyone_else_gets_404_for_review_material(setup: Any, client_for: Any, persona: str) -> None:
    rc, review, _, _ = setup
    user = getattr(rc, persona, None) or getattr(rc.cast, persona)
    client = client_for(user)
    for url in _pages(review):
        response = client.get(url)
        assert response.status_code == 404, (persona, url)
        assert b"Nobody saw the whole picture" not in response.content


def test_agency_lead_sees_only_its_own_request(setup: Any, client_for: Any) -> None:
    rc, review, police_request, health_request = setup
    client = client_for(rc.police_lead)
    assert client.get(f"/reviews/requests/{police_request.pk}/").status_code == 200
    assert client.get(f"/reviews/requests/{health_request.pk}/").status_code == 404
    index = client.get("/reviews/").content.decode()
    assert f"/reviews/requests/{police_request.pk}/" in index
    assert f"/reviews/{review.pk}/" not in index


def test_practitioners_have_no_review_pages(setup: Any, client_for: Any) -> None:
    rc, _, police_request, _ = setup
    client = client_for(rc.cast.partner)  # a police practitioner: the request is to their agency's lead
    assert client.get("/reviews/").status_code == 404
    assert client.get(f"/reviews/requests/{police_request.pk}/").status_code == 404
    assert client.get("/reviews/monitoring/").status_code == 404


def test_scrutineer_sees_monitoring_without_links_to_material(setup: Any, client_for: Any) -> None:
    rc, review, _, _ = setup
    html = client_for(rc.scrutineer).get("/reviews/monitoring/").content.decode()
    assert review.reference in html
    assert f'href="/reviews/{review.pk}/"' not in html
    assert "Nobody saw the whole picture" not in html


def test_monitoring_shows_stage_next_due_and_timeliness(rc: ReviewCast, client_for: Any) -> None:
    review = rc.notify(aware_on=date(2026, 3, 2))  # notification due 9 March 2026: long past
    html = client_for(rc.business).get("/reviews/monitoring/").content.decode()
    assert review.reference in html
    assert "9 Mar 2026" in html
    assert "Late" in html


def test_notify_page_creates_a_review(rc: ReviewCast, client_for: Any) -> None:
    client = client_for(rc.business)
    response = client.post(
        "/reviews/notify/",
        {
            "incident_on": "02/03/2026",
            "aware_on": "02/03/2026",
            "harm": "serious_harm",
            "abuse_or_neglect": "yes",
            "looked_after": "no",
            "harm_outside_england": "no",
            "summary": "Head injury.",
            "child_1_nhs": rc.cast.child.nhs_number,
            "child_1_pseudonym": "Child A",
        },
    )
    review = Review.objects.get()
    assert response.status_code == 302
    assert review.stage == Stage.NOTIFIED
    assert list(review.child_links.values_list("pseudonym", flat=True)) == ["Child A"]


def test_transition_page_refuses_a_stale_form(setup: Any, client_for: Any) -> None:
    rc, review, _, _ = setup
    services.update_terms_of_reference(
        actor=rc.business, review=review, terms_of_reference="T", key_lines_of_enquiry=""
    )
    services.upload_report_draft(actor=rc.reviewer, review=review, upload=services.Upload("d.txt", b"d"))
    response = client_for(rc.business).post(f"/reviews/{review.pk}/draft/", {"version": review.version - 1})
    assert response.status_code == 409
    assert "Someone else changed this review" in response.content.decode()
    review.refresh_from_db()
    assert review.stage == Stage.IN_PROGRESS


def test_document_download_only_for_those_who_may_see_it(setup: Any, client_for: Any) -> None:
    rc, _, police_request, _ = setup
    submission = services.submit_to_request(
        actor=rc.police_lead,
        request=police_request,
        involvement="x",
        upload=services.Upload("p.csv", b"Date,Name,Event type\n01/01/2025,Ellis Marsh,Concern\n"),
    )
    url = f"/reviews/documents/{submission.document_id}/"
    assert client_for(rc.police_lead).get(url).status_code == 200
    assert client_for(rc.business).get(url).status_code == 200
    assert client_for(rc.health_lead).get(url).status_code == 404
    assert client_for(rc.other_reviewer).get(url).status_code == 404


def test_transition_page_moves_the_stage_through_the_shared_entry_point(rc: ReviewCast, client_for: Any) -> None:
    review = rc.notify()
    response = client_for(rc.business).post(
        f"/reviews/{review.pk}/notification-sent/", {"version": review.version, "sent_on": "04/03/2026"}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.stage == Stage.RAPID_REVIEW
    assert review.notification.sent_to_panel_on == date(2026, 3, 4)


def test_business_unit_changes_a_recommendations_status_on_a_page(setup: Any, client_for: Any) -> None:
    rc, review, _, _ = setup
    recommendation = services.add_recommendation(actor=rc.reviewer, review=review, text="Share concerns")
    url = f"/reviews/{review.pk}/recommendations/{recommendation.pk}/status/"
    client = client_for(rc.business)

    assert url in client.get(f"/reviews/{review.pk}/findings/").content.decode()
    assert client.get(url).status_code == 200
    bad = client.post(url, {"status": "done"})
    assert bad.status_code == 200
    assert "govuk-error-summary" in bad.content.decode()
    assert not ActivityLog.objects.filter(action="review.recommendation_status").exists()
    response = client.post(url, {"status": "agreed"})

    assert response.status_code == 302
    assert response["Location"] == f"/reviews/{review.pk}/findings/"
    recommendation.refresh_from_db()
    assert recommendation.status == "agreed"
    assert ActivityLog.objects.filter(action="review.recommendation_status").count() == 1


@pytest.mark.parametrize("persona", ["reviewer", "other_reviewer", "unrelated"])
def test_others_cannot_change_a_recommendations_status(setup: Any, client_for: Any, persona: str) -> None:
    rc, review, _, _ = setup
    recommendation = services.add_recommendation(actor=rc.reviewer, review=review, text="Share concerns")
    user = getattr(rc, persona, None) or getattr(rc.cast, persona)
    client = client_for(user)
    url = f"/reviews/{review.pk}/recommendations/{recommendation.pk}/status/"

    assert client.post(url, {"status": "agreed"}).status_code == 404
    if persona == "reviewer":  # sees the findings page, without the link
        assert url not in client.get(f"/reviews/{review.pk}/findings/").content.decode()
    recommendation.refresh_from_db()
    assert recommendation.status == "draft"


def test_a_recommendation_of_another_review_is_404_on_the_page(setup: Any, client_for: Any) -> None:
    rc, review, _, _ = setup
    other = rc.to_in_progress(rc.notify())
    recommendation = services.add_recommendation(actor=rc.business, review=other, text="Elsewhere")
    url = f"/reviews/{review.pk}/recommendations/{recommendation.pk}/status/"
    assert client_for(rc.business).post(url, {"status": "agreed"}).status_code == 404


def test_named_review_chronology_is_logged_against_each_child(setup: Any, client_for: Any) -> None:
    """Found in an access review: with names shown, the review chronology is a view of each child's record."""
    from safeguarding.core.models import ActivityLog

    rc, review, _, _ = setup
    client = client_for(rc.business)
    client.get(f"/reviews/{review.pk}/chronology/")
    assert not ActivityLog.objects.filter(action="review.chronology_viewed_named").exists()
    client.get(f"/reviews/{review.pk}/chronology/", {"names": "shown"})
    logged = set(
        ActivityLog.objects.filter(action="review.chronology_viewed_named").values_list("subject_child_id", flat=True)
    )
    assert logged == set(review.child_links.values_list("child_id", flat=True))
    assert logged


def test_an_agency_lead_sees_open_review_requests_on_the_home_page(setup: Any, client_for: Any) -> None:
    rc, _review, police_request, _ = setup
    html = client_for(rc.police_lead).get("/").content.decode()
    assert "Case review requests for your agency" in html
    assert f"/reviews/requests/{police_request.pk}/" in html
    # The health lead sees only its own agency's request, not the police one.
    assert f"/reviews/requests/{police_request.pk}/" not in client_for(rc.health_lead).get("/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_recommendation_status_page_works_outside_a_test_transaction(client_for: Any) -> None:
    """Issue 14: the service locked the row with select_for_update() outside a transaction, which
    PostgreSQL refuses under autocommit (the page answered 500). Run here as a real request would be,
    with no test transaction around it."""
    from safeguarding.reviews.tests.conftest import build_review_cast

    rc = build_review_cast()
    review = rc.to_in_progress(rc.notify())
    recommendation = services.add_recommendation(actor=rc.business, review=review, text="Share concerns")
    url = f"/reviews/{review.pk}/recommendations/{recommendation.pk}/status/"
    response = client_for(rc.business).post(url, {"status": "agreed"})

    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.status == "agreed"
