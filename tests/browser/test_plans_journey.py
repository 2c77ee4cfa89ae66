"""A lead professional runs a care plan in the browser: draft a plan with three objectives → agree it with
the family → record progress and a review with scaling scores from three people → amend → see the
difference. axe-core finds no violations on the pages along the way."""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from safeguarding.plans.models import CarePlan, ScalingScore
from safeguarding.testing.personas import build_cast
from tests.browser.checks import assert_no_axe_violations
from tests.browser.session import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
NEXT_REVIEW = 42  # days from today: the review's next review date


def _day(days: int = 0) -> str:
    return f"{timezone.localdate() + timedelta(days=days):%d/%m/%Y}"


def _objective(page: Page, action: str, days: int, *, family: bool) -> None:
    page.get_by_role("link", name="Add an objective").click()
    page.get_by_label("What will be done?").fill(action)
    if family:
        page.get_by_role("radio", name="A family member").check()
        page.get_by_label("Their name (if a family or network member)").fill("Jo Marsh")
        page.get_by_label("Their relationship to the child (if a family or network member)").fill("Mother")
    else:
        page.get_by_role("radio", name="A professional").check()
        page.get_by_label("Which professional? (if a professional)").select_option(index=1)
    page.get_by_label("By when?").fill(_day(days))
    page.get_by_label("How will progress be measured?").fill("Checked at each visit")
    page.get_by_role("button", name="Add the objective").click()
    expect(page.get_by_text("Objective added.")).to_be_visible()


def test_plan_journey_draft_agree_review_amend_compare(live_server, page: Page, tmp_path: Path) -> None:
    cast = build_cast()
    lead = cast.involved
    lead.work_phone = "01632 960123"
    lead.save(update_fields=["work_phone"])
    device = TOTPDevice.objects.create(user=lead, name="App", confirmed=True)
    base = live_server.url
    sign_in(page, base, lead.username, device)
    expect(page.get_by_role("heading", name="Hello")).to_be_visible()
    _draft_from_the_childs_record(page, base, cast)
    _agree_it_with_the_family(page)
    _progress_on_an_objective(page)
    _review_with_scaling_scores(page)
    _the_familys_version(page, tmp_path, lead)
    _amend_the_plan(page)
    _see_the_difference(page)


def _draft_from_the_childs_record(page: Page, base: str, cast: Any) -> None:
    """Draft: from the child's record."""
    page.goto(f"{base}/children/{cast.child.pk}/")
    page.get_by_role("link", name="All plans for Ellis Marsh").click()
    page.get_by_role("link", name="Start a plan").click()
    assert_no_axe_violations(page)
    page.get_by_label("Child in need").check()
    page.get_by_role("button", name="Start the draft").click()
    expect(page.get_by_text("Plan drafted.")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Harm that has happened").fill("Ellis has had toothache for months.")
    page.get_by_label("Contingency: what will happen if the plan is not followed").fill("A strategy discussion.")
    page.get_by_label("The family's own words").fill("We want Ellis to be well.")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_text("Draft version 1 saved.")).to_be_visible()
    _objective(page, "Take Ellis to the dentist", 14, family=True)
    assert_no_axe_violations(page)
    _objective(page, "Book the dental appointment", 7, family=False)
    _objective(page, "Brush Ellis's teeth twice a day", 30, family=True)
    expect(page.get_by_role("table").filter(has_text="What will be done").get_by_role("row")).to_have_count(4)


def _agree_it_with_the_family(page: Page) -> None:
    """Agree it with the family."""
    page.get_by_role("link", name="Record the agreement").click()
    assert_no_axe_violations(page)
    page.get_by_label("When was the plan agreed?").fill(_day())
    page.get_by_label("In person, at a meeting").check()
    page.locator("input[name=professionals]").first.check()
    page.locator("#id_family-0-name").fill("Jo Marsh")
    page.locator("#id_family-0-relationship").fill("Mother")
    page.get_by_label("Is there anything the family does not agree with? (in their words)").fill(
        "We brush every day already."
    )
    page.get_by_role("button", name="Record the agreement").click()
    expect(page.get_by_text("Version 1 agreed.")).to_be_visible()
    expect(page.get_by_text("We brush every day already.")).to_be_visible()
    assert_no_axe_violations(page)


