"""Every path of the action plan services that locks a row, run as a real request runs them: outside a
test transaction (`transaction=True`), so each service's own transaction is the only one (on
PostgreSQL under autocommit a `select_for_update()` outside a transaction is refused). Two people
acting from the same version must not both succeed: the second gets `StaleVersion`, and nothing of
theirs is saved. Run with DATABASE_URL set to PostgreSQL to prove it there."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction

from safeguarding.actionplans import services
from safeguarding.actionplans.enums import ActionRag as R
from safeguarding.actionplans.enums import ActionStatus as S
from safeguarding.actionplans.models import Action, ActionPlan, ActionPlanVersion, ActionUpdate
from safeguarding.actionplans.permissions import NotAllowed, StaleVersion
from safeguarding.actionplans.tests.conftest import PlanCast, build_plan_cast
from safeguarding.core.models import ActivityLog

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tpc(transactional_db: None) -> PlanCast:
    return build_plan_cast()


def _fresh(action: Action) -> Action:
    """Another person's copy of the action, read now."""
    return Action.objects.select_related("plan").get(pk=action.pk)


def _update(c: PlanCast, action: Action, status: str, rag: str, version: int, narrative: str = "Progress.") -> Any:
    return services.add_update(
        actor=c.lead,
        action=action,
        written_on=c.today,
        narrative=narrative,
        status=status,
        rag=rag,
        version=version,
    )


def _log(action: str) -> int:
    return ActivityLog.objects.filter(action=action).count()


def test_two_people_updating_the_same_action_from_the_same_version_the_second_is_refused(tpc: PlanCast) -> None:
    mine, theirs = _fresh(tpc.a1), _fresh(tpc.a1)
    assert not connection.in_atomic_block
    _update(tpc, mine, S.ON_TRACK, R.GREEN, mine.version)
    with pytest.raises(StaleVersion, match="Someone else changed this action"):
        _update(tpc, theirs, S.OFF_TRACK, R.RED, theirs.version, narrative="Stalled.")
    stored = _fresh(tpc.a1)
    assert (stored.status, stored.rag, stored.version) == (S.ON_TRACK, R.GREEN, mine.version)
    assert ActionUpdate.objects.filter(action_id=tpc.a1.pk).count() == 1
    assert _log("actionplan.update_added") == 1


def test_an_edit_from_a_stale_read_is_refused_after_an_update(tpc: PlanCast) -> None:
    read = _fresh(tpc.a1)
    _update(tpc, _fresh(tpc.a1), S.AT_RISK, R.AMBER, read.version)
    with pytest.raises(StaleVersion):
        services.edit_action(actor=tpc.business, action=read, version=read.version, description="Overwrite.")
    assert _fresh(tpc.a1).description == "Health guidance on missed appointments."
    assert _log("actionplan.action_edited") == 0


def test_two_edits_of_the_same_action_from_the_same_version_the_second_is_refused(tpc: PlanCast) -> None:
    version = tpc.a1.version
    services.edit_action(actor=tpc.business, action=_fresh(tpc.a1), version=version, description="First.")
    with pytest.raises(StaleVersion):
        services.edit_action(actor=tpc.business, action=_fresh(tpc.a1), version=version, description="Second.")
    assert (_fresh(tpc.a1).description, _fresh(tpc.a1).version) == ("First.", version + 1)


def test_two_edits_of_the_same_plan_from_the_same_version_the_second_is_refused(tpc: PlanCast) -> None:
    version = ActionPlan.objects.get(pk=tpc.plan.pk).version
    services.edit_plan(actor=tpc.business, plan=ActionPlan.objects.get(pk=tpc.plan.pk), version=version, title="Mine")
    with pytest.raises(StaleVersion, match="Someone else changed this plan"):
        services.edit_plan(
            actor=tpc.business, plan=ActionPlan.objects.get(pk=tpc.plan.pk), version=version, title="Theirs"
        )
    stored = ActionPlan.objects.get(pk=tpc.plan.pk)
    assert (stored.title, stored.version) == ("Mine", version + 1)
    assert _log("actionplan.edited") == 1


def test_actions_and_versions_are_numbered_one_at_a_time_under_autocommit(tpc: PlanCast) -> None:
    third = tpc.action(rec=2)
    assert third.number == 3
    first = services.freeze_version(actor=tpc.business, plan=tpc.plan, reason="To the committee.")
    second = services.freeze_version(actor=tpc.business, plan=tpc.plan, reason="Again.")
    assert (first.number, second.number) == (1, 2)
    assert ActionPlanVersion.objects.filter(plan_id=tpc.plan.pk).count() == 2


def _complete(c: PlanCast) -> Action:
    action = _fresh(c.a1)
    _update(c, action, S.COMPLETE, R.BLUE, action.version)
    return _fresh(c.a1)


def test_a_sign_off_twice_is_refused_the_second_time(tpc: PlanCast) -> None:
    action = _complete(tpc)
    mine, theirs = _fresh(action), _fresh(action)
    services.sign_off(actor=tpc.chair, action=mine)
    with pytest.raises(NotAllowed, match="already signed off"):
        services.sign_off(actor=tpc.chair, action=theirs)
    assert _log("actionplan.action_signed_off") == 1


def test_a_recheck_from_a_stale_read_is_refused(tpc: PlanCast) -> None:
    action = _complete(tpc)
    read = _fresh(action)
    services.edit_action(
        actor=tpc.business, action=_fresh(action), version=read.version, recheck_on=tpc.today - timedelta(days=1)
    )
    with pytest.raises(StaleVersion):
        services.record_recheck(
            actor=tpc.lead, action=read, version=read.version, rechecked_on=tpc.today, held=True, narrative="Held."
        )
    services.record_recheck(
        actor=tpc.lead,
        action=_fresh(action),
        version=read.version + 1,
        rechecked_on=tpc.today,
        held=True,
        narrative="x",
    )
    assert (_fresh(action).recheck_held, _log("actionplan.recheck_recorded")) == (True, 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections: PostgreSQL only")
def test_a_second_update_waits_for_the_first_then_is_refused(tpc: PlanCast) -> None:
    """Two requests at once: the second blocks on the action's row lock until the first commits, then
    finds the version moved on."""
    version = tpc.a1.version
    outcome: list[BaseException | None] = []

    def second() -> None:
        try:
            _update(tpc, _fresh(tpc.a1), S.OFF_TRACK, R.RED, version, narrative="Stalled.")
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=second)
    with transaction.atomic():
        _update(tpc, _fresh(tpc.a1), S.ON_TRACK, R.GREEN, version)
        thread.start()
        thread.join(timeout=1.0)
        assert thread.is_alive(), "the second update should wait for the first one's row lock"
    thread.join(timeout=30)
    assert len(outcome) == 1
    assert isinstance(outcome[0], StaleVersion)
    stored = _fresh(tpc.a1)
    assert (stored.status, stored.rag) == (S.ON_TRACK, R.GREEN)
    assert ActionUpdate.objects.filter(action_id=tpc.a1.pk).count() == 1
