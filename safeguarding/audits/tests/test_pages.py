"""The pages, end to end through forms: plan an audit, draw the sample, grade, moderate, record a
finding and create an action. Forms keep what was typed and show errors."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from safeguarding.actionplans.models import Action
from safeguarding.audits.enums import AuditStatus
from safeguarding.audits.models import Audit, AuditResponse, ModeratedGrade
from safeguarding.audits.tests.helpers import grade_all


def _d(day):
    return day.strftime("%d/%m/%Y")


def test_plan_audit_page(ac, client_for):
    client = client_for(ac.business)
    today = timezone.localdate()
    data = {
        "programme": ac.programme.pk,
        "title": "Early help service audit",
        "audit_type": "service",
        "service_name": "",
        "question": "Has early-help quality been sustained?",
        "lead": ac.lead.pk,
        "start_on": _d(today),
        "end_on": _d(today + timedelta(days=30)),
        "period_from": _d(today - timedelta(days=365)),
        "period_to": _d(today),
        "agencies": [ac.cast.agency.pk, ac.cast.partner_agency.pk],
        "tool": Audit._meta.get_field("tool").related_model.objects.first().pk,
    }
    bad = client.post(reverse("audits:new"), data)
    assert bad.status_code == 200
    assert "Enter the name of the service audited" in bad.content.decode()
    assert "Has early-help quality been sustained?" in bad.content.decode()  # kept what was typed
    data["service_name"] = "Early help service"
    response = client.post(reverse("audits:new"), data)
    audit = Audit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:detail", args=[audit.pk])
    assert audit.lead == ac.lead
    assert audit.status == AuditStatus.PLANNED
    assert set(audit.agencies.all()) == {ac.cast.agency, ac.cast.partner_agency}


def test_draw_sample_page_is_reproducible(ac, client_for):
    audit = ac.plan()
    client = client_for(ac.business)
    page = client.get(reverse("audits:sample", args=[audit.pk]))
    assert page.status_code == 200
    data = {"version": audit.version, "agency": ac.cast.agency.pk, "service": "early help", "size": 10, "seed": 1234}
    assert client.post(reverse("audits:sample", args=[audit.pk]), data).status_code == 302
    first = list(audit.cases.values_list("child_id", flat=True).order_by("number"))
    audit.refresh_from_db()
    data["version"] = audit.version
    client.post(reverse("audits:sample", args=[audit.pk]), data)
    assert list(audit.cases.values_list("child_id", flat=True).order_by("number")) == first
    assert len(first) == 10
    stale = client.post(reverse("audits:sample", args=[audit.pk]), {**data, "version": 1})
    assert "Someone else changed this audit" in stale.content.decode()


def test_grade_moderate_find_and_act_through_pages(ac, client_for):
    audit = ac.running(cases=1)
    case = ac.hand_picked(audit)
    health = client_for(ac.cast.involved)
    url = reverse("audits:respond", args=[audit.pk, case.pk, ac.cast.agency.pk])
    questions = list(audit.tool.questions.all())
    data = {}
    for q in questions:
        data[f"q{q.number}_grade"] = "good"
        data[f"q{q.number}_narrative"] = f"Health narrative {q.number}"
    data["q1_narrative"] = ""
    bad = health.post(url, data)
    assert "Explain the grade for question 1" in bad.content.decode()
    data["q1_narrative"] = "Seen promptly."
    assert health.post(url, data).status_code == 302
    assert AuditResponse.objects.filter(case=case, agency=ac.cast.agency).count() == len(questions)
    grade_all(ac.police_auditor, case, ac.cast.partner_agency, "good", {"voice": "inadequate"})
    for other in audit.cases.exclude(pk=case.pk):
        grade_all(ac.cast.involved, other, ac.cast.agency, "good")

    lead = client_for(ac.lead)
    lead.post(reverse("audits:move", args=[audit.pk]), {"version": audit.version})
    audit.refresh_from_db()
    assert audit.status == AuditStatus.MODERATION
    moderation = lead.get(reverse("audits:moderation", args=[audit.pk])).content.decode()
    assert "1 of 1 still to moderate" in moderation
    # Closing moderation is refused while a difference is open.
    lead.post(reverse("audits:move", args=[audit.pk]), {"version": audit.version})
    audit.refresh_from_db()
    assert audit.status == AuditStatus.MODERATION
    response = lead.post(
        reverse("audits:moderate", args=[audit.pk, case.pk, "voice"]),
        {"final_grade": "requires_improvement", "rationale": "The child was seen but their words not recorded."},
    )
    assert response.status_code == 302
    assert ModeratedGrade.objects.get(case=case, area="voice").final_grade == "requires_improvement"
    lead.post(reverse("audits:move", args=[audit.pk]), {"version": audit.version})
    audit.refresh_from_db()
    assert audit.status == AuditStatus.FINDINGS

    lead.post(
        reverse("audits:finding-new", args=[audit.pk]),
        {"kind": "development", "text": "The child's voice is not recorded."},
    )
    finding = audit.findings.get()
    response = lead.post(
        reverse("audits:finding-action", args=[audit.pk, finding.pk]),
        {
            "description": "Workshop on recording the child's voice.",
            "lead_agency": ac.cast.agency.pk,
            "lead_officer": ac.cast.involved.pk,
            "due_on": _d(timezone.localdate() + timedelta(days=40)),
            "success_measure": "Voice recorded in 8 of 10 cases at re-audit.",
        },
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert action.plan.source == "audit"
    assert list(finding.actions.all()) == [action]
    detail = lead.get(reverse("audits:detail", args=[audit.pk])).content.decode()
    assert action.reference in detail


def test_case_page_shows_grades_and_is_logged(ac, client_for):
    from safeguarding.core.models import ActivityLog

    audit = ac.running(cases=1)
    case = ac.hand_picked(audit)
    grade_all(ac.cast.involved, case, ac.cast.agency, "outstanding")
    body = client_for(ac.lead).get(reverse("audits:case", args=[audit.pk, case.pk])).content.decode()
    assert "Outstanding" in body
    assert ac.cast.other_child.full_name in body
    assert ActivityLog.objects.filter(action="audit.case_viewed", actor=ac.lead).count() == 1


def test_index_query_count_does_not_grow_with_audits(ac, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(ac.business)
    ac.plan()
    client.get(reverse("audits:index"))  # the first request of a session also renews it: not the page's cost
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("audits:index")).status_code == 200
    for n in range(4):
        ac.plan(title=f"Audit {n}")
    with CaptureQueriesContext(connection) as many:
        body = client.get(reverse("audits:index")).content.decode()
    assert "Audit 3" in body
    assert len(many) == len(few)
