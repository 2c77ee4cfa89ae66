"""The publication pages and API: who sees and does what (404 for everyone else), the 7-day message and
earliest date on the page, deferral, upload and scan, marking a hit as intended, the NSPCC copy."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from safeguarding.api.tests.factories import signed_in_client
from safeguarding.core.models import ActivityLog
from safeguarding.reviews import services
from safeguarding.reviews.enums import ReviewKind, Stage
from safeguarding.reviews.models import Review
from safeguarding.reviews.tests.conftest import ReviewCast
from safeguarding.reviews.tests.reports import clean_report, docx_bytes
from safeguarding.reviews.tests.test_publication import send_copies, to_final

RESIDUAL = "Child A's mother can be reached on 0113 496 0000."


@pytest.fixture
def final(rc: ReviewCast) -> Review:
    return to_final(rc)


def _outsiders(rc: ReviewCast) -> list[Any]:
    return [rc.police_lead, rc.scrutineer, rc.cast.involved, rc.cast.unrelated, rc.other_reviewer]


def test_publication_page_for_readers_404_for_everyone_else(rc: ReviewCast, final: Review, client_for: Any) -> None:
    url = f"/reviews/{final.pk}/publication/"
    for user in (rc.business, rc.reviewer):
        assert client_for(user).get(url).status_code == 200
    for user in _outsiders(rc):
        client = client_for(user)
        assert client.get(url).status_code == 404, user
        for action in ("defer/", "resume/", "learning-only/", "report/", "nspcc/"):
            assert client.post(url + action, {}).status_code == 404, (user, action)
    # The independent reviewer reads and uploads, but does not decide.
    reviewer = client_for(rc.reviewer)
    assert reviewer.get(url + "report/").status_code == 200
    assert reviewer.get(url + "defer/").status_code == 404


def test_publication_page_shows_the_earliest_date_and_the_publish_page_refuses_too_early(
    rc: ReviewCast, final: Review, client_for: Any
) -> None:
    client = client_for(rc.business)
    page = client.get(f"/reviews/{final.pk}/publication/").content.decode()
    assert "Known once both copies are recorded" in page
    send_copies(rc, final, date(2026, 11, 12), date(2026, 11, 12))
    page = client.get(f"/reviews/{final.pk}/publication/").content.decode()
    assert "23 November 2026 (7 working days after the later copy)" in page
    form = client.get(f"/reviews/{final.pk}/publish/").content.decode()
    assert "The earliest publication date is 23 November 2026" in form
    response = client.post(f"/reviews/{final.pk}/publish/", {"version": final.version, "published_on": "20/11/2026"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "The later copy was sent on 12 November 2026, so the earliest publication date is 23 November 2026." in body
    assert 'value="20/11/2026"' in body  # the form keeps what was typed
    assert Review.objects.get(pk=final.pk).stage == Stage.FINAL


def test_a_serious_case_review_names_ofsted_and_the_dfe_and_the_one_week_rule(rc: ReviewCast, client_for: Any) -> None:
    # Working Together 2013 and 2015, chapter 4: the LSCB sent the final SCR report to Ofsted and the Department
    # for Education at least one week before publication (reg. 15 of SI 2018/789 binds LCSPRs only).
    scr = to_final(rc, ReviewKind.SCR)
    client = client_for(rc.business)
    page = client.get(f"/reviews/{scr.pk}/publication/").content.decode()
    assert "Ofsted: not yet<br>Department for Education: not yet" in page
    assert "At least one week (7 days) before publication (Working Together 2013 and 2015, chapter 4)" in page
    assert "Child Safeguarding Practice Review Panel" not in page
    assert "Secretary of State" not in page
    form = client.get(f"/reviews/{scr.pk}/sent/").content.decode()
    assert "Date sent to Ofsted" in form
    assert "Date sent to the Department for Education" in form
    # Thursday 12 November + 7 days = Thursday 19 November (an LCSPR's 7 working days would give 23 November).
    send_copies(rc, scr, date(2026, 11, 12), date(2026, 11, 10))
    page = client.get(f"/reviews/{scr.pk}/publication/").content.decode()
    assert "19 November 2026 (7 days after the later copy)" in page
    assert "Sent before publication" in (detail := client.get(f"/reviews/{scr.pk}/").content.decode())
    assert "Ofsted: 12 Nov 2026; Department for Education: 10 Nov 2026" in detail
    api = signed_in_client(rc.business, verified=True).get(f"/api/v1/reviews/{scr.pk}/publication/").json()
    assert api["copies_to"] == ["Ofsted", "The Department for Education"]
    assert api["copy_rule"] == "one week (7 days) (Working Together 2013 and 2015, chapter 4)"
    assert api["earliest_publication_on"] == "2026-11-19"
    lcspr = to_final(rc)
    page = client.get(f"/reviews/{lcspr.pk}/publication/").content.decode()
    assert "Child Safeguarding Practice Review Panel: not yet<br>Secretary of State: not yet" in page
    assert "At least 7 working days before publication (regulation 15 of SI 2018/789)" in page
    api = signed_in_client(rc.business, verified=True).get(f"/api/v1/reviews/{lcspr.pk}/publication/").json()
    assert api["copies_to"] == ["The Child Safeguarding Practice Review Panel", "The Secretary of State"]


def test_defer_and_resume_through_the_pages(rc: ReviewCast, final: Review, client_for: Any) -> None:
    client = client_for(rc.business)
    url = f"/reviews/{final.pk}/publication/"
    refused = client.post(url + "defer/", {"version": final.version, "reason_kind": "criminal_proceedings"})
    assert "Enter details of the reasons" in refused.content.decode()
    done = client.post(
        url + "defer/",
        {"version": final.version, "reason_kind": "criminal_proceedings", "reason": "Trial", "review_by": "29/01/2027"},
        follow=True,
    )
    assert "Publication deferred." in done.content.decode()
    assert "Review the deferral by 29 January 2027" in done.content.decode()
    detail = client.get(f"/reviews/{final.pk}/").content.decode()
    assert "Deferred</strong>" in detail
    version = Review.objects.get(pk=final.pk).version
    resumed = client.post(url + "resume/", {"version": version}, follow=True)
    assert "Publication resumed." in resumed.content.decode()


def test_upload_lists_hits_with_redacted_context_and_marking_clears_the_block(
    rc: ReviewCast, final: Review, client_for: Any
) -> None:
    url = f"/reviews/{final.pk}/publication/"
    upload = SimpleUploadedFile("final.docx", docx_bytes(RESIDUAL))
    done = client_for(rc.reviewer).post(url + "report/", {"document": upload}, follow=True)
    page = done.content.decode()
    assert "Report uploaded and checked" in page
    assert "Child A&#x27;s mother can be reached on [Phone number]." in page
    assert "Not ready to publish" in page
    hit = Review.objects.get(pk=final.pk).practice_review.publication.reports.get().hits.get()
    client = client_for(rc.business)
    assert client_for(rc.reviewer).get(url + f"identifiers/{hit.pk}/").status_code == 404
    refused = client.post(url + f"identifiers/{hit.pk}/", {"reason": ""})
    assert "Enter why is this meant to be in the published report" in refused.content.decode()
    marked = client.post(url + f"identifiers/{hit.pk}/", {"reason": "Synthetic number"}, follow=True)
    assert "Marked as intended: Phone number." in marked.content.decode()
    assert ActivityLog.objects.filter(action="review.identifier_marked_intended").count() == 1
    download = client.get(url + f"reports/{hit.report_id}/")
    assert download["Content-Disposition"] == f'attachment; filename="{final.reference}-report-1.docx"'
    assert client_for(rc.police_lead).get(url + f"reports/{hit.report_id}/").status_code == 404


def test_upload_page_refuses_other_file_types(rc: ReviewCast, final: Review, client_for: Any) -> None:
    upload = SimpleUploadedFile("final.txt", b"text")
    response = client_for(rc.reviewer).post(f"/reviews/{final.pk}/publication/report/", {"document": upload})
    assert "Upload the report as a PDF or a Word (.docx) file." in response.content.decode()


# ---- the API --------------------------------------------------------------------------------------


def test_api_publication_journey(rc: ReviewCast, final: Review) -> None:
    client = signed_in_client(rc.business, verified=True)
    base = f"/api/v1/reviews/{final.pk}/publication/"
    state = client.get(base).json()
    assert (state["statutory"], state["deferred"], state["earliest_publication_on"]) == (True, False, None)
    stale = client.post(
        base + "defer/",
        {"version": state["review_version"] - 1, "reason_kind": "inquest", "reason": "x", "review_by": "2027-01-29"},
        format="json",
    )
    assert stale.status_code == 409
    deferred = client.post(
        base + "defer/",
        {"version": state["review_version"], "reason_kind": "inquest", "reason": "Inquest", "review_by": "2027-01-29"},
        format="json",
    ).json()
    assert deferred["deferred"] is True
    assert deferred["deferral"]["reason_kind"] == "inquest"
    resumed = client.post(base + "resume/", {"version": deferred["review_version"]}, format="json").json()
    assert resumed["deferred"] is False
    send_copies(rc, final, date(2026, 11, 2), date(2026, 11, 2))
    document = base64.b64encode(docx_bytes(RESIDUAL)).decode()
    hits = client.post(base + "report/", {"document_name": "r.docx", "document_base64": document}, format="json")
    assert hits.status_code == 201
    [hit] = hits.json()
    assert (hit["kind"], hit["found"], hit["intended"]) == ("PHONE_NUMBER", "0113 496 0000", False)
    assert client.get(base + "scan/").json() == hits.json()
    assert client.get(base).json()["blocked_by"].startswith("The report still has 1 possible identifying detail.")
    marked = client.post(base + f"hits/{hit['id']}/intended/", {"reason": "Synthetic"}, format="json").json()
    assert (marked["intended"], marked["intended_reason"]) == (True, "Synthetic")
    review = Review.objects.get(pk=final.pk)
    published = client.post(
        f"/api/v1/reviews/{final.pk}/transition/",
        {"to_stage": "published", "version": review.version, "published_on": "2026-11-20"},
        format="json",
    )
    assert published.status_code == 200
    nspcc = client.post(base + "nspcc/", {"sent_on": "2026-11-20"}, format="json").json()
    assert nspcc["sent_to_nspcc_on"] == "2026-11-20"


def test_api_records_the_copies_to_the_panel_and_the_secretary_of_state(rc: ReviewCast, final: Review) -> None:
    # The 7-working-day check needs both copies: an agency system or script records them through the API too.
    client = signed_in_client(rc.business, verified=True)
    base = f"/api/v1/reviews/{final.pk}/publication/"
    future = client.post(
        base + "copies/",
        {"sent_to_panel_on": "2026-11-21", "sent_to_secretary_of_state_on": None},
        content_type="application/json",
    )
    assert future.status_code == 400
    assert future.json()["errors"] == {"sent_to_panel_on": ["The date must be today or in the past."]}
    state = client.post(
        base + "copies/",
        {"sent_to_panel_on": "2026-11-12", "sent_to_secretary_of_state_on": "2026-11-10"},
        content_type="application/json",
    ).json()
    assert (state["sent_to_panel_on"], state["sent_to_secretary_of_state_on"]) == ("2026-11-12", "2026-11-10")
    assert state["earliest_publication_on"] == "2026-11-23"  # 7 working days after the later copy
    assert ActivityLog.objects.filter(action="review.report_sent", target_id=str(final.pk)).exists()
    for user in (rc.reviewer, rc.police_lead):
        refused = signed_in_client(user, verified=True).post(
            base + "copies/",
            {"sent_to_panel_on": "2026-11-12", "sent_to_secretary_of_state_on": None},
            content_type="application/json",
        )
        assert refused.status_code == (403 if user == rc.reviewer else 404)


def test_api_refuses_and_hides(rc: ReviewCast, final: Review) -> None:
    base = f"/api/v1/reviews/{final.pk}/publication/"
    for user in (rc.police_lead, rc.scrutineer, rc.cast.unrelated):
        client = signed_in_client(user, verified=True)
        assert client.get(base).status_code == 404
        assert client.get(base + "scan/").status_code == 404
    reviewer = signed_in_client(rc.reviewer, verified=True)
    assert reviewer.get(base).status_code == 200
    refused = reviewer.post(
        base + "learning-only/", {"version": final.version, "reasons": "r", "learning_summary": "s"}, format="json"
    )
    assert refused.status_code == 403
    services.upload_publication_report(actor=rc.reviewer, review=final, upload=clean_report())
    bad = reviewer.post(base + "report/", {"document_name": "r.docx", "document_base64": "%%%"}, format="json")
    assert bad.status_code == 400
    assert reviewer.post(base + "hits/999999/intended/", {"reason": "x"}, format="json").status_code == 404
