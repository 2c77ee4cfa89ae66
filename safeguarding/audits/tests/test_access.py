"""Who sees what: the access matrix with the three personas (involved = a named auditor; partner = a
practitioner in a participating agency who is not named; unrelated), the business unit, the lead and a
scrutineer. Auditors see only the sampled children, only between the audit's start and end dates;
not-yours answers 404 exactly like not-found; every view of a sampled child is logged."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from safeguarding.audits import services
from safeguarding.audits.enums import AuditStatus
from safeguarding.audits.models import Audit
from safeguarding.audits.tests.conftest import set_dates
from safeguarding.audits.tests.helpers import grade_all
from safeguarding.core.models import ActivityLog


def _who(ac, name):
    return {
        "involved": ac.cast.involved,
        "partner": ac.cast.partner,
        "unrelated": ac.cast.unrelated,
        "business": ac.business,
        "lead": ac.lead,
        "scrutineer": ac.scrutineer,
        "police_auditor": ac.police_auditor,
    }[name]


MATRIX = {
    # page: {persona: status}
    "index": {"involved": 200, "partner": 404, "unrelated": 404, "business": 200, "lead": 200, "scrutineer": 200},
    "detail": {"involved": 200, "partner": 404, "unrelated": 404, "business": 200, "lead": 200, "scrutineer": 200},
    "summary": {"involved": 200, "partner": 404, "unrelated": 404, "business": 200, "lead": 200, "scrutineer": 200},
    "case": {"involved": 200, "partner": 404, "unrelated": 404, "business": 200, "lead": 200, "scrutineer": 404},
    "moderation": {"involved": 404, "partner": 404, "unrelated": 404, "business": 200, "lead": 200, "scrutineer": 404},
    "sample": {"involved": 404, "partner": 404, "unrelated": 404, "business": 200, "lead": 200, "scrutineer": 404},
    "new": {"involved": 404, "partner": 404, "unrelated": 404, "business": 200, "lead": 200, "scrutineer": 404},
}


def _url(page, audit, case):
    if page in ("index", "new"):
        return reverse(f"audits:{page}")
    if page == "case":
        return reverse("audits:case", args=[audit.pk, case.pk])
    return reverse(f"audits:{page}", args=[audit.pk])


# Not called `page`: that is Playwright's fixture, and using the name would make this a browser test.
@pytest.mark.parametrize("page_name", list(MATRIX))
def test_access_matrix(ac, client_for, page_name):
    audit = ac.plan()
    services.name_auditor(actor=ac.business, audit=audit, user=ac.cast.involved, agency=ac.cast.agency)
    case = services.choose_case(actor=ac.business, audit=audit, child=ac.cast.other_child, reason="Chosen for the test")
    for persona, status in MATRIX[page_name].items():
        response = client_for(_who(ac, persona)).get(_url(page_name, audit, case))
        assert response.status_code == status, (page_name, persona, response.status_code)


def test_missing_and_hidden_audits_answer_alike(ac, client_for):
    audit = ac.plan()
    client = client_for(ac.cast.unrelated)
    hidden = client.get(reverse("audits:detail", args=[audit.pk]))
    missing = client.get(reverse("audits:detail", args=[audit.pk + 999]))
    assert hidden.status_code == missing.status_code == 404
    nonce = re.compile(rb'nonce="[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"')
    assert nonce.sub(b"", hidden.content) == nonce.sub(b"", missing.content)


def test_scrutineer_sees_no_case_level_data(ac, client_for):
    audit = ac.running(cases=2)
    grade_all(ac.cast.involved, audit.cases.first(), ac.cast.agency, "good")
    client = client_for(ac.scrutineer)
    for url in (reverse("audits:detail", args=[audit.pk]), reverse("audits:summary", args=[audit.pk])):
        body = client.get(url).content.decode()
        assert "Marsh" not in body
        assert "Sample" not in body.replace("sample", "")
    assert client.get(reverse("audits:summary-pdf", args=[audit.pk]))["Content-Type"] == "application/pdf"


def test_auditor_sees_sampled_child_only_in_the_audit_period(ac, client_for):
    audit = ac.running(cases=2)
    case = ac.hand_picked(audit)  # other_child: the auditor's agency does not work with them
    client = client_for(ac.cast.involved)
    url = reverse("audits:case", args=[audit.pk, case.pk])
    today = timezone.localdate()
    # The children app does not show this child to the auditor: only the audit does.
    assert client.get(reverse("children:detail", args=[ac.cast.other_child.pk])).status_code == 404

    assert client.get(url).status_code == 200
    assert ActivityLog.objects.filter(
        action="audit.case_viewed", actor=ac.cast.involved, subject_child_id=ac.cast.other_child.pk
    ).exists()
    # The child's "who has looked at this record" page lists the auditor's look.
    assert ActivityLog.objects.for_child(ac.cast.other_child.pk).views().filter(actor=ac.cast.involved).exists()
    # The audit page names the sampled children to the auditor: each is logged as a look too.
    assert client.get(reverse("audits:detail", args=[audit.pk])).status_code == 200
    assert ActivityLog.objects.filter(
        action="audit.sample_viewed", actor=ac.cast.involved, subject_child_id=ac.cast.other_child.pk
    ).exists()

    set_dates(audit, today + timedelta(days=1), today + timedelta(days=30))  # before the start
    assert client.get(url).status_code == 404
    set_dates(audit, today - timedelta(days=30), today - timedelta(days=1))  # after the end
    assert client.get(url).status_code == 404
    set_dates(audit, today - timedelta(days=30), today + timedelta(days=1))
    assert client.get(url).status_code == 200
    Audit.objects.filter(pk=audit.pk).update(status=AuditStatus.CLOSED)
    assert client.get(url).status_code == 404


def test_auditor_sees_only_this_audits_sample(ac, client_for):
    audit = ac.running(cases=2)
    other = ac.running(cases=1, title="Another audit")
    client = client_for(ac.cast.involved)
    foreign = other.cases.first()
    assert client.get(reverse("audits:case", args=[audit.pk, foreign.pk])).status_code == 404


def test_auditor_sees_own_agency_chronology_only(ac, client_for):
    from safeguarding.audits.tests.test_sampling import _event

    audit = ac.running(cases=1)
    case = ac.hand_picked(audit)
    own = _event(case.child, ac.cast.agency, "home_visit")
    police = _event(case.child, ac.cast.partner_agency, "police_attendance")
    own.summary, police.summary = "Health saw the family", "Police attended the home"
    own.save(update_fields=["summary"])
    police.save(update_fields=["summary"])
    body = client_for(ac.cast.involved).get(reverse("audits:case", args=[audit.pk, case.pk])).content.decode()
    assert "Health saw the family" in body
    assert "Police attended the home" not in body
    body = client_for(ac.police_auditor).get(reverse("audits:case", args=[audit.pk, case.pk])).content.decode()
    assert "Police attended the home" in body
    assert "Health saw the family" not in body


def test_respond_page_only_for_own_agency(ac, client_for):
    audit = ac.running(cases=1)
    case = audit.cases.first()
    client = client_for(ac.cast.involved)
    own = reverse("audits:respond", args=[audit.pk, case.pk, ac.cast.agency.pk])
    other = reverse("audits:respond", args=[audit.pk, case.pk, ac.cast.partner_agency.pk])
    assert client.get(own).status_code == 200
    assert client.get(other).status_code == 404
    assert client_for(ac.cast.partner).get(other).status_code == 404
