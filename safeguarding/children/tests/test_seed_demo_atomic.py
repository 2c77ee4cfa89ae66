"""`seed_demo` is all-or-nothing (issue 19 item 5): a step that fails leaves the database as it was,
and the large demo's many escalations pick only children their raiser can see (a restricted
involvement once stopped `--size large` in the escalations step). Small seeds, same code paths."""

from __future__ import annotations

from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from safeguarding.agencies.models import Agency, User
from safeguarding.children.models import Child, Household, Involvement
from safeguarding.children.queries import children_visible_to
from safeguarding.chronology.models import Event
from safeguarding.core import demo
from safeguarding.core.enums import Confidentiality
from safeguarding.escalations import demo as escalations_demo
from safeguarding.escalations.models import Escalation


def _chronology_step() -> list[tuple[int, str, demo.DemoStep]]:
    return [row for row in demo._steps if row[1] == "chronology"]


def _fails(ctx: demo.DemoContext) -> None:
    raise RuntimeError("the disk is full")


@pytest.mark.django_db
def test_a_failing_late_step_leaves_nothing_and_names_the_step() -> None:
    agencies_before = Agency.objects.count()
    steps = [*_chronology_step(), (99, "late-step", _fails)]
    with mock.patch.object(demo, "_steps", steps), pytest.raises(CommandError) as raised:
        call_command("seed_demo", stdout=StringIO())
    assert "'late-step' demo step failed: the disk is full" in str(raised.value)
    assert "Nothing was saved" in str(raised.value)
    assert not Child.objects.exists()
    assert not Household.objects.exists()
    assert not Event.objects.exists()
    assert Agency.objects.count() == agencies_before
    # And the database is fit for a fresh seed straight away (no --if-empty needed).
    with mock.patch.object(demo, "_steps", _chronology_step()):
        call_command("seed_demo", stdout=StringIO())
    assert Child.objects.filter(last_name="Whitlock").count() == 2
    assert Event.objects.exists()


@pytest.mark.django_db
def test_the_large_demos_escalations_pick_children_their_raiser_can_see() -> None:
    with mock.patch.object(demo, "_steps", []):
        call_command("seed_demo", stdout=StringIO())
    # The small demo has the restricted involvements that stopped the large one.
    assert Involvement.objects.filter(confidentiality=Confidentiality.RESTRICTED).exists()
    ctx = demo.DemoContext(size="large", seed=1, log=lambda message: None)
    made = escalations_demo._many(ctx)
    assert made > 20
    assert Escalation.objects.count() == made
    for escalation in Escalation.objects.prefetch_related("children").select_related("raised_by"):
        raiser = User.objects.get(pk=escalation.raised_by_id)
        children = [c.pk for c in escalation.children.all()]
        assert children_visible_to(raiser).filter(pk__in=children).count() == len(children)
