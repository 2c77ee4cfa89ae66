"""Two people in two agencies run an escalation end to end in the browser: raise → respond → escalate →
agree outcome → resolve; then the business unit's report counts it. axe-core finds no violations."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from safeguarding.agencies.enums import AgencyKind, Role
from safeguarding.escalations.defaults import install_defaults
from safeguarding.escalations.forms import child_label
from safeguarding.escalations.models import Escalation
from safeguarding.escalations.tests.helpers import entry_about
from safeguarding.testing import factories as f
from safeguarding.testing.personas import build_cast
from tests.browser.checks import assert_no_axe_violations, assert_no_axe_violations_without_javascript
from tests.browser.session import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
OLDER, NEWER = "Seen at the clinic with a bruise.", "Home visit: the bruise is fading."


def _date(days_ago: int) -> date:
    return timezone.localdate() - timedelta(days=days_ago)


def _day(days_ago: int) -> str:
    return f"{_date(days_ago):%d/%m/%Y}"


def _as(page: Page, base: str, user, device) -> None:
    page.context.clear_cookies()
    # The same person signs in twice within one 30-second window: allow the code again (replay guard).
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    sign_in(page, base, user.username, device)
    expect(page.get_by_role("heading", name="Hello")).to_be_visible()


def _raise_from_the_childs_record(page: Page, base: str, cast) -> None:
    """From the child's record: the autocomplete finds only visible children, people follow the agency
    chosen, the child's entries are offered as evidence (most recent first, with their summaries)."""
    # The child's record links to the raise page with the child chosen.
    f.ChildFactory(first_name="Ellie", last_name="Unseen")  # exists, but nobody here works with her
    page.goto(f"{base}/children/{cast.child.pk}/")
    page.get_by_role("link", name="Raise an escalation about this child").click()
    expect(page.get_by_role("combobox", name="Which child is this about?")).to_have_value(re.compile(r"^Ellis Marsh"))
    # The autocomplete replaces the no-JavaScript search, and finds only children this person may see.
    expect(page.get_by_label("Find the child by name")).to_be_hidden()
    child = page.get_by_role("combobox", name="Which child is this about?")
    child.fill("Ell")
    expect(page.get_by_role("option", name=re.compile("Ellis Marsh"))).to_be_visible()
    expect(page.get_by_role("option", name=re.compile("Ellie"))).to_have_count(0)
    page.get_by_role("option", name=re.compile("Ellis Marsh")).click()
    expect(page.get_by_label(re.compile("Seen at the clinic"))).to_be_visible()  # evidence, with its summary
    # Most recent first, by the day it happened (the newer entry was recorded first).
    evidence = page.locator("input[name=evidence] + label")
    expect(evidence).to_have_text(
        [f"{_day(0)}, Test Community Health: Other. {NEWER}", f"{_day(14)}, Test Community Health: Other. {OLDER}"]
    )
    # People follow the agency chosen.
    person = page.get_by_label("Person in that agency, if you know who")
    expect(person.locator("option", has_text="Housing Worker")).to_have_count(1)
    page.get_by_label("Which agency do you disagree with?").select_option(label="Test Police")
    expect(person.locator("option", has_text="Housing Worker")).to_have_count(0)
    expect(person.locator("option", has_text="Police Officer")).to_have_count(1)
    assert_no_axe_violations(page)
    page.get_by_label(re.compile("Seen at the clinic")).check()
    page.get_by_label("Threshold decision").check()
    page.get_by_label("What decision or situation do you disagree with?").fill("Closed with no further action.")
    page.get_by_label("What do you want to happen?").fill("A strategy discussion.")
    page.get_by_label("4 – Specialist or statutory").check()
    page.get_by_role("button", name="Raise the escalation").click()
    expect(page.get_by_role("heading", name="Escalation ESC-")).to_be_visible()
    raised = Escalation.objects.get()
    assert [e.summary for e in raised.evidence.all()] == [OLDER]
    assert list(raised.children.all()) == [cast.child]
    assert_no_axe_violations(page)


