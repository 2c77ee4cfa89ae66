"""Removing an auditor (`services.take_auditor_off`): their access ends at once, on the pages, the API and the
exported report, exactly as for someone who was never an auditor; the removal is logged with the reason;
the responses they recorded stay, attributed to them."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from safeguarding.api.tests.factories import signed_in_client
from safeguarding.audits import services, workflow
from safeguarding.audits.enums import AuditStatus
from safeguarding.audits.models import Audit, AuditAuditor, AuditResponse
from safeguarding.audits.tests.helpers import grade_all
from safeguarding.audits.workflow import NotAllowed
from safeguarding.core.models import ActivityLog

REASON = "Moved to another team in October"
_NOISE = re.compile(rb'nonce="[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"')


def _pages(audit: Audit, case_pk: int) -> list[str]:
    return [
        reverse("audits:detail", args=[audit.pk]),
        reverse("audits:case", args=[audit.pk, case_pk]),
        reverse("audits:respond", args=[audit.pk, case_pk, audit.agencies.get(code="HV").pk]),
        reverse("audits:summary", args=[audit.pk]),
        reverse("audits:summary-pdf", args=[audit.pk]),  # the export
    ]


def _api(audit: Audit) -> list[str]:
    return [
        f"/api/v1/audits/{audit.pk}/",
        f"/api/v1/audits/{audit.pk}/responses/",
        f"/api/v1/audits/{audit.pk}/auditors/",
        f"/api/v1/audits/{audit.pk}/findings/",
    ]


def test_removed_auditor_loses_access_at_once_like_someone_never_named(ac, client_for):
    audit = ac.running(cases=1)
    case = ac.hand_picked(audit)
    grade_all(ac.cast.involved, case, ac.cast.agency, "good")
    auditor = AuditAuditor.objects.get(audit=audit, user=ac.cast.involved)
    page_client = client_for(ac.cast.involved)
    api_client = signed_in_client(ac.cast.involved, verified=True)
    # Before: the auditor sees everything the audit gives them.
    for url in _pages(audit, case.pk):
        assert page_client.get(url).status_code == 200, url
    for url in _api(audit):
        assert api_client.get(url).status_code == 200, url
    assert [a["id"] for a in api_client.get("/api/v1/audits/").json()["results"]] == [audit.pk]

    services.take_auditor_off(actor=ac.business, audit=audit, auditor=auditor, reason=REASON)

    # After: 404 everywhere, byte for byte what a practitioner in a participating agency who was never
    # named gets (the cast's `partner`, in the police).
    never = client_for(ac.cast.partner)
    for url in _pages(audit, case.pk):
        removed, other = page_client.get(url), never.get(url)
        assert removed.status_code == other.status_code == 404, url
        assert _NOISE.sub(b"", removed.content) == _NOISE.sub(b"", other.content), url
    never_api = signed_in_client(ac.cast.partner, verified=True)
    for url in _api(audit):
        removed, other = api_client.get(url), never_api.get(url)
        assert removed.status_code == other.status_code == 404, url
        assert removed.json() == other.json() == {"detail": "Not found."}
    assert api_client.get("/api/v1/audits/").json()["results"] == []
    posted = api_client.post(
        f"/api/v1/audits/{audit.pk}/responses/",
        {"case": case.pk, "answers": [{"question": 1, "grade": "good", "narrative": "Still here"}]},
        content_type="application/json",
    )
    assert posted.status_code == 404
    # The sampled child's own record was never theirs, and still is not.
    assert page_client.get(reverse("children:detail", args=[case.child_id])).status_code == 404
    # The audits pages are no longer for them at all.
    assert page_client.get(reverse("audits:index")).status_code == 404
    assert "Audits you are grading" not in page_client.get(reverse("core:home")).content.decode()
    fresh = Audit.objects.get(pk=audit.pk)
    assert not workflow.can_view_case(ac.cast.involved, fresh)
    assert not workflow.can_see_summary(ac.cast.involved, fresh)
    assert workflow.responding_agency_ids(ac.cast.involved, fresh) == set()


def test_removed_auditors_responses_stay_attributed_to_them(ac):
    audit = ac.running(cases=1)
    case = ac.hand_picked(audit)
    grade_all(ac.cast.involved, case, ac.cast.agency, "good")
    count = audit.tool.questions.count()

    services.take_auditor_off(
        actor=ac.business, audit=audit, auditor=audit.auditors.get(user=ac.cast.involved), reason=REASON
    )

    kept = AuditResponse.objects.filter(case=case, agency=ac.cast.agency)
    assert kept.count() == count
    assert set(kept.values_list("answered_by_id", flat=True)) == {ac.cast.involved.pk}
    # The business unit still reads them, under the auditor's name.
    body = signed_in_client(ac.business, verified=True).get(f"/api/v1/audits/{audit.pk}/responses/").json()
    assert len([r for r in body if r["agency"] == ac.cast.agency.code]) == count


def test_remove_auditor_is_logged_with_the_reason(ac):
    audit = ac.running(cases=1)
    auditor = audit.auditors.get(user=ac.police_auditor)

    services.take_auditor_off(actor=ac.lead, audit=audit, auditor=auditor, reason=f"  {REASON}  ")

    log = ActivityLog.objects.get(action="audit.auditor_removed")
    assert log.actor == ac.lead
    assert log.target_id == str(audit.pk)
    assert log.changes == {
        "auditor": [ac.police_auditor.pk, None],
        "agency": [ac.cast.partner_agency.pk, None],
        "added_at": [auditor.added_at.isoformat(), None],
        "reason": [None, REASON],
    }
    assert not AuditAuditor.objects.filter(pk=auditor.pk).exists()


def test_remove_auditor_needs_a_reason(ac):
    audit = ac.running(cases=1)
    auditor = audit.auditors.get(user=ac.police_auditor)
    with pytest.raises(ValidationError) as excinfo:
        services.take_auditor_off(actor=ac.business, audit=audit, auditor=auditor, reason="   left ")
    assert excinfo.value.message_dict == {
        "reason": ["Enter why this person is no longer an auditor, in at least 10 characters."]
    }
    assert AuditAuditor.objects.filter(pk=auditor.pk).exists()
    assert not ActivityLog.objects.filter(action="audit.auditor_removed").exists()


@pytest.mark.parametrize("persona", ["involved", "police_auditor", "scrutineer", "partner"])
def test_remove_auditor_refused_to_auditors_and_scrutineers(ac, persona):
    audit = ac.running(cases=1)
    person = {
        "involved": ac.cast.involved,
        "police_auditor": ac.police_auditor,
        "scrutineer": ac.scrutineer,
        "partner": ac.cast.partner,
    }[persona]
    auditor = audit.auditors.get(user=ac.police_auditor)
    assert not person.has_perm("audits.remove_auditor", audit)
    with pytest.raises(NotAllowed) as excinfo:
        services.take_auditor_off(actor=person, audit=audit, auditor=auditor, reason=REASON)
    assert excinfo.value.message == "Only the business unit or the audit's lead can remove auditors."
    assert AuditAuditor.objects.filter(pk=auditor.pk).exists()


def test_remove_auditor_is_possible_on_a_closed_audit(ac):
    audit = ac.running(cases=1)
    Audit.objects.filter(pk=audit.pk).update(status=AuditStatus.CLOSED)
    audit.refresh_from_db()
    assert ac.business.has_perm("audits.remove_auditor", audit)
    services.take_auditor_off(
        actor=ac.business, audit=audit, auditor=audit.auditors.get(user=ac.police_auditor), reason=REASON
    )
    assert not audit.auditors.filter(user=ac.police_auditor).exists()


def test_remove_auditor_checks_the_auditor_is_on_the_audit(ac):
    audit = ac.running(cases=1)
    other = ac.running(cases=1, title="Another audit")
    with pytest.raises(ValueError):
        services.take_auditor_off(actor=ac.business, audit=audit, auditor=other.auditors.first(), reason=REASON)


def test_removing_twice_says_so(ac):
    audit = ac.running(cases=1)
    auditor = audit.auditors.get(user=ac.police_auditor)
    services.take_auditor_off(actor=ac.business, audit=audit, auditor=auditor, reason=REASON)
    with pytest.raises(NotAllowed) as excinfo:
        services.take_auditor_off(actor=ac.business, audit=audit, auditor=auditor, reason=REASON)
    assert excinfo.value.message == "This person has already been removed as an auditor."


def test_a_removed_auditor_can_be_named_again(ac, client_for):
    audit = ac.running(cases=1)
    services.take_auditor_off(
        actor=ac.business, audit=audit, auditor=audit.auditors.get(user=ac.cast.involved), reason=REASON
    )
    services.name_auditor(actor=ac.business, audit=audit, user=ac.cast.involved, agency=ac.cast.agency)
    case = ac.hand_picked(audit)
    assert client_for(ac.cast.involved).get(reverse("audits:case", args=[audit.pk, case.pk])).status_code == 200
