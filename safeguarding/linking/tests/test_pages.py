"""The data stewards' pages: the queue of possible matches, one pair side by side (identifying
details and which agencies hold each record, never the entries), accepting a pair (a merge),
rejecting one, a decision made on a stale page, and undoing a merge. For everyone else every page
answers 404, exactly like a pair that does not exist, with data present that could leak."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from safeguarding.agencies.enums import AgencyKind, Role
from safeguarding.agencies.models import User
from safeguarding.children.models import Child
from safeguarding.chronology.models import ChildAgencyReference, EventType
from safeguarding.core.models import ActivityLog
from safeguarding.linking import services
from safeguarding.linking.enums import MatchStatus
from safeguarding.linking.models import ChildMerge, PossibleMatch
from safeguarding.testing import factories as f
from safeguarding.testing.html import without_per_request_values
from safeguarding.testing.personas import Cast
from safeguarding.testing.recording import record_as_involved

pytestmark = pytest.mark.django_db

D0 = dt.date(2025, 1, 6)
NOW = dt.datetime(2025, 3, 3, 10, 15, tzinfo=ZoneInfo("Europe/London"))
# Entries on the records: a data steward decides on identifying details alone and never reads these.
HEALTH_ENTRY = "Weighed at clinic; mother spoke of low mood"
POLICE_ENTRY = "Officers called to a disturbance at the address"
STALE_MESSAGE = "Someone else decided this pair after you opened it, so nothing was changed. Check the queue again."


@dataclass
class Scene:
    cast: Cast
    steward: User
    tom: Child  # held by the involved agency (Test Community Health)
    thomas: Child  # held by the partner agency (Test Police); merged into Tom's record on accept
    amara: Child
    amarah: Child
    tom_pair: PossibleMatch
    amara_pair: PossibleMatch


@pytest.fixture
def scene(cast: Cast, time_machine: Any) -> Scene:
    time_machine.move_to(NOW, tick=False)
    business_unit = f.AgencyFactory(code="BU", name="Test Partnership Business Unit", kind=AgencyKind.BUSINESS_UNIT)
    steward = f.member(business_unit, Role.DATA_STEWARD, username="steward", first_name="Sam", last_name="Steward")
    tom = f.ChildFactory(first_name="Tom", last_name="Price", date_of_birth=dt.date(2016, 3, 12), nhs_number=None)
    thomas = f.ChildFactory(
        first_name="Thomas", last_name="Pryce", date_of_birth=dt.date(2016, 3, 12), nhs_number="9434765919"
    )
    # Each agency works with its own record (the partner's practitioner sees Thomas's record only).
    record_as_involved(
        actor=cast.involved,
        agency=cast.agency,
        children=[tom],
        event_type=EventType.objects.get(code="health_visitor_contact"),
        occurred_on=D0,
        summary=HEALTH_ENTRY,
    )
    record_as_involved(
        actor=cast.partner,
        agency=cast.partner_agency,
        children=[thomas],
        event_type=EventType.objects.get(code="police_attendance"),
        occurred_on=D0 + dt.timedelta(days=5),
        summary=POLICE_ENTRY,
    )
    ChildAgencyReference.objects.create(agency=cast.agency, child=tom, reference="HV-1001")
    ChildAgencyReference.objects.create(agency=cast.partner_agency, child=thomas, reference="POL-2207")
    amara = f.ChildFactory(first_name="Amara", last_name="Okafor", date_of_birth=dt.date(2019, 7, 1))
    amarah = f.ChildFactory(first_name="Amarah", last_name="Okafor", date_of_birth=dt.date(2019, 1, 7))
    f.InvolvementFactory(agency=cast.unrelated_agency, child=amara)
    reasons = {
        "first name": "nickname (Tom / Thomas)",
        "surname": "sounds alike (Price / Pryce)",
        "date of birth": "same",
    }
    tom_pair = PossibleMatch.objects.create(child_a=tom, child_b=thomas, score=0.91, reasons=reasons)
    amara_pair = PossibleMatch.objects.create(child_a=amara, child_b=amarah, score=0.74)
    # A pair decided long ago: never in the queue again.
    PossibleMatch.objects.create(
        child_a=cast.child, child_b=cast.other_child, score=0.8, status=MatchStatus.REJECTED, version=2
    )
    return Scene(cast, steward, tom, thomas, amara, amarah, tom_pair, amara_pair)


def text_of(fragment: str) -> str:
    """A fragment of HTML as the words on the screen, line breaks as " / "."""
    fragment = re.sub(r"<br\s*/?>", " / ", fragment)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def pair_row(page: str, label: str) -> list[str]:
    """The two cells (first record, second record) of the pair table's row headed `label`."""
    found = re.search(rf'<th scope="row" class="govuk-table__header">{re.escape(label)}</th>(.*?)</tr>', page, re.S)
    assert found is not None, label
    return [text_of(cell) for cell in re.findall(r'<td class="govuk-table__cell">(.*?)</td>', found.group(1), re.S)]


