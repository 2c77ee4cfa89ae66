"""Services: the trained-user guard, the lock on completed assessments, versions, and what is checked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from safeguarding.assessments import services
from safeguarding.assessments.enums import AssessmentStatus
from safeguarding.assessments.models import Grade, TrainedAssessor
from safeguarding.assessments.tests.conftest import AsmCast
from safeguarding.core.models import ActivityLog


def test_start_makes_a_draft_with_an_empty_grade_for_every_sub_area(asm: AsmCast) -> None:
    assessment = asm.draft()
    assert assessment.status == AssessmentStatus.DRAFT
    assert assessment.agency == asm.cast.agency
    assert Grade.objects.filter(assessment=assessment).count() == 11
    assert not Grade.objects.filter(assessment=assessment, grade__isnull=False).exists()
    log = ActivityLog.objects.get(action="assessment.started")
    assert log.subject_child_id == asm.cast.child.pk


def test_an_untrained_person_cannot_start(asm: AsmCast) -> None:
    with pytest.raises(services.NotAllowed, match="trained for the Neglect profile"):
        services.start_assessment(actor=asm.untrained, child=asm.cast.child, template=asm.template)


def test_training_revoked_stops_completing_a_draft_already_started(asm: AsmCast) -> None:
    assessment = asm.draft()
    record = TrainedAssessor.objects.get(user=asm.involved)
    services.revoke_training(actor=asm.lead, record=record)
    with pytest.raises(services.NotAllowed, match="trained"):
        services.complete_assessment(
            actor=asm.involved,
            assessment=assessment,
            version=assessment.version,
            grades=asm.grades(),
            overall_view="x",
            next_steps="y",
        )
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT


def test_an_agency_system_cannot_assess(asm: AsmCast) -> None:
    from safeguarding.api.tests.factories import make_token

    token, _ = make_token(asm.cast.agency)
    with pytest.raises(services.NotAllowed, match="not by agency systems"):
        services.start_assessment(actor=token.service_user, child=asm.cast.child, template=asm.template)


def test_a_child_the_assessor_may_not_see_is_refused(asm: AsmCast) -> None:
    with pytest.raises(ValidationError) as exc:
        services.start_assessment(actor=asm.involved, child=asm.cast.other_child, template=asm.template)
    assert exc.value.message_dict["child"] == ["Choose a child your agency works with."]


def test_only_the_assessor_changes_a_draft(asm: AsmCast) -> None:
    assessment = asm.draft()
    with pytest.raises(services.NotAllowed, match="Only the person who started"):
        services.save_assessment(actor=asm.csc, assessment=assessment, version=1, grades=asm.grades())


def test_complete_needs_every_grade_the_overall_view_and_next_steps(asm: AsmCast) -> None:
    assessment = asm.draft()
    grades = asm.grades()
    del grades["acceptance"]
    with pytest.raises(ValidationError) as exc:
        services.complete_assessment(actor=asm.involved, assessment=assessment, version=1, grades=grades)
    errors = exc.value.message_dict
    assert errors["acceptance"] == ["Choose a grade for acceptance before you complete."]
    assert errors["overall_view"] == ["Give your overall view before you complete."]
    assert errors["next_steps"] == ["Record the next steps agreed before you complete."]
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT
    assert assessment.version == 1


def test_a_grade_off_the_scale_is_refused(asm: AsmCast) -> None:
    assessment = asm.draft()
    with pytest.raises(ValidationError) as exc:
        services.save_assessment(
            actor=asm.involved, assessment=assessment, version=1, grades={"nutrition": services.GradeInput(6)}
        )
    assert exc.value.message_dict["nutrition"] == ["Choose a grade from 1 to 5."]


def test_a_completed_assessment_cannot_be_changed(asm: AsmCast) -> None:
    assessment = asm.completed()
    assert assessment.status == AssessmentStatus.COMPLETED
    assert assessment.completed_at is not None
    with pytest.raises(services.Locked, match=r"cannot be changed\. To record a change"):
        services.save_assessment(
            actor=asm.involved,
            assessment=assessment,
            version=assessment.version,
            grades={"nutrition": services.GradeInput(1)},
        )
    assert Grade.objects.get(assessment=assessment, sub_area__code="nutrition").grade == 3


def test_a_stale_version_is_refused_not_overwritten(asm: AsmCast) -> None:
    assessment = asm.draft()
    services.save_assessment(
        actor=asm.involved, assessment=assessment, version=1, grades={"nutrition": services.GradeInput(2, "First tab")}
    )
    with pytest.raises(services.StaleVersion, match="another tab"):
        services.save_assessment(
            actor=asm.involved,
            assessment=assessment,
            version=1,
            grades={"nutrition": services.GradeInput(5, "Old tab")},
        )
    grade = Grade.objects.get(assessment=assessment, sub_area__code="nutrition")
    assert (grade.grade, grade.evidence) == (2, "First tab")


def test_a_future_date_is_refused(asm: AsmCast) -> None:
    with pytest.raises(ValidationError) as exc:
        services.start_assessment(
            actor=asm.involved,
            child=asm.cast.child,
            template=asm.template,
            assessed_on=timezone.localdate() + dt.timedelta(days=1),
        )
    assert "today or in the past" in exc.value.message_dict["assessed_on"][0]


def test_evidence_may_cite_only_entries_the_assessor_can_see(asm: AsmCast, restricted_event, normal_event) -> None:
    assessment = asm.draft(asm.csc)  # the restricted entry belongs to the other agency
    with pytest.raises(ValidationError, match="Cite only chronology entries"):
        services.save_assessment(
            actor=asm.csc,
            assessment=assessment,
            version=1,
            grades={"health": services.GradeInput(3, "Seen", [restricted_event.pk])},
        )
    services.save_assessment(
        actor=asm.csc,
        assessment=assessment,
        version=1,
        grades={"health": services.GradeInput(3, "Seen", [normal_event.pk])},
    )
    grade = Grade.objects.get(assessment=assessment, sub_area__code="health")
    assert list(grade.citations.values_list("event_id", flat=True)) == [normal_event.pk]


def test_the_log_masks_free_text(asm: AsmCast) -> None:
    asm.completed()
    log = ActivityLog.objects.get(action="assessment.completed")
    assert log.changes["overall_view"] == ["•••", "•••"]
    assert log.changes["status"] == ["draft", "completed"]
    assert "needs are partly met" not in str(log.changes)


def test_training_is_recorded_by_the_lead_for_their_agency_only(asm: AsmCast) -> None:
    today = timezone.localdate()
    services.mark_trained(actor=asm.lead, user=asm.untrained, template=asm.template, trained_on=today)
    with pytest.raises(services.NotAllowed):
        services.mark_trained(actor=asm.lead, user=asm.cast.partner, template=asm.template, trained_on=today)
    services.mark_trained(actor=asm.admin, user=asm.cast.partner, template=asm.template, trained_on=today)
    with pytest.raises(ValidationError, match="already recorded as trained"):
        services.mark_trained(actor=asm.admin, user=asm.cast.partner, template=asm.template, trained_on=today)
    assert services.start_assessment(actor=asm.untrained, child=asm.cast.child, template=asm.template).pk


def test_a_template_that_grades_items_is_graded_and_compared_per_item(asm: AsmCast) -> None:
    from safeguarding.assessments.compare import build_comparison
    from safeguarding.assessments.loading import apply_template
    from safeguarding.assessments.template_file import check_template, parse_text
    from safeguarding.assessments.tests.test_template_loading import VALID

    data, problems = parse_text(VALID, "home.yaml")
    template, _ = apply_template(check_template(data, "home.yaml", problems))
    with pytest.raises(services.NotAllowed):  # trained for the neglect profile, not for this one
        services.start_assessment(actor=asm.involved, child=asm.cast.child, template=template)
    services.mark_trained(actor=asm.admin, user=asm.involved, template=template, trained_on=timezone.localdate())
    made = []
    for grades in (
        {"food-stored": 3, "cooker-safe": 2, "own-bed": 1},
        {"food-stored": 1, "cooker-safe": 3, "own-bed": 1},
    ):
        assessment = services.start_assessment(actor=asm.involved, child=asm.cast.child, template=template)
        assert sorted(g.item.code for g in assessment.grades.all()) == ["cooker-safe", "food-stored", "own-bed"]
        made.append(
            services.complete_assessment(
                actor=asm.involved,
                assessment=assessment,
                version=1,
                grades={k: services.GradeInput(v) for k, v in grades.items()},
                overall_view="Fine.",
                next_steps="None.",
            )
        )
    comparison = build_comparison(made, charts=False)
    rows = {row.unit.key: [c.change_label for c in row.cells] for area in comparison.areas for row in area.rows}
    assert rows == {"food-stored": ["", "Better by 2"], "cooker-safe": ["", "Worse by 1"], "own-bed": ["", "No change"]}
