"""A case review end to end in the browser: the business unit notifies a serious incident → the rapid
review gets two agencies' summaries from their safeguarding leads → the panel, three partners' sign-off
and the decision to hold a practice review → the independent reviewer's findings and five
recommendations → publication. axe-core finds no violations on the main pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from safeguarding.reviews.defaults import install_themes
from safeguarding.reviews.models import Review
from safeguarding.reviews.tests.conftest import build_review_cast
from safeguarding.reviews.tests.reports import CLEAN_TEXT, docx_bytes
from tests.browser.checks import assert_no_axe_violations
from tests.browser.session import sign_in
from tests.browser.test_publication_journey import _seven_working_days_before

pytestmark = pytest.mark.django_db(transaction=True)


def _as(page: Page, base: str, user, device) -> None:
    page.context.clear_cookies()
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # the same person may sign in twice in 30 s
    device.refresh_from_db()
    sign_in(page, base, user.username, device)
    expect(page.get_by_role("heading", name="Hello")).to_be_visible()


def _click(page: Page, name: str) -> None:
    page.get_by_role("link", name=name, exact=True).click()


def _submit(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


@dataclass
class Journey:
    page: Page
    base: str
    rc: Any
    today: str  # as typed into the date fields
    devices: dict[int, Any]
    detail: str = ""
    review: Review | None = None

    def sign_in_as(self, user: Any) -> None:
        _as(self.page, self.base, user, self.devices[user.pk])

    @property
    def the_review(self) -> Review:
        assert self.review is not None
        return self.review


def test_review_from_notification_to_publication(live_server, page: Page) -> None:
    j = _set_up(live_server, page)
    _notify(j)
    _ask_two_agencies(j)
    _leads_answer(j)
    _panel_sign_off_and_decision(j)
    _terms_and_reviewer(j)
    _reviewer_drafts_finds_and_recommends(j)
    _draft_to_published(j)
    _monitoring_and_chronology(j)


def _set_up(live_server, page: Page) -> Journey:
    install_themes()  # a transactional test starts from a flushed database, without the data migration's rows
    rc = build_review_cast()
    today = timezone.localdate().strftime("%d/%m/%Y")
    devices = {
        u.pk: TOTPDevice.objects.create(user=u, name="App", confirmed=True)
        for u in (rc.business, rc.reviewer, rc.police_lead, rc.health_lead)
    }
    return Journey(page, live_server.url, rc, today, devices)


def _notify(j: Journey) -> None:
    """The business unit notifies."""
    page, base, rc, today = j.page, j.base, j.rc, j.today
    j.sign_in_as(rc.business)
    page.goto(f"{base}/reviews/notify/")
    assert_no_axe_violations(page)
    page.get_by_label("Date of the incident").fill(today)
    page.get_by_label("Date the local authority became aware").fill(today)
    page.get_by_label("A child has been seriously harmed").check()
    page.get_by_label("Summary of the incident").fill("Ellis Marsh was admitted with a head injury.")
    for question, answer in (
        ("Is abuse or neglect known or suspected?", "Yes"),
        ("Was the child looked after by the local authority?", "No"),
        ("Did the death or harm happen outside England?", "No"),
    ):
        page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()
    page.get_by_label("First child: NHS number").fill(rc.cast.child.nhs_number)
    page.get_by_label("First child: pseudonym").fill("Child A")
    page.get_by_label("Second child: NHS number").fill(rc.cast.other_child.nhs_number)
    page.get_by_label("Second child: pseudonym").fill("Child B")
    _submit(page, "Record the notification")
    expect(page.get_by_text("Notification recorded as CR-")).to_be_visible()
    assert_no_axe_violations(page)
    j.detail = page.url
    j.review = Review.objects.get()

    _click(page, "Record the notification as sent")
    page.get_by_label("Date sent to the national panel").fill(today)
    _submit(page, "Record the notification as sent")
    expect(page.get_by_text("The review is now at the rapid review stage.")).to_be_visible()


def _ask_two_agencies(j: Journey) -> None:
    """Two agencies are asked for their individual summaries."""
    page = j.page
    for agency in (j.rc.cast.partner_agency, j.rc.cast.agency):
        page.goto(f"{j.base}/reviews/{j.the_review.pk}/requests/new/")
        page.get_by_label("Agency", exact=True).select_option(label=agency.name)
        page.get_by_label("Individual agency summary (rapid review)").check()
        _submit(page, "Send the request")
        expect(page.get_by_text("Request sent.")).to_be_visible()


def _leads_answer(j: Journey) -> None:
    """Each agency's safeguarding lead answers from their own list."""
    page, rc = j.page, j.rc
    for lead, text in ((rc.police_lead, "Two call-outs to the home."), (rc.health_lead, "Missed health reviews.")):
        j.sign_in_as(lead)
        page.goto(f"{j.base}/reviews/")
        page.get_by_role("link", name=f"{j.the_review.reference}: Individual agency summary").click()
        assert_no_axe_violations(page)
        page.get_by_label("Your agency's involvement with the child and family").fill(text)
        _submit(page, "Submit")
        expect(page.get_by_text("Submitted.")).to_be_visible()
        page.goto(j.detail)
        expect(page.get_by_role("heading", name="Page not found")).to_be_visible()  # not the review itself


