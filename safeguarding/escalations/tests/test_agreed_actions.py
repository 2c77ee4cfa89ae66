"""Agreed actions can be recorded as done: by the owning agency's people taking part, or the business
unit; once only; with a real date not in the future; logged; and shown (with overdue ones flagged)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from safeguarding.core.models import ActivityLog
from safeguarding.escalations import services
from safeguarding.escalations.models import AgreedAction
from safeguarding.escalations.tests.conftest import EscCast
from safeguarding.escalations.workflow import NotAllowed


@pytest.fixture
def action(esc_cast: EscCast) -> AgreedAction:
    c = esc_cast
    esc = c.raise_one()
    services.respond_to_escalation(actor=c.receiver, escalation=esc, version=esc.version, kind="agree", reasons="Yes.")
    esc.refresh_from_db()
    services.record_outcome(
        actor=c.raiser,
        escalation=esc,
        version=esc.version,
        outcome="Strategy discussion.",
        actions=[
            services.ActionInput(
                "Hold a strategy discussion", c.cast.partner_agency, "Team manager", timezone.localdate() - timedelta(1)
            )
        ],
    )
    return esc.actions.get()


def test_owning_agency_records_done_once_and_it_is_logged(esc_cast: EscCast, action: AgreedAction) -> None:
    today = timezone.localdate()
    services.complete_agreed_action(actor=esc_cast.receiver, action=action, done_on=today, note=" Held on time. ")
    action.refresh_from_db()
    assert (action.done_on, action.done_by, action.done_note) == (today, esc_cast.receiver, "Held on time.")
    assert ActivityLog.objects.filter(action="escalation.agreed_action_done", actor=esc_cast.receiver).count() == 1
    with pytest.raises(ValidationError, match="already recorded as done"):
        services.complete_agreed_action(actor=esc_cast.business, action=action, done_on=today)


def test_other_agencies_and_outsiders_cannot_record_it(esc_cast: EscCast, action: AgreedAction) -> None:
    for person in (esc_cast.raiser, esc_cast.unrelated, esc_cast.scrutineer):
        with pytest.raises(NotAllowed):
            services.complete_agreed_action(actor=person, action=action, done_on=timezone.localdate())
    services.complete_agreed_action(actor=esc_cast.business, action=action, done_on=timezone.localdate())


def test_date_must_be_real_not_future_and_not_before_agreement(esc_cast: EscCast, action: AgreedAction) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="today or in the past"):
        services.complete_agreed_action(actor=esc_cast.receiver, action=action, done_on=today + timedelta(1))
    with pytest.raises(ValidationError, match="on or after the day it was agreed"):
        services.complete_agreed_action(actor=esc_cast.receiver, action=action, done_on=today - timedelta(3))
    action.refresh_from_db()
    assert action.done_on is None


def test_page_flags_overdue_and_offers_recording_only_to_the_owner(
    esc_cast: EscCast, action: AgreedAction, client_for
) -> None:
    esc_id = action.escalation_id
    url = f"/escalations/{esc_id}/agreed-actions/{action.pk}/done/"
    owner_page = client_for(esc_cast.receiver).get(f"/escalations/{esc_id}/").content.decode()
    assert "Overdue" in owner_page
    assert url in owner_page
    raiser_page = client_for(esc_cast.raiser).get(f"/escalations/{esc_id}/").content.decode()
    assert url not in raiser_page
    assert client_for(esc_cast.raiser).get(url).status_code == 404
    assert client_for(esc_cast.unrelated).get(url).status_code == 404

    client = client_for(esc_cast.receiver)
    bad = client.post(url, {"done_on": "31/02/2026", "note": "Kept this text"})
    assert bad.status_code == 200
    assert "Enter a real date" in bad.content.decode()
    assert "Kept this text" in bad.content.decode()
    done = client.post(url, {"done_on": timezone.localdate().strftime("%d/%m/%Y"), "note": ""})
    assert done.status_code == 302
    page = client.get(f"/escalations/{esc_id}/").content.decode()
    assert "Overdue" not in page
    assert "recorded by" in page
    assert client.get(url).status_code == 404  # already done
