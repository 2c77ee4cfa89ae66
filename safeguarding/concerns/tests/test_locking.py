"""Every path of the alert and rule services that locks a row, run as a real request runs them:
outside a test transaction (`transaction=True`), so each service's own transaction is the only one
(on PostgreSQL under autocommit a `select_for_update()` outside a transaction is refused). Two people
acting from the same version must not both succeed: the second gets `StaleVersion`. Run with
DATABASE_URL set to PostgreSQL to prove it there."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction

from safeguarding.agencies.enums import Role
from safeguarding.concerns import services
from safeguarding.concerns.enums import AlertStatus, Decision
from safeguarding.concerns.models import Alert, Rule
from safeguarding.concerns.scan import evaluate_children
from safeguarding.concerns.tests.helpers import WNB_RULE, days_ago, only_rules, open_alert, record
from safeguarding.core import kernel
from safeguarding.core.models import ActivityLog
from safeguarding.testing import factories as f
from safeguarding.testing.personas import Cast, build_cast

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tcast(transactional_db: None) -> Cast:
    return build_cast()


@pytest.fixture
def talert(tcast: Cast) -> Alert:
    only_rules(WNB_RULE)
    for n in (300, 200, 100):
        record(tcast.agency, tcast.child, "was_not_brought", days_ago(n))
    evaluate_children([tcast.child.pk])
    return open_alert(tcast.child, "wnb")


def _fresh(alert: Alert) -> Alert:
    """Another person's copy of the alert, read now."""
    return Alert.objects.get(pk=alert.pk)


def test_two_people_on_the_same_version_the_second_is_refused(tcast: Cast, talert: Alert) -> None:
    colleague = f.member(tcast.agency, Role.SAFEGUARDING_LEAD, username="colleague.lead")
    mine, theirs = _fresh(talert), _fresh(talert)
    assert not connection.in_atomic_block
    services.acknowledge_alert(actor=tcast.involved, alert=mine, version=mine.version)
    with pytest.raises(services.StaleVersion, match="Someone else changed this alert") as refused:
        services.decide_alert(actor=colleague, alert=theirs, version=theirs.version, decision=Decision.MEETING)
    assert isinstance(refused.value, kernel.StaleVersion)
    stored = _fresh(talert)
    assert (stored.status, stored.version, stored.decision) == (AlertStatus.ACKNOWLEDGED, mine.version, "")
    assert ActivityLog.objects.filter(action="alert.decided").count() == 0


def test_acknowledge_decide_and_close_under_autocommit(tcast: Cast, talert: Alert) -> None:
    alert = talert
    services.acknowledge_alert(actor=tcast.involved, alert=alert, version=alert.version)
    services.decide_alert(
        actor=tcast.involved, alert=alert, version=alert.version, decision=Decision.NO_ACTION, note="Known to CSC."
    )
    stale = alert.version
    services.close_alert(actor=tcast.involved, alert=alert, version=alert.version, note="Done.")
    with pytest.raises(services.StaleVersion):
        services.close_alert(actor=tcast.involved, alert=_fresh(alert), version=stale)
    stored = _fresh(alert)
    assert (stored.status, stored.version, stored.closing_note) == (AlertStatus.CLOSED, 4, "Done.")
    actions = list(ActivityLog.objects.filter(target_id=str(alert.pk)).order_by("pk").values_list("action", flat=True))
    assert actions[-3:] == ["alert.acknowledged", "alert.decided", "alert.closed"]


def test_a_rule_saved_twice_from_the_same_version_is_refused_the_second_time(tcast: Cast) -> None:
    (rule,) = only_rules(WNB_RULE)
    business = f.member(f.AgencyFactory(code="BUY", kind="business_unit"), Role.BUSINESS_UNIT)
    version = rule.version
    services.update_rule(actor=business, rule=Rule.objects.get(pk=rule.pk), version=version, name="Renamed")
    with pytest.raises(services.StaleVersion, match="Someone else changed this rule"):
        services.update_rule(actor=business, rule=Rule.objects.get(pk=rule.pk), version=version, name="Again")
    stored = Rule.objects.get(pk=rule.pk)
    assert (stored.name, stored.version) == ("Renamed", version + 1)
    assert ActivityLog.objects.filter(action="rule.changed").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections: PostgreSQL only")
def test_a_second_change_waits_for_the_first_then_is_refused(tcast: Cast, talert: Alert) -> None:
    """Two requests at once: the second blocks on the alert's row lock until the first commits, then
    finds the version moved on."""
    version = talert.version
    outcome: list[BaseException | None] = []

    def second() -> None:
        try:
            services.acknowledge_alert(actor=tcast.involved, alert=_fresh(talert), version=version)
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=second)
    with transaction.atomic():
        services.decide_alert(actor=tcast.involved, alert=_fresh(talert), version=version, decision=Decision.REFERRAL)
        thread.start()
        thread.join(timeout=1.0)
        assert thread.is_alive(), "the second change should wait for the first one's row lock"
    thread.join(timeout=30)
    assert len(outcome) == 1
    assert isinstance(outcome[0], kernel.StaleVersion)
    assert _fresh(talert).status == AlertStatus.DECIDED
    assert ActivityLog.objects.filter(action="alert.acknowledged").count() == 0


def test_a_full_scan_outside_a_transaction_reads_the_gaps_on_a_connection_of_its_own(tcast: Cast) -> None:
    """Under autocommit the full scan on PostgreSQL reads the gaps in a thread of its own, meanwhile
    (`gaps.read_meanwhile`), and raises what the reading on the spot raises."""
    from unittest import mock

    from safeguarding.concerns import gaps
    from safeguarding.concerns.scan import full_scan

    only_rules(
        WNB_RULE,
        {"code": "gap", "kind": "gap", "parameters": {"types": ["home_visit", "gp_consultation"], "days": 183}},
    )
    seen = record(tcast.agency, tcast.child, "home_visit", days_ago(400))
    for n in (300, 200, 100):
        record(tcast.agency, tcast.child, "was_not_brought", days_ago(n))
    Alert.objects.all().delete()  # those the entries' own evaluations raised
    threads: list[str] = []
    read = gaps._read_apart

    def spy(*args: object) -> object:
        threads.append(threading.current_thread().name)
        return read(*args)  # type: ignore[arg-type]

    assert not connection.in_atomic_block
    with mock.patch.object(gaps, "_read_apart", spy):
        outcome = full_scan()
    assert len(outcome.raised) == 2
    # On PostgreSQL in a thread of its own; on SQLite on the spot (see `read_meanwhile`).
    assert [name.startswith("gap-query") for name in threads] == ([True] if connection.vendor == "postgresql" else [])
    gap_alert = open_alert(tcast.child, "gap")
    assert (gap_alert.first_met_on, gap_alert.last_evidence_on) == (
        seen.occurred_on + dt.timedelta(days=183),
        seen.occurred_on,
    )
    assert full_scan().raised == []  # the rescan, read the same way, finds nothing new
