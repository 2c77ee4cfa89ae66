"""The decisions after a notification in the browser (issue 15). The business unit notifies the death of
a looked-after child in Cardiff through the page, answering the new questions; records the copies to
Ofsted and the Secretary of State and who was informed (the warning names the partner not yet told);
sends the notification; the rapid review, recommending a national review, is held through the
services; then the pages again: refer for a national review, the Panel returns it for a local review,
and the case goes on as a local practice review. A second case: the Panel decides no review, the case
closes, and the business unit reopens it with a reason and sees it back at the decision. axe-core finds
no violations on each page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Locator, Page, expect

from safeguarding.reviews import clocks, services
from safeguarding.reviews.enums import Harm, Recommendation, Stage
from safeguarding.reviews.models import Review
from safeguarding.reviews.tests.conftest import ReviewCast, build_review_cast
from tests.browser.checks import assert_no_axe_violations
from tests.browser.session import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PANEL_WORDS = "The Panel does not consider a national review appropriate: the learning is local."
NO_REVIEW_WORDS = "The Panel agrees that the rapid review has identified the learning."
NO_REVIEW_REASONS = "The national panel decided no review; the learning is captured."
REOPEN_REASON = "New information from the police investigation about the agencies' contact with the family."


def _typed(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _shown(day: date) -> str:
    return f"{day.day} {day:%B %Y}"  # Django's "j F Y"


@dataclass
class Journey:
    page: Page
    base: str
    rc: ReviewCast
    today: date
    aware: date
    detail: str = ""
    review_pk: int = 0

    def review(self) -> Review:
        return Review.objects.get(pk=self.review_pk)

    def stage_tag(self) -> Locator:
        return self.page.locator("h1 .govuk-tag")

    def not_informed(self) -> Locator:
        return self.page.locator(".govuk-warning-text", has_text="Not yet informed")

    def history(self, text: str) -> Locator:
        return self.page.locator("h2:text-is('History') + ul li", has_text=text)

    def click(self, name: str) -> None:
        self.page.get_by_role("link", name=name, exact=True).click()

    def submit(self, name: str) -> None:
        self.page.get_by_role("button", name=name, exact=True).click()

    def answer(self, question: str, choice: str) -> None:
        self.page.get_by_role("group", name=question).get_by_label(choice, exact=True).check()


def test_national_review_returned_for_a_local_review_and_a_declined_case_reopened(live_server, page: Page) -> None:
    rc = build_review_cast()
    device = TOTPDevice.objects.create(user=rc.business, name="App", confirmed=True)
    today = timezone.localdate()
    j = Journey(page, live_server.url, rc, today, aware=today - timedelta(days=3))
    sign_in(page, j.base, rc.business.username, device)
    expect(page.get_by_role("heading", name="Hello")).to_be_visible()

    _notify_a_looked_after_childs_death_in_cardiff(j)
    _record_the_copies(j)
    _record_who_was_informed(j)
    _send_the_notification(j)
    _rapid_review_recommends_a_national_review(j.rc, j.review(), j.today)
    _refer_for_a_national_review(j)
    _panel_returns_it_for_a_local_review(j)
    _second_case_declined_closed_and_reopened(j)


def _notify_a_looked_after_childs_death_in_cardiff(j: Journey) -> None:
    page = j.page
    page.goto(f"{j.base}/reviews/notify/")
    assert_no_axe_violations(page)
    page.get_by_label("Date of the incident").fill(_typed(j.aware))
    page.get_by_label("Date the local authority became aware").fill(_typed(j.aware))
    page.get_by_label("A child has died").check()
    j.answer("Is abuse or neglect known or suspected?", "No")
    j.answer("Was the child looked after by the local authority?", "Yes")
    j.answer("Did the death or harm happen outside England?", "Yes")
    page.get_by_label("If outside England, where did it happen?").fill("Cardiff, Wales")
    page.get_by_label("Summary of the incident").fill("Child A, looked after, died while staying in Cardiff.")
    page.get_by_label("First child: NHS number").fill(j.rc.cast.child.nhs_number)
    page.get_by_label("First child: pseudonym").fill("Child A")
    j.submit("Record the notification")
    expect(page.get_by_text("Notification recorded as CR-")).to_be_visible()
    j.detail, j.review_pk = page.url, Review.objects.get().pk

    # The statutory facts, what is still owed, and who has not been told.
    expect(j.stage_tag()).to_have_text("Notified")
    expect(page.get_by_text("Death of a looked-after child")).to_be_visible()
    facts = page.locator(".govuk-summary-list").first
    expect(facts).to_contain_text("Outside England: Cardiff, Wales. Area informed: not yet")
    expect(facts.locator(".govuk-summary-list__row", has_text="Copy to Ofsted")).to_contain_text("Not yet Required")
    expect(j.not_informed()).to_contain_text("Not yet informed: Test ICB, Test Police.")
    assert_no_axe_violations(page)

    # A looked-after child's death: not sent without the copies' dates (s.16C(2)).
    j.click("Record the notification as sent")
    page.get_by_label("Date sent to the national panel").fill(_typed(j.today))
    j.submit("Record the notification as sent")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "A looked-after child died: enter the date the local authority notified Ofsted"
    )
    assert_no_axe_violations(page)
    assert j.review().stage == Stage.NOTIFIED


def _record_the_copies(j: Journey) -> None:
    page = j.page
    page.goto(j.detail)
    j.click("Record the copies to Ofsted and the Secretary of State")
    expect(page.get_by_role("heading", name="Record the copies of the notification")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Date the copy was sent to Ofsted").fill(_typed(j.aware))
    page.get_by_label("Date the copy was sent to the Secretary of State").fill(_typed(j.today))
    j.submit("Save the dates")
    expect(page.get_by_text("Dates of the copies recorded.")).to_be_visible()
    facts = page.locator(".govuk-summary-list").first
    expect(facts.locator(".govuk-summary-list__row", has_text="Copy to Ofsted")).to_contain_text(_shown(j.aware))
    expect(facts.locator(".govuk-summary-list__row", has_text="Copy to the Secretary of State")).to_contain_text(
        _shown(j.today)
    )
    expect(facts).not_to_contain_text("Required")


def _record_who_was_informed(j: Journey) -> None:
    """The police and Cardiff first: the warning names the partner not yet told; then that partner."""
    page = j.page
    j.click("Record who was informed")
    expect(page.get_by_role("heading", name="Record who was informed")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Test Police", exact=True).check()
    page.get_by_label("The area where the harm happened was informed").check()
    page.get_by_label("Date they were informed").fill(_typed(j.aware + timedelta(days=1)))
    j.submit("Save")
    expect(page.get_by_text("Recorded who was informed.")).to_be_visible()
    expect(j.not_informed()).to_contain_text("Not yet informed: Test ICB.")
    expect(page.get_by_text(f"Test Police: {_shown(j.aware + timedelta(days=1))}")).to_be_visible()
    expect(page.locator(".govuk-summary-list").first).to_contain_text(
        f"Outside England: Cardiff, Wales. Area informed: {_shown(j.aware + timedelta(days=1))}"
    )
    assert_no_axe_violations(page)

    j.click("Record who was informed")
    page.get_by_label("Test ICB", exact=True).check()
    page.get_by_label("Date they were informed").fill(_typed(j.today))
    j.submit("Save")
    expect(page.get_by_text("Recorded who was informed.")).to_be_visible()
    expect(page.get_by_text(f"Test ICB: {_shown(j.today)}")).to_be_visible()
    expect(j.not_informed()).to_have_count(0)


def _send_the_notification(j: Journey) -> None:
    page = j.page
    j.click("Record the notification as sent")
    assert_no_axe_violations(page)
    page.get_by_label("Date sent to the national panel").fill(_typed(j.today))
    j.submit("Record the notification as sent")
    expect(page.get_by_text("The review is now at the rapid review stage.")).to_be_visible()
    expect(j.stage_tag()).to_have_text("Rapid review")


def _rapid_review_recommends_a_national_review(rc: ReviewCast, review: Review, today: date) -> None:
    """The panel recommends a national review, every statutory partner signs off, it is sent."""
    services.record_panel_meeting(
        actor=rc.business,
        review=review,
        met_on=today,
        attendance="All partners",
        summary="Issues of national importance.",
        recommendation=Recommendation.NATIONAL_REVIEW,
        reasons="Similar deaths elsewhere.",
    )
    for partner in rc.partners:
        services.sign_off_rapid_review(
            actor=rc.business, review=review, agency=partner, signed_by_name="A Partner", signed_on=today
        )
    services.send_rapid_review(actor=rc.business, review=review, version=review.version, sent_on=today)


def _refer_for_a_national_review(j: Journey) -> None:
    page = j.page
    page.goto(j.detail)
    expect(j.stage_tag()).to_have_text("Decision")
    j.click("Decide: refer for a national review")
    assert_no_axe_violations(page)
    page.get_by_label("Note for the history").fill("The rapid review recommends a national review.")
    j.submit("Decide: refer for a national review")
    expect(page.get_by_text("The review is now at the awaiting the national panel stage.")).to_be_visible()
    expect(j.stage_tag()).to_have_text("Awaiting the national panel")
    expect(page.get_by_text("Waiting for the national panel's response.")).to_be_visible()
    expect(j.history("Referred to the national panel for a national review")).to_contain_text(
        "The rapid review recommends a national review."
    )
    assert_no_axe_violations(page)


def _panel_returns_it_for_a_local_review(j: Journey) -> None:
    page = j.page
    j.click("National panel: returned for a local review")
    expect(page.get_by_role("heading", name="Record the national panel's response")).to_be_visible()
    expect(page.get_by_label("Returned for a local child safeguarding practice review")).to_be_checked()
    assert_no_axe_violations(page)
    page.get_by_label("Date of the national panel's response").fill(_typed(j.today))
    page.get_by_label("The national panel's response, in its own words").fill(PANEL_WORDS)
    j.submit("Record the national panel's response")
    expect(page.get_by_text("The national panel's response is recorded.")).to_be_visible()

    # The case continues as a local review, decided on the day of the Panel's response.
    expect(j.stage_tag()).to_have_text("In progress")
    expect(
        page.get_by_text(f"Returned for a local child safeguarding practice review, {_shown(j.today)}")
    ).to_be_visible()
    expect(page.locator(".govuk-summary-list__row", has_text="In the Panel's words")).to_contain_text(PANEL_WORDS)
    expect(page.get_by_role("heading", name="Local child safeguarding practice review")).to_be_visible()
    due = clocks.target_publication(j.today)
    expect(page.get_by_text(f"{_shown(due)} (6 months after the decision)")).to_be_visible()
    expect(j.history("National panel: returned for a local review")).to_contain_text(PANEL_WORDS)
    assert_no_axe_violations(page)
    review = j.review()
    assert review.stage == Stage.IN_PROGRESS
    assert review.practice_review.decided_on == j.today


def _awaiting_the_panel(rc: ReviewCast, aware: date, today: date) -> Review:
    """A second case, notified and taken to the Panel through the services."""
    review = services.notify_serious_incident(
        actor=rc.business,
        incident_on=aware,
        aware_on=aware,
        harm=Harm.SERIOUS_HARM,
        summary="Robin was seriously injured at home; neglect is suspected.",
        children=[services.ChildInput(rc.cast.other_child, "Child B")],
    )
    services.record_notification_sent(actor=rc.business, review=review, version=review.version, sent_on=today)
    _rapid_review_recommends_a_national_review(rc, review, today)
    services.refer_national_review(actor=rc.business, review=review, version=review.version)
    return review


def _second_case_declined_closed_and_reopened(j: Journey) -> None:
    page = j.page
    review = _awaiting_the_panel(j.rc, j.aware, j.today)
    page.goto(f"{j.base}/reviews/{review.pk}/")
    expect(j.stage_tag()).to_have_text("Awaiting the national panel")
    j.click("National panel: no review")
    expect(page.get_by_label("No review", exact=True)).to_be_checked()
    page.get_by_label("Date of the national panel's response").fill(_typed(j.today))
    page.get_by_label("The national panel's response, in its own words").fill(NO_REVIEW_WORDS)
    page.get_by_label("Reasons the case closes").fill(NO_REVIEW_REASONS)
    j.submit("Record the national panel's response")
    expect(page.get_by_text("The national panel's response is recorded.")).to_be_visible()
    expect(j.stage_tag()).to_have_text("Closed")
    expect(j.history("National panel: no review")).to_contain_text(NO_REVIEW_REASONS)
    assert_no_axe_violations(page)

    j.click("Reopen the review")
    expect(page.get_by_text("The review goes back to the decision stage, the one it closed from.")).to_be_visible()
    assert_no_axe_violations(page)
    j.submit("Reopen the review")  # no reason: refused, with what to do
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give the reason for reopening the review")
    assert_no_axe_violations(page)
    page.get_by_label("Why is the review being reopened?").fill(REOPEN_REASON)
    j.submit("Reopen the review")
    expect(page.get_by_text("The review is reopened.")).to_be_visible()

    # Back where it closed from: the Panel has answered, so the decision left is local.
    expect(j.stage_tag()).to_have_text("Decision")
    expect(j.history("Reopened")).to_have_text(
        f"{j.today.day} {j.today:%b %Y}: Reopened ({j.rc.business}): {REOPEN_REASON}"
    )
    expect(page.get_by_role("link", name="Decide: hold a practice review", exact=True)).to_be_visible()
    assert_no_axe_violations(page)
    review.refresh_from_db()
    assert review.stage == Stage.DECISION
