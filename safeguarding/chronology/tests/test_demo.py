"""Demo chronologies: the featured brothers show every highlight kind; other children get lighter
chronologies; the same seed gives the same entries. One small seed for the whole module."""

from __future__ import annotations

import random
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from safeguarding.agencies.models import User
from safeguarding.children.models import Child
from safeguarding.chronology import demo as chronology_demo
from safeguarding.chronology.merged import ChronologyFilters, merged_chronology
from safeguarding.chronology.models import Event, EventChild
from safeguarding.core.enums import Confidentiality

HIGHLIGHT_KINDS = {"was_not_brought_run", "gap", "repeated_nfa", "closed_non_engagement"}


@pytest.fixture(scope="module")
def seeded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("seed_demo", "--seed", "3", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded: str, db: None) -> str:
    return seeded


def user(username: str) -> User:
    return User.objects.get(username=username)


def brothers() -> tuple[Child, Child]:
    tyler, mason = Child.objects.filter(last_name="Whitlock").order_by("date_of_birth")
    return tyler, mason


def test_demo_brothers_show_every_highlight_kind(demo):
    tyler, mason = brothers()
    health_visitor = user("practitioner.hv")
    assert {h.kind for h in merged_chronology(health_visitor, mason).highlights} == HIGHLIGHT_KINDS
    family = merged_chronology(health_visitor, tyler, ChronologyFilters(include_family=True))
    assert {h.kind for h in family.highlights} == HIGHLIGHT_KINDS


def test_demo_strategy_discussion_is_one_row_with_police_and_social_care(demo):
    _tyler, mason = brothers()
    rows = [
        r
        for r in merged_chronology(user("practitioner.csc"), mason).rows
        if r.event.event_type.code == "strategy_discussion"
    ]
    assert len(rows) == 1
    assert {a.code for a in rows[0].agencies} == {"NBC-CSC", "NBP"}


def test_demo_mental_health_entry_is_restricted_to_the_health_visitors(demo):
    _tyler, mason = brothers()
    restricted = Event.objects.get(
        child_links__child=mason, confidentiality=Confidentiality.RESTRICTED, category="parental_mental_health"
    )

    def seen_by(username: str) -> bool:
        return any(r.event.pk == restricted.pk for r in merged_chronology(user(username), mason).rows)

    assert seen_by("practitioner.hv")
    assert not seen_by("practitioner.police")
    assert not seen_by("practitioner.csc")


def test_demo_has_a_type_mapped_to_other_with_the_agencys_label(demo):
    tyler, _mason = brothers()
    assert Event.objects.filter(
        child_links__child=tyler, event_type__code="other", original_type_label="Concern for welfare - no trace"
    ).exists()


def test_demo_gives_other_children_lighter_chronologies(demo):
    others = EventChild.objects.exclude(child__last_name="Whitlock")
    children_with_entries = others.values("child_id").distinct().count()
    assert children_with_entries >= 100
    assert Event.objects.count() >= 500
    assert "chronology entries written" in demo


def test_demo_entries_are_never_in_the_future_and_every_link_matches_its_event(demo):
    assert not Event.objects.filter(occurred_on__gt=timezone.localdate()).exists()
    assert not EventChild.objects.exclude(occurred_on=F("event__occurred_on")).exists()
    assert not EventChild.objects.exclude(agency_id=F("event__agency_id")).exists()


class _Collecting(chronology_demo.Writer):
    """Keeps the planned entries instead of writing them."""

    def flush(self) -> None:
        pass


def _plans(seed: int) -> list[chronology_demo.Planned]:
    today = timezone.localdate()
    writer = _Collecting(today)
    tyler, mason = brothers()
    chronology_demo.plan_whitlock(writer, today, tyler=tyler, mason=mason)
    chronology_demo.plan_others(writer, today, random.Random(seed), exclude={tyler.pk, mason.pk}, limit=None)
    return writer.pending


def test_demo_plans_are_the_same_for_a_seed(demo):
    assert _plans(5) == _plans(5)
    assert _plans(5) != _plans(6)
