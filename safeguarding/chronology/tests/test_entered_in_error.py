"""Entries entered in error (issue 17): kept, struck through with the reason, left out of the
highlights, marked and reinstated only by the recording agency, logged, and the same through the
page and the API."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError

from safeguarding.agencies.enums import Role
from safeguarding.chronology import entered_in_error
from safeguarding.chronology.merged import merged_chronology
from safeguarding.chronology.models import Event, EventType
from safeguarding.chronology.timeline import render_timeline
from safeguarding.core import kernel
from safeguarding.core.models import ActivityLog
from safeguarding.testing import factories as f
from safeguarding.testing.recording import record_as_involved

pytestmark = pytest.mark.django_db

D0 = dt.date(2025, 1, 6)
REASON = "Recorded on the wrong child's record."


def add(cast, code: str = "was_not_brought", days: int = 0, summary: str = "Not brought to clinic.") -> Event:
    return record_as_involved(
        actor=cast.involved,
        agency=cast.agency,
        children=[cast.child],
        event_type=EventType.objects.get(code=code),
        occurred_on=D0 + dt.timedelta(days=days),
        summary=summary,
    )


def test_marking_keeps_the_entry_with_the_reason_and_logs_it_without_the_reason(cast) -> None:
    event = add(cast)
    marked = entered_in_error.mark_entered_in_error(actor=cast.involved, event=event, reason=REASON)
    event.refresh_from_db()
    assert event.is_current
    assert event.is_entered_in_error
    assert event.entered_in_error_by == cast.involved
    assert event.entered_in_error_reason == REASON
    assert marked.pk == event.pk
    log = ActivityLog.objects.get(action="event.entered_in_error")
    assert log.subject_child_id == cast.child.pk
    assert log.changes["entered_in_error"] == [False, True]
    assert "wrong child" not in str(log.changes)


def test_only_the_recording_agency_may_mark_or_reinstate(cast) -> None:
    event = add(cast)
    for outsider in (cast.partner, cast.unrelated):
        with pytest.raises(kernel.NotAllowed):
            entered_in_error.mark_entered_in_error(actor=outsider, event=event, reason=REASON)
    entered_in_error.mark_entered_in_error(actor=cast.involved, event=event, reason=REASON)
    with pytest.raises(kernel.NotAllowed):
        entered_in_error.reinstate_event(actor=cast.partner, event=event, reason="Marked by mistake.")
    event.refresh_from_db()
    assert event.is_entered_in_error


def test_a_reason_is_needed_and_an_entry_is_marked_once(cast) -> None:
    event = add(cast)
    with pytest.raises(ValidationError) as excinfo:
        entered_in_error.mark_entered_in_error(actor=cast.involved, event=event, reason="  ")
    assert "reason" in excinfo.value.message_dict
    entered_in_error.mark_entered_in_error(actor=cast.involved, event=event, reason=REASON)
    with pytest.raises(ValidationError, match="already marked"):
        entered_in_error.mark_entered_in_error(actor=cast.involved, event=event, reason=REASON)


def test_reinstating_makes_the_entry_count_again_and_is_logged(cast) -> None:
    event = add(cast)
    entered_in_error.mark_entered_in_error(actor=cast.involved, event=event, reason=REASON)
    entered_in_error.reinstate_event(actor=cast.involved, event=event, reason="Marked by mistake.")
    event.refresh_from_db()
    assert not event.is_entered_in_error
    assert event.entered_in_error_reason == ""
    assert ActivityLog.objects.filter(action="event.reinstated", subject_child_id=cast.child.pk).count() == 1
    with pytest.raises(ValidationError, match="nothing to reinstate"):
        entered_in_error.reinstate_event(actor=cast.involved, event=event, reason="Marked by mistake.")


def test_an_entry_in_error_cannot_be_corrected_until_reinstated(cast) -> None:
    event = add(cast)
    assert cast.involved.has_perm("chronology.correct_event", event)
    entered_in_error.mark_entered_in_error(actor=cast.involved, event=event, reason=REASON)
    assert not cast.involved.has_perm("chronology.correct_event", event)
    assert cast.involved.has_perm("chronology.mark_entered_in_error", event)


def test_entries_in_error_are_listed_but_left_out_of_highlights(cast) -> None:
    first = add(cast, days=0)
    add(cast, days=30)
    assert "was_not_brought_run" in {h.kind for h in merged_chronology(cast.involved, cast.child).highlights}
    entered_in_error.mark_entered_in_error(actor=cast.involved, event=first, reason=REASON)
    chronology = merged_chronology(cast.involved, cast.child)
    assert "was_not_brought_run" not in {h.kind for h in chronology.highlights}
    assert chronology.rows[0].event.pk == first.pk  # still listed, in date order
    assert not chronology.rows[0].highlight_kinds


def test_the_timeline_draws_an_entry_in_error_struck_through_and_says_so(cast) -> None:
    first = add(cast, days=0)
    add(cast, days=30)
    entered_in_error.mark_entered_in_error(actor=cast.involved, event=first, reason=REASON)
    svg = render_timeline(merged_chronology(cast.involved, cast.child))
    assert svg.count('class="app-timeline__in-error"') == 1 + 1  # the entry's mark, and the legend's
    assert f"{cast.agency.name}: 2 entries (1 entered in error)." in svg
    assert "Entered in error</text>" in svg


def test_an_entry_in_error_is_not_merged_with_another_agencys_record(cast) -> None:
    police = f.member(cast.partner_agency, Role.PRACTITIONER)
    ours = add(cast, code="strategy_discussion", days=20)
    record_as_involved(
        actor=police,
        agency=cast.partner_agency,
        children=[cast.child],
        event_type=EventType.objects.get(code="strategy_discussion"),
        occurred_on=D0 + dt.timedelta(days=20),
        summary="Strategy discussion.",
    )
    assert len(merged_chronology(cast.involved, cast.child).rows) == 1
    entered_in_error.mark_entered_in_error(actor=cast.involved, event=ours, reason=REASON)
    rows = merged_chronology(cast.involved, cast.child).rows
    assert len(rows) == 2
    assert [len(r.sources) for r in rows] == [1, 1]


def test_the_chronology_page_strikes_the_entry_through_with_its_reason(cast, client_for) -> None:
    event = add(cast, summary="Seen at the wrong address.")
    entered_in_error.mark_entered_in_error(actor=cast.involved, event=event, reason=REASON)
    body = client_for(cast.involved).get(f"/chronology/children/{cast.child.pk}/").content.decode()
    assert '<del><span class="govuk-visually-hidden">Entered in error: </span>Seen at the wrong address.</del>' in body
    assert "Reason: Recorded on the wrong child&#x27;s record." in body


def test_the_entry_page_marks_and_reinstates(cast, client_for) -> None:
    event = add(cast)
    client = client_for(cast.involved)
    page = client.get(f"/chronology/entries/{event.pk}/").content.decode()
    assert "Mark as entered in error" in page
    response = client.post(f"/chronology/entries/{event.pk}/entered-in-error/", {"error-reason": ""})
    assert response.status_code == 200
    assert "<title>Error: " in response.content.decode()
    assert "Say why, in a few words" in response.content.decode()
    response = client.post(f"/chronology/entries/{event.pk}/entered-in-error/", {"error-reason": REASON}, follow=True)
    body = response.content.decode()
    assert "Entry marked as entered in error." in body
    assert "Reinstate this entry" in body
    event.refresh_from_db()
    assert event.is_entered_in_error
    client.post(f"/chronology/entries/{event.pk}/reinstate/", {"error-reason": "Marked by mistake."})
    event.refresh_from_db()
    assert not event.is_entered_in_error


def test_the_entry_pages_refuse_other_agencies(cast, client_for) -> None:
    event = add(cast)
    url = f"/chronology/entries/{event.pk}/entered-in-error/"
    # The unrelated agency may not see the entry: "not found", as for an entry that does not exist.
    assert client_for(cast.unrelated).post(url, {"error-reason": REASON}).status_code == 404
    assert client_for(cast.involved).post("/chronology/entries/999999/entered-in-error/").status_code == 404
    # The police, working with the child too, see the entry but may not mark it: told so (403).
    f.InvolvementFactory(agency=cast.partner_agency, child=cast.child)
    police_page = client_for(cast.partner).get(f"/chronology/entries/{event.pk}/")
    assert police_page.status_code == 200
    assert "Mark as entered in error" not in police_page.content.decode()
    assert client_for(cast.partner).post(url, {"error-reason": REASON}).status_code == 403
    event.refresh_from_db()
    assert not event.is_entered_in_error


def test_the_api_marks_and_reinstates_and_shows_it_in_the_chronology(cast, client_for) -> None:
    event = add(cast)
    client = client_for(cast.involved)
    url = f"/api/v1/events/{event.pk}/entered-in-error/"
    assert client.post(url, {}, content_type="application/json").status_code == 400
    response = client.post(url, {"reason": REASON}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["entered_in_error"] is True
    assert response.json()["entered_in_error_reason"] == REASON
    again = client.post(url, {"reason": REASON}, content_type="application/json")
    assert again.status_code == 400
    entries = client.get(f"/api/v1/children/{cast.child.pk}/chronology/").json()["entries"]
    assert entries[0]["entered_in_error"] is True
    assert client_for(cast.unrelated).post(url, {"reason": REASON}, content_type="application/json").status_code == 404
    reinstate = client.post(
        f"/api/v1/events/{event.pk}/reinstate/", {"reason": "Marked by mistake."}, content_type="application/json"
    )
    assert reinstate.status_code == 200
    assert reinstate.json()["entered_in_error"] is False


def test_the_spreadsheet_export_says_an_entry_was_entered_in_error(cast, client_for) -> None:
    from openpyxl import load_workbook

    event = add(cast, summary="Seen at the wrong address.")
    entered_in_error.mark_entered_in_error(actor=cast.involved, event=event, reason=REASON)
    response = client_for(cast.involved).get(f"/chronology/children/{cast.child.pk}/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert f"ENTERED IN ERROR ({REASON}). Seen at the wrong address." in cells
