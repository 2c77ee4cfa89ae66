"""Action plan pages: the access matrix (404 for what a person may not see, 403 for a change they may
not make to what they see), forms that keep input, and the plan page's content."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from safeguarding.actionplans import services
from safeguarding.actionplans.enums import ActionRag, ActionStatus, CommitteeOutcome
from safeguarding.actionplans.models import Action, ActionPlan, ActionUpdate, CommitteeDecision
from safeguarding.actionplans.tests.conftest import PlanCast

S, R = ActionStatus, ActionRag


def _update_post(pc: PlanCast, action: Action | None = None, **extra: str) -> dict[str, Any]:
    """The update form as posted, with the action's version as the page showed it (a1 unless named)."""
    return {
        "version": Action.objects.values_list("version", flat=True).get(pk=(action or pc.a1).pk),
        "written_on": pc.today.strftime("%d/%m/%Y"),
        "status": S.ON_TRACK,
        "rag": R.GREEN,
        "narrative": "Guidance drafted.",
        **extra,
    }


def test_access_matrix_on_pages(pc: PlanCast, client_for) -> None:
    cast = pc.rc.cast
    plan_url, a1_url, a2_url = (
        f"/action-plans/{pc.plan.pk}/",
        f"/action-plans/actions/{pc.a1.pk}/",
        (f"/action-plans/actions/{pc.a2.pk}/"),
    )
    expected = {
        # person: (plan page, own/other action page, index)
        "business": (pc.business, 200, 200, 200),
        "scrutineer": (pc.rc.scrutineer, 200, 200, 200),
        "chair": (pc.chair, 200, 200, 200),
        "involved (leads A1)": (cast.involved, 200, 200, 200),
        "partner (leads A2)": (cast.partner, 200, 200, 200),
        "reviewer on the review": (pc.rc.reviewer, 200, 200, 200),
        "other reviewer": (pc.rc.other_reviewer, 404, 404, 404),
        "unrelated": (cast.unrelated, 404, 404, 404),
    }
    for label, (user, plan_code, action_code, index_code) in expected.items():
        client = client_for(user)
        assert client.get(plan_url).status_code == plan_code, label
        assert client.get(a1_url).status_code == action_code, label
        assert client.get(a2_url).status_code == action_code, label
        assert client.get("/action-plans/").status_code == index_code, label


def test_lead_officer_updates_own_action_only(pc: PlanCast, client_for) -> None:
    client = client_for(pc.lead)
    own = client.get(f"/action-plans/actions/{pc.a1.pk}/")
    other = client.get(f"/action-plans/actions/{pc.a2.pk}/")
    assert b"Add an update" in own.content
    assert b"Add an update" not in other.content
    response = client.post(f"/action-plans/actions/{pc.a2.pk}/", _update_post(pc, pc.a2))
    assert response.status_code == 403
    assert not ActionUpdate.objects.filter(action=pc.a2).exists()
    response = client.post(f"/action-plans/actions/{pc.a1.pk}/", _update_post(pc))
    assert response.status_code == 302
    assert Action.objects.get(pk=pc.a1.pk).status == S.ON_TRACK


def test_scrutineer_reads_but_changes_nothing(pc: PlanCast, client_for) -> None:
    client = client_for(pc.rc.scrutineer)
    page = client.get(f"/action-plans/{pc.plan.pk}/")
    assert b"Add an action" not in page.content
    assert client.post(f"/action-plans/actions/{pc.a1.pk}/", _update_post(pc)).status_code == 403
    assert client.get(f"/action-plans/{pc.plan.pk}/actions/new/").status_code == 403
    assert client.post(f"/action-plans/{pc.plan.pk}/versions/new/", {"reason": "x"}).status_code == 403
    assert client.get("/action-plans/new/").status_code == 404
    assert client.post(f"/action-plans/actions/{pc.a1.pk}/sign-off/").status_code == 302
    assert not ActionUpdate.objects.exists()
    assert Action.objects.get(pk=pc.a1.pk).version == pc.a1.version


