"""Every transition and every guard (who may do what at which stage), concurrency, overdue detection
and its emails."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from safeguarding.core.models import ActivityLog
from safeguarding.escalations import services
from safeguarding.escalations.enums import Action, EscalationStatus, ResponseKind
from safeguarding.escalations.models import Escalation, EscalationStep, StageVisit
from safeguarding.escalations.tests.conftest import EscCast
from safeguarding.escalations.tests.helpers import entry_about as _event
from safeguarding.escalations.workflow import NotAllowed, StaleVersion, allowed_actions, can


def respond(c: EscCast, esc: Escalation, actor=None, kind=ResponseKind.DISAGREE) -> None:
    services.respond_to_escalation(
        actor=actor or c.receiver,
        escalation=esc,
        version=esc.version,
        kind=kind,
        reasons="Not at threshold.",
        proposal="A meeting.",
    )


def test_raise_escalation_opens_stage_1_with_a_history_row_and_tells_the_receiving_side(
    esc_cast: EscCast, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        esc = esc_cast.raise_one()

    assert (esc.status, esc.stage.number, esc.version) == (EscalationStatus.AWAITING_RESPONSE, 1, 1)
    assert esc.stage_due_at > esc.raised_at
    step = EscalationStep.objects.get(escalation=esc)
    assert (step.action, step.actor, step.from_status, step.to_status, step.to_stage) == (
        Action.RAISED,
        esc_cast.raiser,
        "",
        EscalationStatus.AWAITING_RESPONSE,
        1,
    )
    assert ActivityLog.objects.filter(action="escalation.raised", target_id=str(esc.pk)).count() == 1
    assert [m.to for m in mail.outbox] == [[esc_cast.receiver.email]]
    assert "Ellis" not in mail.outbox[0].body
    assert "Marsh" not in mail.outbox[0].body
    assert esc.reference in mail.outbox[0].body


def test_raise_escalation_refuses_a_child_the_raiser_may_not_see(esc_cast: EscCast) -> None:
    with pytest.raises(ValidationError) as info:
        esc_cast.raise_one(children=[esc_cast.cast.other_child])
    assert "children" in info.value.message_dict


def test_raise_escalation_refuses_raising_with_your_own_agency(esc_cast: EscCast) -> None:
    with pytest.raises(ValidationError) as info:
        esc_cast.raise_one(receiving_agency=esc_cast.cast.agency)
    assert "receiving_agency" in info.value.message_dict


def test_raise_escalation_refuses_someone_without_a_case_role_in_the_agency(esc_cast: EscCast) -> None:
    with pytest.raises(NotAllowed):
        esc_cast.raise_one(actor=esc_cast.unrelated)


def test_the_whole_journey_through_every_transition(esc_cast: EscCast) -> None:
    c = esc_cast
    esc = c.raise_one()
    respond(c, esc)
    assert esc.status == EscalationStatus.RESPONDED
    services.escalate_to_next_stage(actor=c.raiser, escalation=esc, version=esc.version, reason="Still at risk.")
    assert (esc.status, esc.stage.number) == (EscalationStatus.AWAITING_RESPONSE, 2)
    respond(c, esc, actor=c.receiving_manager, kind=ResponseKind.ALTERNATIVE)
    esc.refresh_from_db()
    services.record_outcome(
        actor=c.raising_manager,
        escalation=esc,
        version=esc.version,
        outcome="Strategy discussion on Friday.",
        actions=[
            services.ActionInput(
                "Hold a strategy discussion", c.cast.partner_agency, "Team manager", timezone.localdate()
            )
        ],
    )
    assert esc.status == EscalationStatus.OUTCOME_AGREED
    services.accept_outcome(actor=c.raiser, escalation=esc, version=esc.version)
    esc.refresh_from_db()
    assert esc.status == EscalationStatus.RESOLVED
    assert esc.finished_at is not None
    assert list(esc.steps.values_list("action", "from_stage", "to_stage")) == [
        (Action.RAISED, None, 1),
        (Action.RESPONDED, 1, 1),
        (Action.ESCALATED, 1, 2),
        (Action.RESPONDED, 2, 2),
        (Action.OUTCOME_RECORDED, 2, 2),
        (Action.ACCEPTED, 2, 2),
    ]
    assert esc.actions.count() == 1
    visits = StageVisit.objects.filter(escalation=esc).order_by("stage__number")
    assert [(v.stage.number, v.ended_at is not None) for v in visits] == [(1, True), (2, True)]


def test_respond_guard_only_the_receiving_side_at_the_current_stage(esc_cast: EscCast) -> None:
    c = esc_cast
    esc = c.raise_one()
    assert can(Action.RESPONDED, c.receiver, esc)
    assert can(Action.RESPONDED, c.receiving_manager, esc) is False  # stage 1 is practitioner to practitioner
    for person in (c.raiser, c.unrelated, c.business, c.scrutineer):
        assert can(Action.RESPONDED, person, esc) is False
        with pytest.raises(NotAllowed):
            services.respond_to_escalation(actor=person, escalation=esc, version=esc.version, kind="agree", reasons="x")


def test_respond_guard_at_stage_2_moves_to_managers(esc_cast: EscCast) -> None:
    c = esc_cast
    esc = c.raise_one()
    respond(c, esc)
    services.escalate_to_next_stage(
        actor=c.raising_manager, escalation=esc, version=esc.version, reason="Manager view."
    )
    assert can(Action.RESPONDED, c.receiving_manager, esc)
    assert can(Action.RESPONDED, c.receiver, esc) is False


def test_escalate_guard_needs_a_response_or_an_overdue_deadline(esc_cast: EscCast) -> None:
    c = esc_cast
    esc = c.raise_one()
    assert can(Action.ESCALATED, c.raiser, esc) is False
    Escalation.objects.filter(pk=esc.pk).update(stage_due_at=timezone.now() - timedelta(minutes=1))
    esc.refresh_from_db()
    assert can(Action.ESCALATED, c.raiser, esc)
    assert can(Action.ESCALATED, c.receiver, esc) is False


def test_escalate_guard_refuses_past_the_last_stage(esc_cast: EscCast) -> None:
    c = esc_cast
    esc = c.raise_one()
    for responder in (c.receiver, c.receiving_manager, c.receiving_senior):
        respond(c, esc, actor=responder)
        services.escalate_to_next_stage(actor=c.raiser, escalation=esc, version=esc.version, reason="Up.")
    assert esc.stage.number == 4
    respond(c, esc, actor=c.receiving_senior)
    assert can(Action.ESCALATED, c.raiser, esc) is False
    assert can(Action.OUTCOME_RECORDED, c.business, esc)  # the partnership takes part at stage 4


def test_escalate_requires_a_reason(esc_cast: EscCast) -> None:
    esc = esc_cast.raise_one()
    respond(esc_cast, esc)
    with pytest.raises(ValidationError):
        services.escalate_to_next_stage(actor=esc_cast.raiser, escalation=esc, version=esc.version, reason="  ")


def test_accept_guard_only_the_raising_side_after_an_outcome(esc_cast: EscCast) -> None:
    c = esc_cast
    esc = c.raise_one()
    respond(c, esc)
    assert can(Action.ACCEPTED, c.raiser, esc) is False
    services.record_outcome(actor=c.receiver, escalation=esc, version=esc.version, outcome="Agreed.")
    assert can(Action.ACCEPTED, c.raiser, esc)
    assert can(Action.ACCEPTED, c.receiver, esc) is False
    assert can(Action.OUTCOME_RECORDED, c.raiser, esc) is False  # already recorded


def test_resolve_by_referral_by_either_side_or_business_unit_but_not_an_outsider(esc_cast: EscCast) -> None:
    c = esc_cast
    esc = c.raise_one()
    assert can(Action.RESOLVED_BY_REFERRAL, c.unrelated, esc) is False
    assert can(Action.RESOLVED_BY_REFERRAL, c.business, esc)
    services.resolve_by_referral(actor=c.receiver, escalation=esc, version=esc.version, reason="Referred to MASH.")
    assert esc.status == EscalationStatus.RESOLVED_BY_REFERRAL
    assert allowed_actions(c.raiser, esc) == [Action.FLAGGED_FOR_LEARNING]


def test_close_by_the_raising_side_and_flag_for_learning_once(esc_cast: EscCast) -> None:
    c = esc_cast
    esc = c.raise_one()
    assert can(Action.CLOSED, c.receiver, esc) is False
    services.close_escalation(actor=c.raiser, escalation=esc, version=esc.version, reason="Withdrawn.")
    services.flag_for_learning(actor=c.business, escalation=esc, version=esc.version, note="Workshop theme.")
    assert esc.flagged_for_learning
    assert esc.status == EscalationStatus.CLOSED
    assert can(Action.FLAGGED_FOR_LEARNING, c.raiser, esc) is False


def test_a_stale_version_is_refused_and_nothing_changes(esc_cast: EscCast) -> None:
    c = esc_cast
    esc = c.raise_one()
    stale = Escalation.objects.get(pk=esc.pk)
    respond(c, esc)
    with pytest.raises(StaleVersion, match="Someone else changed this escalation"):
        services.close_escalation(actor=c.raiser, escalation=stale, version=stale.version, reason="Withdrawn.")
    esc.refresh_from_db()
    assert (esc.status, esc.version) == (EscalationStatus.RESPONDED, 2)


def test_mark_overdue_marks_once_and_emails_both_sides_and_managers_without_child_details(
    esc_cast: EscCast, django_capture_on_commit_callbacks
) -> None:
    c = esc_cast
    esc = c.raise_one()
    later = esc.stage_due_at + timedelta(minutes=1)
    assert services.mark_overdue_escalations(now=esc.stage_due_at - timedelta(minutes=1)) == 0
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.mark_overdue_escalations(now=later) == 1
    assert services.mark_overdue_escalations(now=later) == 0
    esc.refresh_from_db()
    assert esc.stage_overdue_at == later
    assert StageVisit.objects.get(escalation=esc, stage=esc.stage).went_overdue
    recipients = {m.to[0] for m in mail.outbox}
    assert recipients == {u.email for u in (c.raiser, c.receiver, c.raising_manager, c.receiving_manager)}
    for message in mail.outbox:
        for detail in (c.cast.child.first_name, c.cast.child.last_name, c.cast.child.nhs_number):
            assert detail not in message.body
            assert detail not in message.subject
        assert "stage 2" in message.body
    assert esc.steps.filter(action=Action.MARKED_OVERDUE, actor__isnull=True).count() == 1


def test_check_escalation_deadlines_command_and_task(esc_cast: EscCast, django_capture_on_commit_callbacks) -> None:
    from io import StringIO

    from django.core.management import call_command

    from safeguarding.escalations.tasks import check_escalation_deadlines_task

    esc = esc_cast.raise_one()
    Escalation.objects.filter(pk=esc.pk).update(stage_due_at=timezone.now() - timedelta(hours=1))
    out = StringIO()
    call_command("check_escalation_deadlines", stdout=out)
    assert "1 escalation stage marked overdue" in out.getvalue()
    assert check_escalation_deadlines_task.enqueue().return_value == 0


def test_evidence_links_chronology_entries_the_raiser_may_see(esc_cast: EscCast) -> None:
    entry = _event(esc_cast.raiser, esc_cast.cast.agency, esc_cast.cast.child)
    esc = esc_cast.raise_one(evidence=[entry])
    assert list(esc.evidence.all()) == [entry]


def test_evidence_refuses_entries_the_raiser_may_not_see(esc_cast: EscCast) -> None:
    restricted = _event(
        esc_cast.raising_manager,
        esc_cast.cast.agency,
        esc_cast.cast.child,
        confidentiality="restricted",
        restricted_to_roles=["manager"],
    )
    with pytest.raises(ValidationError) as info:
        esc_cast.raise_one(evidence=[restricted])
    assert "evidence" in info.value.message_dict
