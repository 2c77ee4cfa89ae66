"""Sharing in is not seeing. An agency may record about any child — through the API, a file import or
(for children it works with) a page — but recording never gives it sight of the child: the answers
have the same shape whether the child existed, was created or went to the possible-match queue, and
the child's lead professional (or the front door) decides on an involvement with its lawful basis.

These tests fail on the behaviour before issue 13 (recording gave the agency an involvement)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from safeguarding.agencies.enums import Role
from safeguarding.api.tests.factories import make_token, token_client
from safeguarding.children.enums import LawfulBasis, SharingStatus
from safeguarding.children.models import Child, Involvement, SharingNotice
from safeguarding.chronology.importer import create_batch, run_batch
from safeguarding.chronology.models import Event
from safeguarding.core.models import ActivityLog
from safeguarding.testing import factories as f
from safeguarding.testing.personas import Cast

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events/"
HEADER = ["Date", "Child name", "DOB", "Event type", "Details"]


def named(child: Child) -> dict[str, Any]:
    return {"first_name": child.first_name, "last_name": child.last_name, "date_of_birth": str(child.date_of_birth)}


def post_entry(client: Any, reference: str, who: dict[str, Any]) -> Any:
    body = {
        "agency_reference": reference,
        "children": [who],
        "occurred_on": "2024-03-12",
        "type": "Home visit",
        "summary": "Tenancy visit: the children were seen; the flat was cold.",
    }
    return client.post(EVENTS, data=json.dumps(body), content_type="application/json")


def csv(*rows: list[str]) -> bytes:
    return "\n".join(",".join(r) for r in [HEADER, *rows]).encode()


def child_urls(child_id: int) -> list[str]:
    return [
        reverse("children:detail", args=[child_id]),
        reverse("chronology:child", args=[child_id]),
        reverse("chronology:export-pdf", args=[child_id]),
        reverse("chronology:export-xlsx", args=[child_id]),
        reverse("chronology:entry-add", args=[child_id]),
    ]


@pytest.fixture
def housing_token(cast: Cast) -> Any:
    _token, key = make_token(cast.unrelated_agency)
    return token_client(key)


@pytest.fixture
def lead(cast: Cast) -> Any:
    """The involved practitioner is the child's lead professional (and has an email address)."""
    cast.involved.email = "lead@example.org"
    cast.involved.save(update_fields=["email"])
    Involvement.objects.filter(agency=cast.agency, child=cast.child).update(lead_professional=cast.involved)
    return cast.involved


def test_api_entry_for_an_unseen_child_gives_no_sight_of_it(cast: Cast, housing_token: Any, client_for: Any) -> None:
    response = post_entry(housing_token, "HSG-1", named(cast.child))

    assert response.status_code == 201
    assert response.json()[0]["child_ids"] == []
    event = Event.objects.get(agency=cast.unrelated_agency)
    assert list(event.child_links.values_list("child_id", flat=True)) == [cast.child.pk]  # linked all the same
    assert not Involvement.objects.filter(agency=cast.unrelated_agency, child=cast.child).exists()
    # Neither the agency's system nor its people see the child anywhere.
    assert housing_token.get(f"/api/v1/children/{cast.child.pk}/").status_code == 404
    assert housing_token.get(f"/api/v1/children/{cast.child.pk}/chronology/").status_code == 404
    person = client_for(cast.unrelated)
    for url in child_urls(cast.child.pk):
        assert person.get(url).status_code == 404, url
    found = person.get(reverse("children:search"), {"name": "Ellis Marsh"}).content.decode()
    assert reverse("children:detail", args=[cast.child.pk]) not in found
    # It does see its own entry, naming no child.
    page = person.get(reverse("chronology:entry", args=[event.pk]))
    assert page.status_code == 200
    assert "Ellis" not in page.content.decode()
    assert "1 child your agency is not involved with" in page.content.decode()


