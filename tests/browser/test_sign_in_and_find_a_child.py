"""A practitioner signs in with two-factor authentication, finds a child and opens the record;
axe-core reports no accessibility violations on the pages on the way (at 1280 and 375 px, each page
fitting its viewport: `tests/browser/checks.py`)."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from safeguarding.core.models import ActivityLog
from safeguarding.testing import factories as f
from safeguarding.testing.personas import build_cast
from tests.browser.checks import assert_no_axe_violations

pytestmark = pytest.mark.django_db(transaction=True)
__all__ = ["assert_no_axe_violations", "code_for", "sign_in"]


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def sign_in(page: Page, base_url: str, username: str, device: TOTPDevice) -> None:
    page.goto(f"{base_url}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(f.TEST_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Security code").fill(code_for(device))
    page.get_by_role("button", name="Sign in").click()


def test_practitioner_signs_in_finds_a_child_and_opens_the_record(live_server, page: Page):
    cast = build_cast()
    cast.child.involvements.update(lead_professional=cast.involved)
    device = TOTPDevice.objects.create(user=cast.involved, name="App", confirmed=True)
    page.goto(f"{live_server.url}/")
    # Not signed in: the sign-in page.
    expect(page.get_by_role("heading", name="Sign in to Safeguarding Hub")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_label("Username").fill("involved")
    page.get_by_label("Password", exact=True).fill(f.TEST_PASSWORD)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Enter your security code")).to_be_visible()
    page.get_by_label("Security code").fill(code_for(device))
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Children you are lead professional for")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Find a child").click()
    page.get_by_label("Name").fill("ellis")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 child found")).to_be_visible()
    # The partner agency's child with the same surname is not listed.
    expect(page.get_by_text("Robin Marsh")).to_have_count(0)
    page.get_by_role("link", name="Ellis Marsh").click()

    expect(page.get_by_role("heading", name="Ellis Marsh")).to_be_visible()
    expect(page.get_by_text(cast.child.nhs_number)).to_be_visible()
    assert_no_axe_violations(page)
    assert (
        ActivityLog.objects.filter(action="child.viewed", actor=cast.involved, subject_child_id=cast.child.pk).count()
        == 1
    )


def test_search_errors_show_the_error_summary_and_keep_what_was_typed(live_server, page: Page):
    cast = build_cast()
    device = TOTPDevice.objects.create(user=cast.involved, name="App", confirmed=True)
    sign_in(page, live_server.url, "involved", device)
    page.goto(f"{live_server.url}/children/")
    page.get_by_label("NHS number").fill("9434765918")
    page.get_by_role("button", name="Search").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("check digit does not match")
    expect(page.get_by_label("NHS number")).to_have_value("9434765918")
    assert page.title().startswith("Error: ")
    assert_no_axe_violations(page)


def test_a_page_that_is_not_yours_looks_like_one_that_does_not_exist(live_server, page: Page):
    cast = build_cast()
    device = TOTPDevice.objects.create(user=cast.partner, name="App", confirmed=True)
    sign_in(page, live_server.url, "partner", device)
    response = page.goto(f"{live_server.url}/children/{cast.child.pk}/")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_text("Ellis Marsh")).to_have_count(0)
    assert_no_axe_violations(page)  # the 404 page
