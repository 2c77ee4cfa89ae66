"""Pages: the access matrix (three personas, a second agency, the business unit and a scrutineer), the
trained-user guard, forms that keep what was typed, the lock on completed assessments, comparison,
the child's record, views logged, and descriptors shown only to trained people."""

from __future__ import annotations

import re

import pytest

from safeguarding.assessments import services
from safeguarding.assessments.enums import AssessmentStatus
from safeguarding.assessments.models import Assessment, Descriptor, SubArea, TrainedAssessor
from safeguarding.assessments.tests.conftest import CODES, AsmCast
from safeguarding.core.models import ActivityLog


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("involved", 200),
        ("csc", 200),
        ("untrained", 200),  # a colleague reads a completed assessment without being trained
        ("partner", 404),
        ("unrelated", 404),
        ("business", 404),
        ("scrutineer", 404),
    ],
)
def test_completed_assessment_access_matrix(asm: AsmCast, client_for, persona: str, status: int) -> None:
    assessment = asm.completed()
    user = getattr(asm, persona, None) or getattr(asm.cast, persona)
    response = client_for(user).get(f"/assessments/{assessment.pk}/")
    assert response.status_code == status
    html = response.content.decode()
    assert ("Ellis Marsh" in html) is (status == 200)
    assert ("Evidence for nutrition." in html) is (status == 200)


@pytest.mark.parametrize(
    ("persona", "status"), [("involved", 200), ("csc", 404), ("untrained", 404), ("unrelated", 404)]
)
def test_a_draft_is_seen_only_by_its_assessor(asm: AsmCast, client_for, persona: str, status: int) -> None:
    draft = asm.draft()
    user = getattr(asm, persona, None) or getattr(asm.cast, persona)
    assert client_for(user).get(f"/assessments/{draft.pk}/").status_code == status
    assert client_for(user).get(f"/assessments/{draft.pk}/edit/").status_code == status


def test_not_found_and_not_yours_answer_alike(asm: AsmCast, client_for) -> None:
    assessment = asm.completed()
    client = client_for(asm.cast.unrelated)
    hidden = client.get(f"/assessments/{assessment.pk}/")
    missing = client.get("/assessments/999999/")
    assert hidden.status_code == missing.status_code == 404
    assert client.get(f"/assessments/child/{asm.cast.child.pk}/compare/").status_code == 404


def test_every_view_is_logged_as_a_view_of_the_childs_record(asm: AsmCast, client_for) -> None:
    assessment = asm.completed()
    client_for(asm.csc).get(f"/assessments/{assessment.pk}/")
    client_for(asm.csc).get(f"/assessments/child/{asm.cast.child.pk}/compare/")
    logs = ActivityLog.objects.for_child(asm.cast.child.pk).filter(actor=asm.csc)
    assert set(logs.values_list("action", flat=True)) == {"assessment.viewed", "assessment.compared"}
    # Both count on "who has looked at this record".
    assert set(logs.views().values_list("action", flat=True)) == {"assessment.viewed", "assessment.compared"}


def test_the_start_page_is_for_trained_people_only(asm: AsmCast, client_for) -> None:
    response = client_for(asm.untrained).get(f"/assessments/start/?child={asm.cast.child.pk}")
    assert response.status_code == 403
    assert "not recorded as trained" in response.content.decode()
    response = client_for(asm.untrained).post(
        "/assessments/start/", {"child": asm.cast.child.pk, "template": asm.template.pk, "agency": asm.cast.agency.pk}
    )
    assert response.status_code == 403
    assert not Assessment.objects.exists()


def test_start_refuses_a_child_the_person_may_not_see(asm: AsmCast, client_for) -> None:
    assert client_for(asm.involved).get(f"/assessments/start/?child={asm.cast.other_child.pk}").status_code == 404


