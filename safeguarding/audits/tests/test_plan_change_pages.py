"""The pages: "Change the audit's details" (keeps what was typed, shows the stale-edit message) and
"Remove" an auditor (a confirmation page asking for the reason)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from safeguarding.audits import services
from safeguarding.audits.enums import AuditStatus
from safeguarding.audits.models import Audit, AuditAuditor
from safeguarding.core.models import ActivityLog


def _d(day):
    return day.strftime("%d/%m/%Y")


def _form_data(ac, audit, **changes):
    data = {
        "version": audit.version,
        "programme": audit.programme_id,
        "title": audit.title,
        "audit_type": audit.audit_type,
        "service_name": audit.service_name,
        "theme": "",
        "question": audit.question,
        "lead": audit.lead_id,
        "start_on": _d(audit.start_on),
        "end_on": _d(audit.end_on),
        "period_from": _d(audit.period_from),
        "period_to": _d(audit.period_to),
        "agencies": list(audit.agencies.values_list("pk", flat=True)),
        "tool": audit.tool_id,
        "baseline": "",
    }
    data.update(changes)
    return data


def test_edit_page_shows_the_plan_as_it_stands(ac, client_for):
    audit = ac.plan()
    body = client_for(ac.business).get(reverse("audits:edit", args=[audit.pk])).content.decode()
    assert "Change the audit&#x27;s details" in body
    assert 'value="Early help service audit"' in body
    assert f'value="{_d(audit.end_on)}"' in body
    assert f'name="version" value="{audit.version}"' in body
    checked = {
        int(value)
        for tag in re.findall(r'<input[^>]*name="agencies"[^>]*>', body)
        if " checked" in tag
        for value in re.findall(r'value="(\d+)"', tag)
    }
    assert checked == {ac.cast.agency.pk, ac.cast.partner_agency.pk}


def test_edit_page_saves_and_returns_to_the_audit(ac, client_for):
    audit = ac.plan()
    client = client_for(ac.business)
    new_end = timezone.localdate() + timedelta(days=90)
    response = client.post(
        reverse("audits:edit", args=[audit.pk]),
        _form_data(
            ac,
            audit,
            end_on=_d(new_end),
            agencies=[ac.cast.agency.pk, ac.cast.partner_agency.pk, ac.cast.unrelated_agency.pk],
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:detail", args=[audit.pk])
    audit.refresh_from_db()
    assert audit.end_on == new_end
    assert audit.agencies.count() == 3
    assert audit.version == 2
    page = client.get(response["Location"]).content.decode()
    assert "The audit&#x27;s details were saved." in page
    assert new_end.strftime("%-d %B %Y") in page
    assert ActivityLog.objects.filter(action="audit.changed", actor=ac.business).count() == 1


def test_edit_page_keeps_what_was_typed_and_shows_the_rule(ac, client_for):
    audit = ac.running(cases=1)
    client = client_for(ac.lead)
    response = client.post(
        reverse("audits:edit", args=[audit.pk]),
        _form_data(
            ac,
            audit,
            title="A title typed but not saved",
            period_from=_d(audit.period_from - timedelta(days=10)),
            agencies=[ac.cast.agency.pk],
        ),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "The practice period cannot change once auditing has started" in body
    assert "Test Police still has named auditors" in body
    assert 'value="A title typed but not saved"' in body
    assert f'value="{_d(audit.period_from - timedelta(days=10))}"' in body
    saved = Audit.objects.get(pk=audit.pk)
    assert saved.title == "Early help service audit"
    assert saved.version == audit.version


def test_edit_page_end_before_start_message(ac, client_for):
    audit = ac.plan()
    response = client_for(ac.business).post(
        reverse("audits:edit", args=[audit.pk]),
        _form_data(ac, audit, end_on=_d(audit.start_on - timedelta(days=1))),
    )
    assert "The end date must be on or after the start date." in response.content.decode()


def test_edit_page_shows_the_stale_edit_message_and_keeps_the_other_change(ac, client_for):
    audit = ac.plan()
    client = client_for(ac.lead)
    stale_data = _form_data(ac, audit, title="The lead's title")
    services.change_audit_plan(
        actor=ac.business, audit=audit, version=audit.version, question="Changed meanwhile by the business unit?"
    )

    response = client.post(reverse("audits:edit", args=[audit.pk]), stale_data)

    body = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this audit while you were working on it" in body
    assert 'value="The lead&#x27;s title"' in body
    audit.refresh_from_db()
    assert audit.title == "Early help service audit"
    assert audit.question == "Changed meanwhile by the business unit?"


def test_edit_page_without_a_version_is_treated_as_stale(ac, client_for):
    audit = ac.plan()
    data = _form_data(ac, audit, title="No version sent")
    del data["version"]
    body = client_for(ac.business).post(reverse("audits:edit", args=[audit.pk]), data).content.decode()
    assert "Someone else changed this audit" in body
    assert Audit.objects.get(pk=audit.pk).title == "Early help service audit"


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("business", 200),
        ("lead", 200),
        ("involved", 404),
        ("police_auditor", 404),
        ("scrutineer", 404),
        ("partner", 404),
        ("unrelated", 404),
    ],
)
def test_edit_page_access(ac, client_for, persona, status):
    audit = ac.running(cases=1)
    person = {
        "business": ac.business,
        "lead": ac.lead,
        "involved": ac.cast.involved,
        "police_auditor": ac.police_auditor,
        "scrutineer": ac.scrutineer,
        "partner": ac.cast.partner,
        "unrelated": ac.cast.unrelated,
    }[persona]
    client = client_for(person)
    url = reverse("audits:edit", args=[audit.pk])
    assert client.get(url).status_code == status
    assert client.post(url, _form_data(ac, audit, title="Posted")).status_code in (status, 302)
    assert Audit.objects.get(pk=audit.pk).title == ("Posted" if status == 200 else "Early help service audit")
    detail = client.get(reverse("audits:detail", args=[audit.pk])).content.decode()
    assert ("Change the audit's details</a>" in detail) == (status == 200)


def test_edit_page_for_a_closed_audit_says_why(ac, client_for):
    audit = ac.plan()
    Audit.objects.filter(pk=audit.pk).update(status=AuditStatus.CLOSED)
    client = client_for(ac.business)
    response = client.get(reverse("audits:edit", args=[audit.pk]), follow=True)
    body = response.content.decode()
    assert response.redirect_chain == [(reverse("audits:detail", args=[audit.pk]), 302)]
    assert "The audit is closed, so its details can no longer be changed." in body
    assert "Change the audit's details</a>" not in body
    assert (
        "Change the audit's details</a>" in client.get(reverse("audits:detail", args=[ac.plan().pk])).content.decode()
    )


# ---- removing an auditor --------------------------------------------------------------------------


def test_auditors_list_has_remove_links_for_those_who_run_the_audit(ac, client_for):
    audit = ac.running(cases=1)
    police = AuditAuditor.objects.get(audit=audit, user=ac.police_auditor)
    remove = reverse("audits:auditor-remove", args=[audit.pk, police.pk])
    assert remove in client_for(ac.business).get(reverse("audits:detail", args=[audit.pk])).content.decode()
    assert remove in client_for(ac.lead).get(reverse("audits:detail", args=[audit.pk])).content.decode()
    assert remove not in client_for(ac.cast.involved).get(reverse("audits:detail", args=[audit.pk])).content.decode()


def test_remove_auditor_page_asks_for_the_reason_then_removes(ac, client_for):
    audit = ac.running(cases=1)
    police = AuditAuditor.objects.get(audit=audit, user=ac.police_auditor)
    url = reverse("audits:auditor-remove", args=[audit.pk, police.pk])
    client = client_for(ac.business)
    name = str(ac.police_auditor)

    page = client.get(url).content.decode()
    assert f"Remove {name} as an auditor" in page
    assert "Why this person is no longer an auditor" in page
    assert "govuk-button--warning" in page
    assert AuditAuditor.objects.filter(pk=police.pk).exists()  # a GET changes nothing

    missing = client.post(url, {"reason": ""}).content.decode()
    assert "There is a problem" in missing
    assert "Enter why this person is no longer an auditor" in missing
    short = client.post(url, {"reason": "left"}).content.decode()
    assert "in at least 10 characters" in short
    assert "left</textarea>" in short  # kept what was typed
    assert AuditAuditor.objects.filter(pk=police.pk).exists()

    response = client.post(url, {"reason": "Moved to the response team"})
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:detail", args=[audit.pk])
    assert not AuditAuditor.objects.filter(pk=police.pk).exists()
    after = client.get(response["Location"]).content.decode()
    assert f"{name} is no longer an auditor for Test Police: their access has ended." in after
    log = ActivityLog.objects.get(action="audit.auditor_removed")
    assert log.changes["reason"] == [None, "Moved to the response team"]
    assert client.get(url).status_code == 404  # already gone
    assert client_for(ac.police_auditor).get(reverse("audits:detail", args=[audit.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["involved", "police_auditor", "scrutineer", "partner", "unrelated"])
def test_remove_auditor_page_is_not_found_for_others(ac, client_for, persona):
    audit = ac.running(cases=1)
    police = AuditAuditor.objects.get(audit=audit, user=ac.police_auditor)
    person = {
        "involved": ac.cast.involved,
        "police_auditor": ac.police_auditor,
        "scrutineer": ac.scrutineer,
        "partner": ac.cast.partner,
        "unrelated": ac.cast.unrelated,
    }[persona]
    url = reverse("audits:auditor-remove", args=[audit.pk, police.pk])
    client = client_for(person)
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "Trying to remove a colleague"}).status_code == 404
    assert AuditAuditor.objects.filter(pk=police.pk).exists()


def test_remove_auditor_page_for_an_auditor_of_another_audit_is_not_found(ac, client_for):
    audit = ac.running(cases=1)
    other = ac.running(cases=1, title="Another audit")
    foreign = other.auditors.first()
    url = reverse("audits:auditor-remove", args=[audit.pk, foreign.pk])
    assert client_for(ac.business).post(url, {"reason": "Wrong audit altogether"}).status_code == 404
    assert AuditAuditor.objects.filter(pk=foreign.pk).exists()
