"""Pages: who may see and do what (business unit and administrators write; scrutineers read and
download; everyone else 404), forms keep what was typed, stale edits are refused, downloads are
logged, and the review page links to the committee report."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from safeguarding.actionplans.models import ActionPlanVersion, CommitteeDecision
from safeguarding.core.models import ActivityLog
from safeguarding.publishing import services
from safeguarding.publishing.enums import TEXT_KEYS
from safeguarding.publishing.models import CommitteeReport, GeneratedReport
from safeguarding.publishing.tests.conftest import PublishingCast


def text_post(report: CommitteeReport, base: int, **changes: str) -> dict[str, Any]:
    values = report.latest_text().values()  # type: ignore[union-attr]
    return {**values, **changes, "base_number": base}


@pytest.fixture
def generated(pc: PublishingCast) -> GeneratedReport:
    report = pc.report(meeting_on=timezone.localdate())
    return services.generate_now(actor=pc.business, report=report)


def urls_for(g: GeneratedReport) -> dict[str, str]:
    r = g.report
    return {
        "detail": reverse("publishing:detail", args=[r.pk]),
        "history": reverse("publishing:history", args=[r.pk]),
        "pdf": reverse("publishing:download-pdf", args=[g.pk]),
        "docx": reverse("publishing:download-docx", args=[g.pk]),
        "edit": reverse("publishing:edit", args=[r.pk]),
        "text": reverse("publishing:edit-text", args=[r.pk]),
        "decision": reverse("publishing:decision", args=[g.pk]),
        "new": reverse("publishing:new", args=[r.review_id]),
    }


READ = ("detail", "history", "pdf", "docx")
WRITE = ("edit", "text", "decision", "new")


def test_access_matrix(pc: PublishingCast, generated: GeneratedReport, client_for: Any) -> None:
    urls = urls_for(generated)
    cast = pc.rc.cast
    expected = {
        "business": (pc.business, set(READ) | set(WRITE)),
        "administrator": (pc.admin, set(READ) | set(WRITE)),
        "scrutineer": (pc.rc.scrutineer, set(READ)),
        "independent reviewer": (pc.rc.reviewer, set()),
        "involved": (cast.involved, set()),
        "partner": (cast.partner, set()),
        "unrelated": (cast.unrelated, set()),
        "lead officer": (pc.rc.health_lead, set()),
    }
    for name, (user, allowed) in expected.items():
        client = client_for(user)
        for key, url in urls.items():
            status = client.get(url).status_code
            assert status == (200 if key in allowed else 404), (name, key, status)
        index = client.get(reverse("publishing:index")).status_code
        assert index == (200 if allowed else 404), (name, "index")


def test_scrutineer_cannot_post(pc: PublishingCast, generated: GeneratedReport, client_for: Any) -> None:
    client = client_for(pc.rc.scrutineer)
    report = generated.report
    assert client.post(reverse("publishing:generate", args=[report.pk])).status_code == 404
    response = client.post(
        reverse("publishing:decision", args=[generated.pk]),
        {"outcome": "accepted", "meeting_on": timezone.localdate().strftime("%d/%m/%Y")},
    )
    assert response.status_code == 404
    assert client.post(reverse("publishing:edit-text", args=[report.pk]), text_post(report, 1)).status_code == 404
    assert GeneratedReport.objects.count() == 1
    assert not CommitteeDecision.objects.exists()


def test_not_yours_looks_like_not_found(pc: PublishingCast, generated: GeneratedReport, client_for: Any) -> None:
    client = client_for(pc.rc.cast.unrelated)
    assert client.get(reverse("publishing:detail", args=[generated.report.pk])).status_code == 404
    assert client.get(reverse("publishing:detail", args=[999999])).status_code == 404
    assert client_for(pc.business).get(reverse("publishing:detail", args=[999999])).status_code == 404
    assert client_for(pc.business).get("/reports/99999999999999999999/").status_code == 404


def test_downloads_are_logged(pc: PublishingCast, generated: GeneratedReport, client_for: Any) -> None:
    response = client_for(pc.rc.scrutineer).get(reverse("publishing:download-pdf", args=[generated.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response).startswith(b"%PDF")  # type: ignore[arg-type]
    assert "Ellis" not in response["Content-Disposition"]
    row = ActivityLog.objects.get(action="publishing.report_downloaded")
    assert row.actor == pc.rc.scrutineer
    assert row.changes["format"] == [None, "pdf"]


def test_new_report_is_prefilled_and_keeps_input_on_error(pc: PublishingCast, client_for: Any) -> None:
    client = client_for(pc.business)
    url = reverse("publishing:new", args=[pc.review.pk])
    page = client.get(url).content.decode()
    assert "Children and Young People Overview and Scrutiny Committee" in page
    response = client.post(url, {"title": "My typed title", "committee": "", "access": "exempt"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "My typed title" in body
    assert "Enter committee" in body
    assert "Enter the paragraph of Schedule 12A" in body or "Enter the meeting date" in body
    assert not CommitteeReport.objects.exists()


def test_create_report_through_the_page(pc: PublishingCast, client_for: Any) -> None:
    client = client_for(pc.business)
    data = {
        "title": "Learning from the review",
        "committee": "Children's Scrutiny Committee",
        "meeting_on": "14/12/2026",
        "item_number": "7",
        "wards": "All wards",
        "key_decision": "no",
        "report_of": "Independent Scrutineer",
        "assistant_director": "AD Safeguarding",
        "director": "Director of Children's Services",
        "access": "public",
        "author_name": "Jo Whitfield",
        "author_contact": "jo@example.org",
    }
    response = client.post(reverse("publishing:new", args=[pc.review.pk]), data)
    report = CommitteeReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("publishing:detail", args=[report.pk])
    assert report.plan == pc.plan
    assert report.texts.count() == 1
    assert "Child A and Child B" in report.latest_text().value("executive_summary")  # type: ignore[union-attr]


def test_edit_text_keeps_typed_input_on_error(pc: PublishingCast, client_for: Any) -> None:
    report = pc.report()
    typed = "Ellis was often hungry at school, the review found."
    response = client_for(pc.business).post(
        reverse("publishing:edit-text", args=[report.pk]), text_post(report, 1, executive_summary=typed)
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert typed in body
    assert "Use the review&#x27;s pseudonyms" in body
    assert report.texts.count() == 1


def test_stale_text_edit_is_refused_on_the_page(pc: PublishingCast, client_for: Any) -> None:
    report = pc.report()
    client = client_for(pc.business)
    url = reverse("publishing:edit-text", args=[report.pk])
    assert client.post(url, text_post(report, 1, executive_summary="First edit.")).status_code == 302
    response = client.post(url, text_post(report, 1, executive_summary="Second edit from an old page."))
    assert "Someone else saved a newer version" in response.content.decode()
    assert report.texts.count() == 2
    assert report.latest_text().value("executive_summary") == "First edit."  # type: ignore[union-attr]


def test_history_shows_the_difference(pc: PublishingCast, client_for: Any) -> None:
    report = pc.report()
    client = client_for(pc.business)
    client.post(
        reverse("publishing:edit-text", args=[report.pk]), text_post(report, 1, consultation="The subgroup agreed it.")
    )
    body = client_for(pc.rc.scrutineer).get(reverse("publishing:history", args=[report.pk]) + "?from=1&to=2")
    text = body.content.decode()
    assert "Changes from version 1 to version 2" in text
    assert '<ins><span class="govuk-visually-hidden">Added: </span>The subgroup agreed it.</ins>' in text
    assert "Consultation" in text
    assert "Executive summary" not in text.split("Changes from")[1]


def test_generate_and_record_decision_through_the_pages(pc: PublishingCast, client_for: Any) -> None:
    report = pc.report(meeting_on=timezone.localdate())
    client = client_for(pc.business)
    response = client.post(reverse("publishing:generate", args=[report.pk]), follow=True)
    assert "Report generated" in response.content.decode()
    generated = GeneratedReport.objects.get()
    assert generated.is_done
    assert generated.plan_version == ActionPlanVersion.objects.get()
    url = reverse("publishing:decision", args=[generated.pk])
    response = client.post(url, {"outcome": "referred_back", "meeting_on": timezone.localdate().strftime("%d/%m/%Y")})
    assert "Enter the committee" in response.content.decode()
    assert not CommitteeDecision.objects.exists()
    response = client.post(
        url,
        {
            "outcome": "referred_back",
            "meeting_on": timezone.localdate().strftime("%d/%m/%Y"),
            "questions": "When will the training start?",
        },
    )
    assert response.status_code == 302
    decision = CommitteeDecision.objects.get()
    assert decision.plan_version == generated.plan_version
    assert decision.questions == "When will the training start?"
    page = client.get(reverse("publishing:detail", args=[report.pk])).content.decode()
    assert "Referred back with questions" in page


def test_review_page_links_to_the_committee_report(pc: PublishingCast, client_for: Any) -> None:
    report = pc.report()
    review_url = reverse("reviews:detail", args=[pc.review.pk])
    page = client_for(pc.business).get(review_url).content.decode()
    assert reverse("publishing:detail", args=[report.pk]) in page
    # The independent reviewer sees the review but not the committee report section.
    page = client_for(pc.rc.reviewer).get(review_url).content.decode()
    assert reverse("publishing:detail", args=[report.pk]) not in page
    assert 'id="committee-report"' not in page


def test_text_keys_are_all_on_the_form(pc: PublishingCast, client_for: Any) -> None:
    report = pc.report()
    page = client_for(pc.business).get(reverse("publishing:edit-text", args=[report.pk])).content.decode()
    for key in TEXT_KEYS:
        assert f'name="{key}"' in page
