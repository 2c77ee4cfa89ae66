"""The child's one-page summary for the lead professional (issue 17): who is involved (a restricted
involvement only for those who may see it), the open plan with its objectives and their status (Overdue
by the overdue check's rule), the dates coming up; the same access as the record; every view logged."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
import time_machine
from django.utils import timezone

from safeguarding.assessments import services as assessment_services
from safeguarding.assessments.defaults import NEGLECT_PROFILE_CODE
from safeguarding.assessments.demo import CODES
from safeguarding.assessments.models import AssessmentTemplate
from safeguarding.concerns.scan import evaluate_children
from safeguarding.concerns.tests.helpers import WNB_RULE, days_ago, only_rules, record
from safeguarding.core.enums import Confidentiality
from safeguarding.core.models import ActivityLog
from safeguarding.escalations import services as escalation_services
from safeguarding.escalations.models import EscalationReason
from safeguarding.plans import services
from safeguarding.plans.tests.conftest import agree, draft_plan, objective
from safeguarding.testing import factories as f

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=timezone.get_default_timezone())


@pytest.fixture
def travel():
    with time_machine.travel(NOW, tick=False):
        yield


def _plan(cast):
    plan = draft_plan(cast.involved, cast.child, cast.agency, objectives=0, review_date=date(2026, 12, 28))
    services.add_objective(
        actor=cast.involved, plan=plan, version=plan.version, data=objective("See the dentist", days=-6)
    )
    services.add_objective(
        actor=cast.involved, plan=plan, version=plan.version, data=objective("Brush twice a day", days=20)
    )
    return agree(plan, cast.involved, on=date(2026, 11, 30))


@pytest.mark.parametrize(("persona", "status"), [("involved", 200), ("partner", 404), ("unrelated", 404)])
def test_summary_has_the_records_access_and_each_view_is_logged(travel, cast, client_for, persona, status):
    user = getattr(cast, persona)
    response = client_for(user).get(f"/children/{cast.child.pk}/summary/")
    assert response.status_code == status
    logged = ActivityLog.objects.filter(action="child.summary_viewed", actor=user, subject_child_id=cast.child.pk)
    assert logged.count() == (1 if status == 200 else 0)


def test_summary_shows_who_is_involved_the_plan_overdue_objectives_and_dates_coming_up(travel, cast, client_for):
    cast.child.involvements.update(lead_professional=cast.involved)
    hidden = f.AgencyFactory(name="Sexual health clinic")
    f.InvolvementFactory(
        child=cast.child, agency=hidden, confidentiality=Confidentiality.RESTRICTED, start=date(2026, 1, 5)
    )
    plan = _plan(cast)
    client = client_for(cast.involved)
    record = client.get(f"/children/{cast.child.pk}/").content.decode()
    assert f'href="/children/{cast.child.pk}/summary/"' in record  # linked from the record
    page = client.get(f"/children/{cast.child.pk}/summary/").content.decode()
    assert cast.agency.name in page
    assert cast.involved.get_full_name() in page  # the lead professional
    assert "Sexual health clinic" not in page  # a restricted involvement of another agency
    assert plan.reference in page
    assert page.count('govuk-tag--red">Overdue</strong>') == 1  # the dentist, past its date, no progress
    assert "No progress recorded" in page
    # Coming up, soonest first: the brushing objective's date (27 December), then the review (28 December).
    coming = page[page.index('id="summary-upcoming"') :]
    assert coming.index("27 December 2026") < coming.index("28 December 2026")
    assert "Objective due: Brush twice a day" in coming
    assert "See the dentist" not in coming  # overdue already: shown in the plan, not as coming up
    assert "No open alerts that you can see" in page
    assert "No completed assessment that you can see" in page
    assert "No escalations about this child that you can see" in page


def test_summary_shows_the_open_alert_the_latest_assessment_and_the_escalation_with_its_response_date(
    travel, cast, client_for
):
    cast.child.involvements.filter(agency=cast.agency).update(lead_professional=cast.involved)
    only_rules(WNB_RULE | {"name": "Repeatedly not brought to health appointments"})
    for n in (90, 60, 30):
        record(cast.agency, cast.child, "was_not_brought", days_ago(n))
    evaluate_children([cast.child.pk])
    template = AssessmentTemplate.objects.get(code=NEGLECT_PROFILE_CODE, version=1)
    assessment_services.mark_trained(
        actor=None, user=cast.involved, template=template, trained_on=date(2026, 9, 1), check_actor=False
    )
    started = assessment_services.start_assessment(
        actor=cast.involved, child=cast.child, template=template, assessed_on=date(2026, 11, 25)
    )
    assessment_services.complete_assessment(
        actor=cast.involved,
        assessment=started,
        version=started.version,
        grades={code: assessment_services.GradeInput(3, f"Evidence for {code}.") for code in CODES},
        overall_view="Overall, needs are partly met.",
        next_steps="Health visitor to visit weekly.",
    )
    escalation = escalation_services.raise_escalation(
        actor=cast.involved,
        children=[cast.child],
        raising_agency=cast.agency,
        receiving_agency=cast.partner_agency,
        reason=EscalationReason.objects.get(code="threshold"),
        disputed_decision="The referral was closed with no further action.",
        desired_outcome="A strategy discussion.",
        raiser_level_of_need=4,
    )
    due = timezone.localdate(escalation.stage_due_at)
    assert due > NOW.date()

    page = client_for(cast.involved).get(f"/children/{cast.child.pk}/summary/").content.decode()
    alerts = page[page.index('id="summary-alerts-heading"') : page.index('id="summary-assessment-heading"')]
    assert "Repeatedly not brought to health appointments" in alerts
    assert "No open alerts that you can see" not in page
    latest = page[page.index('id="summary-assessment-heading"') : page.index('id="summary-escalations-heading"')]
    assert f"{template.name}, 25 November 2026</a>" in latest
    assert f'href="/assessments/{started.pk}/"' in latest
    escalations = page[page.index('id="summary-escalations-heading"') : page.index('id="summary-upcoming"')]
    assert escalation.reference in escalations
    assert cast.partner_agency.name in escalations
    # Coming up: the escalation's response date, in the row that names it.
    coming = page[page.index('id="summary-upcoming"') :]
    row = re.search(r"<tr class=\"govuk-table__row\">\s*<td[^>]*>([^<]+)</td>\s*<td[^>]*><a[^>]*>([^<]+)</a>", coming)
    assert row is not None
    assert row.groups() == (f"{due.day} {due:%B %Y}", f"Response due: escalation {escalation.reference}")
