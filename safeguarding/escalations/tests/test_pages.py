"""Pages: the access matrix with three personas (raising agency, receiving agency, unrelated agency),
the business unit and scrutineer; concurrency on forms; the report, CSV and PDF."""

from __future__ import annotations

import pytest

from safeguarding.escalations import reports, services
from safeguarding.escalations.enums import EscalationStatus
from safeguarding.escalations.tests.conftest import EscCast


@pytest.mark.parametrize(
    ("persona", "status", "sees_child"),
    [("raiser", 200, True), ("receiver", 200, False), ("unrelated", 404, False), ("business", 200, False)],
)
def test_escalation_detail_access_matrix(
    esc_cast: EscCast, client_for, persona: str, status: int, sees_child: bool
) -> None:
    esc = esc_cast.raise_one()
    response = client_for(getattr(esc_cast, persona)).get(f"/escalations/{esc.pk}/")
    assert response.status_code == status
    html = response.content.decode()
    assert ("Ellis Marsh" in html) is sees_child
    if status == 200 and not sees_child:
        assert "1 child not shown" in html


def test_scrutineer_sees_the_log_but_not_the_detail(esc_cast: EscCast, client_for) -> None:
    esc = esc_cast.raise_one()
    client = client_for(esc_cast.scrutineer)
    assert client.get(f"/escalations/{esc.pk}/").status_code == 404
    log = client.get("/escalations/log/")
    assert log.status_code == 200
    assert esc.reference in log.content.decode()
    assert "Ellis" not in log.content.decode()


@pytest.mark.parametrize(
    "path", ["/escalations/log/", "/escalations/report/", "/escalations/learning/", "/escalations/report.csv"]
)
@pytest.mark.parametrize("persona", ["raiser", "receiver", "unrelated"])
def test_partnership_pages_are_not_for_agency_staff(esc_cast: EscCast, client_for, path: str, persona: str) -> None:
    assert client_for(getattr(esc_cast, persona)).get(path).status_code == 404


def test_inbox_lists_what_awaits_the_receiver_and_not_the_unrelated(esc_cast: EscCast, client_for) -> None:
    esc = esc_cast.raise_one()
    html = client_for(esc_cast.receiver).get("/escalations/").content.decode()
    assert esc.reference in html
    assert esc.reference not in client_for(esc_cast.unrelated).get("/escalations/").content.decode()
    home = client_for(esc_cast.receiver).get("/").content.decode()
    assert "Escalations awaiting your response" in home
    assert esc.reference in home


def test_raise_page_refuses_a_child_the_person_may_not_see(esc_cast: EscCast, client_for) -> None:
    client = client_for(esc_cast.raiser)
    assert client.get(f"/escalations/raise/?child={esc_cast.cast.child.pk}").status_code == 200
    assert client.get(f"/escalations/raise/?child={esc_cast.cast.other_child.pk}").status_code == 404


def test_raise_page_raises_an_escalation(esc_cast: EscCast, client_for) -> None:
    from safeguarding.escalations.models import Escalation, EscalationReason

    response = client_for(esc_cast.raiser).post(
        "/escalations/raise/",
        {
            "child": esc_cast.cast.child.pk,
            "raising_agency": esc_cast.cast.agency.pk,
            "receiving_agency": esc_cast.cast.partner_agency.pk,
            "receiving_person": "",
            "reason": EscalationReason.objects.get(code="drift").pk,
            "disputed_decision": "No review of the plan.",
            "desired_outcome": "A review.",
            "raiser_level_of_need": "3",
            "urgency": "standard",
        },
    )
    esc = Escalation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/escalations/{esc.pk}/"


def test_a_stale_form_gets_a_clear_message_not_an_overwrite(esc_cast: EscCast, client_for) -> None:
    esc = esc_cast.raise_one()
    old_version = esc.version
    services.respond_to_escalation(
        actor=esc_cast.receiver, escalation=esc, version=esc.version, kind="agree", reasons="Yes."
    )
    response = client_for(esc_cast.raiser).post(
        f"/escalations/{esc.pk}/close/", {"version": old_version, "reason": "Withdrawn."}
    )
    assert response.status_code == 200
    assert "Someone else changed this escalation" in response.content.decode()
    esc.refresh_from_db()
    assert esc.status == EscalationStatus.RESPONDED


def test_action_page_the_person_may_not_use_redirects_with_the_reason(esc_cast: EscCast, client_for) -> None:
    esc = esc_cast.raise_one()
    response = client_for(esc_cast.raiser).get(f"/escalations/{esc.pk}/respond/", follow=True)
    assert "Only the receiving agency" in response.content.decode()


