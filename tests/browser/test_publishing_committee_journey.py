"""A committee report end to end in the browser: a review with five recommendations → the business unit
creates the action plan with an action per recommendation (through the action plans pages) → a lead
officer posts an update → the business unit creates the committee report from the review page, edits
its text, generates it and downloads the PDF (its text checked with pdftotext) → the committee's
decision is recorded against the plan version the report carried. axe-core finds no violations on
the committee report pages."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from safeguarding.actionplans.models import Action, ActionPlan, CommitteeDecision
from safeguarding.agencies.enums import Role
from safeguarding.publishing.models import GeneratedReport
from safeguarding.reviews import services as review_services
from safeguarding.reviews.defaults import install_themes
from safeguarding.reviews.tests.conftest import build_review_cast
from safeguarding.testing import factories as f
from tests.browser.checks import assert_no_axe_violations
from tests.browser.session import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

RECOMMENDATIONS = [
    "The partnership should issue neglect practice guidance that looks at the whole picture.",
    "Health services should treat repeated missed appointments as a safeguarding concern.",
    "Schools should share concerns about hunger with the health visitor.",
    "Early help should not close a case for non-engagement without a multi-agency discussion.",
    "Police should tell schools after each domestic abuse call-out where children live.",
]


def _as(page: Page, base: str, user, device) -> None:
    page.context.clear_cookies()
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # the same person may sign in twice in 30 s
    device.refresh_from_db()
    sign_in(page, base, user.username, device)
    expect(page.get_by_role("heading", name="Hello")).to_be_visible()


def _submit(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


@dataclass
class Journey:
    page: Page
    base: str
    rc: Any
    review: Any
    recs: list[Any]
    chair: Any
    today: date
    devices: dict[int, Any]
    plan: ActionPlan | None = None
    detail: str = ""

    @property
    def day(self) -> str:
        return self.today.strftime("%d/%m/%Y")

    def sign_in_as(self, user: Any) -> None:
        _as(self.page, self.base, user, self.devices[user.pk])

    @property
    def the_plan(self) -> ActionPlan:
        assert self.plan is not None
        return self.plan


def test_committee_report_journey(live_server, page: Page, tmp_path) -> None:
    j = _set_up(live_server, page)
    _create_the_action_plan(j)
    _lead_officer_posts_an_update(j)
    _create_and_edit_the_report(j)
    _generate_and_read_the_pdf(j, tmp_path)
    _record_the_committees_decision(j)


def _set_up(live_server, page: Page) -> Journey:
    install_themes()  # a transactional test starts from a flushed database
    rc = build_review_cast()
    review = rc.notify()
    rc.to_in_progress(review)
    review.refresh_from_db()
    recs = [review_services.add_recommendation(actor=rc.business, review=review, text=t) for t in RECOMMENDATIONS]
    chair = f.member(rc.partners[1], Role.SENIOR_MANAGER, username="chair")
    today = timezone.localdate()
    devices = {
        u.pk: TOTPDevice.objects.create(user=u, name="App", confirmed=True) for u in (rc.business, rc.health_lead)
    }
    return Journey(page, live_server.url, rc, review, recs, chair, today, devices)


def _create_the_action_plan(j: Journey) -> None:
    """The business unit starts the review's action plan and adds one action per recommendation."""
    page, base, rc, today = j.page, j.base, j.rc, j.today
    j.sign_in_as(rc.business)
    page.goto(f"{base}/action-plans/new/?review={j.review.pk}")
    page.get_by_label("Owner group", exact=True).fill("Case review subgroup")
    page.get_by_label("Chair of the owner group").select_option(value=str(j.chair.pk))
    _submit(page, "Create the plan")
    expect(page.get_by_text(re.compile(r"Action plan AP-\d+ created"))).to_be_visible()
    plan = j.plan = ActionPlan.objects.get(review=j.review)
    for number, rec in enumerate(j.recs, start=1):
        page.goto(f"{base}/action-plans/{plan.pk}/actions/new/")
        page.get_by_label("Recommendation this action answers").select_option(value=str(rec.pk))
        page.get_by_label("What will be done").fill(f"Action for recommendation {number}: brief every team.")
        page.get_by_label("Lead agency", exact=True).select_option(label=rc.cast.agency.name)
        page.get_by_label("Lead officer", exact=True).select_option(value=str(rc.health_lead.pk))
        # The first action is already overdue.
        page.get_by_label("Start date", exact=True).fill((today - timedelta(days=60)).strftime("%d/%m/%Y"))
        due = today - timedelta(days=5) if number == 1 else today + timedelta(days=30 * number)
        page.get_by_label("Due date", exact=True).fill(due.strftime("%d/%m/%Y"))
        page.get_by_label("Success measure").fill("A re-audit finds it in practice.")
        _submit(page, "Add the action")
        expect(page.get_by_text(re.compile(r"Action AP-\d+-A\d+ added"))).to_be_visible()
    assert plan.actions.count() == 5


