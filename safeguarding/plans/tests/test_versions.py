"""Agreement and version rules: an agreed version never changes, through the services, the models or
the database; amending copies it into a new draft; the comparison shows what changed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from safeguarding.chronology.models import Event
from safeguarding.core.models import ActivityLog
from safeguarding.plans import services
from safeguarding.plans.enums import AgreementMethod, PersonKind, PlanStatus, VersionState
from safeguarding.plans.models import AgreedVersionLocked, Objective, PlanVersion
from safeguarding.plans.tests.conftest import agree, draft_plan, objective, today
from safeguarding.plans.versions import compare


def test_create_plan_makes_a_draft_version_with_the_lead_as_participant(plan, pc):
    assert plan.status == PlanStatus.DRAFT
    draft = plan.draft_version()
    assert draft.number == 1
    assert draft.state == VersionState.DRAFT
    assert draft.objectives.count() == 3
    assert list(plan.participants.values_list("user_id", flat=True)) == [pc.lead.pk]
    assert ActivityLog.objects.filter(action="care_plan.created", subject_child_id=pc.cast.child.pk).count() == 1


def test_agree_version_locks_it_and_marks_the_plan_agreed(plan, pc):
    agree(plan, pc.lead)
    plan.refresh_from_db()
    version = plan.agreed_version()
    assert plan.status == PlanStatus.AGREED
    assert version.state == VersionState.AGREED
    assert version.agreed_at is not None
    people = list(version.agreement.people.values_list("kind", "name", "relationship"))
    assert (PersonKind.FAMILY, "Jo Marsh", "Mother") in people
    assert plan.draft_version() is None


def test_agree_version_needs_a_family_member_and_an_objective(pc):
    plan = draft_plan(pc.lead, pc.cast.child, pc.cast.agency, objectives=0)
    with pytest.raises(ValidationError) as caught:
        services.agree_version(
            actor=pc.lead,
            plan=plan,
            version=plan.version,
            agreed_on=today(),
            method=AgreementMethod.SIGNED,
            people=[services.PersonInput(PersonKind.PROFESSIONAL, user=pc.lead, agency=pc.cast.agency)],
        )
    errors = caught.value.message_dict
    assert "Add at least one objective" in errors["__all__"][0]
    assert "family member" in errors["people"][0]


def test_update_draft_is_refused_once_the_version_is_agreed(agreed_plan, pc):
    with pytest.raises(AgreedVersionLocked):
        services.update_draft(actor=pc.lead, plan=agreed_plan, version=agreed_plan.version, content={"harm": "new"})
    assert agreed_plan.agreed_version().harm == "Ellis has had untreated tooth decay for a year."


def test_objective_changes_are_refused_on_an_agreed_version(agreed_plan, pc):
    uid = agreed_plan.agreed_version().objectives.first().uid
    with pytest.raises(AgreedVersionLocked):
        services.add_objective(actor=pc.lead, plan=agreed_plan, version=agreed_plan.version, data=objective())
    with pytest.raises(AgreedVersionLocked):
        services.change_objective(
            actor=pc.lead, plan=agreed_plan, version=agreed_plan.version, uid=uid, data=objective("Changed")
        )
    with pytest.raises(AgreedVersionLocked):
        services.remove_objective(actor=pc.lead, plan=agreed_plan, version=agreed_plan.version, uid=uid)
    assert agreed_plan.agreed_version().objectives.count() == 3


def test_models_refuse_to_save_or_delete_an_agreed_version_or_its_objectives(agreed_plan):
    version = agreed_plan.agreed_version()
    version.harm = "rewritten"
    with pytest.raises(AgreedVersionLocked):
        version.save()
    with pytest.raises(AgreedVersionLocked):
        version.delete()
    with pytest.raises(AgreedVersionLocked):
        PlanVersion.objects.filter(pk=version.pk).update(harm="rewritten")
    item = version.objectives.first()
    item.action = "rewritten"
    with pytest.raises(AgreedVersionLocked):
        item.save()
    with pytest.raises(AgreedVersionLocked):
        Objective.objects.filter(pk=item.pk).update(action="rewritten")
    with pytest.raises(AgreedVersionLocked):
        Objective(
            version=version, action="x", owner_kind="family", owner_name="A", due_on=today(), progress_measure="y"
        ).save()


@pytest.mark.django_db(transaction=True)
def test_database_trigger_refuses_raw_updates_of_an_agreed_version(pc):
    plan = agree(draft_plan(pc.lead, pc.cast.child, pc.cast.agency), pc.lead)
    version = plan.agreed_version()
    item = version.objectives.first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE plans_planversion SET harm = 'raw' WHERE id = %s", [version.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE plans_objective SET action = 'raw' WHERE id = %s", [item.pk])
    version.refresh_from_db()
    assert version.harm == "Ellis has had untreated tooth decay for a year."


def test_amend_copies_the_agreed_version_into_a_new_draft_keeping_objective_uids(agreed_plan, pc):
    agreed = agreed_plan.agreed_version()
    draft = services.amend_plan(actor=pc.lead, plan=agreed_plan, version=agreed_plan.version)
    assert draft.number == 2
    assert draft.state == VersionState.DRAFT
    assert draft.harm == agreed.harm
    assert set(draft.objectives.values_list("uid", flat=True)) == set(agreed.objectives.values_list("uid", flat=True))
    with pytest.raises(services.NotAllowed):
        services.amend_plan(actor=pc.lead, plan=agreed_plan, version=agreed_plan.version)


def test_compare_shows_field_and_objective_changes(agreed_plan, pc):
    agreed = agreed_plan.agreed_version()
    services.amend_plan(actor=pc.lead, plan=agreed_plan, version=agreed_plan.version)
    services.update_draft(
        actor=pc.lead, plan=agreed_plan, version=agreed_plan.version, content={"harm": "Decay treated; pain gone."}
    )
    first, _second, third = agreed_plan.draft_version().objectives.order_by("order")
    services.change_objective(
        actor=pc.lead,
        plan=agreed_plan,
        version=agreed_plan.version,
        uid=first.uid,
        data=objective("Objective 1", days=90),
    )
    services.remove_objective(actor=pc.lead, plan=agreed_plan, version=agreed_plan.version, uid=third.uid)
    services.add_objective(
        actor=pc.lead, plan=agreed_plan, version=agreed_plan.version, data=objective("Brush twice a day")
    )
    result = compare(agreed, agreed_plan.draft_version())
    assert [(c.name, c.before, c.after) for c in result.fields] == [
        ("harm", "Ellis has had untreated tooth decay for a year.", "Decay treated; pain gone.")
    ]
    assert [c.action for c in result.added] == ["Brush twice a day"]
    assert [c.action for c in result.removed] == ["Objective 3"]
    assert [(c.action, [f.name for f in c.fields]) for c in result.changed] == [("Objective 1", ["due_on"])]


def test_a_stale_version_is_refused(plan, pc):
    stale = plan.version
    services.update_draft(actor=pc.lead, plan=plan, version=stale, content={"harm": "first"})
    with pytest.raises(services.StaleVersion):
        services.update_draft(actor=pc.lead, plan=plan, version=stale, content={"harm": "second"})
    assert plan.draft_version().harm == "first"


def test_plan_milestones_are_written_to_the_childs_chronology(pc):
    plan = draft_plan(pc.lead, pc.cast.child, pc.cast.agency)
    agree(plan, pc.lead)
    services.record_review(
        actor=pc.lead,
        plan=plan,
        version=plan.version,
        held_on=today() - timedelta(days=1),
        attendance="Jo Marsh\nHealth visitor",
        decisions="Carry on.",
        scores=[services.ScoreInput(PersonKind.FAMILY, 6, "Going well", name="Jo Marsh", role="Mother")],
    )
    services.end_plan(actor=pc.lead, plan=plan, version=plan.version, ended_on=today(), reason="Goals met")
    rows = list(
        Event.objects.filter(child_links__child=pc.cast.child, event_type__code__startswith="plan_")
        .order_by("pk")
        .values_list("event_type__code", "category")
    )
    assert rows == [
        ("plan_started", "child_in_need"),
        ("plan_agreed", "child_in_need"),
        ("plan_reviewed", "child_in_need"),
        ("plan_ended", "child_in_need"),
    ]
