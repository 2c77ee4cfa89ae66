"""The API documentation page in a real browser, under the site's strict CSP."""

from __future__ import annotations

from typing import Any

import pytest

from safeguarding.api.tests.factories import make_token
from safeguarding.testing import factories as f
from tests.browser.checks import assert_no_axe_violations

pytestmark = pytest.mark.browser


def test_docs_page_renders_under_the_csp_and_calls_the_api(page: Any, live_server: Any, transactional_db: None) -> None:
    agency = f.AgencyFactory(code="HV", name="Test Community Health")
    f.InvolvementFactory(agency=agency, child=f.ChildFactory(first_name="Ellis", last_name="Marsh"))
    _, key = make_token(agency)
    problems: list[str] = []
    requested: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("request", lambda request: requested.append(request.url))

    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".opblock-summary-path", has_text="/api/v1/children/").first.wait_for(timeout=15_000)
    assert_no_axe_violations(page)  # Swagger UI with our colours, heading levels, banner and no deep links

    # Authorise with the token and run "Find children" from the page.
    page.get_by_role("button", name="Authorize").first.click()
    page.locator(".modal-ux input[type=text]").first.fill(f"Token {key}")
    page.locator(".modal-ux button.authorize").first.click()
    page.locator(".modal-ux button.close-modal").first.click()
    page.locator(".opblock-summary", has_text="/api/v1/children/").first.click()
    page.get_by_role("button", name="Try it out").first.click()
    page.get_by_role("button", name="Execute").first.click()
    page.locator(".responses-wrapper .live-responses-table .response-col_status").first.wait_for(timeout=15_000)

    body = page.locator(".live-responses-table .microlight").first.inner_text()
    assert "Ellis" in body
    assert problems == []
    assert all(url.startswith(live_server.url) or url.startswith("data:") for url in requested), requested
