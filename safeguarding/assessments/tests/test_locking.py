"""Saving and completing an assessment lock it (`select_for_update`) and run outside a test
transaction, as a real request does: PostgreSQL refuses a row lock under autocommit, so each service
is its own transaction (`kernel.service`). A stale or completed assessment is refused and nothing the
service wrote stays. Run these on PostgreSQL too (DATABASE_URL)."""

from __future__ import annotations

import pytest

from safeguarding.assessments import services
from safeguarding.assessments.enums import AssessmentStatus
from safeguarding.assessments.models import Assessment, Grade
from safeguarding.assessments.tests.conftest import AsmCast
from safeguarding.core.models import ActivityLog

pytestmark = pytest.mark.django_db(transaction=True)


def test_save_and_complete_lock_the_assessment_outside_a_test_transaction(asm: AsmCast) -> None:
    assessment = asm.draft()
    services.save_assessment(
        actor=asm.involved, assessment=assessment, version=1, grades={"nutrition": services.GradeInput(2, "Seen")}
    )
    assert assessment.version == 2
    services.complete_assessment(
        actor=asm.involved,
        assessment=assessment,
        version=assessment.version,
        grades=asm.grades(),
        overall_view="Overall, needs are partly met.",
        next_steps="Health visitor to visit weekly.",
    )
    stored = Assessment.objects.get(pk=assessment.pk)
    assert (stored.status, stored.version) == (AssessmentStatus.COMPLETED, 3)
    assert stored.completed_at is not None
    log = ActivityLog.objects.get(action="assessment.completed", target_id=str(assessment.pk))
    assert log.changes["status"] == [AssessmentStatus.DRAFT, AssessmentStatus.COMPLETED]


def test_a_stale_save_is_refused_and_rolls_back_outside_a_test_transaction(asm: AsmCast) -> None:
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
            complete=True,
        )
    grade = Grade.objects.get(assessment=assessment, sub_area__code="nutrition")
    assert (grade.grade, grade.evidence) == (2, "First tab")
    assert Assessment.objects.get(pk=assessment.pk).status == AssessmentStatus.DRAFT


def test_a_completed_assessment_is_locked_for_good_outside_a_test_transaction(asm: AsmCast) -> None:
    assessment = asm.completed()
    with pytest.raises(services.Locked, match="cannot be changed"):
        services.save_assessment(
            actor=asm.involved,
            assessment=assessment,
            version=assessment.version,
            grades={"nutrition": services.GradeInput(1, "Later")},
        )
    assert Grade.objects.get(assessment=assessment, sub_area__code="nutrition").grade == 3
