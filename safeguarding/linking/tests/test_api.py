"""API v1 possible matches and the linking commands: the data stewards' queue (record ids and
scores, most likely first), accepting and rejecting with the pair's version (409 when someone else
decided first), nothing at all for anyone else or for an agency token; `manage.py possible_matches
--json` prints the same pairs, and `manage.py train_linkage_model` stores a new version each run."""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from safeguarding.agencies.enums import AgencyKind, Role
from safeguarding.agencies.models import User
from safeguarding.api.tests.factories import make_token, signed_in_client, token_client
from safeguarding.children.models import Child
from safeguarding.core.models import ActivityLog
from safeguarding.linking import engine, services
from safeguarding.linking.enums import MatchStatus
from safeguarding.linking.models import ChildMerge, LinkageModel, PossibleMatch
from safeguarding.testing import factories as f
from safeguarding.testing.personas import Cast

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 3, 3, 10, 15, tzinfo=ZoneInfo("Europe/London"))
LIST = "/api/v1/possible-matches/"
NOT_FOUND = {"detail": "Not found."}


@dataclass
class Scene:
    cast: Cast
    steward: User
    children: list[Child]
    likely: PossibleMatch  # score 0.93
    middling: PossibleMatch  # score 0.81
    unlikely: PossibleMatch  # score 0.62
    rejected: PossibleMatch  # decided before: never in the queue


@pytest.fixture
def scene(cast: Cast, time_machine: Any) -> Scene:
    time_machine.move_to(NOW, tick=False)
    business_unit = f.AgencyFactory(code="BU", name="Test Partnership Business Unit", kind=AgencyKind.BUSINESS_UNIT)
    steward = f.member(business_unit, Role.DATA_STEWARD, username="steward")
    names = [("Tom", "Price"), ("Thomas", "Pryce"), ("Amara", "Okafor"), ("Amarah", "Okafor"), ("Jo", "Hale")]
    children = [f.ChildFactory(first_name=first, last_name=last, nhs_number=None) for first, last in names]
    tom, thomas, amara, amarah, jo = children

    def pair(a: Child, b: Child, score: float, **fields: Any) -> PossibleMatch:
        return PossibleMatch.objects.create(child_a=a, child_b=b, score=score, found_by="import 12", **fields)

    return Scene(
        cast=cast,
        steward=steward,
        children=children,
        unlikely=pair(tom, jo, 0.62),
        likely=pair(tom, thomas, 0.93, reasons={"first name": "nickname (Tom / Thomas)"}, model_version=1),
        middling=pair(amara, amarah, 0.81),
        rejected=pair(amarah, jo, 0.97, status=MatchStatus.REJECTED, version=2),
    )


def steward_client(scene: Scene) -> Any:
    return signed_in_client(scene.steward, verified=True)


def decision(client: Any, match: PossibleMatch, verb: str, **body: Any) -> Any:
    return client.post(f"{LIST}{match.pk}/{verb}/", body, content_type="application/json")


# --- The list --------------------------------------------------------------------------------------


def test_possible_matches_list_gives_a_steward_pending_pairs_most_likely_first(scene: Scene) -> None:
    body = steward_client(scene).get(LIST).json()

    assert (body["count"], body["next"], body["previous"]) == (3, None, None)
    assert [(m["id"], m["child_ids"], m["score"]) for m in body["results"]] == [
        (scene.likely.pk, [scene.children[0].pk, scene.children[1].pk], 0.93),
        (scene.middling.pk, [scene.children[2].pk, scene.children[3].pk], 0.81),
        (scene.unlikely.pk, [scene.children[0].pk, scene.children[4].pk], 0.62),
    ]
    assert body["results"][0] == {
        "id": scene.likely.pk,
        "child_ids": [scene.children[0].pk, scene.children[1].pk],
        "score": 0.93,
        "status": "pending",
        "reasons": {"first name": "nickname (Tom / Thomas)"},
        "model_version": 1,
        "found_by": "import 12",
        "created_at": "2025-03-03T10:15:00Z",
        "version": 1,
    }