def decide(client: Any, match: PossibleMatch, decision: str, *, version: int, note: str = "") -> Any:
    return client.post(
        reverse("linking:match", args=[match.pk]), {"decision": decision, "note": note, "version": version}
    )


def merged(scene: Scene) -> ChildMerge:
    return services.accept_match(actor=scene.steward, match=scene.tom_pair, version=1, note="Same school, checked")


# --- The queue -----------------------------------------------------------------------------------


def test_queue_lists_pending_pairs_most_likely_first(scene: Scene, client_for: Any) -> None:
    response = client_for(scene.steward).get(reverse("linking:queue"))
    page = response.content.decode()

    assert response.status_code == 200
    assert "2 pairs waiting for a decision" in page
    rows = [text_of(row) for row in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', page, re.S)[1:]]
    assert rows == [
        "Tom Price and Thomas Pryce: decide / born 12 March 2016 Thomas Pryce / born 12 March 2016 91% 3 March 2025",
        "Amara Okafor and Amarah Okafor: decide / born 1 July 2019 Amarah Okafor / born 7 January 2019 74% "
        "3 March 2025",
    ]
    assert f'href="/linking/{scene.tom_pair.pk}/"' in page
    # The pair decided before is not asked again; no entry is ever shown.
    assert "Ellis Marsh" not in page
    assert HEALTH_ENTRY not in page
    assert POLICE_ENTRY not in page


# --- One pair side by side -----------------------------------------------------------------------


def test_pair_page_shows_both_records_side_by_side_but_no_entry(scene: Scene, client_for: Any) -> None:
    response = client_for(scene.steward).get(reverse("linking:match", args=[scene.tom_pair.pk]))
    page = response.content.decode()

    assert response.status_code == 200
    assert f"First record (Hub ID {scene.tom.pk})" in page
    assert f"Second record (Hub ID {scene.thomas.pk})" in page
    assert "one child at <strong>91%</strong>" in page
    assert pair_row(page, "First name") == ["Tom Differs", "Thomas"]
    assert pair_row(page, "Last name") == ["Price Differs", "Pryce"]
    assert pair_row(page, "Date of birth") == ["12 Mar 2016", "12 Mar 2016"]
    assert pair_row(page, "NHS number") == ["Not recorded", "9434765919"]
    assert pair_row(page, "Agencies' references") == ["Test Community Health: HV-1001", "Test Police: POL-2207"]
    assert pair_row(page, "Agencies holding the record") == ["Test Community Health", "Test Police"]
    reasons = re.search(r'<dl class="govuk-summary-list">(.*?)</dl>', page, re.S)
    assert reasons is not None
    assert text_of(reasons.group(1)) == (
        "Date of birth same First name nickname (Tom / Thomas) Surname sounds alike (Price / Pryce)"
    )
    assert HEALTH_ENTRY not in page
    assert POLICE_ENTRY not in page


def test_pair_page_logs_a_view_of_both_records(scene: Scene, client_for: Any) -> None:
    client_for(scene.steward).get(reverse("linking:match", args=[scene.tom_pair.pk]))

    views = ActivityLog.objects.filter(action="possible_match.viewed").order_by("subject_child_id")
    assert [(v.actor_id, v.subject_child_id) for v in views] == [
        (scene.steward.pk, scene.tom.pk),
        (scene.steward.pk, scene.thomas.pk),
    ]
    # ... and each counts as a look at the child's record ("who has looked at this record").
    assert ActivityLog.objects.for_child(scene.thomas.pk).views().filter(action="possible_match.viewed").count() == 1


# --- Deciding ------------------------------------------------------------------------------------


def test_pair_accept_merges_the_records_and_the_merged_one_is_gone(scene: Scene, client_for: Any) -> None:
    partner = client_for(scene.cast.partner)
    assert partner.get(f"/children/{scene.thomas.pk}/").status_code == 200

    response = decide(client_for(scene.steward), scene.tom_pair, "accept", version=1, note="Same school, checked")

    merge = ChildMerge.objects.get()
    assert (merge.kept_id, merge.merged_id, merge.reason) == (scene.tom.pk, scene.thomas.pk, "Same school, checked")
    assert response.status_code == 302
    assert response["Location"] == f"/linking/merges/{merge.pk}/"
    scene.tom_pair.refresh_from_db()
    assert (scene.tom_pair.status, scene.tom_pair.version, scene.tom_pair.decided_by) == (
        MatchStatus.ACCEPTED,
        2,
        scene.steward,
    )
    # The record merged away is gone for the practitioner who saw it; its entries are on the record kept.
    assert partner.get(f"/children/{scene.thomas.pk}/").status_code == 404
    assert partner.get(f"/children/{scene.tom.pk}/").status_code == 200
    chronology = client_for(scene.cast.involved).get(f"/chronology/children/{scene.tom.pk}/")
    assert chronology.status_code == 200
    assert HEALTH_ENTRY in chronology.content.decode()
    assert POLICE_ENTRY in chronology.content.decode()
    # The other pair is untouched.
    assert PossibleMatch.objects.get(pk=scene.amara_pair.pk).status == MatchStatus.PENDING


def test_merge_page_after_accepting_says_what_happened(scene: Scene, client_for: Any) -> None:
    response = decide(client_for(scene.steward), scene.tom_pair, "accept", version=1, note="Same school, checked")
    page = client_for(scene.steward).get(response["Location"])
    merge_page = text_of(page.content.decode())

    assert page.status_code == 200
    assert f"Record kept Tom Price (Hub ID {scene.tom.pk})" in merge_page
    assert f"Merged into it Hub ID {scene.thomas.pk}" in merge_page
    assert "Merged 3 March 2025, 10:15 by Sam Steward" in merge_page
    assert "What was checked Same school, checked" in merge_page
    assert "Status In force" in merge_page
    assert "Undo this merge" in merge_page


def test_pair_accept_shows_the_success_message_on_the_merge_page(scene: Scene, client_for: Any) -> None:
    client = client_for(scene.steward)
    response = client.post(
        reverse("linking:match", args=[scene.tom_pair.pk]),
        {"decision": "accept", "note": "", "version": 1},
        follow=True,
    )

    assert response.redirect_chain == [(f"/linking/merges/{ChildMerge.objects.get().pk}/", 302)]
    assert "The two records are now one. You can undo this from the merge&#x27;s page." in response.content.decode()


def test_pair_reject_keeps_the_records_apart_and_returns_to_the_queue(scene: Scene, client_for: Any) -> None:
    response = client_for(scene.steward).post(
        reverse("linking:match", args=[scene.amara_pair.pk]),
        {"decision": "reject", "note": "Different dates of birth, checked with the school", "version": 1},
        follow=True,
    )
    page = response.content.decode()

    assert response.redirect_chain == [("/linking/", 302)]
    assert "Kept apart. This pair will not be suggested again." in page
    assert "1 pair waiting for a decision" in page
    assert "Amarah Okafor" not in page
    scene.amara_pair.refresh_from_db()
    assert (scene.amara_pair.status, scene.amara_pair.note, scene.amara_pair.decided_by) == (
        MatchStatus.REJECTED,
        "Different dates of birth, checked with the school",
        scene.steward,
    )
    assert set(Child.objects.filter(pk__in=[scene.amara.pk, scene.amarah.pk]).values_list("pk", flat=True)) == {
        scene.amara.pk,
        scene.amarah.pk,
    }
    assert not ChildMerge.objects.exists()


def test_pair_decision_after_someone_else_decided_changes_nothing(scene: Scene, client_for: Any) -> None:
    client = client_for(scene.steward)
    opened = client.get(reverse("linking:match", args=[scene.tom_pair.pk]))
    assert 'name="version" value="1"' in opened.content.decode()
    colleague = f.member(scene.cast.agency, Role.DATA_STEWARD, username="colleague")
    services.reject_match(actor=colleague, match=scene.tom_pair, version=1, note="Different children")

    response = decide(client, scene.tom_pair, "accept", version=1)
    page = html_lib.unescape(response.content.decode())

    assert response.status_code == 200
    assert "<title>Error: " in page
    assert STALE_MESSAGE in page
    assert "Decided: Kept apart by" in page
    assert not ChildMerge.objects.exists()
    scene.tom_pair.refresh_from_db()
    assert (scene.tom_pair.status, scene.tom_pair.version, scene.tom_pair.decided_by) == (
        MatchStatus.REJECTED,
        2,
        colleague,
    )
    assert Child.objects.filter(pk=scene.thomas.pk).exists()


def test_pair_decision_with_a_version_that_is_not_the_pairs_changes_nothing(scene: Scene, client_for: Any) -> None:
    response = decide(client_for(scene.steward), scene.tom_pair, "reject", version=7)

    assert response.status_code == 200
    assert STALE_MESSAGE in html_lib.unescape(response.content.decode())
    scene.tom_pair.refresh_from_db()
    assert (scene.tom_pair.status, scene.tom_pair.version) == (MatchStatus.PENDING, 1)


# --- Undoing a merge -----------------------------------------------------------------------------


def test_unmerge_with_a_short_reason_keeps_what_was_typed_and_shows_the_error(scene: Scene, client_for: Any) -> None:
    merge = merged(scene)

    response = client_for(scene.steward).post(reverse("linking:unmerge", args=[merge.pk]), {"reason": "Twins"})
    page = html_lib.unescape(response.content.decode())

    assert response.status_code == 200
    assert "<title>Error: " in page
    assert 'class="govuk-error-summary"' in page
    assert "Say why the records are two children, in at least 10 characters." in page
    assert re.search(r'<textarea name="reason"[^>]*>\s*Twins</textarea>', page)
    merge.refresh_from_db()
    assert merge.unmerged_at is None
    assert Child.all_records.get(pk=scene.thomas.pk).merged_into_id == scene.tom.pk


def test_unmerge_restores_the_merged_record(scene: Scene, client_for: Any) -> None:
    merge = merged(scene)
    partner = client_for(scene.cast.partner)
    assert partner.get(f"/children/{scene.thomas.pk}/").status_code == 404

    response = client_for(scene.steward).post(
        reverse("linking:unmerge", args=[merge.pk]),
        {"reason": "Different mothers, checked with the GP practice"},
        follow=True,
    )
    page = text_of(response.content.decode())

    assert response.redirect_chain == [(f"/linking/merges/{merge.pk}/", 302)]
    assert "Merge undone: the two records stand apart again, each with what it held." in page
    assert "Status Undone 3 March 2025, 10:15 by Sam Steward: Different mothers, checked with the GP practice" in page
    assert "Undo this merge" not in page
    assert partner.get(f"/children/{scene.thomas.pk}/").status_code == 200
    thomas = Child.objects.get(pk=scene.thomas.pk)
    assert (thomas.merged_into_id, thomas.nhs_number) == (None, "9434765919")
    assert Child.objects.get(pk=scene.tom.pk).nhs_number is None
    chronology = client_for(scene.cast.involved).get(f"/chronology/children/{scene.tom.pk}/").content.decode()
    assert HEALTH_ENTRY in chronology
    assert POLICE_ENTRY not in chronology
    assert PossibleMatch.objects.get(pk=scene.tom_pair.pk).status == MatchStatus.REJECTED


# --- Access ----------------------------------------------------------------------------------------


@pytest.fixture
def others(scene: Scene) -> dict[str, User]:
    business_unit = f.AgencyFactory(code="BU")
    return {
        "involved": scene.cast.involved,
        "partner": scene.cast.partner,
        "unrelated": scene.cast.unrelated,
        "business_unit": f.member(business_unit, Role.BUSINESS_UNIT, username="business"),
        "administrator": f.member(business_unit, Role.ADMINISTRATOR, username="administrator"),
    }


@pytest.mark.parametrize("persona", ["involved", "partner", "unrelated", "business_unit", "administrator"])
def test_linking_pages_answer_everyone_but_a_data_steward_as_if_nothing_existed(
    scene: Scene, others: dict[str, User], client_for: Any, persona: str
) -> None:
    merge = merged(scene)
    client = client_for(others[persona])
    missing = client.get(reverse("linking:match", args=[999_999]))
    requests = [
        ("get", reverse("linking:queue"), {}),
        ("get", reverse("linking:match", args=[scene.amara_pair.pk]), {}),
        ("post", reverse("linking:match", args=[scene.amara_pair.pk]), {"decision": "accept", "version": 1}),
        ("get", reverse("linking:merges"), {}),
        ("get", reverse("linking:merge", args=[merge.pk]), {}),
        ("post", reverse("linking:unmerge", args=[merge.pk]), {"reason": "Two children after all, checked"}),
    ]

    assert missing.status_code == 404
    for method, url, data in requests:
        response = getattr(client, method)(url, data)
        assert (response.status_code, without_per_request_values(response.content)) == (
            404,
            without_per_request_values(missing.content),
        ), (method, url)
        assert b"Amara" not in response.content
    assert PossibleMatch.objects.get(pk=scene.amara_pair.pk).status == MatchStatus.PENDING
    merge.refresh_from_db()
    assert merge.unmerged_at is None
    assert not ActivityLog.objects.filter(action="possible_match.viewed", actor=others[persona]).exists()


def test_linking_pages_answer_a_data_steward_404_for_ids_that_do_not_exist(scene: Scene, client_for: Any) -> None:
    client = client_for(scene.steward)
    for url in (reverse("linking:match", args=[999_999]), reverse("linking:merge", args=[999_999])):
        assert client.get(url).status_code == 404, url


# --- Navigation ----------------------------------------------------------------------------------


def test_navigation_shows_possible_matches_to_data_stewards_only(
    scene: Scene, others: dict[str, User], client_for: Any
) -> None:
    steward_page = client_for(scene.steward).get("/", follow=True)
    assert "Possible matches" in [item.label for item in steward_page.context["nav_items"]]
    assert re.search(r'href="/linking/"[^>]*>\s*Possible matches\s*</a>', steward_page.content.decode())
    for persona, user in others.items():
        page = client_for(user).get("/", follow=True)
        assert page.status_code == 200, persona
        assert "Possible matches" not in [item.label for item in page.context["nav_items"]], persona
        assert 'href="/linking/"' not in page.content.decode(), persona
