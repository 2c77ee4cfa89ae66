"""Alert and rule pages: the access matrix (involved / partner / unrelated, business unit, scrutineer),
restricted evidence, the home page and child page, acting on an alert, rule editing with preview,
and rule quality."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.urls import reverse

from safeguarding.agencies.enums import Role
from safeguarding.children.models import Involvement
from safeguarding.chronology.models import Event
from safeguarding.concerns.enums import AlertStatus
from safeguarding.concerns.models import Alert, Rule
from safeguarding.concerns.scan import evaluate_children
from safeguarding.concerns.tests.helpers import WNB_RULE, days_ago, only_rules, open_alert, record
from safeguarding.core.models import ActivityLog
from safeguarding.testing import factories as f
from safeguarding.testing.personas import Cast

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("persona", "status"), [("involved", 200), ("partner", 404), ("unrelated", 404)])
def test_alert_detail_access_matrix(cast: Cast, alert: Alert, client_for: Any, persona: str, status: int) -> None:
    client = client_for(getattr(cast, persona))
    assert client.get(reverse("concerns:detail", args=[alert.pk])).status_code == status
    assert client.get(reverse("concerns:act", args=[alert.pk, "acknowledge"])).status_code == status
    listing = client.get(reverse("concerns:list"))
    assert listing.status_code == 200
    assert (f"Alert {alert.pk}" in listing.content.decode()) == (persona == "involved")


def test_not_found_and_not_yours_look_the_same(cast: Cast, alert: Alert, client_for: Any) -> None:
    client = client_for(cast.partner)
    missing = client.get(reverse("concerns:detail", args=[alert.pk + 1000]))
    hidden = client.get(reverse("concerns:detail", args=[alert.pk]))
    assert missing.status_code == hidden.status_code == 404

    # The same page (apart from the per-request nonce and ids).
    def same(body: bytes) -> str:
        return re.sub(r'(nonce|value|content)="[^"]*"', "", body.decode())

    assert same(missing.content) == same(hidden.content)


@pytest.mark.parametrize("role", [Role.BUSINESS_UNIT, Role.SCRUTINEER])
def test_partnership_roles_see_rules_but_not_alerts(cast: Cast, alert: Alert, client_for: Any, role: str) -> None:
    person = f.member(f.AgencyFactory(code=f"BU{role[:3]}", kind="business_unit"), role)
    client = client_for(person)
    assert client.get(reverse("concerns:detail", args=[alert.pk])).status_code == 404
    page = client.get(reverse("concerns:rules"))
    assert page.status_code == 200
    assert "Repeatedly not brought" in page.content.decode() or "wnb" in page.content.decode()
    can_edit = client.get(reverse("concerns:rule-new")).status_code
    assert can_edit == (200 if role == Role.BUSINESS_UNIT else 404)


def test_practitioner_cannot_see_rule_pages(cast: Cast, client_for: Any) -> None:
    client = client_for(cast.involved)
    assert client.get(reverse("concerns:rules")).status_code == 404
    assert client.get(reverse("concerns:rule-new")).status_code == 404


def test_detail_shows_explanation_and_evidence_and_is_logged(cast: Cast, alert: Alert, client_for: Any) -> None:
    page = client_for(cast.involved).get(reverse("concerns:detail", args=[alert.pk])).content.decode()
    assert "Explanation of wnb." in page
    assert page.count("was_not_brought on") == 3
    assert ActivityLog.objects.filter(
        action="alert.viewed", actor=cast.involved, subject_child_id=cast.child.pk
    ).exists()
    assert ActivityLog.objects.for_child(cast.child.pk).views().filter(action="alert.viewed").exists()
    assert f"{reverse('escalations:raise')}?child={cast.child.pk}" in page


def test_restricted_evidence_is_counted_not_shown(cast: Cast, client_for: Any) -> None:
    only_rules(WNB_RULE)
    other = f.AgencyFactory(code="GPX", kind="gp")
    record(cast.agency, cast.child, "was_not_brought", days_ago(300))
    record(cast.agency, cast.child, "was_not_brought", days_ago(200))
    secret = record(other, cast.child, "was_not_brought", days_ago(100), restricted=True)
    evaluate_children([cast.child.pk])
    alert = open_alert(cast.child, "wnb")
    assert secret.pk in set(alert.evidence.values_list("event_id", flat=True))
    page = client_for(cast.involved).get(reverse("concerns:detail", args=[alert.pk])).content.decode()
    assert "1 restricted entry" in page
    assert page.count("was_not_brought on") == 2
    # The recording agency's own people read it.
    gp = f.member(other, Role.PRACTITIONER)
    own = client_for(gp).get(reverse("concerns:detail", args=[alert.pk])).content.decode()
    assert own.count("was_not_brought on") == 3
    assert "restricted entr" not in own


def test_acknowledge_decide_close_through_the_pages(cast: Cast, alert: Alert, client_for: Any) -> None:
    client = client_for(cast.involved)
    url = reverse("concerns:act", args=[alert.pk, "acknowledge"])
    assert client.post(url, {"version": alert.version}).status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    decide = reverse("concerns:act", args=[alert.pk, "decide"])
    response = client.post(decide, {"version": alert.version, "decision": "no_action", "note": ""})
    assert response.status_code == 200
    assert "Say why no action is needed" in response.content.decode()
    # A stale form is refused, with what was typed kept.
    response = client.post(decide, {"version": alert.version - 1, "decision": "meeting", "note": "Strategy meeting"})
    assert "Someone else changed this" in response.content.decode()
    assert "Strategy meeting" in response.content.decode()
    assert client.post(decide, {"version": alert.version, "decision": "meeting", "note": "TAF"}).status_code == 302
    alert.refresh_from_db()
    close = reverse("concerns:act", args=[alert.pk, "close"])
    assert client.post(close, {"version": alert.version, "note": "Meeting held"}).status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED
    assert client.get(close).status_code == 404  # nothing left to do on a closed alert


def test_partner_cannot_act(cast: Cast, alert: Alert, client_for: Any) -> None:
    response = client_for(cast.partner).post(
        reverse("concerns:act", args=[alert.pk, "acknowledge"]), {"version": alert.version}
    )
    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.status == AlertStatus.NEW


def test_home_page_for_lead_professional_and_safeguarding_lead_only(cast: Cast, alert: Alert, client_for: Any) -> None:
    heading = "Alerts for children you are responsible for"
    assert heading not in client_for(cast.involved).get("/").content.decode()
    Involvement.objects.filter(agency=cast.agency, child=cast.child).update(lead_professional=cast.involved)
    assert heading in client_for(cast.involved).get("/").content.decode()
    lead = f.member(cast.agency, Role.SAFEGUARDING_LEAD)
    assert heading in client_for(lead).get("/").content.decode()
    manager = f.member(cast.agency, Role.MANAGER)
    assert heading not in client_for(manager).get("/").content.decode()  # this rule does not notify managers
    assert heading not in client_for(cast.partner).get("/").content.decode()


def test_new_alert_email_goes_to_the_people_the_rule_notifies(
    cast: Cast, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    only_rules(WNB_RULE)
    cast.involved.email = "lead@example.org"
    cast.involved.save()
    lead = f.member(cast.agency, Role.SAFEGUARDING_LEAD, email="dsl@example.org")
    f.member(cast.partner_agency, Role.SAFEGUARDING_LEAD, email="other@example.org")
    for n in (300, 200):
        record(cast.agency, cast.child, "was_not_brought", days_ago(n))
    Involvement.objects.filter(agency=cast.agency, child=cast.child).update(lead_professional=cast.involved)
    with django_capture_on_commit_callbacks(execute=True):
        record(cast.agency, cast.child, "was_not_brought", days_ago(100))
    recipients = sorted(m.to[0] for m in mailoutbox)
    assert recipients == sorted(["lead@example.org", lead.email])
    assert "Ellis" not in mailoutbox[0].body


def test_child_page_section(cast: Cast, alert: Alert, client_for: Any) -> None:
    page = client_for(cast.involved).get(reverse("children:detail", args=[cast.child.pk])).content.decode()
    assert "Cumulative-concern alerts" in page
    assert f"Alert {alert.pk}" in page


def _rule_post(**overrides: Any) -> dict[str, Any]:
    data = {
        "code": "three-absences",
        "name": "Three school absences",
        "explanation": "Three unexplained absences in a term.",
        "severity": "low",
        "kind": "count_in_window",
        "parameters": json.dumps({"types": ["school_absence"], "count": 3, "within_days": 90}),
        "notifies": ["safeguarding_lead"],
    }
    data.update(overrides)
    return data


def test_rule_editing_validates_previews_and_saves(cast: Cast, client_for: Any) -> None:
    admin = f.member(f.AgencyFactory(code="BUX", kind="business_unit"), Role.BUSINESS_UNIT)
    client = client_for(admin)
    url = reverse("concerns:rule-new")
    bad = client.post(url, _rule_post(parameters='{"types": ["school_absense"], "count": 1}'))
    text = bad.content.decode()
    assert "these event types are not in the vocabulary: school_absense" in text
    assert "Give the window in days (within_days)." in text
    assert "between 2 and 1000" in text
    assert "school_absense" in text  # what was typed is kept
    not_json = client.post(url, _rule_post(parameters="{types: 1"))
    assert "not valid JSON" in not_json.content.decode()
    for n in (80, 50, 20):
        record(cast.agency, cast.child, "school_absence", days_ago(n))
    preview = client.post(url, {**_rule_post(), "preview": "1"})
    assert "would raise alerts for 1 child" in preview.content.decode()
    assert not Rule.objects.filter(code="three-absences").exists()
    assert client.post(url, {**_rule_post(), "save": "1"}).status_code == 302
    rule = Rule.objects.get(code="three-absences")
    assert rule.notify_list == ["safeguarding_lead"]
    assert not rule.is_active
    edit = reverse("concerns:rule-edit", args=[rule.pk])
    stale = client.post(edit, {**_rule_post(name="Renamed"), "version": rule.version + 5, "save": "1"})
    assert "Someone else changed this" in stale.content.decode()
    ok = client.post(edit, {**_rule_post(name="Renamed", is_active="on"), "version": rule.version, "save": "1"})
    assert ok.status_code == 302
    rule.refresh_from_db()
    assert (rule.name, rule.is_active, rule.version) == ("Renamed", True, 2)
    assert ActivityLog.objects.filter(action="rule.changed", target_id=str(rule.pk)).exists()


def test_rule_quality_counts(cast: Cast, alert: Alert, client_for: Any) -> None:
    from safeguarding.concerns import services
    from safeguarding.concerns.quality import rule_quality

    services.decide_alert(actor=cast.involved, alert=alert, version=alert.version, decision="no_action", note="Known")
    services.close_alert(actor=cast.involved, alert=alert, version=alert.version)
    (row,) = [r for r in rule_quality() if r.rule.code == "wnb"]
    assert (row.raised, row.open, row.acted_on, row.no_action) == (1, 0, 1, 1)
    assert row.median_to_first_action is not None
    admin = f.member(f.AgencyFactory(code="BUY", kind="business_unit"), Role.BUSINESS_UNIT)
    page = client_for(admin).get(reverse("concerns:rules")).content.decode()
    assert "Median time to first action" in page


def test_gap_rule_editing_validates_and_previews(cast: Cast, client_for: Any) -> None:
    admin = f.member(f.AgencyFactory(code="BUG", kind="business_unit"), Role.BUSINESS_UNIT)
    client = client_for(admin)
    url = reverse("concerns:rule-new")
    gap = {"code": "not-seen", "name": "Not seen for six months", "kind": "gap"}
    page = client.get(url).content.decode()
    assert "Gap in contact" in page
    bad = client.post(url, _rule_post(**gap, parameters='{"types": ["home_vist"], "within_days": 3}')).content.decode()
    assert "For the entries that count as contact (types, tags, categories), these event types are not in the" in bad
    assert "does not take: within_days" in bad
    assert "Give the longest time allowed without contact, in days (days)." in bad
    short = client.post(url, _rule_post(**gap, parameters='{"types": ["home_visit"], "days": 3}')).content.decode()
    assert "must be between 7 and 3660" in short
    params = json.dumps({"types": ["home_visit", "gp_consultation"], "days": 183})
    record(cast.agency, cast.child, "home_visit", days_ago(300))
    preview = client.post(url, {**_rule_post(**gap, parameters=params), "preview": "1"}).content.decode()
    assert "would raise alerts for 1 child (1 evidence entry)" in preview
    assert client.post(url, {**_rule_post(**gap, parameters=params), "save": "1"}).status_code == 302
    rule = Rule.objects.get(code="not-seen")
    assert (rule.kind, rule.parameters["days"], rule.is_active) == ("gap", 183, False)
    detail = client.get(reverse("concerns:rule", args=[rule.pk])).content.decode()
    assert "Gap in contact" in detail


def test_gap_alert_page_explains_its_date(cast: Cast, client_for: Any) -> None:
    only_rules({"code": "not-seen", "kind": "gap", "parameters": {"types": ["home_visit"], "days": 183}})
    seen = record(cast.agency, cast.child, "home_visit", days_ago(300))
    evaluate_children([cast.child.pk])
    alert = open_alert(cast.child, "not-seen")
    page = client_for(cast.involved).get(reverse("concerns:detail", args=[alert.pk])).content.decode()
    assert "the day 183 days had passed since the last entry that counts as contact" in page
    assert "A gap still going on is found by the nightly scan." in page
    assert seen.summary in page


CP_RULE = {
    "code": "cp-wnb",
    "name": "Not brought to a health appointment during a child protection plan",
    "kind": "state_plus_event",
    "parameters": {
        "opens": {"types": ["plan_started"], "categories": ["child_protection"]},
        "closes": {"types": ["plan_ended"], "categories": ["child_protection"]},
        "event": {"types": ["was_not_brought"]},
    },
}


def test_detail_shows_categories_and_history_in_words_never_codes(cast: Cast, client_for: Any) -> None:
    """Issue 17: "Plan started (child_protection)" and "alert.evidence_added" on the alert page."""
    only_rules(CP_RULE)
    started = record(cast.agency, cast.child, "plan_started", days_ago(60))
    # The plan's own entry carries the plan type as its category (plans.services.common.chronology, the demo).
    Event.objects.filter(pk=started.pk).update(category="child_protection")
    record(cast.agency, cast.child, "was_not_brought", days_ago(30))
    evaluate_children([cast.child.pk])
    record(cast.agency, cast.child, "was_not_brought", days_ago(10))
    evaluate_children([cast.child.pk])
    alert = open_alert(cast.child, "cp-wnb")
    assert ActivityLog.objects.filter(action="alert.evidence_added", target_id=str(alert.pk)).count() == 1

    page = client_for(cast.involved).get(reverse("concerns:detail", args=[alert.pk])).content.decode()
    assert re.search(r'<td class="govuk-table__cell">Plan started \(Child protection\)</td>', page)
    assert "child_protection" not in page
    history = page[page.index('<h2 class="govuk-heading-m">History</h2>') :]
    assert "Alert raised, automatically by the alert rule" in history
    assert "Evidence added to the alert, automatically by the alert rule" in history
    assert "alert." not in history
