"""A health visitor imports their agency's chronology file; the third "was not brought" in a year
raises an alert that appears on their home page as the child's lead professional; they read the
rule's explanation and evidence, acknowledge it, record a decision and close it. axe-core finds no
violations on the alert pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from safeguarding.children.models import Involvement
from safeguarding.chronology.models import EventType
from safeguarding.chronology.tests.helpers import csv_bytes
from safeguarding.concerns.models import Alert
from safeguarding.concerns.scan import evaluate_children
from safeguarding.testing.personas import build_cast
from safeguarding.testing.recording import record_as_involved
from tests.browser.checks import assert_no_axe_violations
from tests.browser.session import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_import_raises_an_alert_that_the_lead_professional_acts_on(live_server, page: Page) -> None:
    cast = build_cast()  # the default rules come from the autouse default-data fixture
    Involvement.objects.filter(agency=cast.agency, child=cast.child).update(lead_professional=cast.involved)
    device = TOTPDevice.objects.create(user=cast.involved, name="App", confirmed=True)
    today = timezone.localdate()

    def day(n: int) -> str:
        return (today - dt.timedelta(days=n)).strftime("%d/%m/%Y")

    content = csv_bytes(
        ["Date", "Child name", "NHS No", "Event type", "Details", "Action taken"],
        [day(200), "Ellis Marsh", cast.child.nhs_number, "WNB", "Not brought to the hearing clinic", "Letter"],
        [day(120), "Ellis Marsh", cast.child.nhs_number, "WNB", "Not brought to the rearranged clinic", "Call"],
        [day(40), "Ellis Marsh", cast.child.nhs_number, "WNB", "Not brought to the audiology review", "Visit"],
    )

    sign_in(page, live_server.url, "involved", device)
    page.goto(f"{live_server.url}/chronology/imports/new/")
    page.get_by_label("Upload a chronology file").set_input_files(
        {"name": "health-visiting.csv", "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_role("button", name="Import file").click()
    expect(page.get_by_role("heading", name="Import complete")).to_be_visible(timeout=20_000)

    # A fourth, later, adds to the alert's evidence (its history says so in words).
    record_as_involved(
        actor=cast.involved,
        agency=cast.agency,
        children=[cast.child],
        event_type=EventType.objects.get(code="was_not_brought"),
        occurred_on=today - dt.timedelta(days=10),
        summary="Not brought to the hearing aid fitting",
    )
    evaluate_children([cast.child.pk])

    # The alert is on the lead professional's home page.
    page.goto(f"{live_server.url}/")
    panel = page.locator("section", has=page.get_by_role("heading", name="Alerts for children you are responsible for"))
    expect(panel).to_be_visible()
    # The link says what the alert is (its rule), not only "Alert 57" (issue 17).
    rule_link = panel.get_by_role("link", name="Repeatedly not brought to health appointments")
    expect(rule_link).to_be_visible()
    expect(panel.get_by_role("cell", name="Medium")).to_be_visible()
    assert_no_axe_violations(page)
    rule_link.first.click()

    expect(page.get_by_role("heading", name="Repeatedly not brought to health appointments")).to_be_visible()
    expect(page.get_by_text("A child missing appointments is the carer's failure")).to_be_visible()
    expect(page.get_by_role("cell", name="Not brought to the audiology review")).to_be_visible()
    # The history in plain words, never the log's codes (issue 17: "alert.raised (automatic)").
    history = page.locator("h2:text-is('History') + ul")
    expect(history).to_contain_text("Alert raised, automatically by the alert rule")
    expect(history).to_contain_text("Evidence added to the alert, automatically by the alert rule")
    expect(page.get_by_role("cell", name="Not brought to the hearing aid fitting")).to_be_visible()
    expect(history).not_to_contain_text("alert.")
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Acknowledge").click()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("Alert acknowledged.")).to_be_visible()

    page.get_by_role("link", name="Record a decision").click()
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose what was decided")
    assert_no_axe_violations(page)
    page.get_by_label("Convene a multi-agency meeting").check()
    page.get_by_label("Notes").fill("Team around the family meeting on Friday.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Decision recorded: Convene a multi-agency meeting.")).to_be_visible()

    page.get_by_role("link", name="Close the alert").click()
    page.get_by_role("button", name="Close alert").click()
    expect(page.get_by_text("Alert closed.")).to_be_visible()
    expect(page.locator(".govuk-summary-list .govuk-tag", has_text="Closed")).to_be_visible()
    assert_no_axe_violations(page)
    assert Alert.objects.get().status == "closed"
