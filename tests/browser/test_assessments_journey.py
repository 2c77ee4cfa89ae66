"""A practitioner trained for the neglect profile completes an assessment of a child in the browser, then a
second one, and compares them: the changes are marked in words. axe-core finds no violations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from safeguarding.assessments import services
from safeguarding.assessments.models import AssessmentTemplate
from safeguarding.testing.personas import build_cast
from tests.browser.checks import assert_no_axe_violations
from tests.browser.session import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

SUB_AREAS = [
    "nutrition",
    "housing",
    "clothing",
    "hygiene",
    "health",
    "safety when the carer is present",
    "safety when the carer is absent",
    "emotional care: the carer's responsiveness",
    "stimulation",
    "approval",
    "acceptance",
]
LABELS = {1: "1 – All needs met, child first", 2: "2 – Grade 2", 3: "3 – Grade 3", 4: "4 – Grade 4"}


def _assess(page: Page, base: str, child_pk: int, day: str, grades: dict[str, int], *, first: bool) -> None:
    page.goto(f"{base}/assessments/start/?child={child_pk}")
    if first:
        assert_no_axe_violations(page)
    page.get_by_label("Date of the assessment").fill(day)
    page.get_by_role("button", name="Start the assessment").click()
    expect(page.get_by_text("Grade each area, then complete it.")).to_be_visible()
    # Save a draft part way: what was chosen is kept.
    page.get_by_role("group", name="Grade for nutrition").get_by_label(LABELS[grades["nutrition"]]).check()
    page.get_by_label("Evidence for nutrition").fill("Little food in the kitchen at the visit.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    expect(
        page.get_by_role("group", name="Grade for nutrition").get_by_label(LABELS[grades["nutrition"]])
    ).to_be_checked()
    if first:
        assert_no_axe_violations(page)
    for name in SUB_AREAS[1:]:
        page.get_by_role("group", name=f"Grade for {name}", exact=True).get_by_label(
            LABELS[grades.get(name, 3)]
        ).check()
    page.get_by_label("Your overall view").fill("Needs partly met; the mother is engaging with support.")
    page.get_by_label("Next steps agreed").fill("Weekly visits by the health visitor; review in three months.")
    page.get_by_role("button", name="Complete assessment").click()
    expect(page.get_by_text("completed. It can no longer be changed.")).to_be_visible()
    expect(page.get_by_text("Completed on")).to_be_visible()
    if first:
        assert_no_axe_violations(page)


def test_complete_two_neglect_assessments_and_compare(live_server, page: Page) -> None:
    cast = build_cast()
    template = AssessmentTemplate.objects.get(code="neglect-profile")
    services.mark_trained(
        actor=None,
        user=cast.involved,
        template=template,
        trained_on=timezone.localdate() - dt.timedelta(days=200),
        check_actor=False,
    )
    device = TOTPDevice.objects.create(user=cast.involved, name="App", confirmed=True)
    base = live_server.url
    sign_in(page, base, cast.involved.username, device)
    expect(page.get_by_role("heading", name="Hello")).to_be_visible()

    first_day = (timezone.localdate() - dt.timedelta(days=60)).strftime("%d/%m/%Y")
    second_day = (timezone.localdate() - dt.timedelta(days=2)).strftime("%d/%m/%Y")
    _assess(page, base, cast.child.pk, first_day, {"nutrition": 4, "hygiene": 4}, first=True)
    _assess(page, base, cast.child.pk, second_day, {"nutrition": 2, "hygiene": 4, "stimulation": 4}, first=False)

    # The child's record shows the latest; the comparison marks the changes in words.
    page.goto(f"{base}/children/{cast.child.pk}/")
    expect(page.get_by_role("heading", name="Assessments")).to_be_visible()
    page.get_by_role("link", name="Compare all 2 completed assessments").click()
    expect(page.get_by_role("heading", name="Compare assessments")).to_be_visible()
    physical = page.locator("#table-physical-care")
    expect(physical.get_by_role("row", name="Nutrition").get_by_text("Better by 2")).to_be_visible()
    expect(physical.get_by_role("row", name="Hygiene").get_by_text("No change")).to_be_visible()
    expect(
        page.locator("#table-esteem").get_by_role("row", name="Stimulation").get_by_text("Worse by 1")
    ).to_be_visible()
    expect(page.locator("svg.app-chart")).to_have_count(4)
    assert_no_axe_violations(page)