def _panel_sign_off_and_decision(j: Journey) -> None:
    """The panel, three partners' sign-off, the rapid review to the national panel, the decision."""
    page, rc, today = j.page, j.rc, j.today
    j.sign_in_as(rc.business)
    page.goto(j.detail)
    expect(page.get_by_role("cell", name="Submitted")).to_have_count(2)
    _click(page, "Record the panel meeting")
    page.get_by_label("Date of the panel meeting").fill(today)
    page.get_by_label("Who attended").fill("Police, health, social care, ICB, business unit")
    page.get_by_label("Summary agreed by the panel").fill("Persistent neglect of two brothers.")
    page.get_by_label("Local child safeguarding practice review").check()
    _submit(page, "Save the panel record")
    for partner in rc.partners:
        _click(page, "Record a partner's sign-off")
        page.get_by_label("Statutory partner").select_option(label=partner.name)
        page.get_by_label("Name of the partner who signed off").fill(f"Delegate of {partner.name}")
        page.get_by_label("Date signed off").fill(today)
        _submit(page, "Record sign-off")
        expect(page.get_by_text("Sign-off recorded.")).to_be_visible()
    _click(page, "Send the rapid review to the national panel")
    page.get_by_label("Date sent to the national panel").fill(today)
    _submit(page, "Send the rapid review to the national panel")
    _click(page, "Decide: hold a practice review")
    page.get_by_label("Local child safeguarding practice review").check()
    page.get_by_label("Date of the decision").fill(today)
    _submit(page, "Decide: hold a practice review")
    expect(page.get_by_text("The review is now at the in progress stage.")).to_be_visible()


def _terms_and_reviewer(j: Journey) -> None:
    """Terms of reference, the independent reviewer named."""
    page = j.page
    _click(page, "Terms of reference")
    page.get_by_label("Terms of reference").fill("The two years before the incident.")
    _submit(page, "Save")
    _click(page, "Name someone on this review")
    page.get_by_label("Person").select_option(value=str(j.rc.reviewer.pk))
    page.get_by_label("Independent reviewer").check()
    _submit(page, "Add")


def _reviewer_drafts_finds_and_recommends(j: Journey) -> None:
    """The independent reviewer: a draft, a finding tagged with a theme, five recommendations."""
    page, rc, review = j.page, j.rc, j.the_review
    j.sign_in_as(rc.reviewer)
    page.goto(j.detail)
    _click(page, "Upload a report draft")
    page.get_by_label("Report draft").set_input_files(
        {"name": "draft-1.txt", "mimeType": "text/plain", "buffer": b"Draft report"}
    )
    _submit(page, "Upload")
    expect(page.get_by_text("Draft uploaded.")).to_be_visible()
    page.goto(f"{j.base}/reviews/{review.pk}/findings/")
    _click(page, "Add a finding")
    page.get_by_label("Finding", exact=True).fill("No agency saw the whole picture of neglect.")
    page.get_by_label("Detail and evidence").fill("Each agency held a piece.")
    page.get_by_label("Neglect").check()
    _submit(page, "Add the finding")
    for number in range(1, 6):
        _click(page, "Add a recommendation")
        page.get_by_label("Recommendation", exact=True).fill(f"Recommendation number {number}.")
        if number % 2 == 0:
            page.get_by_label("Addressed to").select_option(label=rc.cast.partner_agency.name)
        _submit(page, "Add the recommendation")
        expect(page.get_by_text("Recommendation added.")).to_be_visible()
    expect(page.get_by_role("cell", name=f"{review.reference}-R5")).to_be_visible()
    assert_no_axe_violations(page)


def _draft_to_published(j: Journey) -> None:
    """The business unit: draft → with the family → final → sent → published."""
    page, today = j.page, j.today
    j.sign_in_as(j.rc.business)
    page.goto(j.detail)
    _click(page, "Move to draft report")
    _submit(page, "Move to draft report")
    _click(page, "Share the draft with the family")
    _submit(page, "Share the draft with the family")
    _click(page, "Record family engagement")
    page.get_by_label("Who", exact=True).fill("Mother of Child A and Child B")
    page.get_by_label("Date met").fill(today)
    page.get_by_label("Date the report was shared with them").fill(today)
    _submit(page, "Save")
    _click(page, "Finalise the report")
    _submit(page, "Finalise the report")
    # The copies went to the Panel and the Secretary of State at least 7 working days before publication.
    sent = _seven_working_days_before(timezone.localdate()).strftime("%d/%m/%Y")
    _click(page, "Record when the report was sent")
    page.get_by_label("Date sent to the Child Safeguarding Practice Review Panel").fill(sent)
    page.get_by_label("Date sent to the Secretary of State").fill(sent)
    _submit(page, "Save")
    page.goto(f"{j.base}/reviews/{j.the_review.pk}/publication/report/")
    page.get_by_label("Report to be published").set_input_files(
        {"name": "final.docx", "mimeType": "application/octet-stream", "buffer": docx_bytes(CLEAN_TEXT)}
    )
    _submit(page, "Upload and check")
    expect(page.get_by_text("The check found no identifying details.")).to_be_visible()
    page.goto(j.detail)
    _click(page, "Publish")
    page.get_by_label("Date of publication").fill(today)
    _submit(page, "Publish")
    expect(page.get_by_text("The review is now at the published stage.")).to_be_visible()
    assert_no_axe_violations(page)


def _monitoring_and_chronology(j: Journey) -> None:
    page, base, review = j.page, j.base, j.the_review
    page.goto(f"{base}/reviews/monitoring/")
    expect(page.get_by_role("cell", name=review.reference)).to_be_visible()
    assert_no_axe_violations(page)
    page.goto(f"{base}/reviews/{review.pk}/chronology/")
    assert_no_axe_violations(page)
    review.refresh_from_db()
    assert review.stage == "published"
    assert review.recommendations.count() == 5
