"""Issue 17, walked in Chromium: GOV.UK error patterns (one "Error:" in the title, one error summary, the
date input for a date of birth), the lead professional's child summary with the Overdue tag, the print
versions of the plan and chronology pages (Chromium's print emulation), and a scrutineer's way around
with no dead ends. Each page is checked with axe at 1280 and 375 px and fits its viewport at both."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Locator, Page, expect

from safeguarding.actionplans.tests.conftest import build_plan_cast
from safeguarding.agencies.enums import Role
from safeguarding.plans import services
from safeguarding.plans.tests.conftest import agree, draft_plan, objective
from safeguarding.testing import factories as f
from safeguarding.testing.personas import build_cast
from tests.browser.checks import assert_no_axe_violations
from tests.browser.session import sign_in
from tests.browser.test_sign_in_and_find_a_child import code_for

pytestmark = pytest.mark.django_db(transaction=True)


def _one_error_prefix(page: Page, titles: list[str]) -> None:
    # The click starts a navigation: wait for the new page's title (and its summary) before reading it.
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_have_count(1)
    title = page.title()
    titles.append(title)
    assert title.startswith("Error: "), title
    assert title.count("Error:") == 1, title
    expect(page.locator(".govuk-error-summary")).to_have_count(1)


def _plan_with_an_overdue_objective(cast):
    lead = cast.involved
    cast.child.involvements.filter(agency=cast.agency).update(lead_professional=lead)
    plan = draft_plan(lead, cast.child, cast.agency, objectives=0)
    services.add_objective(actor=lead, plan=plan, version=plan.version, data=objective("See the dentist", days=-2))
    services.add_objective(actor=lead, plan=plan, version=plan.version, data=objective("Brush twice a day", days=20))
    return agree(plan, lead, on=timezone.localdate() - timedelta(days=5))


def test_error_titles_summaries_and_the_date_input(live_server, page: Page) -> None:
    cast = build_cast()
    plan = _plan_with_an_overdue_objective(cast)
    device = TOTPDevice.objects.create(user=cast.involved, name="App", confirmed=True)
    base, titles = live_server.url, []

    page.goto(f"{base}/sign-in/")
    page.get_by_role("button", name="Continue").click()
    _one_error_prefix(page, titles)  # was "Error: Error: Sign in"
    assert_no_axe_violations(page)
    page.get_by_label("Username").fill("involved")
    page.get_by_label("Password", exact=True).fill(f.TEST_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Sign in").click()
    _one_error_prefix(page, titles)  # the two-factor page
    assert_no_axe_violations(page)
    page.get_by_label("Security code").fill(code_for(device))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Hello")).to_be_visible()

    # Find a child: the GOV.UK date input, its error pattern, what was typed kept.
    page.goto(f"{base}/children/")
    dob = _date_without_a_month(page, titles, "Date of birth", "Search", "id_date_of_birth_1", day="3")
    assert_no_axe_violations(page)
    dob.get_by_label("Month").fill(str(cast.child.date_of_birth.month))
    dob.get_by_label("Day").fill(str(cast.child.date_of_birth.day))
    dob.get_by_label("Year").fill(str(cast.child.date_of_birth.year))
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Ellis Marsh")).to_be_visible()

    # Record a review: one "There is a problem" box for the form and its scaling scores, and "Error:".
    page.goto(f"{base}/plans/{plan.pk}/reviews/new/")
    page.get_by_role("button", name="Record the review").click()
    _one_error_prefix(page, titles)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Record at least one person's scaling score")
    assert_no_axe_violations(page)
    _give_access_date_input(page, base, cast, titles)
    assert not [t for t in titles if "Error: Error:" in t]


def _give_access_date_input(page: Page, base: str, cast, titles: list[str]) -> None:
    """Give access to a record: the child's date of birth in the GOV.UK date input, with its error pattern
    (the summary links to the first box in error, only that box is marked, what was typed is kept)."""
    lead = f.member(cast.unrelated_agency, Role.SAFEGUARDING_LEAD, username="housing.lead")
    page.context.clear_cookies()
    sign_in(page, base, lead.username, TOTPDevice.objects.create(user=lead, name="App", confirmed=True))
    page.goto(f"{base}/children/access-grants/new/")
    dob = page.get_by_role("group", name="Child's date of birth")
    expect(dob.get_by_role("textbox")).to_have_count(3)
    expect(dob.get_by_label("Day")).to_have_attribute("inputmode", "numeric")
    page.get_by_label("Child's NHS number or Hub ID").fill(str(cast.child.pk))
    _date_without_a_month(page, titles, "Child's date of birth", "Give access", "id_child_date_of_birth_1", day="27")
    assert_no_axe_violations(page)


def _date_without_a_month(page: Page, titles: list[str], group: str, button: str, month_id: str, day: str) -> Locator:
    """A date of birth sent without its month: the GOV.UK date input's error pattern (one "Error:" in the
    title, the summary linking to the month's box, the message in the group, only the month marked, what
    was typed kept). Gives the group, as the page now holds it."""
    dob = page.get_by_role("group", name=group)
    dob.get_by_label("Day").fill(day)
    dob.get_by_label("Year").fill("2019")
    page.get_by_role("button", name=button).click()
    _one_error_prefix(page, titles)
    message = f"{group} must include a month"
    expect(page.locator(".govuk-error-summary a", has_text=message)).to_have_attribute("href", f"#{month_id}")
    dob = page.get_by_role("group", name=group)
    expect(dob.locator(".govuk-error-message")).to_have_text(f"Error: {message}")
    expect(dob.get_by_label("Month")).to_have_class(
        "govuk-input govuk-date-input__input govuk-input--width-2 govuk-input--error"
    )
    expect(dob.get_by_label("Day")).not_to_have_class(re.compile("govuk-input--error"))
    expect(dob.get_by_label("Day")).to_have_value(day)
    expect(dob.get_by_label("Year")).to_have_value("2019")
    return dob


def test_lead_professional_summary_overdue_tag_and_print_versions(live_server, page: Page) -> None:
    cast = build_cast()
    plan = _plan_with_an_overdue_objective(cast)
    device = TOTPDevice.objects.create(user=cast.involved, name="App", confirmed=True)
    base = live_server.url
    sign_in(page, base, "involved", device)

    page.goto(f"{base}/children/{cast.child.pk}/")
    page.get_by_role("link", name="Summary").click()
    expect(page.get_by_role("heading", name="Ellis Marsh")).to_be_visible()
    expect(page.get_by_role("heading", name="Who is involved")).to_be_visible()
    objectives = page.get_by_role("table", name="Objectives in version 1")
    expect(objectives.get_by_role("row", name="See the dentist").locator(".govuk-tag")).to_have_text("Overdue")
    expect(objectives.get_by_role("row", name="Brush twice a day").locator(".govuk-tag")).to_have_count(0)
    expect(page.get_by_role("table", name="Dates coming up, soonest first")).to_contain_text("Brush twice a day")
    assert_no_axe_violations(page)

    page.goto(f"{base}/plans/{plan.pk}/")
    row = page.get_by_role("row", name="See the dentist")
    expect(row.locator(".govuk-tag", has_text="Overdue")).to_be_visible()
    assert_no_axe_violations(page)
    _check_print(page)

    page.goto(f"{base}/chronology/children/{cast.child.pk}/")
    rows = page.locator("table.app-chronology tbody tr")
    caption = page.locator("table.app-chronology caption")
    expect(caption).to_contain_text(f"{rows.count()} entr")
    expect(page.locator("figcaption")).to_contain_text(f"Timeline of {rows.count()} entr")
    assert_no_axe_violations(page)
    _check_print(page, also_hidden=(page.get_by_text("Filter the entries"), page.get_by_text("Download as PDF")))


def _check_print(page: Page, also_hidden: tuple[Locator, ...] = ()) -> None:
    """Chromium's print emulation: no menu, back link or buttons; the content as wide as the paper."""
    page.emulate_media(media="print")
    try:
        for locator in also_hidden:
            expect(locator).to_be_hidden()
        expect(page.get_by_role("navigation", name="Menu")).to_be_hidden()
        expect(page.locator(".govuk-back-link")).to_be_hidden()
        expect(page.locator(".govuk-phase-banner")).to_be_hidden()
        expect(page.locator(".govuk-footer")).to_be_hidden()
        widths = page.evaluate(
            "() => [document.querySelector('main').getBoundingClientRect().width, document.body.clientWidth]"
        )
        assert widths[0] >= widths[1] - 2, widths  # full width: no centred 960-px column
        for table in page.locator("main table").all():
            assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth + 1")
        assert len(page.pdf(format="A4")) > 1000  # Chromium prints it
    finally:
        page.emulate_media(media="screen")


