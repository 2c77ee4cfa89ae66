"""The learning journey in the browser: the business unit creates a workshop from a review's case study
(children by pseudonym only) and invites health agencies → a practitioner registers → the facilitator
records attendance and a walk-in → the practitioner evaluates → the business unit sees it in the report. axe-core
finds no violations on any page."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from safeguarding.learning.models import Evaluation, LearningEvent
from safeguarding.learning.tests.conftest import build_learn_cast
from tests.browser.checks import assert_no_axe_violations
from tests.browser.session import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _as(page: Page, base: str, user, device) -> None:
    page.context.clear_cookies()
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # the same person may sign in twice in 30 s
    device.refresh_from_db()
    sign_in(page, base, user.username, device)
    expect(page.get_by_role("heading", name="Hello")).to_be_visible()


def test_workshop_from_review_register_attend_evaluate_report(live_server, page: Page) -> None:
    lc = build_learn_cast()
    base = live_server.url
    practitioner, facilitator, bu = lc.cast.involved, lc.facilitator, lc.business
    devices = {
        u.pk: TOTPDevice.objects.create(user=u, name="App", confirmed=True) for u in (practitioner, facilitator, bu)
    }
    event = _create_the_workshop_from_the_case_study(page, base, bu, devices, facilitator, lc)
    _a_practitioner_registers(page, base, devices, practitioner, event)
    _the_facilitator_records_attendance(page, base, devices, facilitator, practitioner, event)
    _a_walk_in_without_an_account(page, base, event)
    _the_practitioner_evaluates(page, base, devices, practitioner, event)
    _the_report_shows_it(page, base, bu, devices, event)


def _create_the_workshop_from_the_case_study(
    page: Page, base: str, bu: Any, devices: Any, facilitator: Any, lc: Any
) -> LearningEvent:
    """The business unit creates the workshop from the review's case study: prefilled, pseudonyms only."""
    _as(page, base, bu, devices[bu.pk])
    page.goto(f"{base}/learning/events/from-review/{lc.review.pk}/")
    expect(page.get_by_role("heading", name="Create a workshop from a review's case study")).to_be_visible()
    case_study = page.get_by_label("Case study")
    assert "Child A was not brought to three health appointments." in case_study.input_value()
    assert "Ellis" not in page.content()
    assert_no_axe_violations(page)
    page.get_by_label("Date").fill(timezone.localdate().strftime("%d/%m/%Y"))
    page.get_by_label("Starts at").fill("00:00")
    page.get_by_label("Ends at").fill("23:59")
    page.get_by_label("Venue, or how to join online").fill("Northbridge Civic Centre")
    page.get_by_label("Facilitator in the partnership").select_option(label=str(facilitator))
    page.get_by_label("Places").fill("12")
    page.get_by_label("Published").check()
    page.get_by_role("button", name="Create the event").click()
    expect(page.get_by_role("heading", name="Invitations")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Or every agency of a kind").select_option(label="Health")
    page.get_by_role("button", name="Add the invitation").click()
    expect(page.get_by_text("Invitation added.")).to_be_visible()
    event = LearningEvent.objects.get(review=lc.review)
    return event


def _a_practitioner_registers(page: Page, base: str, devices: Any, practitioner: Any, event: LearningEvent) -> None:
    """A health practitioner registers."""
    _as(page, base, practitioner, devices[practitioner.pk])
    page.goto(f"{base}/learning/")
    assert_no_axe_violations(page)
    page.get_by_role("link", name=event.title).click()
    expect(page.get_by_role("heading", name=event.title)).to_be_visible()
    assert "Ellis" not in page.content()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Register for a place").click()
    expect(page.get_by_text(f"You have a place on {event.title}.")).to_be_visible()


def _the_facilitator_records_attendance(
    page: Page, base: str, devices: Any, facilitator: Any, practitioner: Any, event: LearningEvent
) -> None:
    """The facilitator records attendance."""
    _as(page, base, facilitator, devices[facilitator.pk])
    page.goto(f"{base}/learning/events/{event.pk}/")
    page.get_by_role("link", name="Record attendance").click()
    assert_no_axe_violations(page)
    page.get_by_label(str(practitioner), exact=False).check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance recorded: 1 of 1 came.")).to_be_visible()


def _a_walk_in_without_an_account(page: Page, base: str, event: LearningEvent) -> None:
    """A health visitor came without registering and has no account: recorded by hand as a walk-in."""
    page.goto(f"{base}/learning/events/{event.pk}/attendance/")
    page.get_by_role("link", name="Record a walk-in").click()
    assert_no_axe_violations(page)
    page.get_by_label("Their full name").fill("Robin Walker")
    page.get_by_label("Agency").select_option(label="Test Community Health")
    page.get_by_label("Role").select_option(label="Practitioner")
    page.get_by_role("button", name="Record them by name").click()
    expect(page.get_by_text("Robin Walker is recorded as a walk-in.")).to_be_visible()


def _the_practitioner_evaluates(page: Page, base: str, devices: Any, practitioner: Any, event: LearningEvent) -> None:
    """The practitioner evaluates (the home page says it is owed)."""
    _as(page, base, practitioner, devices[practitioner.pk])
    page.get_by_role("link", name=f"Evaluate {event.title}").click()
    assert_no_axe_violations(page)
    page.get_by_role(
        "group", name="Before the event, how confident were you about its theme in your practice?"
    ).get_by_label("2 – A little confident").check()
    page.get_by_role("group", name="How confident are you now?").get_by_label("4 – Confident").check()
    page.get_by_label("What will you change in your practice?").fill("Treat missed appointments as a concern.")
    page.get_by_role("button", name="Send the evaluation").click()
    expect(page.get_by_text("Thank you: your evaluation is saved.")).to_be_visible()
    assert Evaluation.objects.get(event=event, user=practitioner).change == 2


def _the_report_shows_it(page: Page, base: str, bu: Any, devices: Any, event: LearningEvent) -> None:
    """The business unit sees it in the report."""
    _as(page, base, bu, devices[bu.pk])
    page.goto(f"{base}/learning/reports/")
    expect(page.get_by_role("heading", name="Learning reports")).to_be_visible()
    agency_row = page.locator("#table-attendance-agency tr", has_text="Test Community Health")
    expect(agency_row).to_contain_text("100%")  # of those registered; the walk-in is counted apart
    assert agency_row.locator("td").all_inner_texts()[:4] == ["1", "1", "2", "1"]
    summary = page.locator("#evaluation-summary .govuk-summary-list__row")
    expect(summary.filter(has_text="Mean confidence after").locator("dd")).to_have_text("4")
    expect(summary.filter(has_text="Mean change").locator("dd")).to_have_text("2")
    expect(page.locator("#table-evaluation-events")).to_contain_text(event.title)
    assert_no_axe_violations(page)