def test_escalation_journey_and_report(live_server, page: Page) -> None:
    install_defaults()  # a transactional test starts from a flushed database, without the data migration's rows
    cast = build_cast()
    base = live_server.url
    bu = f.member(
        f.AgencyFactory(code="BU", name="Test Business Unit", kind=AgencyKind.BUSINESS_UNIT),
        Role.BUSINESS_UNIT,
        username="bu",
    )
    for user, (first, last) in ((cast.partner, ("Police", "Officer")), (cast.unrelated, ("Housing", "Worker"))):
        user.first_name, user.last_name = first, last
        user.save(update_fields=["first_name", "last_name"])
    entry_about(cast.involved, cast.agency, cast.child, summary=NEWER)
    entry_about(cast.involved, cast.agency, cast.child, summary=OLDER, occurred_on=_date(14))
    devices = {
        u.pk: TOTPDevice.objects.create(user=u, name="App", confirmed=True) for u in (cast.involved, cast.partner, bu)
    }

    # Raise (health visitor, raising agency).
    _as(page, base, cast.involved, devices[cast.involved.pk])
    _raise_from_the_childs_record(page, base, cast)
    detail = page.url

    # Respond (police, receiving agency): the child is not named to them.
    _as(page, base, cast.partner, devices[cast.partner.pk])
    page.goto(detail)
    expect(page.get_by_text("Ellis Marsh")).to_have_count(0)
    page.get_by_role("link", name="Respond").click()
    assert_no_axe_violations(page)
    page.get_by_label("Disagrees").check()
    page.get_by_label("Your reasons").fill("Below the threshold for a strategy discussion.")
    page.get_by_role("button", name="Send response").click()
    expect(page.get_by_text("Response sent.")).to_be_visible()

    # Escalate (raiser).
    _as(page, base, cast.involved, devices[cast.involved.pk])
    page.goto(detail)
    page.get_by_role("link", name="Move to the next stage").click()
    expect(page.get_by_role("heading", name="Move to the next stage")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Reason").fill("The children are still at risk.")
    page.get_by_role("button", name="Move to the next stage").click()
    expect(page.get_by_text("Moved to the next stage.")).to_be_visible()

    # Respond at stage 2 and agree the outcome: the raiser's agency manager and receiving manager would do
    # this; here the raiser records the outcome after the receiving side's manager responds.
    manager = f.member(cast.partner_agency, Role.MANAGER, username="police.manager")
    device = TOTPDevice.objects.create(user=manager, name="App", confirmed=True)
    _as(page, base, manager, device)
    page.goto(detail)
    page.get_by_role("link", name="Respond").click()
    page.get_by_label("Agrees", exact=True).check()
    page.get_by_label("Your reasons").fill("On review, a strategy discussion is needed.")
    page.get_by_role("button", name="Send response").click()
    page.get_by_role("link", name="Record the outcome and agreed actions").click()
    assert_no_axe_violations(page)
    page.get_by_label("What outcome did you agree?").fill("Strategy discussion on Friday.")
    page.get_by_role("button", name="Record outcome").click()
    expect(page.get_by_text("Outcome recorded.")).to_be_visible()

    # Resolve (raiser accepts).
    _as(page, base, cast.involved, devices[cast.involved.pk])
    page.goto(detail)
    page.get_by_role("link", name="Accept the outcome").click()
    expect(page.get_by_role("heading", name="Accept the outcome")).to_be_visible()
    # "(optional)" once: the label already said it, and the form once added it again (issue 17).
    expect(page.locator("label[for=id_note]")).to_have_text("Anything to add (optional)")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Accept and resolve").click()
    expect(page.get_by_text("Outcome accepted.")).to_be_visible()
    assert_no_axe_violations(page)

    # The business unit's report counts it.
    _as(page, base, bu, devices[bu.pk])
    page.goto(f"{base}/escalations/report/")
    table = page.locator("#table-outcome")
    expect(table.get_by_role("row", name="Resolved 1", exact=True)).to_be_visible()
    expect(page.locator("#table-raising-agency").get_by_role("row", name="Test Community Health 1")).to_be_visible()
    assert_no_axe_violations(page)


def test_raising_without_javascript_finds_the_child_and_checks_the_person(live_server, browser) -> None:
    """The progressive-enhancement fallback: a name search and a select, and the server refusing a
    person from another agency, with everything typed kept."""
    install_defaults()
    cast = build_cast()
    entry_about(cast.involved, cast.agency, cast.child, summary="Seen at the clinic with a bruise.")
    device = TOTPDevice.objects.create(user=cast.involved, name="App", confirmed=True)
    context = browser.new_context(java_script_enabled=False, locale="en-GB", timezone_id="Europe/London")
    page = context.new_page()
    try:
        sign_in(page, live_server.url, cast.involved.username, device)
        page.goto(f"{live_server.url}/escalations/raise/")
        page.get_by_label("Find the child by name").fill("Marsh")
        page.get_by_label("What do you want to happen?").fill("A strategy discussion.")
        page.get_by_role("button", name="Find the child").click()
        expect(page.get_by_text("1 child found: choose one below.")).to_be_visible()
        child = page.get_by_label("Which child is this about?")
        expect(child.locator("option")).to_have_count(2)  # "Choose a child" and Ellis (not the police's Robin)
        child.select_option(label=child_label(cast.child))
        page.get_by_role("button", name="Find the child").click()  # shows the child's entries
        expect(page.get_by_label(re.compile("Seen at the clinic"))).to_be_visible()
        assert_no_axe_violations_without_javascript(page, browser)  # the search and the select, no autocomplete
        page.get_by_label(re.compile("Seen at the clinic")).check()
        page.get_by_label("Which agency do you disagree with?").select_option(label="Test Police")
        page.get_by_label("Person in that agency, if you know who").select_option(label=cast.unrelated.get_full_name())
        page.get_by_label("Threshold decision").check()
        page.get_by_label("What decision or situation do you disagree with?").fill("Closed with no action.")
        page.get_by_label("4 – Specialist or statutory").check()
        page.get_by_role("button", name="Raise the escalation").click()
        expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
        expect(page.get_by_role("link", name=re.compile("does not work in Test Police"))).to_be_visible()
        expect(page.get_by_label("What do you want to happen?")).to_have_value("A strategy discussion.")
        expect(page.get_by_label(re.compile("Seen at the clinic"))).to_be_checked()
        page.get_by_label("Person in that agency, if you know who").select_option(label="Not known")
        page.get_by_role("button", name="Raise the escalation").click()
        expect(page.get_by_role("heading", name="Escalation ESC-")).to_be_visible()
    finally:
        context.close()
    assert [e.summary for e in Escalation.objects.get().evidence.all()] == ["Seen at the clinic with a bruise."]
