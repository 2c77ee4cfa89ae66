"""Children's social care imports its Children in Need census file on the page: the upload page, then
the import's page with the result and the census validator's queries — each checked with axe at 1280
and 375 px. The validator's run is stood in for (a subprocess of seconds; its own tests run it)."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from safeguarding.census.tests.helpers import VALID, issue, social_care_agency, social_worker, stand_in_validator
from tests.browser.checks import assert_no_axe_violations
from tests.browser.session import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

# The suite runs in parallel on small machines: allow for a slow page.
expect.set_options(timeout=15_000)


def test_social_worker_imports_the_census_file_and_reads_the_validators_queries(live_server, page: Page, monkeypatch):
    # The file's dates are all in the 2025-26 census year, before today: the import refuses future entries.
    stand_in_validator(
        monkeypatch,
        queries=(issue("8825Q", "SYN0003", "CINdetails", "ReasonForClosure", "RC8", "RC8 with no assessment"),),
    )
    agency = social_care_agency()
    worker = social_worker(agency)
    device = TOTPDevice.objects.create(user=worker, name="App", confirmed=True)

    sign_in(page, live_server.url, worker.username, device)
    page.goto(f"{live_server.url}/chronology/imports/")
    page.get_by_role("button", name="Import a Children in Need census file").click()
    expect(page.get_by_role("heading", name="Import a Children in Need census file")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Upload a Children in Need census file").set_input_files(
        {"name": "census-2025-26.xml", "mimeType": "text/xml", "buffer": VALID}
    )
    page.get_by_role("button", name="Check and import the file").click()

    expect(page.get_by_role("heading", name="Import of census-2025-26.xml")).to_be_visible()
    expect(page.get_by_role("heading", name="Import complete")).to_be_visible(timeout=20_000)
    expect(page.locator(".govuk-panel__body")).to_have_text("17 entries added")
    expect(page.get_by_role("heading", name="Queries from the census validator")).to_be_visible()
    expect(page.get_by_role("table").filter(has_text="SYN0003")).to_contain_text("Rule 8825Q: RC8 with no assessment")
    assert_no_axe_violations(page)
