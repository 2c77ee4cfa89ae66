"""Issue 17 in the browser: a practitioner finds the import page from the menu, downloads their agency's
template, imports a file, watches a progress bar on a running import, and marks an imported entry
"entered in error": it stays in the chronology, struck through with the reason, and its highlight goes.
axe at 1280 and 375 px, no page wider than its viewport, no CSP violation (tests/browser/checks.py)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from safeguarding.chronology import importer
from safeguarding.chronology.enums import ImportStatus
from safeguarding.chronology.models import Event, EventType, ImportBatch
from safeguarding.chronology.tests.helpers import csv_bytes
from safeguarding.chronology.vocabulary import load_vocabulary
from safeguarding.testing.personas import build_cast
from tests.browser.checks import assert_no_axe_violations
from tests.browser.session import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
expect.set_options(timeout=15_000)


def _template_header(page: Page) -> list[str]:
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the CSV template").click()
    path = download.value.path()
    text = open(path, encoding="utf-8-sig").read()  # noqa: SIM115 - a downloaded file, read once
    return next(csv.reader(io.StringIO(text)))


def _move_on(batch: ImportBatch, **fields: object) -> None:
    """The import gets further, as its worker's heartbeat writes it: saved at once (a transactional test),
    so the live server's thread reads it on the page's next poll."""
    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now() + timedelta(minutes=5), **fields)


def test_import_from_the_menu_then_mark_an_entry_entered_in_error(live_server, page: Page) -> None:
    load_vocabulary(EventType)  # transactional tests flush the vocabulary's data migration rows
    cast = build_cast()
    base = live_server.url
    device = TOTPDevice.objects.create(user=cast.involved, name="App", confirmed=True)
    sign_in(page, base, "involved", device)

    # The menu leads to the imports, and the import page offers the agency's template.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Imports").click()
    page.get_by_role("button", name="Import a file").click()
    expect(page.get_by_role("heading", name="Import chronology entries")).to_be_visible()
    header = _template_header(page)
    assert header[:3] == ["Date", "Child name", "DOB"]
    assert_no_axe_violations(page)
    content = csv_bytes(
        [*header[:2], "NHS number", "Event type", "Details"],
        ["12/03/2024", "Ellis Marsh", cast.child.nhs_number, "WNB", "Not brought to the hearing clinic"],
        ["02/04/2024", "Ellis Marsh", cast.child.nhs_number, "WNB", "Not brought: wrong child's appointment"],
    )
    page.get_by_label("Upload a chronology file").set_input_files(
        {"name": "hv.csv", "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_role("button", name="Import file").click()
    expect(page.get_by_role("heading", name="Import complete")).to_be_visible(timeout=20_000)

    # The two missed appointments are a highlight; one was the wrong child's.
    page.goto(f"{base}/chronology/children/{cast.child.pk}/")
    runs = page.locator(".app-highlight").filter(has_text="appointments in a row: the child was not brought")
    expect(runs).to_have_count(1)
    wrong = Event.objects.get(summary__startswith="Not brought: wrong child")
    page.goto(f"{base}/chronology/entries/{wrong.pk}/")
    page.get_by_label("Why was this entry entered in error?").fill("It was another child's appointment.")
    page.get_by_role("button", name="Mark as entered in error").click()
    expect(page.get_by_text("Entry marked as entered in error.")).to_be_visible()
    expect(page.get_by_role("heading", name="Reinstate this entry")).to_be_visible()
    assert_no_axe_violations(page)

    page.goto(f"{base}/chronology/children/{cast.child.pk}/")
    row = page.locator(f"#entry-{wrong.pk}")
    expect(row.locator("del")).to_contain_text("Not brought: wrong child's appointment")
    expect(row).to_contain_text("Reason: It was another child's appointment.")
    expect(row).to_contain_text("Entered in error")
    expect(runs).to_have_count(0)
    assert_no_axe_violations(page)


def test_a_running_imports_page_updates_its_progress_in_place(live_server, page: Page) -> None:
    """chronology/import_progress.js reads the page again every 2 seconds and updates its status part in
    place: checking the file, then the progress bar of the saving, its value moving on in the same element,
    the page never reloaded (a screen reader keeps its place); once the import has finished, the page is
    loaded once more to show the result. The batch moves on in the database (the tests' task backend runs
    an upload to its end before the page shows), and Playwright's clock fires the script's timer at once:
    timers otherwise run as usual (axe needs them)."""
    cast = build_cast()
    base = live_server.url
    device = TOTPDevice.objects.create(user=cast.involved, name="App", confirmed=True)
    sign_in(page, base, "involved", device)
    batch = importer.create_batch(actor=cast.involved, agency=cast.agency, filename="big.csv", content=b"Date\n")
    started = timezone.now() - timedelta(seconds=2)
    _move_on(batch, status=ImportStatus.RUNNING, started_at=started, rows_total=120, rows_done=40)
    page.clock.install()
    page.goto(f"{base}/chronology/imports/{batch.pk}/")
    text = page.locator("#import-status").get_by_role("status")
    expect(page.get_by_role("progressbar", name="Checking the file")).to_be_visible()
    expect(text).to_have_text(
        "Checked 40 rows so far. Nothing is saved until every row has been checked. This page updates itself."
    )
    expect(page.get_by_role("link", name="Refresh the page")).to_be_hidden()  # the script updates instead
    page.evaluate("() => { window.__notReloaded = 1; }")

    # Every row checked; saving starts: the status part shows the saving's progress bar.
    _move_on(batch, rows_done=120, rows_to_save=120, rows_saved=30)
    page.clock.fast_forward(2_000)
    bar = page.get_by_role("progressbar", name="Saving the entries")
    expect(bar).to_have_attribute("value", "30")
    expect(bar).to_have_attribute("max", "120")
    expect(bar).to_have_text("25%")
    expect(text).to_have_text("Saved 30 of 120 entries (25%). This page updates itself.")
    assert_no_axe_violations(page)  # the status part as the script rebuilt it
    page.evaluate("() => { document.getElementById('import-progress').__same = 1; }")

    # Further on: the same bar's value and the status text change; the page was not reloaded.
    _move_on(batch, rows_saved=90)
    page.clock.fast_forward(2_000)
    expect(bar).to_have_attribute("value", "90")
    expect(bar).to_have_text("75%")
    expect(text).to_have_text("Saved 90 of 120 entries (75%). This page updates itself.")
    kept = page.evaluate("() => [window.__notReloaded, document.getElementById('import-progress').__same]")
    assert kept == [1, 1], "the page was reloaded or its progress bar replaced"

    # Finished: the page is loaded once more, with the result and its counts.
    finished = timezone.now()
    _move_on(batch, status=ImportStatus.SUCCEEDED, rows_saved=120, finished_at=finished, events_created=118)
    page.clock.fast_forward(2_000)
    expect(page.get_by_role("heading", name="Import complete")).to_be_visible()
    expect(page.locator(".govuk-panel__body")).to_have_text("118 entries added")
    expect(page.locator(".govuk-summary-list__row").filter(has_text="Entries added").locator("dd")).to_have_text("118")
    assert page.evaluate("() => window.__notReloaded") is None