def test_unrelated_practitioner_gets_404_for_every_page(pc: PlanCast, client_for) -> None:
    version = services.freeze_version(actor=pc.business, plan=pc.plan, reason="Committee")
    client = client_for(pc.rc.cast.unrelated)
    for url in (
        f"/action-plans/{pc.plan.pk}/",
        f"/action-plans/{pc.plan.pk}/actions/new/",
        f"/action-plans/{pc.plan.pk}/versions/new/",
        f"/action-plans/actions/{pc.a1.pk}/edit/",
        f"/action-plans/versions/{version.pk}/",
        f"/action-plans/versions/{version.pk}/decision/",
        "/action-plans/actions/99999999999999999999999/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/action-plans/actions/{pc.a1.pk}/", _update_post(pc)).status_code == 404
    assert client.post(f"/action-plans/actions/{pc.a1.pk}/sign-off/").status_code == 404


def test_plan_page_quotes_every_recommendation_and_flags_uncovered_and_overdue(pc: PlanCast, client_for) -> None:
    late = pc.action(rec=1, due_in=-2, description="Late action")
    page = client_for(pc.business).get(f"/action-plans/{pc.plan.pk}/").content.decode()
    for rec in pc.recs:
        assert rec.text in page
    assert page.count("No action yet") == 3  # recommendations 1, 3 and 4
    assert late.reference in page
    assert "Overdue" in page
    assert "No committee has accepted a version of this plan yet." in page


def test_business_unit_creates_plan_from_review_and_adds_action(pc: PlanCast, client_for) -> None:
    other = pc.rc.to_in_progress(pc.rc.notify())
    client = client_for(pc.business)
    review_page = client.get(f"/reviews/{other.pk}/").content.decode()
    assert "Start the action plan" in review_page
    assert f"/action-plans/new/?review={other.pk}" in review_page
    from safeguarding.reviews import services as review_services
    from safeguarding.reviews.enums import MemberRole

    review_services.add_member(actor=pc.business, review=other, user=pc.rc.reviewer, role=MemberRole.REVIEWER)
    reviewer_page = client_for(pc.rc.reviewer).get(f"/reviews/{other.pk}/").content.decode()
    assert "Start the action plan" not in reviewer_page  # only the business unit starts a plan
    assert 'id="action-plan-heading"' not in reviewer_page
    response = client.post(
        f"/action-plans/new/?review={other.pk}",
        {"title": "Plan for the other review", "owner_group": "Case review subgroup", "chair": pc.chair.pk},
    )
    plan = ActionPlan.objects.get(review=other)
    assert response.status_code == 302
    assert response["Location"] == f"/action-plans/{plan.pk}/"
    # Back on the review page, the section now shows the plan.
    assert "Plan for the other review" in client.get(f"/reviews/{other.pk}/").content.decode()
    # The existing review's page shows the plan's progress, to a reader of the plan.
    assert "0 of 2 actions complete" in client_for(pc.rc.reviewer).get(f"/reviews/{pc.review.pk}/").content.decode()