def test_api_answer_has_the_same_shape_for_an_existing_a_new_and_an_ambiguous_child(
    cast: Cast, housing_token: Any
) -> None:
    twin = {"first_name": "Kim", "last_name": "Twin", "date_of_birth": "2018-02-02"}
    for _ in range(2):
        f.ChildFactory(first_name="Kim", last_name="Twin", date_of_birth=dt.date(2018, 2, 2), nhs_number=None)
    nobody = {"first_name": "Noel", "last_name": "Nobody", "date_of_birth": "2017-07-07"}
    answers = [post_entry(housing_token, f"HSG-{n}", who) for n, who in enumerate([named(cast.child), nobody, twin])]

    assert {a.status_code for a in answers} == {201}
    shapes = [{k: v for k, v in a.json()[0].items() if k not in ("id", "index")} for a in answers]
    assert (
        shapes[0]
        == shapes[1]
        == shapes[2]
        == {
            "status": "created",
            "type": "home_visit",
            "child_ids": [],
            "errors": {},
        }
    )


def test_name_only_rows_need_a_name_whether_or_not_the_nhs_number_exists(cast: Cast, housing_token: Any) -> None:
    known, unknown = (
        post_entry(housing_token, "A", {"nhs_number": cast.child.nhs_number}),
        post_entry(housing_token, "B", {"nhs_number": "9434765919"}),
    )
    assert known.status_code == unknown.status_code == 207
    assert known.json()[0]["errors"] == unknown.json()[0]["errors"]
    assert not Event.objects.filter(agency=cast.unrelated_agency).exists()


def test_import_for_an_unseen_child_gives_no_sight_and_reports_only_what_the_agency_knows(
    cast: Cast, client_for: Any
) -> None:
    def upload(rows: bytes, name: str) -> Any:
        batch = create_batch(actor=cast.unrelated, agency=cast.unrelated_agency, filename=name, content=rows)
        run_batch(batch)
        batch.refresh_from_db()
        return batch

    existing = upload(
        csv(["12/03/2024", "Ellis Marsh", str(cast.child.date_of_birth.strftime("%d/%m/%Y")), "Home visit", "Seen"]),
        "one.csv",
    )
    made_up = upload(csv(["12/03/2024", "Noel Nobody", "07/07/2017", "Home visit", "Seen"]), "two.csv")

    report = ("status", "events_created", "children_involved", "children_shared", "errors")
    assert [getattr(existing, n) for n in report] == [getattr(made_up, n) for n in report]
    assert (existing.children_involved, existing.children_shared) == (0, 1)
    person = client_for(cast.unrelated)
    page = person.get(reverse("chronology:import-detail", args=[existing.pk])).content.decode()
    assert "Children shared with the partnership" in page
    assert "matched" not in page.lower()
    for url in child_urls(cast.child.pk):
        assert person.get(url).status_code == 404, url


