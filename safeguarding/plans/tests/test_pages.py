"""The plan pages: drafting keeps what was typed and refuses stale forms; agreed versions cannot be
changed through any page; agreeing, amending, comparing, progress, reviews with scaling scores."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from safeguarding.plans.enums import VersionState
from safeguarding.plans.models import ScalingScore
from safeguarding.plans.tests.conftest import today


def d(day):
    return f"{day:%d/%m/%Y}"


def test_new_plan_page_drafts_a_plan_for_the_child(pc, client_for):
    client = client_for(pc.lead)
    url = reverse("plans:new") + f"?child={pc.cast.child.pk}"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"children": [pc.cast.child.pk], "plan_type": "child_in_need", "lead": f"{pc.lead.pk}:{pc.cast.agency.pk}"},
    )
    assert response.status_code == 302
    plan = pc.cast.child.care_plans.get()
    assert plan.lead_professional == pc.lead
    assert plan.draft_version().number == 1


def test_new_plan_for_a_child_you_cannot_see_is_404(pc, client_for):
    url = reverse("plans:new") + f"?child={pc.cast.child.pk}"
    assert client_for(pc.cast.unrelated).get(url).status_code == 404


def test_edit_draft_with_a_stale_version_is_refused_and_keeps_the_input(plan, pc, client_for):
    client = client_for(pc.lead)
    url = reverse("plans:edit", args=[plan.pk])
    stale = plan.version
    assert client.post(url, {"version": stale, "harm": "First words"}).status_code == 302
    response = client.post(url, {"version": stale, "harm": "My careful second words"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else changed this plan" in page
    assert "My careful second words" in page
    plan.refresh_from_db()
    assert plan.draft_version().harm == "First words"


def test_agreed_version_cannot_be_edited_through_any_page(agreed_plan, pc, client_for):
    client = client_for(pc.lead)
    version = agreed_plan.agreed_version()
    uid = version.objectives.first().uid
    for name, args in (
        ("plans:edit", [agreed_plan.pk]),
        ("plans:objective-add", [agreed_plan.pk]),
        ("plans:objective-edit", [agreed_plan.pk, uid]),
        ("plans:objective-remove", [agreed_plan.pk, uid]),
        ("plans:agree", [agreed_plan.pk]),
    ):
        response = client.post(
            reverse(name, args=args),
            {
                "version": agreed_plan.version,
                "harm": "changed",
                "action": "changed",
                "owner_kind": "family",
                "owner_name": "X",
                "due_on": d(today()),
                "progress_measure": "y",
            },
        )
        assert response.status_code == 302, name
    version.refresh_from_db()
    assert version.harm == "Ellis has had untreated tooth decay for a year."
    assert version.objectives.count() == 3
    assert not version.objectives.filter(action="changed").exists()


def test_agree_page_records_family_and_professionals(plan, pc, client_for):
    client = client_for(pc.lead)
    response = client.post(
        reverse("plans:agree", args=[plan.pk]),
        {
            "version": plan.version,
            "agreed_on": d(today()),
            "method": "signed",
            "professionals": [f"{pc.lead.pk}:{pc.cast.agency.pk}"],
            "family_disputes": "We do not agree that the house is dirty.",
            "family-TOTAL_FORMS": "3",
            "family-INITIAL_FORMS": "0",
            "family-0-name": "Jo Marsh",
            "family-0-relationship": "Mother",
        },
    )
    assert response.status_code == 302
    version = plan.versions.get(number=1)
    assert version.state == VersionState.AGREED
    assert version.agreement.family_disputes == "We do not agree that the house is dirty."
    detail = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "We do not agree that the house is dirty." in detail


def test_amend_then_compare_shows_the_difference(agreed_plan, pc, client_for):
    client = client_for(pc.lead)
    assert (
        client.post(reverse("plans:amend", args=[agreed_plan.pk]), {"version": agreed_plan.version}).status_code == 302
    )
    agreed_plan.refresh_from_db()
    client.post(
        reverse("plans:objective-add", args=[agreed_plan.pk]),
        {
            "version": agreed_plan.version,
            "action": "Join the parenting group",
            "owner_kind": "family",
            "owner_name": "Jo Marsh",
            "owner_relationship": "Mother",
            "due_on": d(today() + timedelta(days=20)),
            "progress_measure": "Attendance",
        },
    )
    page = client.get(reverse("plans:compare", args=[agreed_plan.pk]) + "?from=1&to=2").content.decode()
    assert "Objectives added" in page
    assert "Join the parenting group" in page


def test_progress_page_records_an_update(agreed_plan, pc, client_for):
    client = client_for(pc.lead)
    uid = agreed_plan.agreed_version().objectives.first().uid
    url = reverse("plans:updates", args=[agreed_plan.pk, uid])
    response = client.post(url, {"status": "in_progress", "rag": "amber", "evidence": "Seen at the dentist once."})
    assert response.status_code == 302
    assert "Seen at the dentist once." in client.get(url).content.decode()


def test_review_page_takes_several_scores_on_one_form_and_keeps_input_on_error(agreed_plan, pc, client_for):
    client = client_for(pc.lead)
    agreed_plan.refresh_from_db()
    lead_participant = agreed_plan.participants.get()
    data = {
        "version": agreed_plan.version,
        "held_on": d(today()),
        "attendance": "Jo Marsh\nHealth visitor",
        "decisions": "Carry on",
        "scores-TOTAL_FORMS": "6",
        "scores-INITIAL_FORMS": "0",
        "scores-0-person": f"p:{lead_participant.pk}",
        "scores-0-score": "4",
        "scores-0-reason": "Teeth still sore",
        "scores-1-person": "other",
        "scores-1-name": "Jo Marsh",
        "scores-1-role": "Mother",
        "scores-1-score": "11",
        "scores-1-reason": "Much better",
    }
    response = client.post(reverse("plans:review-new", args=[agreed_plan.pk]), data)
    assert response.status_code == 200
    assert "Enter a score from 0 to 10" in response.content.decode()
    assert "Much better" in response.content.decode()
    data["scores-1-score"] = "7"
    data["scores-2-person"] = "other"
    data["scores-2-name"] = "Ellis"
    data["scores-2-role"] = "Child"
    data["scores-2-score"] = "5"
    data["scores-2-reason"] = "I like my new toothbrush"
    assert client.post(reverse("plans:review-new", args=[agreed_plan.pk]), data).status_code == 302
    assert sorted(ScalingScore.objects.values_list("score", flat=True)) == [4, 5, 7]
    chart = client.get(reverse("plans:scaling", args=[agreed_plan.pk])).content.decode()
    assert "<svg" in chart
    assert 'role="img"' in chart
    assert "Scaling scores at each review" in chart
    assert "Disagreement at each review" in chart


def test_review_needs_a_reason_for_each_score(agreed_plan, pc, client_for):
    data = {
        "version": agreed_plan.version,
        "held_on": d(today()),
        "attendance": "Jo",
        "decisions": "Carry on",
        "scores-TOTAL_FORMS": "1",
        "scores-INITIAL_FORMS": "0",
        "scores-0-person": "other",
        "scores-0-name": "Jo Marsh",
        "scores-0-score": "6",
        "scores-0-reason": "",
    }
    response = client_for(pc.lead).post(reverse("plans:review-new", args=[agreed_plan.pk]), data)
    assert response.status_code == 200
    assert "Give their reason for the score" in response.content.decode()
    assert not ScalingScore.objects.exists()


def test_end_page_ends_the_plan(agreed_plan, pc, client_for):
    response = client_for(pc.manager).post(
        reverse("plans:end", args=[agreed_plan.pk]),
        {"version": agreed_plan.version, "ended_on": d(today()), "reason": "Goals met"},
    )
    assert response.status_code == 302
    agreed_plan.refresh_from_db()
    assert agreed_plan.status == "ended"


def test_plans_for_child_page_and_index(agreed_plan, pc, client_for):
    client = client_for(pc.lead)
    assert agreed_plan.reference in client.get(reverse("plans:for-child", args=[pc.cast.child.pk])).content.decode()
    assert agreed_plan.reference in client.get(reverse("plans:index")).content.decode()
    assert agreed_plan.reference not in client_for(pc.cast.partner).get(reverse("plans:index")).content.decode()
    assert client_for(pc.cast.partner).get(reverse("plans:for-child", args=[pc.cast.child.pk])).status_code == 404
