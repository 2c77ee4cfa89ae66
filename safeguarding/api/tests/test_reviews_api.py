"""API v1 case reviews: the same rules as the pages, 404 for what the caller may not see."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from safeguarding.api.tests.factories import make_token, signed_in_client, token_client
from safeguarding.reviews import services
from safeguarding.reviews.enums import MemberRole, RequestKind
from safeguarding.reviews.models import ChronologyEntry, Review
from safeguarding.reviews.tests.conftest import ReviewCast, build_review_cast


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
