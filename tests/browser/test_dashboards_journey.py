"""The business unit opens the partnership dashboard from the navigation, changes the period, sees the
figures change, and downloads the XLSX data pack; axe-core finds no violations."""

from __future__ import annotations

import io

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from safeguarding.dashboards.tests.conftest import build_dash_cast, build_dataset
from tests.browser.checks import assert_no_axe_violations
from tests.browser.session import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_business_unit_changes_the_period_and_downloads_the_pack(live_server, page: Page) -> None:
    dataset = build_dataset(build_dash_cast())
    business = dataset.dc.business
    device = TOTPDevice.objects.create(user=business, name="App", confirmed=True)
    base = live_server.url

    sign_in(page, base, business.username, device)
    expect(page.get_by_role("heading", name="Partnership dashboard")).to_be_visible()  # the home panel
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Partnership dashboard", level=1)).to_be_visible()
    assert_no_axe_violations(page)

    # A bad period: a clear error, what was typed kept.
    page.get_by_label("Choose the dates").check()
    page.get_by_label("From", exact=True).fill("31/3/2026")
    page.get_by_label("To", exact=True).fill("1/4/2025")
    page.get_by_role("button", name="Show the figures").click()
    expect(page.get_by_role("alert")).to_contain_text("The end of the period must be the same as or after the start")
    expect(page.get_by_label("From", exact=True)).to_have_value("31/3/2026")
    assert_no_axe_violations(page)

    # The financial year 2025 to 2026.
    page.get_by_label("Financial year (April to March)").check()
    page.get_by_label("Year", exact=True).fill("2025")
    page.get_by_role("button", name="Show the figures").click()
    expect(page.locator("#period-label")).to_have_text("Financial year 2025 to 2026 (1 April 2025 to 31 March 2026)")
    overdue = page.locator("#table-overdue-actions")
    expect(overdue.get_by_role("row", name=f"{dataset.plan.reference}-A3")).to_contain_text("30")
    expect(page.locator("#escalations-headline")).to_contain_text("Escalations raised")
    assert_no_axe_violations(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the data pack as a spreadsheet (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename == "yearly-report-data-pack-2025-04-01-to-2026-03-31.xlsx"
    workbook = load_workbook(io.BytesIO(open(download.path(), "rb").read()))  # noqa: SIM115 - read and closed
    rows = [tuple(c for c in row if c is not None) for row in workbook["Action plans"].iter_rows(values_only=True)]
    assert ("Actions overdue", 3) in rows