def test_a_scrutineer_reaches_what_they_may_see(live_server, page: Page) -> None:
    pc = build_plan_cast()
    scrutineer = pc.rc.scrutineer
    device = TOTPDevice.objects.create(user=scrutineer, name="App", confirmed=True)
    base = live_server.url
    sign_in(page, base, scrutineer.username, device)

    expect(page.get_by_role("heading", name="Case reviews")).to_be_visible()
    expect(page.get_by_role("heading", name="Overdue actions across action plans")).to_be_visible()
    assert_no_axe_violations(page)

    page.goto(f"{base}/reviews/")
    expect(page.get_by_text("There are no reviews or requests for you")).to_have_count(0)
    assert_no_axe_violations(page)
    page.get_by_role("link", name="See every review's stage and timeliness").click()
    expect(page.get_by_role("heading", name="Case review monitoring")).to_be_visible()
    expect(page.get_by_role("cell", name=pc.review.reference)).to_be_visible()
    assert_no_axe_violations(page)

    page.goto(f"{base}/action-plans/{pc.plan.pk}/")
    expect(page.get_by_text(f"case review {pc.review.reference}")).to_be_visible()
    expect(page.locator(f'a[href="/reviews/{pc.review.pk}/"]')).to_have_count(0)  # was "Page not found"
    assert_no_axe_violations(page)
    page.get_by_role("link", name="its stage and timeliness").click()
    expect(page.get_by_role("heading", name="Case review monitoring")).to_be_visible()
