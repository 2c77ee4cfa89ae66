"""Raising an escalation (issue 17): the child found by a search over the children the person may see
(the autocomplete's endpoint, and the same search without JavaScript), people filtered by the agency
chosen, evidence most recent first with its summary, and what was typed kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from safeguarding.core.models import ActivityLog
from safeguarding.escalations.models import Escalation, EscalationReason
from safeguarding.escalations.tests.conftest import EscCast
from safeguarding.escalations.tests.helpers import entry_about
from safeguarding.testing import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 11, 16, 10, tzinfo=dt.UTC)


def _form(esc_cast: EscCast, **changes: Any) -> dict[str, Any]:
    cast = esc_cast.cast
    data = {
        "child": cast.child.pk,
        "raising_agency": cast.agency.pk,
        "receiving_agency": cast.partner_agency.pk,
        "receiving_person": "",
        "reason": EscalationReason.objects.get(code="drift").pk,
        "disputed_decision": "No review of the plan.",
        "desired_outcome": "A review.",
        "raiser_level_of_need": "3",
        "urgency": "standard",
        "action": "raise",
    }
    data.update(changes)
    return data


def test_child_search_returns_only_children_the_person_may_see(esc_cast: EscCast, client_for) -> None:
    # Both Marsh children exist; the raiser's agency works with Ellis only (Robin is the police's).
    response = client_for(esc_cast.raiser).get("/escalations/raise/children/", {"q": "marsh"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == [esc_cast.cast.child.pk]
    assert results[0]["label"].startswith("Ellis Marsh")
    assert client_for(esc_cast.unrelated).get("/escalations/raise/children/", {"q": "marsh"}).json() == {"results": []}


def test_child_search_needs_two_letters_and_is_logged_without_what_was_typed(esc_cast: EscCast, client_for) -> None:
    client = client_for(esc_cast.raiser)
    before = ActivityLog.objects.filter(action="children.searched").count()
    assert client.get("/escalations/raise/children/", {"q": "m"}).json() == {"results": []}
    assert ActivityLog.objects.filter(action="children.searched").count() == before  # too short: no search
    client.get("/escalations/raise/children/", {"q": "Ellis"})
    row = ActivityLog.objects.filter(action="children.searched").latest("pk")
    assert row.changes == {"results": 1}
    assert "Ellis" not in str(row.changes)
    assert "Marsh" not in str(row.changes)


def test_raise_endpoints_are_for_people_who_may_raise(esc_cast: EscCast, client_for) -> None:
    client = client_for(esc_cast.scrutineer)
    for path in (
        "/escalations/raise/children/?q=marsh",
        f"/escalations/raise/people/?agency={esc_cast.cast.partner_agency.pk}",
    ):
        assert client.get(path).status_code in (403, 404)


def test_people_endpoint_lists_only_the_agency_chosen(esc_cast: EscCast, client_for) -> None:
    cast = esc_cast.cast
    response = client_for(esc_cast.raiser).get("/escalations/raise/people/", {"agency": cast.partner_agency.pk})
    ids = {r["id"] for r in response.json()["results"]}
    assert cast.partner.pk in ids
    assert esc_cast.receiving_manager.pk in ids
    assert cast.involved.pk not in ids
    assert cast.unrelated.pk not in ids
    # The business unit cannot be the other side of an escalation: "not found", as for no agency.
    bu = esc_cast.business.active_memberships[0].agency
    assert client_for(esc_cast.raiser).get("/escalations/raise/people/", {"agency": bu.pk}).status_code == 404
    assert client_for(esc_cast.raiser).get("/escalations/raise/people/", {"agency": "x"}).status_code == 404


def test_a_person_from_another_agency_is_refused_with_a_clear_message(esc_cast: EscCast, client_for) -> None:
    cast = esc_cast.cast
    response = client_for(esc_cast.raiser).post(
        "/escalations/raise/", _form(esc_cast, receiving_person=cast.unrelated.pk, disputed_decision="Typed text kept.")
    )
    assert response.status_code == 200
    assert not Escalation.objects.exists()
    body = response.content.decode()
    assert "does not work in Test Police: choose someone who does, or &#x27;Not known&#x27;" in body
    assert "Typed text kept." in body
    # Once an agency is chosen, the list offers that agency's people only.
    options = response.context["form"].fields["receiving_person"].widget.choices
    assert {value for value, _ in options} == {
        "",
        cast.partner.pk,
        esc_cast.receiving_manager.pk,
        esc_cast.receiving_senior.pk,
    }


def test_the_page_does_not_list_every_visible_child(esc_cast: EscCast, client_for) -> None:
    cast = esc_cast.cast
    for n in range(3):
        f.InvolvementFactory(agency=cast.agency, child=f.ChildFactory(first_name=f"Kai{n}", last_name="Okafor"))
    body = client_for(esc_cast.raiser).get("/escalations/raise/").content.decode()
    assert "Okafor" not in body
    assert "Ellis Marsh" not in body
    assert 'data-search-url="/escalations/raise/children/"' in body


def test_without_javascript_find_the_child_keeps_what_was_typed(esc_cast: EscCast, client_for) -> None:
    cast = esc_cast.cast
    data = _form(esc_cast, child="", child_search="Ellis", action="find-child", desired_outcome="Kept as typed.")
    response = client_for(esc_cast.raiser).post("/escalations/raise/", data)
    assert response.status_code == 200
    assert not Escalation.objects.exists()
    form = response.context["form"]
    assert not form.errors  # finding the child judges nothing yet
    assert [value for value, _ in form.fields["child"].widget.choices] == ["", cast.child.pk]
    body = response.content.decode()
    assert "1 child found: choose one below." in body
    assert "Kept as typed." in body
    assert "Robin" not in body  # the police's child is not found


def test_a_child_the_person_may_not_see_is_refused_like_one_that_does_not_exist(esc_cast: EscCast, client_for) -> None:
    client = client_for(esc_cast.raiser)
    other = client.post("/escalations/raise/", _form(esc_cast, child=esc_cast.cast.other_child.pk))
    missing = client.post("/escalations/raise/", _form(esc_cast, child=999999))
    assert other.context["form"].errors["child"] == missing.context["form"].errors["child"]
    assert not Escalation.objects.exists()
    assert client.get(f"/escalations/raise/child-details/?child={esc_cast.cast.other_child.pk}").status_code == 404
    assert client.get("/escalations/raise/child-details/?child=999999").status_code == 404


@pytest.fixture
def _on_today() -> Iterator[None]:
    """The clock at TODAY from before the cast is built, so its involvements have begun by then whatever the
    real date (under faketime the cast's involvements would otherwise start after TODAY)."""
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.mark.usefixtures("_on_today")  # before esc_cast: usefixtures come before the arguments
def test_evidence_runs_newest_first_with_its_summary(esc_cast: EscCast, client_for) -> None:
    cast = esc_cast.cast
    entry_about(cast.involved, cast.agency, cast.child, summary="Older visit.", occurred_on=dt.date(2026, 9, 1))
    entry_about(cast.involved, cast.agency, cast.child, summary="Latest visit: " + "x" * 200)
    response = client_for(esc_cast.raiser).get(f"/escalations/raise/?child={cast.child.pk}")
    labels = [str(label) for _, label in response.context["form"].fields["evidence"].choices]
    assert labels[0].startswith("16/11/2026, Test Community Health: Other. Latest visit: xxx")
    assert labels[0].endswith("…")
    assert len(labels[0]) < 220
    assert labels[1] == "01/09/2026, Test Community Health: Other. Older visit."
    assert ActivityLog.objects.filter(action="escalation.raise_viewed", subject_child_id=cast.child.pk).exists()
    # The autocomplete's fragment offers the same, newest first.
    fragment = client_for(esc_cast.raiser).get(f"/escalations/raise/child-details/?child={cast.child.pk}")
    text = fragment.content.decode()
    assert text.index("Latest visit") < text.index("Older visit.")


def test_the_raised_escalation_takes_the_child_and_chosen_siblings(esc_cast: EscCast, client_for) -> None:
    cast = esc_cast.cast
    sibling = f.ChildFactory(first_name="Sky", last_name="Marsh")
    f.InvolvementFactory(agency=cast.agency, child=sibling)
    f.RelationshipFactory(
        child=cast.child, adult=None, other_child=sibling, kind="sibling", parental_responsibility=False
    )
    response = client_for(esc_cast.raiser).post(
        "/escalations/raise/", _form(esc_cast, siblings=[sibling.pk], receiving_person=cast.partner.pk)
    )
    assert response.status_code == 302
    esc = Escalation.objects.get()
    assert set(esc.children.values_list("pk", flat=True)) == {cast.child.pk, sibling.pk}
    assert esc.receiving_person == cast.partner


def test_child_record_links_to_raise_an_escalation_for_the_child(esc_cast: EscCast, client_for) -> None:
    cast = esc_cast.cast
    body = client_for(esc_cast.raiser).get(f"/children/{cast.child.pk}/").content.decode()
    assert f'href="/escalations/raise/?child={cast.child.pk}"' in body
    page = client_for(esc_cast.raiser).get(f"/escalations/raise/?child={cast.child.pk}")
    assert page.context["form"]["child"].value() == cast.child.pk
