"""A committee report end to end in the browser: a review with five recommendations → the business unit
creates the action plan with an action per recommendation (through the action plans pages) → a lead
officer posts an update → the business unit creates the committee report from the review page, edits
its text, generates it and downloads the PDF (its text checked with pdftotext) → the committee's
decision is recorded against the plan version the report carried. axe-core finds no violations on
the committee report pages."""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta

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
from tests.browser.test_sign_in_and_find_a_child import assert_no_axe_violations, sign_in

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


def test_committee_report_journey(live_server, page: Page, tmp_path) -> None:
    install_themes()  # a transactional test starts from a flushed database
    rc = build_review_cast()
    review = rc.notify()
    rc.to_in_progress(review)
    review.refresh_from_db()
    recs = [review_services.add_recommendation(actor=rc.business, review=review, text=t) for t in RECOMMENDATIONS]
    chair = f.member(rc.partners[1], Role.SENIOR_MANAGER, username="chair")
    base = live_server.url
    today = timezone.localdate()
    day = today.strftime("%d/%m/%Y")
    devices = {
        u.pk: TOTPDevice.objects.create(user=u, name="App", confirmed=True) for u in (rc.business, rc.health_lead)
    }

    # The business unit starts the review's action plan and adds one action per recommendation.
    _as(page, base, rc.business, devices[rc.business.pk])
    page.goto(f"{base}/action-plans/new/?review={review.pk}")
    page.get_by_label("Owner group", exact=True).fill("Case review subgroup")
    page.get_by_label("Chair of the owner group").select_option(value=str(chair.pk))
    _submit(page, "Create the plan")
    expect(page.get_by_text(re.compile(r"Action plan AP-\d+ created"))).to_be_visible()
    plan = ActionPlan.objects.get(review=review)
    for number, rec in enumerate(recs, start=1):
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

    # The lead officer posts an update on their action.
    action = Action.objects.get(plan=plan, number=2)
    _as(page, base, rc.health_lead, devices[rc.health_lead.pk])
    page.goto(f"{base}/action-plans/actions/{action.pk}/")
    page.get_by_label("Date of the update").fill(day)
    page.get_by_label("At risk", exact=True).check()
    page.get_by_label("Amber", exact=True).check()
    page.get_by_label("Progress since the last update").fill("The procedure is drafted; the team is short-staffed.")
    _submit(page, "Add the update")
    expect(page.get_by_text("Update added.")).to_be_visible()

    # The business unit creates the committee report from the review page.
    _as(page, base, rc.business, devices[rc.business.pk])
    page.goto(f"{base}/reviews/{review.pk}/")
    page.get_by_role("link", name="Start a committee report").click()
    expect(page.get_by_label("Committee", exact=True)).to_have_value(
        "Children and Young People Overview and Scrutiny Committee"
    )
    assert_no_axe_violations(page)
    page.get_by_label("Item number").fill("7")
    _submit(page, "Create the report")
    expect(page.get_by_text("Committee report created.")).to_be_visible()
    assert_no_axe_violations(page)
    detail = page.url

    page.get_by_role("link", name="Edit the text").click()
    assert_no_axe_violations(page)
    page.get_by_label("Executive summary").fill("The review found that no agency saw the whole picture of neglect.")
    page.get_by_label("Financial implications verified by").fill("A Finance Partner, Children's Services")
    _submit(page, "Save as a new version")
    expect(page.get_by_text("Text saved as a new version.")).to_be_visible()
    page.get_by_role("link", name="Versions and changes").click()
    expect(page.get_by_text("Changes from version 1 to version 2")).to_be_visible()
    assert_no_axe_violations(page)

    page.goto(detail)
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

    # The committee referred it back: recorded against the version the report carried.
    page.get_by_role("link", name=re.compile(r"^Record the committee's decision")).click()
    assert_no_axe_violations(page)
    page.get_by_label("Referred back with questions").check()
    page.get_by_label("Date of the meeting").fill(day)
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

    page.goto(f"{base}/reports/")
    assert_no_axe_violations(page)
