"""A practitioner signs in with two-factor authentication, uploads their agency's chronology file,
watches the import finish, and reads the imported entries in the child's merged chronology next
to another agency's; axe-core reports no accessibility violations on the chronology pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from safeguarding.agencies.enums import Role
from safeguarding.chronology.models import EventType
from safeguarding.chronology.tests.helpers import csv_bytes
from safeguarding.chronology.vocabulary import load_vocabulary
from safeguarding.testing import factories as f
from safeguarding.testing.personas import build_cast
from safeguarding.testing.recording import record_as_involved
from tests.browser.checks import assert_no_axe_violations
from tests.browser.session import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

# The suite runs in parallel on small machines: allow for a slow page.
expect.set_options(timeout=15_000)


def test_practitioner_imports_a_file_and_reads_the_merged_chronology(live_server, page: Page):
    # Transactional tests flush the tables between tests, the vocabulary's data migration included.
    load_vocabulary(EventType)
    cast = build_cast()
    officer = f.member(cast.partner_agency, Role.PRACTITIONER)
    record_as_involved(
        actor=officer,
        agency=cast.partner_agency,
        children=[cast.child],
        event_type=EventType.objects.get(code="police_domestic_abuse_incident"),
        occurred_on=dt.date(2024, 3, 20),
        summary="Officers called to a domestic incident at the home",
    )
    # One event, recorded by both agencies (same day, type and child): one row in the table and the
    # timeline's count, with a mark in each agency's lane (the caption once counted it twice: issue 17).
    for actor, agency in ((officer, cast.partner_agency), (cast.involved, cast.agency)):
        record_as_involved(
            actor=actor,
            agency=agency,
            children=[cast.child],
            event_type=EventType.objects.get(code="strategy_discussion"),
            occurred_on=dt.date(2024, 3, 25),
            summary="Strategy discussion held",
        )
    device = TOTPDevice.objects.create(user=cast.involved, name="App", confirmed=True)
    content = csv_bytes(
        ["Date", "Child name", "NHS No", "Event type", "Details", "Action taken"],
        ["12/03/2024", "Ellis Marsh", cast.child.nhs_number, "WNB", "Not brought to the hearing clinic", "Letter"],
        ["02/04/2024", "Ellis Marsh", cast.child.nhs_number, "DNA", "Not brought to the rearranged clinic", "Call"],
        ["15/04/2024", "Ellis Marsh", cast.child.nhs_number, "Health visitor contact", "Home visit, all well", ""],
    )

    sign_in(page, live_server.url, "involved", device)
    page.goto(f"{live_server.url}/chronology/imports/new/")
    page.get_by_label("Upload a chronology file").set_input_files(
        {"name": "health-visiting.csv", "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_role("button", name="Import file").click()

    # The progress page refreshes itself until the import finishes (here, at once).
    expect(page.get_by_role("heading", name="Import of health-visiting.csv")).to_be_visible()
    expect(page.get_by_role("heading", name="Import complete")).to_be_visible(timeout=20_000)
    expect(page.locator(".govuk-panel__body")).to_have_text("3 entries added")

    page.goto(f"{live_server.url}/children/{cast.child.pk}/")
    page.get_by_role("link", name="Chronology", exact=True).click()
    expect(page.get_by_role("heading", name="Integrated chronology")).to_be_visible()
    table = page.get_by_role("table")
    expect(table.get_by_text("Not brought to the hearing clinic")).to_be_visible()
    expect(table.get_by_text("Officers called to a domestic incident at the home")).to_be_visible()
    expect(table.get_by_role("row")).to_have_count(1 + 5)
    expect(table.get_by_role("row", name="Strategy discussion held")).to_have_count(1)
    expect(table.locator("caption")).to_contain_text("5 entries")
    # The two missed appointments in a row are highlighted, and the timeline has a lane per agency.
    expect(page.locator(".app-highlight").first).to_contain_text("2 appointments in a row: the child was not brought")
    expect(page.get_by_role("img", name="Timeline of 5 entries from 2 agencies")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Add an entry").click()
    expect(page.get_by_role("heading", name="Add a chronology entry")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Type of event").select_option(label="Home visit")
    page.get_by_label("Date of the event").fill("30/4/2024")
    page.get_by_label("What happened").fill("Visit after the missed appointments")
    page.get_by_role("button", name="Save entry").click()
    expect(page.get_by_text("Entry added to the chronology.")).to_be_visible()
    expect(page.get_by_role("table").get_by_text("Visit after the missed appointments")).to_be_visible()
