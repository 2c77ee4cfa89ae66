"""Every path of the escalation services that locks a row, run as a real request runs them: outside a
test transaction (`transaction=True`), so each service's own transaction is the only one (on
PostgreSQL under autocommit a `select_for_update()` outside a transaction is refused). Two people
acting from the same version must not both succeed: the second gets `StaleVersion`. Run with
DATABASE_URL set to PostgreSQL to prove it there."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from safeguarding.core.kernel import StaleVersion
from safeguarding.core.models import ActivityLog
from safeguarding.escalations import services
from safeguarding.escalations.enums import Action, EscalationStatus, ResponseKind
from safeguarding.escalations.models import AgreedAction, Escalation, EscalationStep
from safeguarding.escalations.tests.conftest import EscCast, build_esc_cast

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tec(transactional_db: None) -> EscCast:
    return build_esc_cast()


def _fresh(esc: Escalation) -> Escalation:
    """Another person's copy of the escalation, read now."""
    return Escalation.objects.select_related("stage").get(pk=esc.pk)


def _respond(c: EscCast, esc: Escalation, version: int | None = None, actor: Any = None) -> None:
    services.respond_to_escalation(
        actor=actor or c.receiver,
        escalation=esc,
        version=esc.version if version is None else version,
        kind=ResponseKind.DISAGREE,
        reasons="Not at threshold.",
    )


def _steps(esc: Escalation, action: str) -> int:
    return EscalationStep.objects.filter(escalation_id=esc.pk, action=action).count()


def test_two_people_on_the_same_version_the_second_is_refused(tec: EscCast) -> None:
    esc = tec.raise_one()
    mine, theirs = _fresh(esc), _fresh(esc)
    assert not connection.in_atomic_block
    _respond(tec, mine)
    with pytest.raises(StaleVersion, match="Someone else changed this escalation"):
        services.close_escalation(actor=tec.raiser, escalation=theirs, version=theirs.version, reason="Withdrawn.")
    stored = _fresh(esc)
    assert (stored.status, stored.version) == (EscalationStatus.RESPONDED, 2)
    assert _steps(esc, Action.RESPONDED) == 1
    assert _steps(esc, Action.CLOSED) == 0
    assert ActivityLog.objects.filter(action="escalation.closed").count() == 0


def test_the_same_response_sent_twice_from_one_page_is_refused_the_second_time(tec: EscCast) -> None:
    esc = tec.raise_one()
    version = esc.version
    _respond(tec, _fresh(esc), version)
    with pytest.raises(StaleVersion):
        _respond(tec, _fresh(esc), version)
    assert _steps(esc, Action.RESPONDED) == 1
    assert esc.responses.count() == 1


def test_every_transition_runs_under_autocommit(tec: EscCast) -> None:
    esc = tec.raise_one()
    _respond(tec, esc)
    services.escalate_to_next_stage(actor=tec.raiser, escalation=esc, version=esc.version, reason="No movement.")
    assert (_fresh(esc).stage.number, _fresh(esc).status) == (2, EscalationStatus.AWAITING_RESPONSE)
    esc = _fresh(esc)
    _respond(tec, esc, actor=tec.receiving_manager)  # stage 2 is manager to manager
    stale = esc.version
    services.record_outcome(
        actor=tec.raiser,
        escalation=esc,
        version=esc.version,
        outcome="A strategy discussion on Monday.",
        actions=[services.ActionInput("Hold the meeting", tec.cast.partner_agency, "A. Manager", timezone.localdate())],
    )
    with pytest.raises(StaleVersion):
        services.record_outcome(actor=tec.raiser, escalation=_fresh(esc), version=stale, outcome="Again.")
    services.flag_for_learning(actor=tec.business, escalation=esc, version=esc.version, note="Workshop theme.")
    services.accept_outcome(actor=tec.raiser, escalation=esc, version=esc.version, note="Agreed.")
    stored = _fresh(esc)
    assert (stored.status, stored.flagged_for_learning, stored.version) == (
        EscalationStatus.RESOLVED,
        True,
        esc.version,
    )
    assert stored.finished_at is not None
    assert AgreedAction.objects.filter(escalation_id=esc.pk).count() == 1
    assert _steps(esc, Action.OUTCOME_RECORDED) == 1


def test_ending_by_referral_under_autocommit_and_a_stale_close_is_refused(tec: EscCast) -> None:
    esc = tec.raise_one()
    stale = _fresh(esc)
    services.resolve_by_referral(actor=tec.raiser, escalation=esc, version=esc.version, reason="Referred to CSC.")
    with pytest.raises(StaleVersion):
        services.close_escalation(actor=tec.raiser, escalation=stale, version=stale.version, reason="Withdrawn.")
    assert _fresh(esc).status == EscalationStatus.RESOLVED_BY_REFERRAL
    assert _steps(esc, Action.CLOSED) == 0


def test_an_agreed_action_recorded_twice_is_refused_the_second_time(tec: EscCast) -> None:
    esc = tec.raise_one()
    _respond(tec, esc)
    services.record_outcome(
        actor=tec.raiser,
        escalation=esc,
        version=esc.version,
        outcome="A meeting.",
        actions=[services.ActionInput("Hold it", tec.cast.agency, "A. Raiser", timezone.localdate())],
    )
    first = AgreedAction.objects.get(escalation_id=esc.pk)
    second = AgreedAction.objects.get(pk=first.pk)
    services.complete_agreed_action(actor=tec.raiser, action=first, done_on=timezone.localdate())
    with pytest.raises(ValidationError, match="already recorded as done"):
        services.complete_agreed_action(actor=tec.raiser, action=second, done_on=timezone.localdate())
    assert ActivityLog.objects.filter(action="escalation.agreed_action_done").count() == 1


def test_marking_overdue_under_autocommit_marks_once(tec: EscCast) -> None:
    esc = tec.raise_one()
    later = esc.stage_due_at + timedelta(hours=1)
    assert services.mark_overdue_escalations(now=later) == 1
    assert services.mark_overdue_escalations(now=later) == 0
    assert services.mark_escalation_overdue(esc.pk, later) is False
    stored = _fresh(esc)
    assert stored.stage_overdue_at == later
    assert stored.status == EscalationStatus.AWAITING_RESPONSE
    assert _steps(esc, Action.MARKED_OVERDUE) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections: PostgreSQL only")
def test_a_second_change_waits_for_the_first_then_is_refused(tec: EscCast) -> None:
    """Two requests at once: the second blocks on the escalation's row lock until the first commits,
    then finds the version moved on."""
    esc = tec.raise_one()
    version = esc.version
    outcome: list[BaseException | None] = []

    def second() -> None:
        try:
            services.close_escalation(actor=tec.raiser, escalation=_fresh(esc), version=version, reason="Withdrawn.")
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=second)
    with transaction.atomic():
        _respond(tec, _fresh(esc), version)
        thread.start()
        thread.join(timeout=1.0)
        assert thread.is_alive(), "the second change should wait for the first one's row lock"
    thread.join(timeout=30)
    assert len(outcome) == 1
    assert isinstance(outcome[0], StaleVersion)
    assert _fresh(esc).status == EscalationStatus.RESPONDED
    assert _steps(esc, Action.CLOSED) == 0
