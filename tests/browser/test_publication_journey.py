"""Publication of a review report in the browser: the business unit notifies a serious incident; the
steps to the final report are taken through the services; then the publication pages for real —
defer (criminal proceedings), resume, try to publish too early (the 7-working-day message), record the
copies to the Panel and the Secretary of State, upload a report with a residual identifier, see the
block, mark it as intended, publish. axe-core finds no violations on each page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from safeguarding.core.calendar import working_days_between
from safeguarding.reviews import services
from safeguarding.reviews.defaults import install_themes
from safeguarding.reviews.enums import MemberRole
from safeguarding.reviews.models import Review
from safeguarding.reviews.tests.conftest import at, build_review_cast
from safeguarding.reviews.tests.reports import docx_bytes
from tests.browser.checks import assert_no_axe_violations
from tests.browser.session import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _typed(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _seven_working_days_before(today: date) -> date:
    day = today - timedelta(days=7)
    while working_days_between(day, today) < 7:
        day -= timedelta(days=1)
    return day


def _to_final(rc, review: Review) -> None:
    """Rapid review, decision, terms, reviewer, draft, findings, family, final: through the services."""
    rc.to_in_progress(review, decided_on=date(2026, 3, 20))
    services.update_terms_of_reference(
        actor=rc.business, review=review, terms_of_reference="ToR", key_lines_of_enquiry=""
    )
    services.add_member(actor=rc.business, review=review, user=rc.reviewer, role=MemberRole.REVIEWER)
    services.upload_report_draft(actor=rc.reviewer, review=review, upload=services.Upload("d.txt", b"draft"))
    services.move_to_draft(actor=rc.business, review=review, version=review.version, at=at(date(2026, 4, 1)))
    services.add_finding(actor=rc.reviewer, review=review, title="Finding", text="Detail")
    services.add_recommendation(actor=rc.reviewer, review=review, text="Recommendation")
    services.share_with_family(actor=rc.business, review=review, version=review.version, at=at(date(2026, 4, 2)))
    services.add_family_contact(
        actor=rc.reviewer, review=review, who="Mother of Child A", met_on=None, report_shared_on=date(2026, 4, 2)
    )
    services.finalise_report(actor=rc.business, review=review, version=review.version, at=at(date(2026, 4, 3)))


def test_publication_through_a_deferral_and_the_seven_day_check(live_server, page: Page) -> None:
    install_themes()
    rc = build_review_cast()
    device = TOTPDevice.objects.create(user=rc.business, name="App", confirmed=True)
    today = timezone.localdate()
    base = live_server.url
    sign_in(page, base, rc.business.username, device)
    review = _notify_then_final(page, base, rc)
    publication = f"{base}/reviews/{review.pk}/publication/"
    _defer_and_resume(page, base, review, today)
    _too_early_then_the_copies(page, base, review, today)
    _residual_identifier_marked(page, publication)

    # Publish.
    page.goto(f"{base}/reviews/{review.pk}/publish/")
    page.get_by_label("Date of publication").fill(_typed(today))
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("The review is now at the published stage.")).to_be_visible()
    review.refresh_from_db()
    assert review.stage == "published"
    assert review.practice_review.published_on == today


def _notify_then_final(page: Page, base: str, rc) -> Review:
    """Notify (the page), then to the final report (the services)."""
    page.goto(f"{base}/reviews/notify/")
    page.get_by_label("Date of the incident").fill("02/03/2026")
    page.get_by_label("Date the local authority became aware").fill("02/03/2026")
    page.get_by_label("A child has been seriously harmed").check()
    page.get_by_label("Summary of the incident").fill("A head injury.")
    for question, answer in (
        ("Is abuse or neglect known or suspected?", "Yes"),
        ("Was the child looked after by the local authority?", "No"),
        ("Did the death or harm happen outside England?", "No"),
    ):
        page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()
    page.get_by_label("First child: NHS number").fill(rc.cast.child.nhs_number)
    page.get_by_label("First child: pseudonym").fill("Child A")
    page.get_by_role("button", name="Record the notification").click()
    expect(page.get_by_text("Notification recorded as CR-")).to_be_visible()
    review = Review.objects.get()
    _to_final(rc, review)
    return review


def _defer_and_resume(page: Page, base: str, review: Review, today: date) -> None:
    """Defer during criminal proceedings (shown as deferred, not late), then resume."""
    publication = f"{base}/reviews/{review.pk}/publication/"
    page.goto(publication)
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Defer publication").click()
    assert_no_axe_violations(page)
    page.get_by_label("Criminal proceedings").check()
    page.get_by_label("Details of the reasons").fill("The trial of an adult in the household is listed.")
    page.get_by_label("Review the deferral by").fill(_typed(today + timedelta(days=60)))
    page.get_by_role("button", name="Defer publication").click()
    expect(page.get_by_text("Publication deferred.")).to_be_visible()
    expect(page.get_by_text("is paused while publication is deferred")).to_be_visible()
    assert_no_axe_violations(page)
    page.goto(f"{base}/reviews/{review.pk}/")
    expect(page.locator(".govuk-inset-text").get_by_text("Deferred")).to_be_visible()

    page.goto(publication)
    page.get_by_role("link", name="Resume publication").click()
    page.get_by_role("button", name="Resume publication").click()
    expect(page.get_by_text("Publication resumed.")).to_be_visible()


def _too_early_then_the_copies(page: Page, base: str, review: Review, today: date) -> None:
    """Publishing with no copies is refused with the rule; then the copies, 7 working days ago."""
    page.goto(f"{base}/reviews/{review.pk}/publish/")
    assert_no_axe_violations(page)
    page.get_by_label("Date of publication").fill(_typed(today))
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Send the full report to the Child Safeguarding Practice Review Panel and the Secretary of State"
    )
    assert_no_axe_violations(page)

    sent = _seven_working_days_before(today)
    publication = f"{base}/reviews/{review.pk}/publication/"
    page.goto(publication)
    page.get_by_role("link", name="Record when the full report was sent").click()
    page.get_by_label("Date sent to the Child Safeguarding Practice Review Panel").fill(_typed(sent))
    page.get_by_label("Date sent to the Secretary of State").fill(_typed(sent))
    page.get_by_role("button", name="Save").click()
    page.goto(publication)
    expect(page.get_by_text(f"{today:%-d %B %Y} (7 working days after the later copy)")).to_be_visible()


def _residual_identifier_marked(page: Page, publication: str) -> None:
    """A report with a residual identifier: blocked until marked as intended."""
    page.get_by_role("link", name="Upload the report to be published").click()
    assert_no_axe_violations(page)
    page.get_by_label("Report to be published").set_input_files(
        {
            "name": "final-report.docx",
            "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "buffer": docx_bytes("Child A's school office can be reached on 0113 496 0000 during term."),
        }
    )
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_text("Report uploaded and checked for identifying details.")).to_be_visible()
    expect(page.get_by_role("cell", name="school office can be reached on [Phone number] during term")).to_be_visible()
    expect(
        page.get_by_text("Not ready to publish: The report still has 1 possible identifying detail.")
    ).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Mark as intended").click()
    assert_no_axe_violations(page)
    page.get_by_label("Why is this meant to be in the published report?").fill("A synthetic number for the test.")
    page.get_by_role("button", name="Mark as intended").click()
    expect(page.get_by_text("Marked as intended: Phone number.")).to_be_visible()
    assert_no_axe_violations(page)
