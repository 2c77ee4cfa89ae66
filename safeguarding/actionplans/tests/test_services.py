"""Action plan services: status rules, sign-off guards, versions, committee decisions, overdue detection."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command

from safeguarding.actionplans import services
from safeguarding.actionplans.enums import ActionRag, ActionSource, ActionStatus, CommitteeOutcome
from safeguarding.actionplans.models import Action, OverdueNotice
from safeguarding.actionplans.permissions import NotAllowed, StaleVersion
from safeguarding.actionplans.tests.conftest import PlanCast
from safeguarding.agencies.enums import Role
from safeguarding.core.models import ActivityLog
from safeguarding.reviews.enums import RecommendationStatus
from safeguarding.reviews.models import ReviewRecommendation
from safeguarding.testing import factories as f

S, R = ActionStatus, ActionRag


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# ---- plans and actions -----------------------------------------------------------------------------


def test_create_plan_one_per_review_and_logged(pc: PlanCast) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_plan(
            actor=pc.business,
            title="Again",
            source=ActionSource.REVIEW,
            review=pc.review,
            owner_group="G",
            chair=pc.chair,
        )
    assert "already has an action plan" in _errors(exc)["review"][0]
    assert ActivityLog.objects.filter(action="actionplan.created", target_id=str(pc.plan.pk)).exists()


def test_create_plan_other_source_needs_reference_and_no_review(pc: PlanCast) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_plan(
            actor=pc.business,
            title="Ofsted",
            source=ActionSource.INSPECTION,
            review=pc.review,
            owner_group="QA",
            chair=pc.chair,
        )
    assert set(_errors(exc)) == {"review", "source_reference"}
    plan = services.create_plan(
        actor=pc.business,
        title="Ofsted",
        source=ActionSource.INSPECTION,
        source_reference="ILACS 2026",
        owner_group="QA",
        chair=pc.chair,
    )
    assert plan.review is None


def test_only_managers_create_plans_and_actions(pc: PlanCast) -> None:
    with pytest.raises(NotAllowed):
        services.create_plan(
            actor=pc.lead,
            title="T",
            source=ActionSource.PRIORITY,
            source_reference="x",
            owner_group="G",
            chair=pc.chair,
        )
    with pytest.raises(NotAllowed):
        services.add_action(
            actor=pc.lead,
            plan=pc.plan,
            recommendation=pc.recs[0],
            description="d",
            lead_agency=pc.rc.cast.agency,
            lead_officer=pc.lead,
            start_on=pc.today,
            due_on=pc.today,
            success_measure="m",
        )


def test_add_action_numbers_in_order_and_checks_recommendation_and_lead_officer(pc: PlanCast) -> None:
    third = pc.action(rec=2)
    assert (pc.a1.number, pc.a2.number, third.number) == (1, 2, 3)
    assert third.reference == f"{pc.plan.reference}-A3"
    other_review = pc.rc.to_in_progress(pc.rc.notify())
    from safeguarding.reviews import services as review_services

    foreign = review_services.add_recommendation(actor=pc.business, review=other_review, text="Elsewhere")
    with pytest.raises(ValidationError) as exc:
        pc.action(recommendation=foreign)
    assert _errors(exc)["recommendation"] == ["Choose one of this review's recommendations."]
    with pytest.raises(ValidationError) as exc:
        pc.action(lead=pc.other_lead)  # police practitioner, health agency
    assert "who works in Test Community Health" in _errors(exc)["lead_officer"][0]
    with pytest.raises(ValidationError) as exc:
        pc.action(recommendation=None, due_on=pc.today - timedelta(days=40))
    assert set(_errors(exc)) == {"recommendation", "due_on"}


def test_edit_action_checks_version_and_refuses_status(pc: PlanCast) -> None:
    version = pc.a1.version
    services.edit_action(actor=pc.business, action=pc.a1, version=version, due_on=pc.today + timedelta(days=45))
    assert pc.a1.version == version + 1
    stale = Action.objects.get(pk=pc.a1.pk)
    stale.version = version  # what a second person read before the first change
    with pytest.raises(StaleVersion):
        services.edit_action(actor=pc.business, action=stale, version=version, description="Overwrite")
    assert Action.objects.get(pk=pc.a1.pk).description == "Health guidance on missed appointments."
    with pytest.raises(ValidationError) as exc:
        services.edit_action(actor=pc.business, action=pc.a1, version=pc.a1.version, status=S.COMPLETE)
    assert "through an update" in _errors(exc)["status"][0]
    log = ActivityLog.objects.get(action="actionplan.action_edited")
    assert log.changes["due_on"][1] == (pc.today + timedelta(days=45)).isoformat()


# ---- status rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "rag", "ok"),
    [
        (S.ON_TRACK, R.GREEN, True),
        (S.ON_TRACK, R.AMBER, False),
        (S.AT_RISK, R.AMBER, True),
        (S.OFF_TRACK, R.RED, True),
        (S.OFF_TRACK, R.BLUE, False),
        (S.NOT_STARTED, R.RED, True),
        (S.NOT_STARTED, R.BLUE, False),
        (S.COMPLETE, R.BLUE, True),
        (S.COMPLETE, R.GREEN, False),
    ],
)
def test_rag_follows_status(pc: PlanCast, status: str, rag: str, ok: bool) -> None:
    if ok:
        pc.update(pc.a1, status, rag)
        pc.a1.refresh_from_db()
        assert (pc.a1.status, pc.a1.rag) == (status, rag)
    else:
        with pytest.raises(ValidationError) as exc:
            pc.update(pc.a1, status, rag)
        assert "rag" in _errors(exc)
        assert Action.objects.get(pk=pc.a1.pk).status == S.NOT_STARTED


def test_completing_sets_completed_on_and_impact_needs_evidence(pc: PlanCast) -> None:
    with pytest.raises(ValidationError) as exc:
        pc.update(pc.a1, S.COMPLETE_WITH_IMPACT, R.BLUE)
    assert "evidence" in _errors(exc)
    pc.update(pc.a1, S.COMPLETE, R.BLUE, written_on=pc.today - timedelta(days=2))
    assert pc.a1.completed_on == pc.today - timedelta(days=2)
    update = pc.update(
        pc.a1, S.COMPLETE_WITH_IMPACT, R.BLUE, evidence_files=[services.Upload("audit.txt", b"16 of 20", "text/plain")]
    )
    assert [d.filename for d in update.evidence.all()] == ["audit.txt"]
    assert pc.a1.completed_on == pc.today - timedelta(days=2)  # still the day it was first completed
    # Evidence on an earlier update counts.
    pc.update(pc.a1, S.COMPLETE, R.BLUE)
    pc.update(pc.a1, S.COMPLETE_WITH_IMPACT, R.BLUE)
    assert Action.objects.get(pk=pc.a1.pk).status == S.COMPLETE_WITH_IMPACT


def test_update_dates_in_order_and_not_in_future(pc: PlanCast) -> None:
    with pytest.raises(ValidationError) as exc:
        pc.update(pc.a1, S.ON_TRACK, R.GREEN, written_on=pc.today + timedelta(days=1))
    assert "today or in the past" in _errors(exc)["written_on"][0]
    pc.update(pc.a1, S.ON_TRACK, R.GREEN)
    with pytest.raises(ValidationError) as exc:
        pc.update(pc.a1, S.ON_TRACK, R.GREEN, written_on=pc.today - timedelta(days=1))
    assert "latest update" in _errors(exc)["written_on"][0]


def test_reopening_a_signed_off_action_clears_sign_off_and_is_logged(pc: PlanCast) -> None:
    pc.update(pc.a1, S.COMPLETE, R.BLUE)
    services.sign_off(actor=pc.chair, action=pc.a1)
    assert pc.a1.signed_off_by == pc.chair
    pc.update(pc.a1, S.AT_RISK, R.AMBER, narrative="The change did not hold.")
    stored = Action.objects.get(pk=pc.a1.pk)
    assert (stored.completed_on, stored.signed_off_by, stored.signed_off_at) == (None, None, None)
    log = ActivityLog.objects.get(action="actionplan.action_reopened")
    assert log.changes["status"] == [S.COMPLETE, S.AT_RISK]
    assert log.changes["signed_off_by"] == [pc.chair.pk, None]


def test_only_own_lead_officer_or_business_unit_adds_updates(pc: PlanCast) -> None:
    with pytest.raises(NotAllowed):
        pc.update(pc.a2, S.ON_TRACK, R.GREEN, by=pc.lead)  # A2 is led by the police practitioner
    with pytest.raises(NotAllowed):
        pc.update(pc.a1, S.ON_TRACK, R.GREEN, by=pc.rc.scrutineer)
    pc.update(pc.a2, S.ON_TRACK, R.GREEN, by=pc.business)
    assert Action.objects.get(pk=pc.a2.pk).status == S.ON_TRACK


# ---- sign-off --------------------------------------------------------------------------------------


def test_sign_off_guards(pc: PlanCast) -> None:
    with pytest.raises(NotAllowed, match="Only a complete action"):
        services.sign_off(actor=pc.chair, action=pc.a1)
    pc.update(pc.a1, S.COMPLETE, R.BLUE)
    for someone in (pc.business, pc.lead, pc.rc.scrutineer):
        with pytest.raises(NotAllowed, match="Only the plan's chair"):
            services.sign_off(actor=someone, action=pc.a1)
    services.sign_off(actor=pc.chair, action=pc.a1)
    assert Action.objects.get(pk=pc.a1.pk).signed_off_at is not None
    with pytest.raises(NotAllowed, match="already signed off"):
        services.sign_off(actor=pc.chair, action=pc.a1)
    assert ActivityLog.objects.filter(action="actionplan.action_signed_off").count() == 1


def test_chair_does_not_sign_off_own_action_but_deputy_does(pc: PlanCast) -> None:
    own = pc.action(lead=pc.chair, agency=pc.rc.cast.partner_agency)
    pc.update(own, S.COMPLETE, R.BLUE)
    with pytest.raises(NotAllowed, match="You lead this action"):
        services.sign_off(actor=pc.chair, action=own)
    services.edit_plan(actor=pc.business, plan=pc.plan, version=pc.plan.version, deputy_chair=pc.rc.police_lead)
    own.refresh_from_db()
    services.sign_off(actor=pc.rc.police_lead, action=own)
    assert Action.objects.get(pk=own.pk).signed_off_by == pc.rc.police_lead


# ---- the review recommendation follows its actions ----------------------------------------------------


def _rec_status(pc: PlanCast, n: int) -> str:
    return ReviewRecommendation.objects.get(pk=pc.recs[n].pk).status


def test_recommendation_moves_into_the_plan_and_completes_when_every_action_is_signed_off(pc: PlanCast) -> None:
    RS = RecommendationStatus
    assert [_rec_status(pc, n) for n in range(5)] == [
        RS.DRAFT,
        RS.IN_ACTION_PLAN,
        RS.DRAFT,
        RS.DRAFT,
        RS.IN_ACTION_PLAN,
    ]
    second = pc.action(rec=1, description="Train health visitors.")
    pc.update(pc.a1, S.COMPLETE, R.BLUE)
    services.sign_off(actor=pc.chair, action=pc.a1)
    assert _rec_status(pc, 1) == RS.IN_ACTION_PLAN  # one of its two actions is still open
    pc.update(second, S.COMPLETE, R.BLUE)
    services.sign_off(actor=pc.chair, action=second)
    assert _rec_status(pc, 1) == RS.COMPLETE
    log = ActivityLog.objects.filter(action="review.recommendation_status").latest("pk")
    assert (log.actor, log.changes["status"]) == (pc.chair, [RS.IN_ACTION_PLAN, RS.COMPLETE])
    pc.update(second, S.AT_RISK, R.AMBER, narrative="The change did not hold.")
    assert _rec_status(pc, 1) == RS.IN_ACTION_PLAN  # reopened


def test_moving_an_action_to_another_recommendation_moves_both(pc: PlanCast) -> None:
    RS = RecommendationStatus
    services.edit_action(actor=pc.business, action=pc.a1, version=pc.a1.version, recommendation=pc.recs[2])
    assert (_rec_status(pc, 1), _rec_status(pc, 2)) == (RS.AGREED, RS.IN_ACTION_PLAN)


# ---- versions and committee decisions ----------------------------------------------------------------


def test_frozen_version_keeps_snapshot_and_changes_since_shows_differences(pc: PlanCast) -> None:
    version = services.freeze_version(actor=pc.business, plan=pc.plan, reason="Submitted to the scrutiny committee")
    frozen = dict(version.snapshot)
    assert [a["reference"] for a in frozen["actions"]] == [pc.a1.reference, pc.a2.reference]
    assert frozen["actions"][0]["recommendation"]["reference"] == pc.recs[1].reference
    assert frozen["actions"][0]["status"] == S.NOT_STARTED
    # Later changes: A1 progresses and gets a new due date, A2 is removed, A3 is added.
    pc.update(pc.a1, S.AT_RISK, R.AMBER)
    services.edit_action(actor=pc.business, action=pc.a1, version=pc.a1.version, due_on=pc.today + timedelta(days=60))
    Action.objects.filter(pk=pc.a2.pk).delete()
    added = pc.action(rec=3)
    version.refresh_from_db()
    assert version.snapshot == frozen
    changes = {(c.kind, c.reference): c for c in services.changes_since(pc.plan, version)}
    assert set(changes) == {("changed", pc.a1.reference), ("removed", pc.a2.reference), ("added", added.reference)}
    fields = {fc.name: (fc.before, fc.after) for fc in changes[("changed", pc.a1.reference)].fields}
    assert fields["status"] == ("Not started", "At risk")
    assert fields["rag"] == ("Green", "Amber")
    assert fields["due_on"] == (
        (pc.today + timedelta(days=20)).strftime("%d/%m/%Y"),
        (pc.today + timedelta(days=60)).strftime("%d/%m/%Y"),
    )
    second = services.freeze_version(actor=pc.business, plan=pc.plan, reason="Board")
    assert second.number == 2
    assert services.changes_since(pc.plan, second) == []


def test_committee_decision_recorded_against_version_and_referral_needs_questions(pc: PlanCast) -> None:
    version = services.freeze_version(actor=pc.business, plan=pc.plan, reason="Submitted to the scrutiny committee")
    common = {"committee": "Children's Scrutiny Committee", "meeting_on": pc.today}
    with pytest.raises(ValidationError) as exc:
        services.record_committee_decision(
            actor=pc.business, plan_version=version, outcome=CommitteeOutcome.REFERRED_BACK, **common
        )
    assert "questions" in _errors(exc)
    with pytest.raises(ValidationError) as exc:
        services.record_committee_decision(
            actor=pc.business,
            plan_version=version,
            outcome=CommitteeOutcome.ACCEPTED,
            committee="C",
            meeting_on=pc.today + timedelta(1),
        )
    assert "meeting_on" in _errors(exc)
    with pytest.raises(NotAllowed):
        services.record_committee_decision(
            actor=pc.rc.scrutineer, plan_version=version, outcome=CommitteeOutcome.ACCEPTED, **common
        )
    referred = services.record_committee_decision(
        actor=pc.business,
        plan_version=version,
        outcome=CommitteeOutcome.REFERRED_BACK,
        questions="Why is A2 late?",
        **common,
    )
    assert referred.plan_version == version
    assert services.accepted_version(pc.plan) is None
    v2 = services.freeze_version(actor=pc.business, plan=pc.plan, reason="Resubmitted")
    services.record_committee_decision(actor=pc.business, plan_version=v2, outcome=CommitteeOutcome.ACCEPTED, **common)
    assert services.accepted_version(pc.plan) == v2
    assert ActivityLog.objects.filter(action="actionplan.committee_decision").count() == 2


# ---- progress --------------------------------------------------------------------------------------


def test_progress_per_plan_and_per_recommendation(pc: PlanCast) -> None:
    pc.update(pc.a1, S.COMPLETE, R.BLUE)
    late = pc.action(rec=1, due_in=-1)
    progress = services.plan_progress(pc.plan, pc.today)
    assert (progress.total, progress.complete, progress.percent_complete, progress.overdue) == (3, 1, 33, 1)
    assert progress.by_status[S.COMPLETE] == 1
    assert progress.by_status[S.NOT_STARTED] == 2
    assert progress.by_rag[R.BLUE] == 1
    assert progress.by_rag[R.GREEN] == 2
    groups = services.recommendation_progress(pc.plan, pc.today)
    assert [g.recommendation.number for g in groups] == [1, 2, 3, 4, 5]  # every recommendation, covered or not
    assert [len(g.actions) for g in groups] == [0, 2, 0, 0, 1]
    assert groups[1].progress.overdue == 1
    assert groups[1].progress.percent_complete == 50
    assert late in groups[1].actions


# ---- overdue ---------------------------------------------------------------------------------------


def test_overdue_boundary_due_today_is_not_overdue(pc: PlanCast) -> None:
    today_due = pc.action(due_in=0)
    yesterday_due = pc.action(due_in=-1)
    done = pc.action(due_in=-5)
    pc.update(done, S.COMPLETE, R.BLUE)
    assert not today_due.is_overdue(pc.today)
    assert yesterday_due.is_overdue(pc.today)
    assert set(Action.objects.overdue(pc.today)) == {yesterday_due}


def test_flag_overdue_emails_lead_and_business_unit_once_per_due_date(pc: PlanCast, settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    bu_colleague = f.member(pc.business.primary_agency, Role.BUSINESS_UNIT, email="bu2@example.org")
    late = pc.action(due_in=-1, lead=pc.lead)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.db.transaction.on_commit", lambda fn, using=None, robust=False: fn())
        assert services.flag_overdue_actions(today=pc.today) == 1
        assert services.flag_overdue_actions(today=pc.today) == 0  # once per due date
        assert len(mail.outbox) == 1
        to = set(mail.outbox[0].to)
        assert {pc.lead.email, pc.business.email, bu_colleague.email} <= to
        assert late.reference in mail.outbox[0].subject
        # A new due date that also passes is told again.
        services.edit_action(actor=pc.business, action=late, version=late.version, due_on=pc.today)
        assert services.flag_overdue_actions(today=pc.today + timedelta(days=1)) == 1
    assert OverdueNotice.objects.filter(action=late).count() == 2
    assert ActivityLog.objects.filter(action="actionplan.action_overdue", target_id=str(late.pk)).count() == 2


def test_flag_overdue_actions_command_and_task(pc: PlanCast) -> None:
    late = pc.action(due_in=-3)
    call_command("flag_overdue_actions", "--enqueue")  # the immediate task backend runs the task now
    assert list(OverdueNotice.objects.values_list("action_id", "due_on")) == [(late.pk, late.due_on)]
    call_command("flag_overdue_actions")
    assert OverdueNotice.objects.count() == 1
    call_command("flag_overdue_actions", "--today", (pc.today + timedelta(days=40)).strftime("%d/%m/%Y"))
    assert OverdueNotice.objects.count() == 3  # A1 and A2 are due in 20 days
