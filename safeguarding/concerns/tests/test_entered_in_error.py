"""Entries entered in error (issue 17) count in no rule: the scan leaves them out, and an open alert
whose evidence was only such entries is closed before the children are evaluated again."""

from __future__ import annotations

import pytest

from safeguarding.chronology.entered_in_error import mark_entered_in_error
from safeguarding.concerns.enums import AlertStatus
from safeguarding.concerns.models import Alert
from safeguarding.concerns.scan import evaluate_children
from safeguarding.concerns.services import CLOSED_ENTERED_IN_ERROR
from safeguarding.concerns.tasks import evaluate_children_task
from safeguarding.concerns.tests.helpers import WNB_RULE, days_ago, only_rules, record
from safeguarding.core.models import ActivityLog
from safeguarding.testing.personas import Cast

pytestmark = pytest.mark.django_db
REASON = "Recorded on the wrong child's record."


def test_the_rules_leave_out_entries_in_error(cast: Cast) -> None:
    only_rules(WNB_RULE)
    entries = [record(cast.agency, cast.child, "was_not_brought", days_ago(n)) for n in (300, 200, 100)]
    mark_entered_in_error(actor=cast.involved, event=entries[0], reason=REASON)
    evaluate_children([cast.child.pk])
    assert not Alert.objects.filter(child=cast.child).exists()


def test_an_alert_resting_only_on_entries_in_error_is_closed_and_logged(cast: Cast, alert: Alert) -> None:
    for evidence in alert.evidence.select_related("event"):
        mark_entered_in_error(actor=cast.involved, event=evidence.event, reason=REASON)
    evaluate_children_task.call([cast.child.pk])
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED
    assert alert.closing_note == CLOSED_ENTERED_IN_ERROR
    log = ActivityLog.objects.filter(action="alert.closed", subject_child_id=cast.child.pk).latest("pk")
    assert log.actor_id is None
    assert not Alert.objects.filter(child=cast.child, status__in=["new", "acknowledged", "decided"]).exists()


def test_an_alert_with_other_evidence_stays_open(cast: Cast, alert: Alert) -> None:
    first = alert.evidence.select_related("event").first()
    assert first is not None
    mark_entered_in_error(actor=cast.involved, event=first.event, reason=REASON)
    evaluate_children_task.call([cast.child.pk])
    alert.refresh_from_db()
    assert alert.status == AlertStatus.NEW


def test_the_alert_page_strikes_through_an_entry_in_error(cast: Cast, alert: Alert, client_for) -> None:
    first = alert.evidence.select_related("event").first()
    assert first is not None
    mark_entered_in_error(actor=cast.involved, event=first.event, reason=REASON)
    body = client_for(cast.involved).get(f"/alerts/{alert.pk}/").content.decode()
    assert '<strong class="govuk-tag govuk-tag--grey">Entered in error</strong> <del>' in body
