"""Grading and moderation: each agency grades its own part; where agencies' grades for an area of a case
differ, the lead agrees the final grade recording both; moderation cannot close until every difference
is moderated."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from safeguarding.audits import grading, services
from safeguarding.audits.enums import AuditStatus
from safeguarding.audits.models import AuditResponse, ModeratedGrade
from safeguarding.audits.tests.helpers import grade_all
from safeguarding.audits.workflow import NotAllowed, StaleVersion
from safeguarding.core.models import ActivityLog


@pytest.fixture
def graded(ac):
    """Two cases: agencies agree on case A; on case B police grade planning and voice lower."""
    audit = ac.running(cases=1)
    case_a, case_b = list(audit.cases.order_by("number"))
    grade_all(ac.cast.involved, case_a, ac.cast.agency, "good")
    grade_all(ac.police_auditor, case_a, ac.cast.partner_agency, "good")
    grade_all(ac.cast.involved, case_b, ac.cast.agency, "good")
    grade_all(
        ac.police_auditor,
        case_b,
        ac.cast.partner_agency,
        "good",
        {"planning": "requires_improvement", "voice": "inadequate"},
    )
    audit.refresh_from_db()
    services.move_audit(actor=ac.business, audit=audit, version=audit.version)
    audit.refresh_from_db()
    assert audit.status == AuditStatus.MODERATION
    return audit, case_a, case_b


def test_agency_area_grade_is_its_worst_answer(ac):
    audit = ac.running(cases=1)
    case = audit.cases.first()
    questions = list(audit.tool.questions.filter(area="assessment"))
    assert len(questions) == 2
    answers = [
        services.Answer(questions[0], "outstanding", "Strong."),
        services.Answer(questions[1], "requires_improvement", "Late."),
    ]
    services.record_responses(actor=ac.cast.involved, case=case, agency=ac.cast.agency, answers=answers)
    assert grading.area_grades(audit)[(case.pk, "assessment")] == {ac.cast.agency.pk: "requires_improvement"}


def test_auditor_records_only_own_agency(ac):
    audit = ac.running(cases=1)
    case = audit.cases.first()
    with pytest.raises(NotAllowed):
        grade_all(ac.cast.involved, case, ac.cast.partner_agency, "good")
    with pytest.raises(NotAllowed):
        grade_all(ac.cast.partner, case, ac.cast.partner_agency, "good")  # not named


def test_response_needs_grade_on_the_scale_and_narrative(ac):
    audit = ac.running(cases=1)
    case = audit.cases.first()
    q = audit.tool.questions.first()
    with pytest.raises(ValidationError):
        services.record_responses(
            actor=ac.cast.involved, case=case, agency=ac.cast.agency, answers=[services.Answer(q, "brilliant", "x")]
        )
    with pytest.raises(ValidationError):
        services.record_responses(
            actor=ac.cast.involved, case=case, agency=ac.cast.agency, answers=[services.Answer(q, "good", " ")]
        )
    assert not AuditResponse.objects.exists()


def test_response_narrative_is_masked_in_the_log(ac):
    audit = ac.running(cases=1)
    case = audit.cases.first()
    grade_all(ac.cast.involved, case, ac.cast.agency, "good")
    entry = ActivityLog.objects.filter(action="audit.response_recorded").first()
    assert entry.subject_child_id == case.child_id
    assert "Narrative for question" not in str(entry.changes)


def test_differences_listed_and_block_closing(ac, graded):
    audit, _case_a, case_b = graded
    assert grading.unmoderated_differences(audit) == sorted([(case_b.pk, "planning"), (case_b.pk, "voice")])
    with pytest.raises(NotAllowed, match="2 differing grades still to moderate"):
        services.move_audit(actor=ac.business, audit=audit, version=audit.version)
    services.moderate(
        actor=ac.lead,
        case=case_b,
        area="planning",
        final_grade="requires_improvement",
        rationale="Police evidence of drift accepted.",
    )
    with pytest.raises(NotAllowed, match="1 differing grade still to moderate"):
        services.move_audit(actor=ac.business, audit=audit, version=audit.version)
    services.moderate(
        actor=ac.lead,
        case=case_b,
        area="voice",
        final_grade="requires_improvement",
        rationale="Child seen but not heard.",
    )
    services.move_audit(actor=ac.business, audit=audit, version=audit.version)
    audit.refresh_from_db()
    assert audit.status == AuditStatus.FINDINGS


def test_moderation_records_both_grades_and_rationale(ac, graded):
    audit, _, case_b = graded
    services.moderate(
        actor=ac.lead,
        case=case_b,
        area="voice",
        final_grade="requires_improvement",
        rationale="Child seen but not heard.",
    )
    m = ModeratedGrade.objects.get(case=case_b, area="voice")
    assert m.agency_grades == {str(ac.cast.agency.pk): "good", str(ac.cast.partner_agency.pk): "inadequate"}
    assert m.rationale == "Child seen but not heard."
    assert m.moderated_by == ac.lead
    assert grading.final_grades(audit)[(case_b.pk, "voice")] == "requires_improvement"


def test_only_lead_moderates_and_only_differences(ac, graded):
    _audit, case_a, case_b = graded
    with pytest.raises(NotAllowed):
        services.moderate(
            actor=ac.business, case=case_b, area="voice", final_grade="good", rationale="Business unit decides."
        )
    with pytest.raises(ValidationError):
        services.moderate(
            actor=ac.lead, case=case_a, area="voice", final_grade="good", rationale="Nothing differs here."
        )
    with pytest.raises(ValidationError):
        services.moderate(actor=ac.lead, case=case_b, area="voice", final_grade="good", rationale="short")


def test_responses_closed_after_in_progress(ac, graded):
    _audit, case_a, _ = graded
    with pytest.raises(NotAllowed, match="only while the audit is in progress"):
        grade_all(ac.cast.involved, case_a, ac.cast.agency, "outstanding")


def test_stale_version_refused(ac, graded):
    audit, _, _ = graded
    with pytest.raises(StaleVersion):
        services.move_audit(actor=ac.business, audit=audit, version=audit.version - 1)
