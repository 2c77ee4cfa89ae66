"""A service audit end to end in the browser: the business unit plans a service audit of the early-help
service → names two agencies' auditors → moves the end date and removes an auditor named by mistake →
draws a sample of 10 → each agency grades its part (the health and police auditors, the police grading
the voice of the child lower on one case) → the lead moderates the difference → records a finding →
creates an action in the audit's action plan. axe-core finds no violations on the main pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from safeguarding.actionplans.models import Action
from safeguarding.agencies.enums import AgencyKind, Role
from safeguarding.audits import services
from safeguarding.audits.models import Audit, ModeratedGrade
from safeguarding.testing import factories as f
from safeguarding.testing.personas import build_cast
from tests.browser.checks import assert_no_axe_violations
from tests.browser.session import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _as(page: Page, base: str, user, device) -> None:
    page.context.clear_cookies()
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # the same person may sign in twice in 30 s
    device.refresh_from_db()
    sign_in(page, base, user.username, device)
    expect(page.get_by_role("heading", name="Hello")).to_be_visible()


def _grade_case_in_browser(page: Page, agency_name: str, voice: str) -> None:
    page.get_by_role("link", name=f"Grade {agency_name}'s practice").click()
    assert_no_axe_violations(page)
    for number in range(1, 11):
        page.locator(f"#id_q{number}_grade").select_option(voice if number == 8 else "good")
        page.locator(f"#id_q{number}_narrative").fill(f"{agency_name}: evidence for question {number}.")
    page.get_by_role("button", name="Save the grades").click()
    expect(page.get_by_text(f"{agency_name}'s grades for Case 1 saved.")).to_be_visible()


@dataclass
class Journey:
    page: Page
    base: str
    cast: Any
    today: date
    bu: Any
    police_auditor: Any
    devices: dict[int, Any]
    detail: str = ""
    audit: Audit | None = None

    def sign_in_as(self, user: Any) -> None:
        _as(self.page, self.base, user, self.devices[user.pk])

    @property
    def the_audit(self) -> Audit:
        assert self.audit is not None
        return self.audit


def test_service_audit_journey(live_server, page: Page) -> None:
    j = _set_up(live_server, page)
    _plan_the_audit(j)
    _name_the_auditors(j)
    _change_the_details_and_remove_an_auditor(j)
    _draw_the_sample(j)
    _grade_the_other_cases_by_service(j)
    _grade_case_1_in_the_browser(j)
    _moderate_the_difference(j)
    _record_a_finding_and_an_action(j)
    _see_the_summary(j)


def _set_up(live_server, page: Page) -> Journey:
    cast = build_cast()
    today = timezone.localdate()
    bu = f.member(
        f.AgencyFactory(code="BU", name="Test Business Unit", kind=AgencyKind.BUSINESS_UNIT),
        Role.BUSINESS_UNIT,
        username="bu",
        first_name="Fiona",
        last_name="Lead",
    )
    police_auditor = f.member(cast.partner_agency, Role.SAFEGUARDING_LEAD, username="police.auditor")
    for n in range(14):
        child = f.ChildFactory(first_name=f"Pool{n}", last_name="Sample", date_of_birth=date(2015, 1, 1 + n))
        f.InvolvementFactory(agency=cast.agency, child=child, service="Early help: family support")
    services.create_programme(actor=bu, year=today.year, title="Quality assurance programme")
    devices = {
        u.pk: TOTPDevice.objects.create(user=u, name="App", confirmed=True) for u in (bu, cast.involved, police_auditor)
    }
    return Journey(page, live_server.url, cast, today, bu, police_auditor, devices)


def _plan_the_audit(j: Journey) -> None:
    """Plan the service audit (the business unit, who also leads it)."""
    page, base, today, bu = j.page, j.base, j.today, j.bu
    j.sign_in_as(bu)
    page.goto(f"{base}/audits/new/")
    assert_no_axe_violations(page)
    page.get_by_label("Title").fill("Early help service audit")
    page.get_by_label("Service audit", exact=True).check()
    page.get_by_label("Service audited").fill("Early help service")
    page.get_by_label("The question the audit answers").fill(
        "Has early-help quality been sustained since the inspection?"
    )
    page.get_by_label("Audit lead").select_option(str(bu.pk))
    page.get_by_label("Audit starts").fill(today.strftime("%d/%m/%Y"))
    page.get_by_label("Audit ends").fill((today + timedelta(days=30)).strftime("%d/%m/%Y"))
    page.get_by_label("Practice period from").fill((today - timedelta(days=365)).strftime("%d/%m/%Y"))
    page.get_by_label("Practice period to").fill(today.strftime("%d/%m/%Y"))
    page.get_by_label("Test Community Health").check()
    page.get_by_label("Test Police").check()
    page.get_by_role("button", name="Plan the audit").click()
    # The banner (the page's history also says "...since it was planned.").
    expect(page.get_by_text(re.compile(r"^Audit AUD-\d+ planned\.$"))).to_be_visible()
    assert_no_axe_violations(page)
    j.detail = page.url
    j.audit = Audit.objects.get()


def _name_the_auditors(j: Journey) -> None:
    """Name one auditor per agency."""
    page, cast = j.page, j.cast
    for agency, person in ((cast.agency, cast.involved), (cast.partner_agency, j.police_auditor)):
        page.get_by_role("link", name="Name an auditor").click()
        page.get_by_label("Auditing for").select_option(str(agency.pk))
        page.get_by_label("Auditor", exact=True).select_option(str(person.pk))
        page.get_by_role("button", name="Name the auditor").click()
        expect(page.get_by_text(f"named as an auditor for {agency.name}")).to_be_visible()


def _change_the_details_and_remove_an_auditor(j: Journey) -> None:
    """The audit runs a fortnight longer; a third auditor named by mistake is removed, with a reason."""
    page, cast, today, audit = j.page, j.cast, j.today, j.the_audit
    page.get_by_role("link", name="Change the audit's details").click()
    assert_no_axe_violations(page)
    page.get_by_label("Audit ends").fill((today + timedelta(days=44)).strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Save the changes").click()
    expect(page.get_by_text("The audit's details were saved.")).to_be_visible()
    audit.refresh_from_db()
    assert audit.end_on == today + timedelta(days=44)
    page.get_by_role("link", name="Name an auditor").click()
    page.get_by_label("Auditing for").select_option(str(cast.partner_agency.pk))
    page.get_by_label("Auditor", exact=True).select_option(str(cast.partner.pk))
    page.get_by_role("button", name="Name the auditor").click()
    page.get_by_role("link", name=f"Remove {cast.partner} as an auditor").click()
    assert_no_axe_violations(page)
    page.get_by_label("Why this person is no longer an auditor").fill("Named by mistake: not in the audit team.")
    page.get_by_role("button", name="Remove the auditor").click()
    expect(page.get_by_text("their access has ended")).to_be_visible()
    assert not audit.auditors.filter(user=cast.partner).exists()


def _draw_the_sample(j: Journey) -> None:
    """Draw a sample of 10 open to the health agency's early-help service."""
    page = j.page
    page.get_by_role("link", name="Draw the sample").click()
    assert_no_axe_violations(page)
    page.get_by_label("Open to agency").select_option(str(j.cast.agency.pk))
    page.get_by_label("Service contains").fill("early help")
    page.get_by_label("Sample size").fill("10")
    page.get_by_label("Random seed").fill("2026")
    page.get_by_role("button", name="Draw the sample").click()
    expect(page.get_by_text("Sample drawn: 10 cases with seed 2026.")).to_be_visible()
    expect(page.locator("#sample tbody tr")).to_have_count(10)
    page.get_by_role("button", name="Start auditing").click()
    expect(page.get_by_text("The audit is now at in progress.")).to_be_visible()