def test_add_action_form_keeps_input_when_refused(pc: PlanCast, client_for) -> None:
    client = client_for(pc.business)
    response = client.post(
        f"/action-plans/{pc.plan.pk}/actions/new/",
        {
            "recommendation": pc.recs[0].pk,
            "description": "Write the neglect guidance",
            "lead_agency": pc.rc.cast.agency.pk,
            "lead_officer": pc.other_lead.pk,  # not in that agency
            "start_on": "01/03/2026",
            "due_on": "31/03/2026",
            "success_measure": "Used in audits",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Choose a lead officer who works in Test Community Health" in body
    assert "Write the neglect guidance" in body
    assert 'value="31/03/2026"' in body
    assert Action.objects.count() == 2


def test_edit_action_refuses_a_stale_version(pc: PlanCast, client_for) -> None:
    client = client_for(pc.business)
    read_version = pc.a1.version
    services.edit_action(actor=pc.business, action=pc.a1, version=read_version, description="Someone else's change")
    response = client.post(
        f"/action-plans/actions/{pc.a1.pk}/edit/",
        {
            "version": read_version,
            "recommendation": pc.recs[1].pk,
            "description": "My change",
            "lead_agency": pc.rc.cast.agency.pk,
            "lead_officer": pc.lead.pk,
            "start_on": pc.a1.start_on.strftime("%d/%m/%Y"),
            "due_on": pc.a1.due_on.strftime("%d/%m/%Y"),
            "success_measure": "m",
        },
    )
    assert response.status_code == 200
    assert "Someone else changed this action" in response.content.decode()
    assert Action.objects.get(pk=pc.a1.pk).description == "Someone else's change"


def test_update_with_evidence_file_and_download_access(pc: PlanCast, client_for) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(pc.lead)
    response = client.post(
        f"/action-plans/actions/{pc.a1.pk}/",
        _update_post(pc, status=S.COMPLETE_WITH_IMPACT, rag=R.BLUE, narrative="Audit shows it held.")
        | {"evidence": [SimpleUploadedFile("audit.txt", b"16 of 20", "text/plain")]},
    )
    assert response.status_code == 302
    doc = ActionUpdate.objects.get(action=pc.a1).evidence.get()
    assert client.get(f"/action-plans/evidence/{doc.pk}/").content == b"16 of 20"
    assert client_for(pc.rc.scrutineer).get(f"/action-plans/evidence/{doc.pk}/").status_code == 200
    assert client_for(pc.rc.cast.unrelated).get(f"/action-plans/evidence/{doc.pk}/").status_code == 404


def test_complete_with_impact_without_evidence_keeps_the_form(pc: PlanCast, client_for) -> None:
    response = client_for(pc.lead).post(
        f"/action-plans/actions/{pc.a1.pk}/",
        _update_post(pc, status=S.COMPLETE_WITH_IMPACT, rag=R.BLUE, narrative="Typed narrative"),
    )
    body = response.content.decode()
    assert "Attach the evidence of impact" in body
    assert "Typed narrative" in body


def test_chair_signs_off_from_the_action_page(pc: PlanCast, client_for) -> None:
    pc.update(pc.a1, S.COMPLETE, R.BLUE)
    assert b"Sign off completion" not in client_for(pc.business).get(f"/action-plans/actions/{pc.a1.pk}/").content
    chair = client_for(pc.chair)
    assert b"Sign off completion" in chair.get(f"/action-plans/actions/{pc.a1.pk}/").content
    assert chair.get(f"/action-plans/actions/{pc.a1.pk}/sign-off/").status_code == 405
    chair.post(f"/action-plans/actions/{pc.a1.pk}/sign-off/")
    assert Action.objects.get(pk=pc.a1.pk).signed_off_by == pc.chair


def test_freeze_and_record_decision_pages(pc: PlanCast, client_for) -> None:
    client = client_for(pc.business)
    response = client.post(f"/action-plans/{pc.plan.pk}/versions/new/", {"reason": "Submitted to scrutiny"})
    version = pc.plan.versions.get()
    assert response["Location"] == f"/action-plans/versions/{version.pk}/"
    url = f"/action-plans/versions/{version.pk}/decision/"
    data = {"committee": "Scrutiny", "meeting_on": pc.today.strftime("%d/%m/%Y"), "outcome": "referred_back"}
    refused = client.post(url, data)
    assert "Enter the committee" in refused.content.decode()
    assert not CommitteeDecision.objects.exists()
    client.post(url, {**data, "outcome": CommitteeOutcome.ACCEPTED})
    assert CommitteeDecision.objects.get().plan_version == version
    services.edit_action(actor=pc.business, action=pc.a1, version=pc.a1.version, due_on=pc.today + timedelta(days=90))
    page = client.get(f"/action-plans/{pc.plan.pk}/").content.decode()
    assert "Changes since the version the committee accepted" in page
    assert (pc.today + timedelta(days=90)).strftime("%d/%m/%Y") in page


def test_index_filters(pc: PlanCast, client_for) -> None:
    inspection = services.create_plan(
        actor=pc.business,
        title="Ofsted plan",
        source="inspection",
        source_reference="ILACS",
        owner_group="QA",
        chair=pc.chair,
    )
    pc.action(due_in=-1)
    client = client_for(pc.business)
    assert "Ofsted plan" in client.get("/action-plans/").content.decode()
    only_overdue = client.get("/action-plans/?overdue=on").content.decode()
    assert pc.plan.title in only_overdue
    assert "Ofsted plan" not in only_overdue
    assert pc.plan.title not in client.get("/action-plans/?source=inspection").content.decode()
    assert inspection.title not in client.get("/action-plans/?status=not_started").content.decode()


def test_navigation_and_home_panels(pc: PlanCast, client_for) -> None:
    pc.action(due_in=-1, description="Overdue thing")
    lead_home = client_for(pc.lead).get("/").content.decode()
    assert "Your actions" in lead_home
    assert 'href="/action-plans/"' in lead_home
    bu_home = client_for(pc.business).get("/").content.decode()
    assert "Overdue actions across action plans" in bu_home
    unrelated_home = client_for(pc.rc.cast.unrelated).get("/").content.decode()
    assert 'href="/action-plans/"' not in unrelated_home
    assert "Your actions" not in unrelated_home


@pytest.mark.parametrize("path", ["/action-plans/", "/action-plans/new/"])
def test_pages_need_sign_in(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_every_page_renders_for_the_business_unit(pc: PlanCast, client_for) -> None:
    pc.update(pc.a1, S.COMPLETE, R.BLUE)
    version = services.freeze_version(actor=pc.business, plan=pc.plan, reason="Submitted to the scrutiny committee")
    services.record_committee_decision(
        actor=pc.business,
        plan_version=version,
        committee="Scrutiny",
        meeting_on=pc.today,
        outcome=CommitteeOutcome.ACCEPTED,
    )
    client = client_for(pc.business)
    pages = {
        "/action-plans/new/": "New action plan",
        f"/action-plans/new/?review={pc.review.pk}": "",  # the review has a plan: redirected to it
        f"/action-plans/{pc.plan.pk}/edit/": "Change the plan",
        f"/action-plans/{pc.plan.pk}/actions/new/?recommendation={pc.recs[2].pk}": "Add an action",
        f"/action-plans/actions/{pc.a1.pk}/edit/": pc.a1.start_on.strftime("%d/%m/%Y"),
        f"/action-plans/{pc.plan.pk}/versions/new/": "Freeze a version of the plan",
        f"/action-plans/versions/{version.pk}/": "Submitted to the scrutiny committee",
        f"/action-plans/versions/{version.pk}/decision/": "Record the committee",
    }
    for url, text in pages.items():
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url
    version_page = client.get(f"/action-plans/versions/{version.pk}/").content.decode()
    assert "Complete" in version_page
    assert "Accepted" in version_page


def test_index_query_count_does_not_grow_with_plans(pc: PlanCast, client_for, django_assert_max_num_queries) -> None:
    client = client_for(pc.business)
    client.get("/action-plans/")
    for n in range(5):
        plan = services.create_plan(
            actor=pc.business,
            title=f"Priority {n}",
            source="priority",
            source_reference="x",
            owner_group="G",
            chair=pc.chair,
        )
        services.add_action(
            actor=pc.business,
            plan=plan,
            description="d",
            lead_agency=pc.rc.cast.agency,
            lead_officer=pc.lead,
            start_on=pc.today,
            due_on=pc.today,
            success_measure="m",
        )
    with django_assert_max_num_queries(25):
        response = client.get("/action-plans/")
    assert response.content.decode().count("Priority ") == 5


def test_an_update_from_a_page_opened_before_another_update_is_refused_keeping_the_text(
    pc: PlanCast, client_for
) -> None:
    """Issue 14: two people updating the same action on the page; the second is told, not overwritten."""
    opened = _update_post(pc)
    pc.update(pc.a1, S.AT_RISK, R.AMBER, by=pc.business, narrative="Delayed by staffing")
    response = client_for(pc.lead).post(f"/action-plans/actions/{pc.a1.pk}/", {**opened, "narrative": "My note"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this action" in body
    assert "My note" in body
    action = Action.objects.get(pk=pc.a1.pk)
    assert (action.status, action.updates.count()) == (S.AT_RISK, 1)