def test_report_counts_by_dimension(esc_cast: EscCast) -> None:
    first = esc_cast.raise_one()
    esc_cast.raise_one(raiser_level_of_need=3)
    services.close_escalation(actor=esc_cast.raiser, escalation=first, version=first.version, reason="Withdrawn.")
    built = reports.build_report(reports.Period(), charts=False)
    dims = {d.slug: dict(d.rows) for d in built.dimensions}
    assert built.total == 2
    assert built.open_count == 1
    assert dims["raising-agency"] == {"Test Community Health": 2}
    assert dims["receiving-agency"] == {"Test Police": 2}
    assert dims["level-of-need"]["4 – Specialist or statutory"] == 1
    assert dims["level-of-need"]["3 – Targeted, multi-agency support"] == 1
    assert dims["outcome"]["Closed"] == 1
    assert dims["outcome"]["Open: awaiting a response"] == 1
    assert built.stage_times[0].visits == 2
    assert built.stage_times[0].finished == 1
    assert built.overdue_now == 0
    assert built.stage_times[0].median_days == 0.0  # closed the day it was raised


def test_report_counts_what_is_overdue_now_and_at_some_stage(esc_cast: EscCast) -> None:
    from django.utils import timezone

    from safeguarding.escalations.models import Escalation, StageVisit

    waiting, answered = esc_cast.raise_one(), esc_cast.raise_one()
    services.respond_to_escalation(
        actor=esc_cast.receiver, escalation=answered, version=answered.version, kind="agree", reasons="Yes."
    )
    # Both stage 1 responses went overdue; only the first is still waiting for one.
    Escalation.objects.filter(pk__in=[waiting.pk, answered.pk]).update(stage_overdue_at=timezone.now())
    StageVisit.objects.filter(escalation__in=[waiting, answered]).update(went_overdue=True)
    built = reports.build_report(reports.Period(), charts=False)
    dims = {d.slug: dict(d.rows) for d in built.dimensions}
    assert built.overdue_now == 1
    assert dims["overdue"] == {"Yes": 2, "No": 0}
    stage_one = built.stage_times[0]
    assert dims["stage-reached"][stage_one.stage] == 2
    assert (stage_one.visits, stage_one.overdue) == (2, 2)


def test_report_page_shows_a_chart_and_table_per_dimension(esc_cast: EscCast, client_for) -> None:
    esc_cast.raise_one()
    html = client_for(esc_cast.business).get("/escalations/report/").content.decode()
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img"') == 7
    assert "style=" not in html  # the CSP blocks inline styles
    assert 'id="table-raising-agency"' in html
    assert "Ellis" not in html


@pytest.mark.parametrize("value", ["=SUM(A1)", "+1", "-2", "@cmd", "\tx"])
def test_csv_neutralises_formulas(value: str) -> None:
    assert reports.neutralise(value) == "'" + value


def test_csv_export_neutralises_agency_names_and_names_no_child(esc_cast: EscCast, client_for) -> None:
    esc_cast.cast.partner_agency.name = '=HYPERLINK("http://x")'
    esc_cast.cast.partner_agency.save()
    esc_cast.raise_one()
    response = client_for(esc_cast.business).get("/escalations/report.csv")
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK" in body
    assert "Ellis" not in body


def test_pdf_export_renders(esc_cast: EscCast, client_for) -> None:
    esc_cast.raise_one()
    response = client_for(esc_cast.business).get("/escalations/report.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_evidence_is_shown_only_to_those_who_may_see_the_entry(esc_cast: EscCast, client_for) -> None:
    from django.utils import timezone

    from safeguarding.chronology.models import EventType
    from safeguarding.chronology.services import record_event

    entry = record_event(
        actor=esc_cast.raiser,
        agency=esc_cast.cast.agency,
        children=[esc_cast.cast.child],
        event_type=EventType.objects.get(code="other"),
        occurred_on=timezone.localdate(),
        summary="Seen at home.",
    )
    esc = esc_cast.raise_one(evidence=[entry])
    label = str(entry.event_type)
    assert label in client_for(esc_cast.raiser).get(f"/escalations/{esc.pk}/").content.decode()
    receiver_page = client_for(esc_cast.receiver).get(f"/escalations/{esc.pk}/").content.decode()
    assert "1 entry not shown" in receiver_page
    raise_page = client_for(esc_cast.raiser).get(f"/escalations/raise/?child={esc_cast.cast.child.pk}").content.decode()
    assert "Chronology entries that support your case" in raise_page