def _grade_the_other_cases_by_service(j: Journey) -> None:
    """Cases 2 to 10 are graded alike by both agencies (as their systems would post them)."""
    cast, audit = j.cast, j.the_audit
    for case in audit.cases.exclude(number=1):
        for person, agency in ((cast.involved, cast.agency), (j.police_auditor, cast.partner_agency)):
            services.record_responses(
                actor=person,
                case=case,
                agency=agency,
                answers=[services.Answer(q, "good", "Recorded well.") for q in audit.tool.questions.all()],
            )


def _grade_case_1_in_the_browser(j: Journey) -> None:
    """Two agencies grade case 1 in the browser; the police see the child's voice as inadequate."""
    page, detail = j.page, j.detail
    j.sign_in_as(j.cast.involved)
    page.goto(detail)
    page.get_by_role("link", name="Case 1", exact=True).click()
    assert_no_axe_violations(page)
    _grade_case_in_browser(page, "Test Community Health", "good")
    j.sign_in_as(j.police_auditor)
    page.goto(detail)
    page.get_by_role("link", name="Case 1", exact=True).click()
    _grade_case_in_browser(page, "Test Police", "inadequate")


def _moderate_the_difference(j: Journey) -> None:
    """The lead moderates the difference, then closes moderation."""
    page, cast, detail = j.page, j.cast, j.detail
    j.sign_in_as(j.bu)
    page.goto(detail)
    page.get_by_role("button", name="Start moderation").click()
    page.get_by_role("link", name="Moderation", exact=True).click()
    expect(page.locator("#remaining")).to_have_text("1 of 1 still to moderate.")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Agree the grade for Case 1, Voice of the child").click()
    assert_no_axe_violations(page)
    page.get_by_label("Requires improvement").check()
    page.get_by_label("How the grade was agreed").fill("The child was seen but their words were not recorded.")
    page.get_by_role("button", name="Agree the grade").click()
    expect(page.locator("#remaining")).to_have_text("0 of 1 still to moderate.")
    assert ModeratedGrade.objects.get().agency_grades == {
        str(cast.agency.pk): "good",
        str(cast.partner_agency.pk): "inadequate",
    }
    page.goto(detail)
    page.get_by_role("button", name="Close moderation").click()
    expect(page.get_by_text("The audit is now at findings.")).to_be_visible()


