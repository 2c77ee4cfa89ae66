"""Links: a completed assessment cited in an escalation or a case review, shown there only to people who
may see the child; and chronology entries cited as evidence, a restricted one shown only as
"restricted entry" to those who may not see it (pages and API alike)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from safeguarding.agencies.enums import Role
from safeguarding.assessments import services
from safeguarding.assessments.models import AssessmentCitation
from safeguarding.assessments.tests.conftest import AsmCast
from safeguarding.escalations.models import EscalationReason
from safeguarding.testing import factories as f


def _escalation(asm: AsmCast) -> Any:
    from safeguarding.escalations import services as esc_services

    return esc_services.raise_escalation(
        actor=asm.involved,
        children=[asm.cast.child],
        raising_agency=asm.cast.agency,
        receiving_agency=asm.cast.partner_agency,
        reason=EscalationReason.objects.get(code="threshold"),
        disputed_decision="The referral was closed with no further action.",
        desired_outcome="A strategy discussion.",
        raiser_level_of_need=4,
    )


def _review(asm: AsmCast, *members: Any) -> Any:
    from safeguarding.reviews import services as review_services
    from safeguarding.reviews.enums import Harm, MemberRole
    from safeguarding.reviews.models import ReviewMember

    business = f.member(f.AgencyFactory(code="BU2", name="Review business unit"), Role.BUSINESS_UNIT)
    today = timezone.localdate() - dt.timedelta(days=3)
    review = review_services.notify_serious_incident(
        actor=business,
        incident_on=today,
        aware_on=today,
        harm=Harm.SERIOUS_HARM,
        summary="Admitted to hospital.",
        children=[review_services.ChildInput(asm.cast.child, "Child A")],
    )
    for user in members:
        ReviewMember.objects.create(review=review, user=user, role=MemberRole.PANEL, added_at=timezone.now())
    return review, business


def test_cite_in_an_escalation_shows_to_those_who_see_the_child(asm: AsmCast, client_for) -> None:
    assessment = asm.completed()
    esc = _escalation(asm)
    client = client_for(asm.involved)
    page = client.get(f"/assessments/{assessment.pk}/cite/").content.decode()
    assert f"Escalation {esc.reference}" in page
    response = client.post(
        f"/assessments/{assessment.pk}/cite/", {"target": f"escalation:{esc.pk}", "note": "Grades worse"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/escalations/{esc.pk}/"
    citation = AssessmentCitation.objects.get()
    assert (citation.escalation, citation.cited_by, citation.note) == (esc, asm.involved, "Grades worse")
    involved_page = client.get(f"/escalations/{esc.pk}/").content.decode()
    assert "Assessments cited" in involved_page
    assert f'href="/assessments/{assessment.pk}/"' in involved_page
    # The receiving police officer sees the escalation but not the child: no section, nothing about it.
    partner_page = client_for(asm.cast.partner).get(f"/escalations/{esc.pk}/")
    assert partner_page.status_code == 200
    assert "Assessments cited" not in partner_page.content.decode()
    assert f"/assessments/{assessment.pk}/" not in partner_page.content.decode()


def test_cite_in_a_review_shows_to_members_who_see_the_child(asm: AsmCast, client_for) -> None:
    assessment = asm.completed()
    review, business = _review(asm, asm.involved)
    client = client_for(asm.involved)
    response = client.post(f"/assessments/{assessment.pk}/cite/", {"target": f"review:{review.pk}"})
    assert response.status_code == 302
    assert "Assessments cited" in client.get(f"/reviews/{review.pk}/").content.decode()
    # The business unit sees every review but not the child's record.
    bu_page = client_for(business).get(f"/reviews/{review.pk}/")
    assert bu_page.status_code == 200
    assert "Assessments cited" not in bu_page.content.decode()


def test_citing_is_refused_where_the_person_takes_no_part_or_for_a_draft(asm: AsmCast) -> None:
    esc = _escalation(asm)
    draft = asm.draft()
    with pytest.raises(services.NotAllowed, match="Only a completed assessment"):
        services.cite_assessment(actor=asm.involved, assessment=draft, escalation=esc)
    assessment = asm.completed()
    review, _ = _review(asm)  # the involved practitioner is not a member
    with pytest.raises(ValidationError, match="review about this child that you are a member of"):
        services.cite_assessment(actor=asm.involved, assessment=assessment, review=review)
    with pytest.raises(services.NotAllowed):
        services.cite_assessment(actor=asm.cast.unrelated, assessment=assessment, escalation=esc)
    services.cite_assessment(actor=asm.involved, assessment=assessment, escalation=esc)
    with pytest.raises(ValidationError, match="already cited"):
        services.cite_assessment(actor=asm.involved, assessment=assessment, escalation=esc)


def test_the_cite_page_is_404_for_what_the_person_may_not_see(asm: AsmCast, client_for) -> None:
    assessment = asm.completed()
    esc = _escalation(asm)
    response = client_for(asm.cast.partner).post(
        f"/assessments/{assessment.pk}/cite/", {"target": f"escalation:{esc.pk}"}
    )
    assert response.status_code == 404
    assert not AssessmentCitation.objects.exists()


def test_a_cited_restricted_entry_shows_only_as_restricted(
    asm: AsmCast, client_for, restricted_event, normal_event
) -> None:
    assessment = asm.draft()
    grades = asm.grades()
    grades["health"] = services.GradeInput(4, "Seen at the visit.", [restricted_event.pk, normal_event.pk])
    services.complete_assessment(
        actor=asm.involved, assessment=assessment, version=1, grades=grades, overall_view="x", next_steps="y"
    )
    url = f"/assessments/{assessment.pk}/"
    own = client_for(asm.involved).get(url).content.decode()
    assert f'href="/chronology/entries/{restricted_event.pk}/"' in own
    assert "Restricted entry" not in own
    other = client_for(asm.csc).get(url).content.decode()
    assert "Restricted entry" in other
    assert f"/chronology/entries/{restricted_event.pk}/" not in other
    assert f"/chronology/entries/{normal_event.pk}/" in other
    assert "Disclosure" not in other

    api = client_for(asm.csc).get(f"/api/v1/assessments/{assessment.pk}/").json()
    health = next(g for g in api["grades"] if g["unit"] == "health")
    assert {"id": None, "restricted": True} in health["cited_entries"]
    assert {"id": normal_event.pk, "restricted": False} in health["cited_entries"]
    assert restricted_event.pk not in [e["id"] for e in health["cited_entries"]]
