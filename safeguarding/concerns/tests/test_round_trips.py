"""The incremental path's round trips: the rules and the vocabulary in one query, and no transaction
opened when the alerts held already show everything found (issue 19: it runs after every new entry)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safeguarding.concerns.models import Alert
from safeguarding.concerns.scan import Vocabulary, active_specs, evaluate_children, full_scan, rules_and_vocabulary
from safeguarding.concerns.tests.helpers import WNB_RULE, days_ago, only_rules, open_alert, record
from safeguarding.core import chain_check, context
from safeguarding.core.enums import Via
from safeguarding.core.models import ActivityLog, ActivityLogSeal
from safeguarding.testing.personas import Cast

pytestmark = pytest.mark.django_db


def test_rules_and_vocabulary_in_one_query_are_the_same_as_read_apart() -> None:
    with CaptureQueriesContext(connection) as queries:
        specs, vocabulary = rules_and_vocabulary()
    assert len(queries) == 1
    assert specs == active_specs()
    assert specs  # the default pack
    assert vocabulary == Vocabulary.load()
    named = [specs[0].code, "no-such-rule"]
    assert rules_and_vocabulary(named)[0] == active_specs(named) == [specs[0]]


def _writes(queries: CaptureQueriesContext) -> list[str]:
    words = ("INSERT", "UPDATE", "DELETE", "SAVEPOINT", "BEGIN", "COMMIT")
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(words)]


def test_nothing_new_writes_nothing_and_opens_no_transaction(cast: Cast) -> None:
    only_rules(WNB_RULE)
    for n in (300, 200, 100):
        record(cast.agency, cast.child, "was_not_brought", days_ago(n))
    evaluate_children([cast.child.pk])
    alert = open_alert(cast.child, "wnb")
    # (The test runs in a transaction: a transaction opened inside it shows as a SAVEPOINT.)
    with CaptureQueriesContext(connection) as queries:
        outcome = evaluate_children([cast.child.pk])
    assert (outcome.raised, outcome.updated) == ([], [])
    assert _writes(queries) == []
    assert len(queries) == 3  # the rules with the vocabulary, the entries, the alerts held
    with CaptureQueriesContext(connection) as queries:
        again = full_scan()
    assert (again.raised, again.updated, _writes(queries)) == ([], [], [])
    assert Alert.objects.get(pk=alert.pk).evidence.count() == 3
    # Something new: a transaction is opened and the evidence added, as before.
    fourth = record(cast.agency, cast.child, "was_not_brought", days_ago(50))
    with CaptureQueriesContext(connection) as queries:
        outcome = evaluate_children([cast.child.pk])
    assert outcome.updated == [alert.pk]
    assert any(q.lstrip().upper().startswith("SAVEPOINT") for q in _writes(queries))
    assert fourth.pk in set(open_alert(cast.child, "wnb").evidence.values_list("event_id", flat=True))


def test_the_log_rows_of_new_and_grown_alerts_are_written_in_full_and_sealed(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    only_rules(WNB_RULE)
    for n in (300, 200, 100):
        record(cast.agency, cast.child, "was_not_brought", days_ago(n))
    with context.use_via(Via.TASK, "req-1"), django_capture_on_commit_callbacks(execute=True):
        evaluate_children([cast.child.pk])
    alert = open_alert(cast.child, "wnb")
    row = ActivityLog.objects.get(action="alert.raised", target_id=str(alert.pk))
    assert (row.actor_id, row.actor_agency_code, row.subject_child_id, row.via, row.request_id) == (
        None,
        "",
        cast.child.pk,
        Via.TASK,
        "req-1",
    )
    assert row.target_type == ContentType.objects.get_for_model(Alert)
    assert row.changes == {"rule": [None, alert.rule_id], "first_met_on": [None, alert.first_met_on.isoformat()]}
    assert row.at == alert.raised_at
    record(cast.agency, cast.child, "was_not_brought", days_ago(50))
    with django_capture_on_commit_callbacks(execute=True):
        evaluate_children([cast.child.pk])
    grown = ActivityLog.objects.get(action="alert.evidence_added", target_id=str(alert.pk))
    assert (grown.subject_child_id, grown.changes, grown.actor_id) == (cast.child.pk, {}, None)
    # (Inside the test's one transaction the seal waits for a commit that never comes: seal now.)
    assert chain_check.verify(seal=True).ok
    assert ActivityLogSeal.objects.filter(log_id__in=[row.pk, grown.pk]).count() == 2
