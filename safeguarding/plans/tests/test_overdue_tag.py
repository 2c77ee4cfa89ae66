"""The Overdue tag: an objective past its date with no progress (or progress short of "achieved") shows
as overdue on the plan page, the plans lists, the child's record — by the same rule as the overdue check
that logs the notice and feeds the alert rule (`queries.is_overdue`)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from safeguarding.plans import queries, services
from safeguarding.plans.enums import ObjectiveRag, ObjectiveStatus
from safeguarding.plans.models import OverdueNotice
from safeguarding.plans.tests.conftest import agree, draft_plan, objective

pytestmark = pytest.mark.django_db
START = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.get_default_timezone())
DUE = date(2026, 12, 1)


@pytest.fixture
def pc(cast_at_start, pc):
    """The plan cast built with the clock at START, so its involvements have begun by then whatever the real
    date (under faketime they would otherwise start after START)."""
    return pc


@pytest.fixture
def cast_at_start():
    with time_machine.travel(START, tick=False):
        yield


def _plan(pc):
    with time_machine.travel(START, tick=False):
        plan = draft_plan(pc.lead, pc.cast.child, pc.cast.agency, objectives=0)
        data = objective("See the dentist", days=(DUE - START.date()).days)
        services.add_objective(actor=pc.lead, plan=plan, version=plan.version, data=data)
        data = objective("Brush twice a day", days=60)
        services.add_objective(actor=pc.lead, plan=plan, version=plan.version, data=data)
        return agree(plan, pc.lead, on=START.date())


def test_an_objective_past_its_date_with_no_progress_is_tagged_overdue_everywhere(pc, client_for):
    plan = _plan(pc)
    with time_machine.travel(START.replace(month=12, day=1), tick=False):
        client = client_for(pc.lead)
        assert client.get(f"/plans/{plan.pk}/").status_code == 200
        assert 'govuk-tag--red">Overdue' not in client.get(f"/plans/{plan.pk}/").content.decode()  # due today
    with time_machine.travel(START.replace(month=12, day=7), tick=False):
        assert services.flag_overdue_objectives().flagged == 1
        assert OverdueNotice.objects.filter(plan=plan).count() == 1
        client = client_for(pc.lead)
        page = client.get(f"/plans/{plan.pk}/").content.decode()
        assert page.count('govuk-tag--red">Overdue</strong>') == 1  # the dentist, not the brushing
        assert "1 overdue" in client.get("/plans/").content.decode()
        assert "1 overdue" in client.get(f"/plans/child/{pc.cast.child.pk}/").content.decode()
        assert "1 objective overdue" in client.get(f"/children/{pc.cast.child.pk}/").content.decode()
        # The notice and the tag agree because they ask the same function.
        assert {o.uid for o in services.overdue_objectives()} == queries.overdue_uids(plan)


def test_progress_short_of_achieved_stays_overdue_and_achieved_clears_the_tag(pc, client_for):
    plan = _plan(pc)
    uid = plan.agreed_version().objectives.get(action="See the dentist").uid
    with time_machine.travel(START.replace(month=12, day=7), tick=False):
        client = client_for(pc.lead)
        services.record_objective_update(
            actor=pc.lead,
            plan=plan,
            uid=uid,
            status=ObjectiveStatus.IN_PROGRESS,
            rag=ObjectiveRag.AMBER,
            evidence="Booked",
        )
        assert queries.overdue_uids(plan) == {uid}
        services.record_objective_update(
            actor=pc.lead, plan=plan, uid=uid, status=ObjectiveStatus.ACHIEVED, rag=ObjectiveRag.GREEN, evidence="Seen"
        )
        assert queries.overdue_uids(plan) == set()
        assert 'govuk-tag--red">Overdue' not in client.get(f"/plans/{plan.pk}/").content.decode()
        assert services.overdue_objectives(date(2026, 12, 8) + timedelta(days=1)) == []