def _record_a_finding_and_an_action(j: Journey) -> None:
    """A finding, and an action from it in the audit's action plan."""
    page, cast, today = j.page, j.cast, j.today
    page.get_by_role("link", name="Record a finding").click()
    page.get_by_label("Area for development").check()
    page.get_by_label("Finding", exact=True).fill("The child's own words are not recorded in every case.")
    page.get_by_label("Voice of the child").check()
    page.get_by_role("button", name="Record the finding").click()
    expect(page.get_by_text("Finding recorded.")).to_be_visible()
    page.get_by_role("link", name="Create an action from finding 1").click()
    assert_no_axe_violations(page)
    page.get_by_label("What will be done").fill("Practice workshop on recording the child's voice.")
    page.get_by_label("Lead agency").select_option(str(cast.agency.pk))
    page.get_by_label("Lead officer").select_option(str(cast.involved.pk))
    page.get_by_label("Due by").fill((today + timedelta(days=60)).strftime("%d/%m/%Y"))
    page.get_by_label("How we will know it worked").fill("The child's words are recorded in 8 of 10 cases at re-audit.")
    page.get_by_role("button", name="Create the action").click()
    expect(page.get_by_text("added to the audit's action plan.")).to_be_visible()
    action = Action.objects.get()
    assert action.plan.source == "audit"
    assert action.plan.source_reference == j.the_audit.reference
    expect(page.get_by_text(f"Actions: {action.reference}")).to_be_visible()
    assert_no_axe_violations(page)


def _see_the_summary(j: Journey) -> None:
    """The summary: grade distribution with its table."""
    page = j.page
    page.get_by_role("link", name="Summary of grades").click()
    expect(page.locator("#table-area").get_by_role("row", name="Voice of the child 0 9 1 0 10")).to_be_visible()
    assert_no_axe_violations(page)
