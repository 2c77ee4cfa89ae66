"""Every care-plan service that locks the plan (`select_for_update`) runs outside a test transaction,
as a real request does: PostgreSQL refuses a row lock under autocommit, so each service must be its
own transaction (`kernel.service`). A stale version is refused and rolls back everything the service
wrote. Run these on PostgreSQL too (DATABASE_URL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from safeguarding.core.models import ActivityLog
from safeguarding.plans import services
from safeguarding.plans.enums import ObjectiveRag, ObjectiveStatus, PersonKind, PlanStatus, VersionState
from safeguarding.plans.models import CarePlan, OverdueNotice, Participant
from safeguarding.plans.tests.conftest import agree, draft_plan, objective, today

pytestmark = pytest.mark.django_db(transaction=True)


def test_drafting_services_lock_the_plan_outside_a_test_transaction(pc):
    plan = draft_plan(pc.lead, pc.cast.child, pc.cast.agency, objectives=1)
    services.update_draft(actor=pc.lead, plan=plan, version=plan.version, content={"harm": "Changed"})
    added = services.add_objective(actor=pc.lead, plan=plan, version=plan.version, data=objective("Second"))
    services.change_objective(
        actor=pc.lead, plan=plan, version=plan.version, uid=added.uid, data=objective("Second, changed")
    )
    services.remove_objective(actor=pc.lead, plan=plan, version=plan.version, uid=added.uid)
    person = services.add_participant(
        actor=pc.lead,
        plan=plan,
        version=plan.version,
        person=services.PersonInput(PersonKind.FAMILY, name="Jo Marsh", relationship="Mother"),
    )
    services.remove_participant(actor=pc.lead, plan=plan, version=plan.version, participant=person)

    stored = CarePlan.objects.get(pk=plan.pk)
    assert stored.version == plan.version == 8  # created at 1; one objective, then six changes
    draft = stored.draft_version()
    assert draft.harm == "Changed"
    assert [o.action for o in draft.objectives.all()] == ["Objective 1"]
    assert not Participant.objects.filter(pk=person.pk).exists()


def test_agreement_progress_review_amendment_and_end_lock_the_plan_outside_a_test_transaction(pc):
    plan = agree(draft_plan(pc.lead, pc.cast.child, pc.cast.agency, objectives=1), pc.lead)
    assert CarePlan.objects.get(pk=plan.pk).status == PlanStatus.AGREED
    uid = plan.agreed_version().objectives.get().uid
    services.record_objective_update(
        actor=pc.lead, plan=plan, uid=uid, status=ObjectiveStatus.IN_PROGRESS, rag=ObjectiveRag.AMBER, evidence="Booked"
    )
    services.record_review(
        actor=pc.lead,
        plan=plan,
        version=plan.version,
        held_on=today() - timedelta(days=1),
        attendance="Jo Marsh",
        decisions="Carry on.",
        scores=[services.ScoreInput(PersonKind.FAMILY, 6, "Going well", name="Jo Marsh", role="Mother")],
    )
    draft = services.amend_plan(actor=pc.lead, plan=plan, version=plan.version)
    assert draft.state == VersionState.DRAFT
    services.end_plan(actor=pc.lead, plan=plan, version=plan.version, ended_on=today(), reason="Goals met")

    stored = CarePlan.objects.get(pk=plan.pk)
    assert (stored.status, stored.end_reason, stored.version) == (PlanStatus.ENDED, "Goals met", plan.version)
    moves = ActivityLog.objects.filter(target_id=str(plan.pk), action__in=["care_plan.agreed", "care_plan.ended"])
    assert sorted(moves.values_list("action", "changes__status")) == [
        ("care_plan.agreed", [PlanStatus.DRAFT, PlanStatus.AGREED]),
        ("care_plan.ended", [PlanStatus.AGREED, PlanStatus.ENDED]),
    ]


def test_a_stale_version_is_refused_and_rolls_back_outside_a_test_transaction(pc):
    plan = draft_plan(pc.lead, pc.cast.child, pc.cast.agency, objectives=1)
    stale = plan.version
    services.update_draft(actor=pc.lead, plan=plan, version=stale, content={"harm": "First"})
    with pytest.raises(services.StaleVersion, match="Someone else changed this plan"):
        services.add_objective(actor=pc.lead, plan=plan, version=stale, data=objective("From an old page"))
    with pytest.raises(services.StaleVersion):
        services.end_plan(actor=pc.lead, plan=plan, version=stale, ended_on=today(), reason="Old page")
    stored = CarePlan.objects.get(pk=plan.pk)
    assert (stored.status, stored.version) == (PlanStatus.DRAFT, stale + 1)
    assert stored.draft_version().objectives.count() == 1


def test_flag_overdue_locks_each_plan_outside_a_test_transaction(pc):
    plan = draft_plan(pc.lead, pc.cast.child, pc.cast.agency, objectives=0)
    services.add_objective(actor=pc.lead, plan=plan, version=plan.version, data=objective("Late", days=-1))
    agree(plan, pc.lead)
    assert services.flag_overdue_objectives().flagged == 1
    assert services.flag_overdue_objectives().flagged == 0
    assert OverdueNotice.objects.filter(plan=plan).count() == 1
