"""The access matrix: a plan is visible only to people who may see every child in it; others get 404 on
every page and the API, the same as for a plan that does not exist. Editing, meetings and progress
follow the plan's rules; the business unit and scrutineers have no access without child access."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safeguarding.agencies.enums import AgencyKind, Role
from safeguarding.core.models import ActivityLog
from safeguarding.plans import permissions
from safeguarding.plans.tests.conftest import agree, draft_plan
from safeguarding.testing import factories as f

PAGES = ["detail", "edit", "objective-add", "participants", "agree", "amend", "compare", "scaling", "end", "review-new"]


@pytest.fixture
def others(pc):
    bu = f.member(f.AgencyFactory(code="BU", kind=AgencyKind.BUSINESS_UNIT), Role.BUSINESS_UNIT, username="bu")
    scrutineer = f.member(f.AgencyFactory(code="SCR", kind=AgencyKind.OTHER), Role.SCRUTINEER, username="scr")
    return {"business_unit": bu, "scrutineer": scrutineer}


@pytest.mark.parametrize("name", PAGES)
def test_people_who_cannot_see_the_child_get_404_on_every_plan_page(name, agreed_plan, pc, others, client_for):
    for user in (pc.cast.partner, pc.cast.unrelated, others["business_unit"], others["scrutineer"]):
        response = client_for(user).get(reverse(f"plans:{name}", args=[agreed_plan.pk]))
        assert response.status_code == 404, (name, user.username)


def test_plan_pages_are_404_for_an_id_that_does_not_exist(pc, client_for):
    assert client_for(pc.lead).get(reverse("plans:detail", args=[999999])).status_code == 404


def test_involved_practitioner_sees_the_plan_and_the_view_is_logged(agreed_plan, pc, client_for):
    response = client_for(pc.lead).get(reverse("plans:detail", args=[agreed_plan.pk]))
    assert response.status_code == 200
    assert "Objective 1" in response.content.decode()
    assert ActivityLog.objects.filter(
        action="care_plan.viewed", subject_child_id=pc.cast.child.pk, actor=pc.lead
    ).exists()
    # ... and counts as a look at the child's record ("who has looked at this record").
    assert ActivityLog.objects.for_child(pc.cast.child.pk).views().filter(action="care_plan.viewed").exists()


def test_a_sibling_plan_is_hidden_from_someone_who_sees_only_one_child(pc, client_for):
    # The partner agency works with the other child only.
    f.InvolvementFactory(agency=pc.cast.agency, child=pc.cast.other_child)
    from safeguarding.plans import services
    from safeguarding.plans.enums import PlanType

    plan = services.create_plan(
        actor=pc.lead,
        children=[pc.cast.child, pc.cast.other_child],
        plan_type=PlanType.CHILD_IN_NEED,
        lead_professional=pc.lead,
        lead_agency=pc.cast.agency,
    )
    assert client_for(pc.lead).get(reverse("plans:detail", args=[plan.pk])).status_code == 200
    assert client_for(pc.cast.partner).get(reverse("plans:detail", args=[plan.pk])).status_code == 404
    assert plan.pk not in [
        p.pk for p in __import__("safeguarding.plans.queries", fromlist=["x"]).plans_visible_to(pc.cast.partner)
    ]


def test_business_unit_with_an_access_grant_sees_the_plan_but_cannot_edit(agreed_plan, pc, others, client_for):
    from datetime import timedelta

    from django.utils import timezone

    bu = others["business_unit"]
    f.AccessGrantFactory(
        user=bu,
        child=pc.cast.child,
        granted_by=pc.manager,
        reason="Rapid review reading",
        starts_at=timezone.now() - timedelta(hours=1),
        expires_at=timezone.now() + timedelta(days=3),
    )
    assert client_for(bu).get(reverse("plans:detail", args=[agreed_plan.pk])).status_code == 200
    assert not permissions.can_edit_draft(bu, agreed_plan)
    assert not permissions.can_hold_meeting(bu, agreed_plan)


def test_edit_and_meeting_rules(pc):
    plan = draft_plan(pc.lead, pc.cast.child, pc.cast.agency)
    colleague = f.member(pc.cast.agency, Role.PRACTITIONER, username="hv2")
    assert permissions.can_edit_draft(pc.lead, plan)
    assert permissions.can_edit_draft(colleague, plan)  # a practitioner of the lead agency
    assert permissions.can_edit_draft(pc.manager, plan)
    assert not permissions.can_edit_draft(pc.cast.partner, plan)
    assert permissions.can_hold_meeting(pc.lead, plan)
    assert permissions.can_hold_meeting(pc.manager, plan)
    assert not permissions.can_hold_meeting(colleague, plan)  # practitioners who are not the lead cannot
    assert not permissions.can_record_update(pc.lead, plan)  # not agreed yet
    agree(plan, pc.lead)
    assert permissions.can_record_update(colleague, plan)


def test_a_partner_agency_added_to_the_plan_can_edit_once_it_works_with_the_child(pc):
    plan = draft_plan(pc.lead, pc.cast.child, pc.cast.agency)
    from safeguarding.plans import services
    from safeguarding.plans.enums import PersonKind

    services.add_participant(
        actor=pc.lead,
        plan=plan,
        version=plan.version,
        person=services.PersonInput(PersonKind.PROFESSIONAL, user=pc.cast.partner, agency=pc.cast.partner_agency),
    )
    assert not permissions.can_edit_draft(pc.cast.partner, plan)  # in the plan, but cannot see the child
    f.InvolvementFactory(agency=pc.cast.partner_agency, child=pc.cast.child)
    pc.cast.partner.refresh_access_cache()
    assert permissions.can_edit_draft(pc.cast.partner, plan)


def test_child_record_shows_the_current_plan_only_to_those_who_see_it(agreed_plan, pc, client_for):
    page = client_for(pc.lead).get(reverse("children:detail", args=[pc.cast.child.pk])).content.decode()
    assert agreed_plan.reference in page


def test_plan_workflow_is_the_one_rule_for_pages_templates_and_services(pc):
    from datetime import timedelta

    from django.utils import timezone

    from safeguarding.plans import services

    plan = draft_plan(pc.lead, pc.cast.child, pc.cast.agency)
    colleague = f.member(pc.cast.agency, Role.PRACTITIONER, username="colleague")
    assert permissions.PLAN_WORKFLOW.allowed(pc.lead, plan) == ["agree", "end"]
    assert permissions.PLAN_WORKFLOW.allowed(colleague, plan) == []
    assert pc.lead.has_perm("plans.agree", plan)
    assert not colleague.has_perm("plans.agree", plan)
    assert not pc.lead.has_perm("plans.record_review", plan)  # not agreed yet
    agree(plan, pc.lead)
    assert pc.lead.has_perm("plans.record_review", plan)
    assert not colleague.has_perm("plans.record_review", plan)
    with pytest.raises(services.NotAllowed, match="Only the lead professional or their manager can end the plan"):
        services.end_plan(actor=colleague, plan=plan, version=plan.version, ended_on=timezone.localdate(), reason="x")
    services.end_plan(
        actor=pc.lead, plan=plan, version=plan.version, ended_on=timezone.localdate() - timedelta(days=1), reason="Done"
    )
    assert permissions.PLAN_WORKFLOW.allowed(pc.lead, plan) == []
    assert not pc.lead.has_perm("plans.edit_draft", plan)