def test_start_then_save_a_draft_then_complete(asm: AsmCast, client_for) -> None:
    client = client_for(asm.involved)
    response = client.post("/assessments/start/", {"child": asm.cast.child.pk, "template": asm.template.pk})
    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/assessments/{assessment.pk}/edit/"
    page = client.get(response["Location"]).content.decode()
    assert "Physical care" in page
    assert "Safety when the carer is absent" in page

    data = {"version": 1, "assessed_on": assessment.assessed_on.strftime("%d/%m/%Y"), "action": "save"}
    data |= {"grade_nutrition": "4", "evidence_nutrition": "No food in the fridge at two visits."}
    response = client.post(f"/assessments/{assessment.pk}/edit/", data)
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.version == 2
    assert assessment.grades.get(sub_area__code="nutrition").grade == 4

    # Completing without the rest keeps what was typed and says what is missing.
    data |= {"version": 2, "action": "complete", "overall_view": "Needs partly met."}
    response = client.post(f"/assessments/{assessment.pk}/edit/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Choose a grade for housing before you complete." in html
    assert "Record the next steps agreed before you complete." in html
    assert "No food in the fridge at two visits." in html
    assert "Needs partly met." in html
    assert re.search(r'value="4"[^>]*checked', html)

    for code in CODES:
        data[f"grade_{code.replace('-', '_')}"] = "3" if code != "nutrition" else "4"
    data["next_steps"] = "Weekly visits."
    response = client.post(f"/assessments/{assessment.pk}/edit/", data)
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.COMPLETED
    assert response["Location"] == f"/assessments/{assessment.pk}/"


def test_a_completed_assessment_cannot_be_edited_through_the_page(asm: AsmCast, client_for) -> None:
    assessment = asm.completed()
    client = client_for(asm.involved)
    response = client.get(f"/assessments/{assessment.pk}/edit/", follow=True)
    assert "cannot be changed" in response.content.decode()
    data = {"version": assessment.version, "assessed_on": "01/01/2026", "action": "save", "grade_nutrition": "1"}
    client.post(f"/assessments/{assessment.pk}/edit/", data)
    assert assessment.grades.get(sub_area__code="nutrition").grade == 3


def test_a_stale_form_is_refused_with_a_clear_message(asm: AsmCast, client_for) -> None:
    assessment = asm.draft()
    services.save_assessment(
        actor=asm.involved, assessment=assessment, version=1, grades={"housing": services.GradeInput(2)}
    )
    response = client_for(asm.involved).post(
        f"/assessments/{assessment.pk}/edit/",
        {
            "version": 1,
            "assessed_on": assessment.assessed_on.strftime("%d/%m/%Y"),
            "action": "save",
            "grade_housing": "5",
        },
    )
    assert "saved somewhere else" in response.content.decode()
    assert assessment.grades.get(sub_area__code="housing").grade == 2


def test_compare_marks_changes_in_words_with_a_chart_and_table(asm: AsmCast, client_for) -> None:
    asm.completed(days_ago=90, values=3)
    asm.completed(asm.csc, days_ago=40, values=3, nutrition=5)
    asm.completed(days_ago=5, values=3, nutrition=2, hygiene=4)
    response = client_for(asm.involved).get(f"/assessments/child/{asm.cast.child.pk}/compare/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img"') == 4  # one per area
    assert "style=" not in html  # the CSP blocks inline styles
    table = html.split('id="table-physical-care"')[1].split("</table>")[0]
    nutrition = table.split("Nutrition")[1].split("</tr>")[0]
    assert "Worse by 2" in nutrition
    assert "Better by 3" in nutrition
    hygiene = table.split("Hygiene")[1].split("</tr>")[0]
    assert "No change" in hygiene
    assert "Worse by 1" in hygiene
    assert "Test Children&#x27;s Social Care" in html
    assert "Test Community Health" in html
    only_csc = (
        client_for(asm.involved)
        .get(f"/assessments/child/{asm.cast.child.pk}/compare/?agency={asm.csc_agency.pk}")
        .content.decode()
    )
    assert only_csc.count('<li><a class="govuk-link" href="/assessments/') == 1


def test_the_childs_record_shows_the_latest_completed_assessment(asm: AsmCast, client_for) -> None:
    asm.completed(days_ago=30, values=4)
    latest = asm.completed(asm.csc, days_ago=2, values=2)
    html = client_for(asm.involved).get(f"/children/{asm.cast.child.pk}/").content.decode()
    assert f'href="/assessments/{latest.pk}/"' in html
    assert "Nutrition: 2" in html
    assert "Compare all 2 completed assessments" in html
    other = client_for(asm.cast.unrelated).get(f"/children/{asm.cast.child.pk}/")
    assert other.status_code == 404


def test_descriptors_show_only_to_trained_people(asm: AsmCast, client_for) -> None:
    sub = SubArea.objects.get(area__template=asm.template, code="nutrition")
    Descriptor.objects.create(sub_area=sub, grade=1, text="LICENSED-WORDING-FOR-TEST")
    url = f"/assessments/templates/{asm.template.pk}/"
    assert "LICENSED-WORDING-FOR-TEST" in client_for(asm.involved).get(url).content.decode()
    untrained = client_for(asm.untrained).get(url).content.decode()
    assert "LICENSED-WORDING-FOR-TEST" not in untrained
    assert "You are not recorded as trained, so they are not shown." in untrained
    draft = asm.draft()
    assert (
        "LICENSED-WORDING-FOR-TEST" in client_for(asm.involved).get(f"/assessments/{draft.pk}/edit/").content.decode()
    )
    api = client_for(asm.involved).get(f"/api/v1/assessment-templates/{asm.template.pk}/").content.decode()
    assert "LICENSED-WORDING-FOR-TEST" not in api


@pytest.mark.parametrize(("persona", "status"), [("lead", 200), ("admin", 200), ("involved", 404), ("business", 404)])
def test_training_page_access(asm: AsmCast, client_for, persona: str, status: int) -> None:
    assert client_for(getattr(asm, persona)).get("/assessments/training/").status_code == status


def test_the_lead_records_and_revokes_training_on_the_page(asm: AsmCast, client_for) -> None:
    client = client_for(asm.lead)
    page = client.get("/assessments/training/").content.decode()
    assert asm.cast.partner.get_full_name() not in page  # not in the lead's agency
    response = client.post(
        "/assessments/training/", {"user": asm.untrained.pk, "template": asm.template.pk, "trained_on": "3/2/2025"}
    )
    assert response.status_code == 302
    record = TrainedAssessor.objects.get(user=asm.untrained)
    assert str(record.trained_on) == "2025-02-03"
    assert record.recorded_by == asm.lead
    refused = client.post(
        "/assessments/training/", {"user": asm.cast.partner.pk, "template": asm.template.pk, "trained_on": "3/2/2025"}
    )
    assert "Select a valid choice" in refused.content.decode()
    client.post(f"/assessments/training/{record.pk}/revoke/")
    record.refresh_from_db()
    assert record.revoked_at is not None
    csc_record = TrainedAssessor.objects.get(user=asm.csc)
    assert client.post(f"/assessments/training/{csc_record.pk}/revoke/").status_code == 404


def test_home_and_navigation(asm: AsmCast, client_for) -> None:
    draft = asm.draft()
    home = client_for(asm.involved).get("/").content.decode()
    assert "Your draft assessments" in home
    assert draft.reference in home
    assert 'href="/assessments/"' in home
    assert 'href="/assessments/"' not in client_for(asm.cast.unrelated).get("/").content.decode()
