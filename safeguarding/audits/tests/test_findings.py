"""Findings → actions in an action plan with source "audit"; a re-audit compared with its baseline;
the summary's distributions, charts and PDF."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from safeguarding.actionplans.enums import ActionSource
from safeguarding.actionplans.models import ActionPlan
from safeguarding.audits import grading, reports, services
from safeguarding.audits.enums import AuditStatus, FindingKind
from safeguarding.audits.tests.helpers import grade_all
from safeguarding.audits.workflow import NotAllowed
from safeguarding.reviews.models import Theme


def _to_findings(ac, audit, health_grade, police_grade, overrides=None):
    for case in audit.cases.all():
        grade_all(ac.cast.involved, case, ac.cast.agency, health_grade, overrides)
        grade_all(ac.police_auditor, case, ac.cast.partner_agency, police_grade, overrides)
    for _ in range(2):  # -> moderation -> findings
        audit.refresh_from_db()
        if audit.status == AuditStatus.MODERATION:
            for case_id, area in grading.unmoderated_differences(audit):
                services.moderate(
                    actor=ac.lead,
                    case=audit.cases.get(pk=case_id),
                    area=area,
                    final_grade=health_grade,
                    rationale="Agreed at the meeting.",
                )
        services.move_audit(actor=ac.business, audit=audit, version=audit.version)
    audit.refresh_from_db()
    assert audit.status == AuditStatus.FINDINGS
    return audit


def test_finding_creates_action_in_audit_plan(ac):
    audit = _to_findings(ac, ac.running(cases=2), "good", "good")
    finding = services.add_finding(
        actor=ac.lead,
        audit=audit,
        kind=FindingKind.DEVELOPMENT,
        text="Plans drift without review.",
        themes=Theme.objects.filter(code="management-oversight"),
    )
    due = timezone.localdate() + timedelta(days=60)
    action = services.create_action_from_finding(
        actor=ac.lead,
        finding=finding,
        description="Managers review stuck plans monthly.",
        lead_agency=ac.cast.agency,
        lead_officer=ac.cast.involved,
        due_on=due,
        success_measure="No plan without progress for 12 weeks.",
    )
    plan = action.plan
    assert plan.source == ActionSource.AUDIT
    assert plan.source_reference == audit.reference
    assert plan.review is None
    assert list(finding.actions.all()) == [action]
    assert action.due_on == due
    assert action.lead_agency == ac.cast.agency
    second = services.add_finding(actor=ac.lead, audit=audit, kind=FindingKind.STRENGTH, text="Needs recognised early.")
    other = services.create_action_from_finding(
        actor=ac.lead,
        finding=second,
        description="Share the good practice.",
        lead_agency=ac.cast.agency,
        lead_officer=ac.cast.involved,
        due_on=due,
        success_measure="Briefing held.",
    )
    assert other.plan == plan  # one plan per audit
    assert ActionPlan.objects.filter(source=ActionSource.AUDIT).count() == 1
    assert [f.number for f in audit.findings.all()] == [1, 2]


def test_finding_rules(ac):
    audit = ac.running(cases=1)
    with pytest.raises(NotAllowed):
        services.add_finding(actor=ac.lead, audit=audit, kind=FindingKind.STRENGTH, text="Too early.")
    audit = _to_findings(ac, audit, "good", "good")
    with pytest.raises(NotAllowed):
        services.add_finding(actor=ac.cast.involved, audit=audit, kind=FindingKind.STRENGTH, text="Not the lead.")
    with pytest.raises(NotAllowed, match="at least one finding"):
        services.move_audit(actor=ac.business, audit=audit, version=audit.version)


def test_re_audit_compared_with_baseline(ac):
    today = timezone.localdate()
    baseline = _to_findings(ac, ac.running(cases=2), "good", "good")
    reaudit = ac.running(
        cases=2,
        baseline=baseline,
        title="Early help re-audit",
        start_on=today - timedelta(days=1),
    )
    _to_findings(ac, reaudit, "good", "good", {"voice": "inadequate", "recognition": "outstanding"})
    rows = {r.label: r for r in grading.compare_by_area(reaudit)}
    assert rows["Voice of the child"].change == "Declined"
    assert rows["Voice of the child"].baseline_good == 100
    assert rows["Voice of the child"].current_good == 0
    assert rows["Recognition of need"].change == "Improved"
    assert rows["Planning"].change == "No change"
    agencies = {r.label: r for r in grading.compare_by_agency(reaudit)}
    assert set(agencies) == {ac.cast.agency.name, ac.cast.partner_agency.name}
    assert grading.compare_by_area(baseline) == []


def test_summary_distribution_charts_and_pdf(ac):
    audit = _to_findings(ac, ac.running(cases=2), "good", "requires_improvement")
    summary = reports.build_summary(audit)
    area, agency = summary.charts
    planning = next(r for r in area.table_rows if r[0] == "Planning")
    # 3 cases, each moderated to the health grade.
    assert planning == ("Planning", [0, 3, 0, 0], 3)
    rows = {label: counts for label, counts, _ in agency.table_rows}
    assert rows[ac.cast.agency.name] == [0, 21, 0, 0]
    assert rows[ac.cast.partner_agency.name] == [0, 0, 21, 0]
    assert area.svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img"')
    assert "style=" not in area.svg
    pdf = reports.summary_pdf(audit)
    assert pdf.startswith(b"%PDF")


def test_change_in_words():
    assert grading.change_in_words(2.0, 2.1) == "No change"
    assert grading.change_in_words(2.0, 2.5) == "Declined"
    assert grading.change_in_words(2.5, 2.0) == "Improved"
    assert grading.change_in_words(None, 2.0) == "Not graded in the baseline"
