"""The integrated chronology page, the add-entry page and an entry's page with its corrections,
with the three personas (involved agency, partner agency not on the case, unrelated agency)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safeguarding.agencies.enums import Role
from safeguarding.children.enums import RelationshipKind
from safeguarding.chronology.models import Event, EventType
from safeguarding.chronology.services import correct_event
from safeguarding.core.enums import Confidentiality
from safeguarding.core.models import ActivityLog
from safeguarding.testing import factories as f
from safeguarding.testing.html import without_per_request_values
from safeguarding.testing.personas import Cast
from safeguarding.testing.recording import record_as_involved

pytestmark = pytest.mark.django_db

D0 = dt.date(2025, 1, 6)


def add(actor: Any, agency: Any, children: list[Any], code: str, days: int, **kwargs: Any) -> Event:
    return record_as_involved(
        actor=actor,
        agency=agency,
        children=children,
        event_type=EventType.objects.get(code=code),
        occurred_on=D0 + dt.timedelta(days=days),
        summary=kwargs.pop("summary", f"{code} entry"),
        **kwargs,
    )


@pytest.fixture
def officer(cast: Cast) -> Any:
    """A police officer whose agency works with the child (once it records an entry)."""
    return f.member(cast.partner_agency, Role.PRACTITIONER, username="officer")


def page(client: Any, child_id: int, **params: Any) -> Any:
    return client.get(reverse("chronology:child", args=[child_id]), params)


# --- The chronology page -------------------------------------------------------------------------


def test_chronology_page_shows_every_agencys_entries_in_date_order_and_logs_the_view(cast, officer, client_for):
    add(cast.involved, cast.agency, [cast.child], "health_visitor_contact", 10, summary="Weighed at clinic")
    add(officer, cast.partner_agency, [cast.child], "police_attendance", 5, summary="Called to the address")
    response = page(client_for(cast.involved), cast.child.pk)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Called to the address") < html.index("Weighed at clinic")
    assert "Test Police" in html
    assert "Test Community Health" in html
    assert "11 January 2025" in html  # display_date
    assert (
        ActivityLog.objects.filter(
            action="chronology.viewed", actor=cast.involved, subject_child_id=cast.child.pk
        ).count()
        == 1
    )


@pytest.mark.parametrize(
    "name", ["chronology:child", "chronology:entry-add", "chronology:export-pdf", "chronology:export-xlsx"]
)
def test_chronology_pages_answer_other_agencies_as_if_the_child_did_not_exist(cast, client_for, name):
    add(cast.involved, cast.agency, [cast.child], "home_visit", 1, summary="Secret detail of the visit")
    for persona in (cast.partner, cast.unrelated):
        client = client_for(persona)
        hidden = client.get(reverse(name, args=[cast.child.pk]))
        missing = client.get(reverse(name, args=[999_999]))
        assert hidden.status_code == missing.status_code == 404
        assert without_per_request_values(hidden.content) == without_per_request_values(missing.content)
        assert b"Secret detail" not in hidden.content
    assert not ActivityLog.objects.filter(action__startswith="chronology.").exists()


def test_chronology_page_hides_restricted_entries_from_other_agencies(cast, officer, client_for):
    add(
        officer,
        cast.partner_agency,
        [cast.child],
        "concern_raised",
        3,
        category="parental_mental_health",
        summary="Mother disclosed self-harm",
        confidentiality=Confidentiality.RESTRICTED,
    )
    add(cast.involved, cast.agency, [cast.child], "home_visit", 4, summary="Home visit, all well")
    seen_by_health = page(client_for(cast.involved), cast.child.pk).content.decode()
    assert "Mother disclosed self-harm" not in seen_by_health
    assert "Home visit, all well" in seen_by_health
    seen_by_police = page(client_for(officer), cast.child.pk).content.decode()
    assert "Mother disclosed self-harm" in seen_by_police
    assert "Restricted</strong>" in seen_by_police


def test_chronology_page_filters_by_agency_type_tag_and_dates(cast, officer, client_for):
    add(cast.involved, cast.agency, [cast.child], "health_visitor_contact", 0, summary="First contact")
    add(officer, cast.partner_agency, [cast.child], "police_domestic_abuse_incident", 30, summary="DA call-out")
    add(cast.involved, cast.agency, [cast.child], "home_visit", 60, summary="Later visit")
    client = client_for(cast.involved)

    def summaries(**params: Any) -> list[str]:
        html = page(client, cast.child.pk, **params).content.decode()
        return [s for s in ("First contact", "DA call-out", "Later visit") if s in html]

    assert summaries() == ["First contact", "DA call-out", "Later visit"]
    assert summaries(agency="POL") == ["DA call-out"]
    assert summaries(type="home_visit") == ["Later visit"]
    assert summaries(tag="domestic_abuse") == ["DA call-out"]
    assert summaries(date_from="1/2/2025", date_to="28/2/2025") == ["DA call-out"]


def test_chronology_page_with_a_bad_filter_says_what_to_fix_and_still_shows_entries(cast, client_for):
    add(cast.involved, cast.agency, [cast.child], "home_visit", 0, summary="A visit")
    html = page(client_for(cast.involved), cast.child.pk, date_from="31/31/2025").content.decode()
    assert "Enter the start date as day/month/year" in html
    assert "A visit" in html


def test_chronology_page_includes_siblings_when_asked(cast, client_for):
    sibling = f.ChildFactory(first_name="Sky", last_name="Marsh")
    f.InvolvementFactory(agency=cast.agency, child=sibling)
    f.RelationshipFactory(child=cast.child, adult=None, other_child=sibling, kind=RelationshipKind.SIBLING)
    add(cast.involved, cast.agency, [sibling], "home_visit", 3, summary="Visit to Sky")
    client = client_for(cast.involved)
    assert "Visit to Sky" not in page(client, cast.child.pk).content.decode()
    html = page(client, cast.child.pk, family="on").content.decode()
    assert "Visit to Sky" in html
    assert ">Children</th>" in html


def test_chronology_page_lists_highlights_and_marks_their_rows(cast, client_for):
    first = add(cast.involved, cast.agency, [cast.child], "was_not_brought", 0)
    add(cast.involved, cast.agency, [cast.child], "was_not_brought", 20)
    add(cast.involved, cast.agency, [cast.child], "was_not_brought", 40)
    html = page(client_for(cast.involved), cast.child.pk).content.decode()
    assert "3 appointments in a row: the child was not brought" in html
    assert f'href="#entry-{first.pk}"' in html
    assert html.count("app-chronology__row--highlight") == 3
    assert "Highlight: Was not brought, repeatedly" in html


def test_chronology_page_shows_an_event_recorded_by_two_agencies_once_with_both(cast, officer, client_for):
    add(cast.involved, cast.agency, [cast.child], "strategy_discussion", 20, summary="Strategy discussion held")
    add(officer, cast.partner_agency, [cast.child], "strategy_discussion", 20, summary="Strategy meeting")
    html = page(client_for(cast.involved), cast.child.pk).content.decode()
    assert "Test Community Health; Test Police" in html
    assert "Strategy meeting" not in html  # the first-recorded entry leads the merged row
    assert html.count('id="entry-') == 1


def test_chronology_page_shows_the_agencys_own_label_for_a_type_mapped_to_other(cast, client_for):
    add(cast.involved, cast.agency, [cast.child], "other", 1, original_type_label="Contact - Duty")
    html = page(client_for(cast.involved), cast.child.pk).content.decode()
    assert "Other (recorded as “Contact - Duty”)" in html


def test_chronology_page_has_the_timeline_with_the_table_as_its_alternative(cast, officer, client_for):
    add(cast.involved, cast.agency, [cast.child], "home_visit", 1)
    add(officer, cast.partner_agency, [cast.child], "police_attendance", 9)
    html = page(client_for(cast.involved), cast.child.pk).content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html
    assert 'role="img"' in html
    assert "The table below lists the same entries as text." in html
    assert " style=" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]


def _queries_for_page(client: Any, child_id: int) -> int:
    """Queries the page makes, leaving out the session write the idle-timeout middleware makes on
    some requests and not others (it depends on the clock, not on the page)."""
    with CaptureQueriesContext(connection) as captured:
        assert page(client, child_id).status_code == 200
    session_write = ("SAVEPOINT", "RELEASE SAVEPOINT", 'UPDATE "django_session"')
    return sum(1 for q in captured.captured_queries if not q["sql"].startswith(session_write))


def test_chronology_page_query_count_does_not_grow_with_the_number_of_entries(cast, officer, client_for):
    client = client_for(cast.involved)
    add(cast.involved, cast.agency, [cast.child], "was_not_brought", 0)
    add(officer, cast.partner_agency, [cast.child], "strategy_discussion", 5)
    _queries_for_page(client, cast.child.pk)  # warm the per-process caches (content types and the like)
    few = _queries_for_page(client, cast.child.pk)
    for day in range(6, 66):
        add(
            cast.involved if day % 2 else officer,
            cast.agency if day % 2 else cast.partner_agency,
            [cast.child],
            "was_not_brought" if day % 3 else "strategy_discussion",
            day,
            category="",
        )
    many = _queries_for_page(client, cast.child.pk)
    assert few == many
    # Session, user, memberships, the child, agencies and types for the filters, the family
    # lookups, the entries, their children, the activity row, and the navigation's one-query
    # "do you have any" checks (assessment training, review membership, action plans, audits).
    assert many <= 21, many


# --- Adding an entry -----------------------------------------------------------------------------


def _entry_data(cast: Cast, **overrides: Any) -> dict[str, Any]:
    data = {
        "children": [cast.child.pk],
        "agency": cast.agency.pk,
        "event_type": EventType.objects.get(code="concern_raised").pk,
        "category": "hygiene",
        "value": "",
        "occurred_on": "12/3/2025",
        "precision": "day",
        "summary": "Child arrived at clinic in dirty clothes",
        "impact": "Skin sore",
        "action_taken": "Advice to mother",
        "confidentiality": "normal",
    }
    data.update(overrides)
    return data


def test_add_entry_page_offers_the_child_and_visible_siblings(cast, client_for):
    sibling = f.ChildFactory(first_name="Sky", last_name="Marsh")
    hidden_sibling = f.ChildFactory(first_name="Jo", last_name="Marsh")
    f.InvolvementFactory(agency=cast.agency, child=sibling)
    for other in (sibling, hidden_sibling):
        f.RelationshipFactory(child=cast.child, adult=None, other_child=other, kind=RelationshipKind.SIBLING)
    response = client_for(cast.involved).get(reverse("chronology:entry-add", args=[cast.child.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ellis Marsh" in html
    assert "Sky Marsh" in html
    assert "Jo Marsh" not in html
    assert "Test Police" not in html  # only the person's own agencies


def test_add_entry_records_it_for_several_children_and_shows_it(cast, client_for):
    sibling = f.ChildFactory(first_name="Sky", last_name="Marsh")
    f.InvolvementFactory(agency=cast.agency, child=sibling)
    f.RelationshipFactory(child=cast.child, adult=None, other_child=sibling, kind=RelationshipKind.SIBLING)
    client = client_for(cast.involved)
    response = client.post(
        reverse("chronology:entry-add", args=[cast.child.pk]), _entry_data(cast, children=[cast.child.pk, sibling.pk])
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("chronology:child", args=[cast.child.pk])
    event = Event.objects.get()
    assert (event.author, event.agency, event.category, event.occurred_on) == (
        cast.involved,
        cast.agency,
        "hygiene",
        dt.date(2025, 3, 12),
    )
    assert set(event.child_links.values_list("child_id", flat=True)) == {cast.child.pk, sibling.pk}
    html = client.get(response["Location"]).content.decode()
    assert "Entry added to the chronology." in html
    assert "Child arrived at clinic in dirty clothes" in html


def test_add_entry_errors_show_the_summary_and_keep_what_was_typed(cast, client_for):
    client = client_for(cast.involved)
    response = client.post(
        reverse("chronology:entry-add", args=[cast.child.pk]),
        _entry_data(cast, occurred_on="31/2/2025", summary="Typed summary stays"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Enter the date of the event as day/month/year" in html
    assert 'value="31/2/2025"' in html
    assert "Typed summary stays" in html
    assert not Event.objects.exists()


def test_add_entry_service_errors_are_shown_against_the_field(cast, client_for):
    response = client_for(cast.involved).post(
        reverse("chronology:entry-add", args=[cast.child.pk]),
        _entry_data(cast, event_type=EventType.objects.get(code="home_visit").pk, category="hygiene"),
    )
    html = response.content.decode()
    assert "Home visit has no categories. Leave the category blank." in html
    assert 'href="#id_category"' in html
    assert not Event.objects.exists()


def test_add_entry_page_is_not_for_people_who_only_read(cast, client_for):
    reviewer = f.UserFactory(username="reviewer")
    f.AccessGrantFactory(user=reviewer, child=cast.child)
    assert client_for(reviewer).get(reverse("chronology:child", args=[cast.child.pk])).status_code == 200
    assert client_for(reviewer).get(reverse("chronology:entry-add", args=[cast.child.pk])).status_code == 404


# --- An entry and its corrections ----------------------------------------------------------------


def test_entry_page_shows_the_entry_and_its_versions(cast, client_for):
    event = add(cast.involved, cast.agency, [cast.child], "home_visit", 1, summary="First account")
    corrected = correct_event(actor=cast.involved, event=event, summary="Corrected account")
    client = client_for(cast.involved)
    html = client.get(reverse("chronology:entry", args=[corrected.pk])).content.decode()
    assert "Corrected account" in html
    assert "First account" in html
    assert "Correct this entry" in html
    old = client.get(reverse("chronology:entry", args=[event.pk])).content.decode()
    assert "which has been corrected" in old
    assert ActivityLog.objects.filter(action="chronology.entry_viewed", subject_child_id=cast.child.pk).count() == 2


def test_entry_page_is_404_for_other_agencies_and_restricted_entries(cast, officer, client_for):
    event = add(cast.involved, cast.agency, [cast.child], "home_visit", 1)
    for persona in (cast.partner, cast.unrelated):
        assert client_for(persona).get(reverse("chronology:entry", args=[event.pk])).status_code == 404
    secret = add(
        officer, cast.partner_agency, [cast.child], "police_attendance", 2, confidentiality=Confidentiality.RESTRICTED
    )
    assert client_for(cast.involved).get(reverse("chronology:entry", args=[secret.pk])).status_code == 404
    assert client_for(cast.involved).get(reverse("chronology:entry", args=[999_999])).status_code == 404


def _correction(event: Event, **overrides: Any) -> dict[str, Any]:
    data = {
        "event_type": event.event_type_id,
        "category": event.category,
        "value": "",
        "occurred_on": f"{event.occurred_on:%d/%m/%Y}",
        "precision": event.precision,
        "summary": event.summary,
        "impact": event.impact,
        "action_taken": event.action_taken,
        "confidentiality": event.confidentiality,
        "version": event.version,
    }
    data.update(overrides)
    return data


def test_correction_makes_a_new_version(cast, client_for):
    event = add(cast.involved, cast.agency, [cast.child], "home_visit", 1, summary="Wrong")
    response = client_for(cast.involved).post(
        reverse("chronology:entry-correct", args=[event.pk]), _correction(event, summary="Right")
    )
    new = Event.objects.get(lineage=event.lineage, is_current=True)
    assert response.status_code == 302
    assert response["Location"] == reverse("chronology:entry", args=[new.pk])
    assert (new.version, new.summary) == (2, "Right")


def test_correction_from_a_stale_form_is_refused(cast, client_for):
    event = add(cast.involved, cast.agency, [cast.child], "home_visit", 1, summary="Original")
    stale_form = _correction(event, summary="My change")
    correct_event(actor=cast.involved, event=event, summary="Their change")
    response = client_for(cast.involved).post(reverse("chronology:entry-correct", args=[event.pk]), stale_form)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else corrected this entry after you opened it" in html
    assert list(Event.objects.filter(lineage=event.lineage).order_by("version").values_list("summary", flat=True)) == [
        "Original",
        "Their change",
    ]


def test_correction_by_another_agency_is_forbidden(cast, officer, client_for):
    event = add(cast.involved, cast.agency, [cast.child], "home_visit", 1)
    add(officer, cast.partner_agency, [cast.child], "police_attendance", 2)  # the police now work with the child
    client = client_for(officer)
    assert "Correct this entry" not in client.get(reverse("chronology:entry", args=[event.pk])).content.decode()
    response = client.post(reverse("chronology:entry-correct", args=[event.pk]), _correction(event, summary="No"))
    assert response.status_code == 403
    assert Event.objects.filter(lineage=event.lineage).count() == 1