def test_possible_matches_list_pages_by_a_hundred(scene: Scene) -> None:
    extra = [f.ChildFactory(nhs_number=None) for _ in range(101)]
    for child in extra[1:]:
        PossibleMatch.objects.create(child_a=extra[0], child_b=child, score=0.5)
    client = steward_client(scene)

    first = client.get(LIST).json()
    second = client.get(first["next"]).json()

    assert (first["count"], len(first["results"]), first["previous"]) == (103, 100, None)
    assert first["next"] == "http://testserver/api/v1/possible-matches/?page=2"
    assert (len(second["results"]), second["next"]) == (3, None)
    assert second["previous"] == "http://testserver/api/v1/possible-matches/"


def test_possible_matches_list_is_empty_for_an_agency_token_and_a_practitioner(scene: Scene) -> None:
    _token, key = make_token(scene.cast.agency)
    empty = {"count": 0, "next": None, "previous": None, "results": []}

    assert token_client(key).get(LIST).json() == empty
    assert signed_in_client(scene.cast.involved, verified=True).get(LIST).json() == empty


def test_possible_matches_list_needs_credentials(scene: Scene) -> None:
    from rest_framework.test import APIClient

    assert APIClient().get(LIST).status_code == 401


# --- Deciding --------------------------------------------------------------------------------------


def test_possible_match_accept_merges_the_newer_record_into_the_older(scene: Scene) -> None:
    tom, thomas = scene.children[0], scene.children[1]

    response = decision(steward_client(scene), scene.likely, "accept", version=1, note="Same school, checked")

    merge = ChildMerge.objects.get()
    assert response.status_code == 200
    assert response.json() == {"merge_id": merge.pk, "kept_child_id": tom.pk, "merged_child_id": thomas.pk}
    scene.likely.refresh_from_db()
    assert (scene.likely.status, scene.likely.version, scene.likely.note) == (
        MatchStatus.ACCEPTED,
        2,
        "Same school, checked",
    )
    assert not Child.objects.filter(pk=thomas.pk).exists()
    # Tom's other pair was about a record that still stands; it stays in the queue.
    listed = [m["id"] for m in steward_client(scene).get(LIST).json()["results"]]
    assert listed == [scene.middling.pk, scene.unlikely.pk]


def test_possible_match_reject_keeps_the_records_apart(scene: Scene) -> None:
    response = decision(steward_client(scene), scene.middling, "reject", version=1, note="Different birthdays")

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["status"], response.json()["version"]) == (
        scene.middling.pk,
        "rejected",
        2,
    )
    scene.middling.refresh_from_db()
    assert (scene.middling.status, scene.middling.note, scene.middling.decided_by) == (
        MatchStatus.REJECTED,
        "Different birthdays",
        scene.steward,
    )
    assert Child.objects.filter(pk__in=[scene.children[2].pk, scene.children[3].pk]).count() == 2
    assert not ChildMerge.objects.exists()
    assert [m["id"] for m in steward_client(scene).get(LIST).json()["results"]] == [
        scene.likely.pk,
        scene.unlikely.pk,
    ]


def test_possible_match_decision_after_someone_else_decided_is_a_409(scene: Scene) -> None:
    read = steward_client(scene).get(LIST).json()["results"][0]
    colleague = f.member(scene.cast.agency, Role.DATA_STEWARD, username="colleague")
    services.reject_match(actor=colleague, match=scene.likely, version=read["version"], note="Two children")

    response = decision(steward_client(scene), scene.likely, "accept", version=read["version"])

    assert response.status_code == 409
    assert response.json() == {"detail": services.STALE}
    assert not ChildMerge.objects.exists()
    scene.likely.refresh_from_db()
    assert (scene.likely.status, scene.likely.decided_by) == (MatchStatus.REJECTED, colleague)


def test_possible_match_decision_with_a_version_that_is_not_the_pairs_is_a_409(scene: Scene) -> None:
    response = decision(steward_client(scene), scene.middling, "reject", version=5)

    assert response.status_code == 409
    assert response.json() == {"detail": services.STALE}
    scene.middling.refresh_from_db()
    assert (scene.middling.status, scene.middling.version) == (MatchStatus.PENDING, 1)