def test_lead_professional_is_told_and_decides_on_an_involvement(
    cast: Cast, housing_token: Any, lead: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        post_entry(housing_token, "HSG-1", named(cast.child))
    notice = SharingNotice.objects.get(child=cast.child, agency=cast.unrelated_agency)
    assert notice.status == SharingStatus.PENDING
    [email] = [m for m in mail.outbox if "lead@example.org" in m.to]
    assert cast.unrelated_agency.name in email.body
    assert "Ellis" not in email.body + email.subject

    lead_client = client_for(lead)
    record = lead_client.get(reverse("children:detail", args=[cast.child.pk])).content.decode()
    assert "Information shared by agencies not involved" in record
    assert cast.unrelated_agency.name in record
    detail = reverse("children:sharing-detail", args=[notice.pk])
    assert "Tenancy visit" in lead_client.get(detail).content.decode()
    # A decision without a lawful basis is refused, keeping what was typed.
    refused = lead_client.post(detail, {"decision": "involve", "service": "Tenancy", "version": notice.version})
    assert "Choose the lawful basis" in refused.content.decode()
    assert 'value="Tenancy"' in refused.content.decode()
    done = lead_client.post(
        detail,
        {
            "decision": "involve",
            "lawful_basis": LawfulBasis.PUBLIC_TASK,
            "service": "Tenancy",
            "version": notice.version,
        },
    )
    assert done.status_code == 302
    involvement = Involvement.objects.get(agency=cast.unrelated_agency, child=cast.child)
    assert (involvement.lawful_basis, involvement.service) == (LawfulBasis.PUBLIC_TASK, "Tenancy")
    assert ActivityLog.objects.filter(action="sharing_notice.decided", subject_child_id=cast.child.pk).exists()
    assert ActivityLog.objects.filter(action="involvement.started", actor=lead).exists()
    # Now, and only now, the agency sees the child.
    assert client_for(cast.unrelated).get(reverse("children:detail", args=[cast.child.pk])).status_code == 200
    assert housing_token.get(f"/api/v1/children/{cast.child.pk}/").status_code == 200


def test_declining_keeps_the_entries_and_the_agency_out(
    cast: Cast, housing_token: Any, lead: Any, client_for: Any
) -> None:
    post_entry(housing_token, "HSG-1", named(cast.child))
    notice = SharingNotice.objects.get()
    url = reverse("children:sharing-detail", args=[notice.pk])
    short = client_for(lead).post(url, {"decision": "decline", "reason": "no", "version": notice.version})
    assert "Say why the agency is not to be involved" in short.content.decode()
    client_for(lead).post(url, {"decision": "decline", "reason": "Housing only holds the tenancy.", "version": 1})
    notice.refresh_from_db()
    assert notice.status == SharingStatus.DECLINED
    assert client_for(cast.unrelated).get(reverse("children:detail", args=[cast.child.pk])).status_code == 404
    assert Event.objects.filter(agency=cast.unrelated_agency).count() == 1


def test_front_door_decides_when_the_child_has_no_lead_professional(
    cast: Cast, housing_token: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    mash = f.TeamFactory(agency=cast.partner_agency, code="MASH", name="MASH", is_front_door=True)
    front_door = f.member(cast.partner_agency, Role.PRACTITIONER, username="mash.worker", email="mash@example.org")
    front_door.memberships.update(team=mash)
    with django_capture_on_commit_callbacks(execute=True):
        post_entry(housing_token, "HSG-1", named(cast.child))
    notice = SharingNotice.objects.get()
    assert any("mash@example.org" in m.to for m in mail.outbox)
    listing = client_for(front_door).get(reverse("children:sharing")).content.decode()
    assert "Ellis Marsh" in listing
    # Nobody else opens the notice: the same 404 as a notice that does not exist.
    url = reverse("children:sharing-detail", args=[notice.pk])
    for other in (cast.unrelated, cast.partner):
        assert client_for(other).get(url).status_code == 404
    assert client_for(cast.partner).get(reverse("children:sharing-detail", args=[notice.pk + 99])).status_code == 404
    assert "Ellis" not in client_for(cast.unrelated).get(reverse("children:sharing")).content.decode()


def test_the_linkage_runs_the_same_whether_or_not_the_child_exists(
    cast: Cast, housing_token: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The slow step (scoring with the linkage model) runs for every small request, so how long the
    answer takes does not say whether the Hub holds a child like the one sent (by name, or by an NHS
    number it links at once)."""
    from safeguarding.linking import engine

    calls: list[int] = []
    real = engine.find_pairs

    def counted(records: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(len(kwargs["involving"]))
        return real(records, *args, **kwargs)

    monkeypatch.setattr(engine, "find_pairs", counted)
    nobody = {"first_name": "Noel", "last_name": "Nobody", "date_of_birth": "2017-07-07"}
    post_entry(housing_token, "A", named(cast.child))
    post_entry(housing_token, "B", nobody)
    post_entry(housing_token, "C", {**named(cast.child), "nhs_number": cast.child.nhs_number})
    assert calls == [1, 1, 1]