def _lead_officer_posts_an_update(j: Journey) -> None:
    """The lead officer posts an update on their action."""
    page = j.page
    action = Action.objects.get(plan=j.the_plan, number=2)
    j.sign_in_as(j.rc.health_lead)
    page.goto(f"{j.base}/action-plans/actions/{action.pk}/")
    page.get_by_label("Date of the update").fill(j.day)
    page.get_by_label("At risk", exact=True).check()
    page.get_by_label("Amber", exact=True).check()
    page.get_by_label("Progress since the last update").fill("The procedure is drafted; the team is short-staffed.")
    _submit(page, "Add the update")
    expect(page.get_by_text("Update added.")).to_be_visible()


def _create_and_edit_the_report(j: Journey) -> None:
    """The business unit creates the committee report from the review page, then edits its text."""
    page = j.page
    j.sign_in_as(j.rc.business)
    page.goto(f"{j.base}/reviews/{j.review.pk}/")
    page.get_by_role("link", name="Start a committee report").click()
    expect(page.get_by_label("Committee", exact=True)).to_have_value(
        "Children and Young People Overview and Scrutiny Committee"
    )
    assert_no_axe_violations(page)
    page.get_by_label("Item number").fill("7")
    _submit(page, "Create the report")
    expect(page.get_by_text("Committee report created.")).to_be_visible()
    assert_no_axe_violations(page)
    j.detail = page.url

    page.get_by_role("link", name="Edit the text").click()
    assert_no_axe_violations(page)
    page.get_by_label("Executive summary").fill("The review found that no agency saw the whole picture of neglect.")
    page.get_by_label("Financial implications verified by").fill("A Finance Partner, Children's Services")
    _submit(page, "Save as a new version")
    expect(page.get_by_text("Text saved as a new version.")).to_be_visible()
    page.get_by_role("link", name="Versions and changes").click()
    expect(page.get_by_text("Changes from version 1 to version 2")).to_be_visible()
    assert_no_axe_violations(page)


def _generate_and_read_the_pdf(j: Journey, tmp_path: Any) -> None:
    """Generate the documents, download the PDF and check its text with pdftotext."""
    page = j.page
    page.goto(j.detail)
    _submit(page, "Generate PDF and Word documents")
    expect(page.get_by_text("Report generated.")).to_be_visible()
    assert_no_axe_violations(page)
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(r"^PDF")).click()
    download = info.value
    assert re.fullmatch(r"committee-report-cmr-\d{4}-\d{4}-\d\d-\d\d-\d{4}\.pdf", download.suggested_filename)
    path = tmp_path / "report.pdf"
    download.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    text = " ".join(
        subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True).stdout.split()
    )
    text = re.sub(r"(\w)- (\w)", r"\1-\2", text)
    for rec in RECOMMENDATIONS:
        assert rec in text
    assert "The review found that no agency saw the whole picture of neglect." in text
    assert "At risk (Amber)" in text
    assert "5 actions: 0 complete, 1 overdue" in text
    assert "Ellis" not in text
    assert "Marsh" not in text


def _record_the_committees_decision(j: Journey) -> None:
    """The committee referred it back: recorded against the version the report carried."""
    page = j.page
    page.get_by_role("link", name=re.compile(r"^Record the committee's decision")).click()
    assert_no_axe_violations(page)
    page.get_by_label("Referred back with questions").check()
    page.get_by_label("Date of the meeting").fill(j.day)
    _submit(page, "Record the decision")
    expect(page.locator(".govuk-error-summary")).to_contain_text("questions")
    page.get_by_label("The committee's questions or conditions").fill("Why is the guidance overdue?")
    _submit(page, "Record the decision")
    expect(page.get_by_text("The committee's decision is recorded against the plan version it saw.")).to_be_visible()
    expect(page.get_by_text("Referred back with questions on")).to_be_visible()
    generated = GeneratedReport.objects.get()
    decision = CommitteeDecision.objects.get()
    assert decision.plan_version == generated.plan_version
    assert decision.questions == "Why is the guidance overdue?"

    page.goto(f"{j.base}/reports/")
    assert_no_axe_violations(page)