def _progress_on_an_objective(page: Page) -> None:
    """Progress on an objective."""
    page.get_by_role("link", name="Progress on objective 1").click()
    page.get_by_label("In progress").check()
    page.get_by_label("Amber: some progress, not enough yet").check()
    page.get_by_label("Evidence").fill("Appointment booked for next week.")
    page.get_by_role("button", name="Record progress").click()
    expect(page.get_by_text("Progress recorded.")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Back to plan").click()


def _review_with_scaling_scores(page: Page) -> None:
    """A review with scaling scores from three people."""
    page.get_by_role("link", name="Record a review").click()
    assert_no_axe_violations(page)
    page.get_by_label("When was the review meeting?").fill(_day())
    page.get_by_label("Who attended?").fill("Jo Marsh (mother)\nEllis\nHealth visitor")
    page.get_by_label("What was decided?").fill("Carry on with the plan.")
    page.get_by_label("When is the next review?").fill(_day(NEXT_REVIEW))
    page.locator("#id_scores-0-person").select_option(index=1)
    page.locator("#id_scores-0-score").fill("4")
    page.locator("#id_scores-0-reason").fill("The appointment has not happened yet.")
    for row, (name, role, score, reason) in enumerate(
        (("Jo Marsh", "Mother", "7", "We are on it."), ("Ellis", "Child", "6", "My tooth hurts less.")), start=1
    ):
        page.locator(f"#id_scores-{row}-person").select_option("other")
        page.locator(f"#id_scores-{row}-name").fill(name)
        page.locator(f"#id_scores-{row}-role").fill(role)
        page.locator(f"#id_scores-{row}-score").fill(score)
        page.locator(f"#id_scores-{row}-reason").fill(reason)
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_text("Review recorded.")).to_be_visible()
    expect(page.get_by_role("heading", name="Scaling scores over time")).to_be_visible()
    expect(page.get_by_role("table", name="Disagreement at each review").get_by_role("cell", name="3")).to_be_visible()
    assert_no_axe_violations(page)
    assert ScalingScore.objects.count() == 3


def _the_familys_version(page: Page, tmp_path: Path, lead: Any) -> None:
    """The family's PDF, downloaded through the plan page's link: plain words without a doubled article
    ("a a meeting between professionals" from "A strategy discussion"), the review's next review date
    (not a date already past), and the lead professional's number."""
    page.get_by_role("link", name="Back to plan").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the family's version of the agreed plan (PDF)").click()
    plan = CarePlan.objects.get()
    assert download.value.url.endswith(f"/plans/{plan.pk}/family.pdf")
    assert download.value.suggested_filename == f"our-plan-{plan.pk}-version-1.pdf"
    path = tmp_path / "family.pdf"
    download.value.save_as(path)
    layout = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(layout.split())
    assert "a meeting between professionals" in text.lower()  # the contingency, in plain words
    assert not re.search(r"\b(a|an|the) (a|an|the)\b", text, re.IGNORECASE), text
    review = timezone.localdate() + timedelta(days=NEXT_REVIEW)
    assert re.findall(r"We will meet to check the plan on (\d+ \w+ \d{4})", text) == [f"{review.day} {review:%B %Y}"]
    assert f"You can contact {lead.get_full_name()} on 01632 960123." in text


def _amend_the_plan(page: Page) -> None:
    """Amend: a new draft, change one objective's date and add one."""
    page.get_by_role("link", name="Amend the plan").click()
    page.get_by_role("button", name="Make a new draft").click()
    expect(page.get_by_text("Draft version 2 made from the agreed plan.")).to_be_visible()
    page.get_by_role("link", name="Change objective 1").click()
    page.get_by_label("By when?").fill(_day(21))
    page.get_by_role("button", name="Save the objective").click()
    expect(page.get_by_text("Objective changed.")).to_be_visible()
    _objective(page, "Go to the school dental check", 40, family=True)


def _see_the_difference(page: Page) -> None:
    """See the difference."""
    page.get_by_role("link", name="What changed between versions").click()
    expect(page.get_by_role("heading", name="What changed from version 1 to version 2")).to_be_visible()
    expect(page.get_by_role("heading", name="Objectives added")).to_be_visible()
    expect(page.get_by_text("Go to the school dental check")).to_be_visible()
    expect(page.get_by_role("heading", name="Objectives changed")).to_be_visible()
    assert_no_axe_violations(page)
    plan = CarePlan.objects.get()
    assert plan.versions.get(number=1).objectives.count() == 3
    assert plan.versions.get(number=2).objectives.count() == 4