def test_possible_match_decision_without_a_version_is_a_400_naming_it(scene: Scene) -> None:
    response = decision(steward_client(scene), scene.middling, "reject", note="No version")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["version"]


@pytest.mark.parametrize("verb", ["accept", "reject"])
def test_possible_match_decision_is_404_for_anyone_but_a_steward(scene: Scene, verb: str) -> None:
    _token, key = make_token(scene.cast.agency)
    for client in (signed_in_client(scene.cast.involved, verified=True), token_client(key)):
        hidden = decision(client, scene.likely, verb, version=1)
        missing = client.post(f"{LIST}999999/{verb}/", {"version": 1}, content_type="application/json")
        assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json()) == (404, NOT_FOUND)
        assert client.get(f"{LIST}{scene.likely.pk}/").json() == NOT_FOUND
    scene.likely.refresh_from_db()
    assert (scene.likely.status, scene.likely.version) == (MatchStatus.PENDING, 1)
    assert not ChildMerge.objects.exists()


# --- manage.py possible_matches ----------------------------------------------------------------------


def command_json(*args: str) -> Any:
    out = io.StringIO()
    call_command("possible_matches", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_possible_matches_command_prints_the_pending_pairs_as_json(scene: Scene) -> None:
    printed = command_json()

    assert [(row["child_ids"], row["score"]) for row in printed] == [
        (m.child_ids, m.score) for m in (scene.likely, scene.middling, scene.unlikely)
    ]
    assert printed[0] == {
        "id": scene.likely.pk,
        "child_ids": [scene.children[0].pk, scene.children[1].pk],
        "score": 0.93,
        "status": "pending",
        "model_version": 1,
        "found_by": "import 12",
        "created_at": "2025-03-03T10:15:00+00:00",
    }


def test_possible_matches_command_with_all_includes_decided_pairs(scene: Scene) -> None:
    printed = command_json("--all")

    assert [(row["child_ids"], row["score"], row["status"]) for row in printed] == [
        (scene.rejected.child_ids, 0.97, "rejected"),
        (scene.likely.child_ids, 0.93, "pending"),
        (scene.middling.child_ids, 0.81, "pending"),
        (scene.unlikely.child_ids, 0.62, "pending"),
    ]


def test_possible_matches_command_without_json_says_when_none_wait(db: None) -> None:
    out = io.StringIO()
    call_command("possible_matches", stdout=out)

    assert out.getvalue() == "No possible matches are waiting.\n"


# --- manage.py train_linkage_model -------------------------------------------------------------------


def test_train_linkage_model_stores_a_new_version_each_run_and_logs_it(scene: Scene) -> None:
    records = Child.objects.count()
    out = io.StringIO()

    call_command("train_linkage_model", "--actor", "steward", stdout=out)
    call_command("train_linkage_model", stdout=out)

    first, second = LinkageModel.objects.order_by("version")
    assert [(m.version, m.records, m.trained_by) for m in (first, second)] == [
        (1, records, scene.steward),
        (2, records, None),
    ]
    # Too few records to estimate anything: the model kept is the prior, unchanged.
    assert first.parameters == engine.default_model()
    assert out.getvalue().splitlines()[0].startswith(f"Linkage model version 1 trained on {records} child records in ")
    logged = ActivityLog.objects.filter(action="linkage_model.trained").order_by("id")
    assert [(a.actor_id, a.target_id, a.changes) for a in logged] == [
        (scene.steward.pk, str(first.pk), {"version": [None, 1], "records": [None, records]}),
        (None, str(second.pk), {"version": [None, 2], "records": [None, records]}),
    ]


def test_train_linkage_model_dry_run_stores_nothing(scene: Scene) -> None:
    out = io.StringIO()

    call_command("train_linkage_model", "--dry-run", stdout=out)

    assert out.getvalue().startswith("Dry run: trained on the Hub's records in ")
    assert not LinkageModel.objects.exists()
    assert not ActivityLog.objects.filter(action="linkage_model.trained").exists()
