"""An action plan end to end in the browser: the business unit starts the plan from a review with five
recommendations and adds actions → the lead officer posts an update completing their action → the
plan's chair signs off its completion. axe-core finds no violations on the pages on the way."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from safeguarding.actionplans.enums import ActionStatus
from safeguarding.actionplans.models import Action, ActionPlan
from safeguarding.actionplans.tests.conftest import RECOMMENDATIONS
from safeguarding.agencies.enums import Role
from safeguarding.reviews import services as review_services
from safeguarding.reviews.tests.conftest import build_review_cast
from safeguarding.testing import factories as f
from tests.browser.checks import assert_no_axe_violations
from tests.browser.session import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _as(page: Page, base: str, user, device) -> None:
    page.context.clear_cookies()
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # the same person may sign in twice in 30 s
    device.refresh_from_db()
    sign_in(page, base, user.username, device)
    expect(page.get_by_role("heading", name="Hello")).to_be_visible()


def _submit(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


def test_action_plan_from_review_to_sign_off(live_server, page: Page) -> None:
    rc = build_review_cast()
    review = rc.to_in_progress(rc.notify())
    for text in RECOMMENDATIONS:
        review_services.add_recommendation(actor=rc.business, review=review, text=text)
    chair = f.member(rc.cast.partner_agency, Role.SENIOR_MANAGER, username="chair", first_name="Chris")
    lead = rc.cast.involved
    devices = {u.pk: TOTPDevice.objects.create(user=u, name="App", confirmed=True) for u in (rc.business, lead, chair)}
    base = live_server.url
    today = timezone.localdate()
    plan = _start_the_plan_from_the_review(page, base, chair, devices, rc, review)
    _add_two_actions(page, lead, rc, today, plan)
    _version_1_to_the_committee(page, base, today, plan)
    action = _the_lead_officer_completes_their_action(page, base, devices, lead, plan)
    _the_chair_signs_it_off(page, base, chair, devices, action)
    _changes_since_the_accepted_version(page, base, plan)


def _start_the_plan_from_the_review(
    page: Page, base: str, chair: Any, devices: Any, rc: Any, review: Any
) -> ActionPlan:
    """The business unit starts the plan from the review's page."""
    _as(page, base, rc.business, devices[rc.business.pk])
    page.goto(f"{base}/reviews/{review.pk}/")
    page.get_by_role("link", name="Start the action plan").click()
    assert_no_axe_violations(page)
    page.get_by_label("Owner group", exact=True).fill("Case review subgroup")
    page.get_by_label("Chair of the owner group").select_option(value=str(chair.pk))
    _submit(page, "Create the plan")
    expect(page.get_by_text("Add its actions next.")).to_be_visible()
    plan = ActionPlan.objects.get(review=review)
    expect(page.get_by_text("No action yet")).to_have_count(5)
    return plan


def _add_two_actions(page: Page, lead: Any, rc: Any, today: date, plan: ActionPlan) -> None:
    """Two actions: one for recommendation 2 (led by the health practitioner), one for recommendation 5."""
    for number, officer, agency in ((2, lead, rc.cast.agency), (5, rc.cast.partner, rc.cast.partner_agency)):
        page.get_by_role("link", name=f"Add an action for recommendation {number}").click()
        page.get_by_label("What will be done").fill(f"Action for recommendation {number}.")
        page.get_by_label("Lead agency", exact=True).select_option(label=agency.name)
        page.get_by_label("Lead officer", exact=True).select_option(value=str(officer.pk))
        page.get_by_label("Start date", exact=True).fill((today - timedelta(days=7)).strftime("%d/%m/%Y"))
        page.get_by_label("Due date", exact=True).fill((today + timedelta(days=30)).strftime("%d/%m/%Y"))
        page.get_by_label("Success measure").fill("An audit finds the change in practice.")
        _submit(page, "Add the action")
        expect(page.get_by_text(f"Action {plan.reference}-A")).to_be_visible()
    expect(page.get_by_text("No action yet")).to_have_count(3)
    assert_no_axe_violations(page)


def _version_1_to_the_committee(page: Page, base: str, today: date, plan: ActionPlan) -> None:
    """The plan goes to the scrutiny committee as version 1, which accepts it."""
    page.get_by_role("link", name="Freeze a version").click()
    page.get_by_label("Why is this version frozen?").fill("Submitted to the scrutiny committee")
    _submit(page, "Freeze this version")
    expect(page.get_by_text("Version 1 of the plan frozen.")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Record the committee's decision on this version").click()
    page.get_by_label("Committee", exact=True).fill("Children's Services Scrutiny Committee")
    page.get_by_label("Date of the meeting").fill(today.strftime("%d/%m/%Y"))
    page.get_by_label("Accepted").check()
    _submit(page, "Record the decision")
    expect(page.get_by_text("Decision recorded against version 1.")).to_be_visible()
    page.goto(f"{base}/action-plans/")
    expect(page.get_by_role("link", name=f"{plan.reference}: {plan.title}")).to_be_visible()
    assert_no_axe_violations(page)


def _the_lead_officer_completes_their_action(
    page: Page, base: str, devices: Any, lead: Any, plan: ActionPlan
) -> Action:
    """The lead officer finds their action on the home page and completes it."""
    action = Action.objects.get(plan=plan, lead_officer=lead)
    _as(page, base, lead, devices[lead.pk])
    expect(page.get_by_role("heading", name="Your actions")).to_be_visible()
    page.get_by_role("link", name=action.reference).click()
    assert_no_axe_violations(page)
    page.get_by_label("Complete", exact=True).check()
    page.get_by_label("Blue (complete)").check()
    page.get_by_label("Progress since the last update").fill("Policy approved by every provider.")
    _submit(page, "Add the update")
    expect(page.get_by_text("Update added.")).to_be_visible()
    assert_no_axe_violations(page)
    other = Action.objects.exclude(pk=action.pk).get()
    page.goto(f"{base}/action-plans/actions/{other.pk}/")
    expect(page.get_by_role("heading", name="Add an update")).to_have_count(0)  # not theirs
    return action


def _the_chair_signs_it_off(page: Page, base: str, chair: Any, devices: Any, action: Action) -> None:
    """The chair signs off its completion."""
    _as(page, base, chair, devices[chair.pk])
    page.goto(f"{base}/action-plans/actions/{action.pk}/")
    _submit(page, "Sign off completion")
    expect(page.get_by_text(f"Completion of {action.reference} signed off.")).to_be_visible()
    assert_no_axe_violations(page)
    action.refresh_from_db()
    assert action.status == ActionStatus.COMPLETE
    assert action.signed_off_by == chair


def _changes_since_the_accepted_version(page: Page, base: str, plan: ActionPlan) -> None:
    """What changed since the accepted version shows on the plan page."""
    page.goto(f"{base}/action-plans/{plan.pk}/")
    expect(page.get_by_role("cell", name="Completion signed off")).to_be_visible()
