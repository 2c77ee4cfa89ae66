"""Evaluation against the database: the incremental path (signal → task), the full scan, evidence
added to an open alert, closed alerts, corrections, imports, the command and the default pack."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from safeguarding.chronology import services as chronology
from safeguarding.chronology.tests.helpers import csv_bytes, run
from safeguarding.concerns import services
from safeguarding.concerns.defaults import PREVIEW_FIRST, RULES
from safeguarding.concerns.enums import AlertStatus, Decision
from safeguarding.concerns.models import Alert, AlertEvidence, Rule
from safeguarding.concerns.scan import evaluate_children, full_scan
from safeguarding.concerns.tests.helpers import WNB_RULE, alerts_of, days_ago, only_rules, open_alert, record
from safeguarding.core.models import ActivityLog
from safeguarding.testing import factories as f
from safeguarding.testing.personas import Cast

pytestmark = pytest.mark.django_db


def test_default_pack_is_installed_and_valid() -> None:
    codes = set(Rule.objects.values_list("code", flat=True))
    assert {r["code"] for r in RULES} <= codes
    for rule in Rule.objects.filter(code__in=[r["code"] for r in RULES]):
        rule.full_clean()
        assert rule.is_active == (rule.code not in PREVIEW_FIRST)
    assert sorted(PREVIEW_FIRST) == ["long-gap-no-contact"]


def test_new_entries_raise_an_alert_after_commit(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    only_rules(WNB_RULE)
    for n in (300, 200):
        with django_capture_on_commit_callbacks(execute=True):
            record(cast.agency, cast.child, "was_not_brought", days_ago(n))
    assert not Alert.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        third = record(cast.agency, cast.child, "was_not_brought", days_ago(100))
    alert = open_alert(cast.child, "wnb")
    assert alert.first_met_on == third.occurred_on
    assert alert.evidence.count() == 3
    assert ActivityLog.objects.filter(action="alert.raised", subject_child_id=cast.child.pk).count() == 1
    # A fourth entry joins the open alert: no second alert.
    with django_capture_on_commit_callbacks(execute=True):
        fourth = record(cast.agency, cast.child, "was_not_brought", days_ago(50))
    assert Alert.objects.filter(child=cast.child).count() == 1
    assert fourth.pk in set(open_alert(cast.child, "wnb").evidence.values_list("event_id", flat=True))


def test_rolled_back_entries_raise_nothing(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    only_rules({**WNB_RULE, "parameters": {"types": ["was_not_brought"], "count": 2, "within_days": 30}})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                record(cast.agency, cast.child, "was_not_brought", days_ago(3))
                record(cast.agency, cast.child, "was_not_brought", days_ago(2))
                raise RuntimeError
        except RuntimeError:
            pass
    assert callbacks == []
    assert not Alert.objects.exists()


def test_one_open_alert_per_rule_and_child_is_a_database_rule(cast: Cast) -> None:
    (rule,) = only_rules(WNB_RULE)
    Alert.objects.create(rule=rule, child=cast.child, first_met_on=days_ago(1), last_evidence_on=days_ago(1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(rule=rule, child=cast.child, first_met_on=days_ago(2), last_evidence_on=days_ago(1))


def test_full_scan_and_incremental_agree_and_rescan_adds_nothing(cast: Cast) -> None:
    only_rules(WNB_RULE)
    for n in (300, 200, 100):
        record(cast.agency, cast.child, "was_not_brought", days_ago(n))
    evaluate_children([cast.child.pk])
    incremental = alerts_of(cast.child)
    Alert.objects.all().delete()
    outcome = full_scan()
    assert alerts_of(cast.child) == incremental
    assert len(outcome.raised) == 1
    again = full_scan()
    assert again.raised == []
    assert again.updated == []


def test_as_of_only_counts_entries_up_to_the_date(cast: Cast) -> None:
    only_rules(WNB_RULE)
    for n in (300, 200, 100):
        record(cast.agency, cast.child, "was_not_brought", days_ago(n))
    assert full_scan(as_of=days_ago(150)).raised == []
    assert len(full_scan(as_of=days_ago(100)).raised) == 1


def test_backdated_entry_moves_first_met_on_earlier(cast: Cast) -> None:
    only_rules(WNB_RULE)
    for n in (300, 200, 10):
        record(cast.agency, cast.child, "was_not_brought", days_ago(n))
    evaluate_children([cast.child.pk])
    assert open_alert(cast.child, "wnb").first_met_on == days_ago(10)
    record(cast.agency, cast.child, "was_not_brought", days_ago(250))
    evaluate_children([cast.child.pk])
    assert open_alert(cast.child, "wnb").first_met_on == days_ago(200)


def test_closed_alert_is_not_raised_again_until_new_evidence(cast: Cast) -> None:
    only_rules(WNB_RULE)
    for n in (300, 200, 100):
        record(cast.agency, cast.child, "was_not_brought", days_ago(n))
    evaluate_children([cast.child.pk])
    alert = open_alert(cast.child, "wnb")
    services.decide_alert(actor=cast.involved, alert=alert, version=alert.version, decision=Decision.MEETING)
    services.close_alert(actor=cast.involved, alert=alert, version=alert.version)
    assert full_scan().raised == []
    newest = record(cast.agency, cast.child, "was_not_brought", days_ago(20))
    evaluate_children([cast.child.pk])
    fresh = open_alert(cast.child, "wnb")
    assert fresh.pk != alert.pk
    assert newest.pk in set(fresh.evidence.values_list("event_id", flat=True))
    assert Alert.objects.filter(child=cast.child).count() == 2


def test_correction_keeps_old_evidence_and_adds_the_new_version(cast: Cast) -> None:
    only_rules(WNB_RULE)
    events = [record(cast.agency, cast.child, "was_not_brought", days_ago(n)) for n in (300, 200, 100)]
    evaluate_children([cast.child.pk])
    new = chronology.correct_event(actor=cast.involved, event=events[1], summary="Corrected summary")
    evaluate_children([cast.child.pk])
    ids = set(open_alert(cast.child, "wnb").evidence.values_list("event_id", flat=True))
    assert {events[1].pk, new.pk} <= ids


def test_import_raises_alerts_through_the_signal(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    only_rules(WNB_RULE)
    header = ["Date of event", "Child name", "DOB", "Event type", "Details"]
    dob = cast.child.date_of_birth.strftime("%d/%m/%Y")
    rows = [[days_ago(n).strftime("%d/%m/%Y"), "Ellis Marsh", dob, "Was not brought", "Missed"] for n in (90, 60, 30)]
    with django_capture_on_commit_callbacks(execute=True):
        result = run(cast.agency, csv_bytes(header, *rows))
    assert result.events_created == 3, result.errors
    alert = open_alert(cast.child, "wnb")
    assert alert.evidence.count() == 3


def test_every_default_rule_fires_on_its_pattern(cast: Cast) -> None:
    """One synthetic history per shipped rule (those whose vocabulary exists here)."""
    from safeguarding.chronology.models import EventType

    Rule.objects.filter(code__in=PREVIEW_FIRST).update(is_active=True)  # as the partnership would
    hv, pol, hsg = cast.agency, cast.partner_agency, cast.unrelated_agency
    school = f.AgencyFactory(code="SCHX", kind="school")
    csc = f.AgencyFactory(code="CSCX", kind="childrens_social_care")
    types = {t.code: t for t in EventType.objects.all()}
    histories: dict[str, list[tuple[Any, str, int, str, Any]]] = {
        "repeated-was-not-brought": [(hv, "was_not_brought", n, "", None) for n in (300, 200, 100)],
        "neglect-several-agencies": [
            (hv, "was_not_brought", 100, "", None),
            (school, "school_absence", 90, "", None),
            (hsg, "housing_complaint", 80, "", None),
        ],
        "start-again": [(csc, "referral_outcome", 200, "nfa", None), (school, "concern_raised", 100, "neglect", None)],
        "closed-non-engagement-concerns-continue": [
            (csc, "early_help_closed_non_engagement", 200, "", None),
            (school, "concern_raised", 100, "hygiene", None),
        ],
        "low-school-attendance": [(school, "school_attendance", 10, "", 85)],
        "repeated-domestic-abuse-callouts": [
            (pol, "police_domestic_abuse_incident", n, "", None) for n in (300, 200, 100)
        ],
        "wnb-during-cp-plan": [
            (csc, "plan_started", 200, "child_protection", None),
            (hv, "was_not_brought", 100, "", None),
        ],
        "objective-overdue-concerns-continue": [
            (csc, "plan_objective_overdue", 100, "", None),
            (school, "concern_raised", 80, "neglect", None),
        ],
        "long-gap-no-contact": [
            (hv, "home_visit", 400, "", None),
            (hv, "no_access_visit", 100, "", None),
        ],
    }
    tested = 0
    for code, steps in histories.items():
        usable = all(t in types and (not cat or cat in types[t].category_codes) for _, t, _, cat, _ in steps)
        if not usable:
            continue  # e.g. plan categories arrive with the plans app's vocabulary
        child = f.ChildFactory()
        for agency, type_code, n, category, value in steps:
            record(agency, child, type_code, days_ago(n), category=category, value=value)
        evaluate_children([child.pk])
        assert code in {a[0] for a in alerts_of(child)}, code
        tested += 1
    assert tested >= 7


def test_gap_rule_arrives_switched_off_on_a_database_that_had_the_pack() -> None:
    """`0003_gap_rule` on an existing install: the rule is added switched off (previewed first)."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("safeguarding.concerns.migrations.0003_gap_rule")
    Rule.objects.filter(code="long-gap-no-contact").delete()
    migration.install(apps, None)
    rule = Rule.objects.get(code="long-gap-no-contact")
    assert (rule.kind, rule.parameters["days"], rule.is_active) == ("gap", 183, False)
    rule.full_clean()
    migration.install(apps, None)  # idempotent
    assert Rule.objects.filter(code="long-gap-no-contact").count() == 1


GAP_RULE = {"code": "gap", "kind": "gap", "parameters": {"types": ["home_visit", "gp_consultation"], "days": 183}}


def _evidence(child: Any) -> set[int]:
    return set(AlertEvidence.objects.filter(alert__child=child).values_list("event_id", flat=True))


def test_gap_incremental_and_full_scan_agree_on_the_same_day(cast: Cast) -> None:
    only_rules(GAP_RULE)
    seen = record(cast.agency, cast.child, "home_visit", days_ago(400))
    record(cast.agency, cast.child, "no_access_visit", days_ago(300))  # not contact
    w = dt.timedelta(days=183)
    expected: dict[dt.date | None, Any] = {
        seen.occurred_on + w: set(),  # exactly 183 days: no gap yet
        seen.occurred_on + w + dt.timedelta(days=1): {("gap", "new", seen.occurred_on + w, frozenset({seen.pk}))},
        None: {("gap", "new", seen.occurred_on + w, frozenset({seen.pk}))},  # today
    }
    for as_of, alerts in expected.items():
        evaluate_children([cast.child.pk], as_of=as_of)
        incremental = alerts_of(cast.child)
        Alert.objects.all().delete()
        full_scan(as_of=as_of)
        assert alerts_of(cast.child) == incremental == alerts, as_of
        Alert.objects.all().delete()


def test_ongoing_gap_is_found_by_the_daily_scan_without_a_new_entry(cast: Cast) -> None:
    only_rules(GAP_RULE)
    seen = record(cast.agency, cast.child, "gp_consultation", days_ago(190))
    # The evaluation the new entry triggered, on the day it was recorded: no gap.
    assert evaluate_children([cast.child.pk], as_of=seen.occurred_on).raised == []
    # Nothing new arrives; tonight's scan finds the gap that became long meanwhile.
    outcome = full_scan()
    assert len(outcome.raised) == 1
    alert = open_alert(cast.child, "gap")
    assert (alert.first_met_on, alert.last_evidence_on) == (days_ago(7), seen.occurred_on)
    assert full_scan().raised == full_scan().updated == []
    # Contact resumes: the entry that ended the gap joins the open alert.
    resumed = record(cast.agency, cast.child, "home_visit", days_ago(2))
    assert evaluate_children([cast.child.pk]).updated == [alert.pk]
    alert.refresh_from_db()
    assert (alert.first_met_on, alert.last_evidence_on) == (days_ago(7), resumed.occurred_on)
    assert _evidence(cast.child) == {seen.pk, resumed.pk}


def test_closed_gap_alert_is_not_raised_again_when_contact_resumes(cast: Cast) -> None:
    only_rules(GAP_RULE)
    record(cast.agency, cast.child, "home_visit", days_ago(400))
    full_scan()
    alert = open_alert(cast.child, "gap")
    services.decide_alert(actor=cast.involved, alert=alert, version=alert.version, decision="no_action", note="Moved")
    services.close_alert(actor=cast.involved, alert=alert, version=alert.version)
    record(cast.agency, cast.child, "home_visit", days_ago(10))
    assert evaluate_children([cast.child.pk]).raised == []
    assert full_scan().raised == []
    assert Alert.objects.filter(child=cast.child).count() == 1


def test_a_new_gap_after_the_entry_that_ended_a_closed_one_is_raised(cast: Cast) -> None:
    only_rules(GAP_RULE)
    first = record(cast.agency, cast.child, "home_visit", days_ago(700))
    full_scan(as_of=days_ago(500))
    second = record(cast.agency, cast.child, "home_visit", days_ago(400))
    evaluate_children([cast.child.pk], as_of=days_ago(400))
    alert = open_alert(cast.child, "gap")
    assert _evidence(cast.child) == {first.pk, second.pk}
    # As it would have happened day by day: the first entry taken in when the gap after it was long
    # (day 517 ago), the second on the day it was recorded, before any gap followed it.
    AlertEvidence.objects.filter(event=first).update(added_at=_noon(days_ago(500)))
    AlertEvidence.objects.filter(event=second).update(added_at=_noon(days_ago(400)))
    services.decide_alert(actor=cast.involved, alert=alert, version=alert.version, decision="meeting")
    services.close_alert(actor=cast.involved, alert=alert, version=alert.version)
    # No agency has seen the child since: a new gap, which the closed alert never showed.
    outcome = full_scan()
    assert len(outcome.raised) == 1
    fresh = open_alert(cast.child, "gap")
    assert fresh.first_met_on == second.occurred_on + dt.timedelta(days=183)
    assert set(fresh.evidence.values_list("event_id", flat=True)) == {second.pk}
    # Closed in turn, it is not raised again.
    services.decide_alert(actor=cast.involved, alert=fresh, version=fresh.version, decision="meeting")
    services.close_alert(actor=cast.involved, alert=fresh, version=fresh.version)
    assert full_scan().raised == []


def _noon(day: dt.date) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def test_scan_command(cast: Cast) -> None:
    only_rules(WNB_RULE)
    for n in (300, 200, 100):
        record(cast.agency, cast.child, "was_not_brought", days_ago(n))
    out = StringIO()
    call_command("scan_concerns", "--as-of", days_ago(1).strftime("%d/%m/%Y"), "--rule", "wnb", stdout=out)
    assert "1 alerts raised" in out.getvalue()
    with pytest.raises(CommandError, match="No rule with the code: nope"):
        call_command("scan_concerns", "--rule", "nope")
    with pytest.raises(CommandError, match="Could not read the date"):
        call_command("scan_concerns", "--as-of", "31/02/2025")


def test_acting_services_check_version_and_order(cast: Cast) -> None:
    only_rules(WNB_RULE)
    for n in (300, 200, 100):
        record(cast.agency, cast.child, "was_not_brought", days_ago(n))
    evaluate_children([cast.child.pk])
    alert = open_alert(cast.child, "wnb")
    with pytest.raises(services.ValidationError, match="Record a decision"):
        services.close_alert(actor=cast.involved, alert=alert, version=alert.version)
    stale = alert.version
    services.acknowledge_alert(actor=cast.involved, alert=alert, version=alert.version)
    with pytest.raises(services.StaleVersion):
        services.decide_alert(actor=cast.involved, alert=alert, version=stale, decision=Decision.MEETING)
    with pytest.raises(services.ValidationError) as error:
        services.decide_alert(actor=cast.involved, alert=alert, version=alert.version, decision=Decision.NO_ACTION)
    assert "note" in error.value.message_dict
    services.decide_alert(
        actor=cast.involved,
        alert=alert,
        version=alert.version,
        decision=Decision.NO_ACTION,
        note="Known; plan in place.",
    )
    services.close_alert(actor=cast.involved, alert=alert, version=alert.version)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED
    assert alert.decision == Decision.NO_ACTION
    actions = list(
        ActivityLog.objects.filter(target_id=str(alert.pk), action__startswith="alert.")
        .order_by("at", "pk")
        .values_list("action", flat=True)
    )
    assert actions == ["alert.raised", "alert.acknowledged", "alert.decided", "alert.closed"]
    assert AlertEvidence.objects.filter(alert=alert).count() == 3
    assert dt.date.today() >= alert.first_met_on


def test_no_gap_is_raised_from_an_entry_dated_before_the_childs_birth(cast: Cast) -> None:
    only_rules(GAP_RULE)
    # An antenatal visit recorded while the record had no date of birth; the birth recorded later.
    Child = type(cast.child)
    Child.objects.filter(pk=cast.child.pk).update(date_of_birth=None)
    cast.child.refresh_from_db()
    antenatal = record(cast.agency, cast.child, "home_visit", days_ago(400))
    Child.objects.filter(pk=cast.child.pk).update(date_of_birth=days_ago(300))
    # No contact since the birth: the time before it is no gap, and the visit starts none.
    assert full_scan().raised == []
    assert evaluate_children([cast.child.pk]).raised == []
    # Seen after birth, then not for more than 183 days: that gap is raised, counted from the visit.
    seen = record(cast.agency, cast.child, "gp_consultation", days_ago(250))
    assert len(full_scan().raised) == 1
    alert = open_alert(cast.child, "gap")
    assert (alert.first_met_on, _evidence(cast.child)) == (seen.occurred_on + dt.timedelta(days=183), {seen.pk})
    assert antenatal.pk not in _evidence(cast.child)


def test_gaps_summed_up_in_sql_are_the_engines_gaps(cast: Cast) -> None:
    """`gaps.gap_summaries` (one row a child) gives what `engine.gap` gives over the same entries:
    expanded, the same gaps in the same order; summed up, the same finding."""
    from safeguarding.concerns.engine import Item, finding, gap
    from safeguarding.concerns.gaps import gap_summaries
    from safeguarding.concerns.scan import Vocabulary, spec_for

    (rule,) = only_rules(GAP_RULE)
    spec = spec_for(rule)
    type(cast.child).objects.filter(pk=cast.child.pk).update(date_of_birth=days_ago(2000))
    entries = [
        record(cast.agency, cast.child, kind, days_ago(n))
        for kind, n in (
            ("home_visit", 1200),
            ("gp_consultation", 1200),  # the same day: the gap follows the later id
            ("home_visit", 900),  # a gap of 300 days
            ("gp_consultation", 800),  # none (100 days)
            ("no_access_visit", 500),  # not contact
            ("home_visit", 400),  # a gap of 400 days; then one still going on
        )
    ]
    items = [
        Item(e.pk, e.occurred_on, e.event_type.code, cast.agency.pk)
        for e in sorted(entries, key=lambda e: (e.occurred_on, e.pk))
    ]
    today = days_ago(0)
    expected = gap(spec.resolved({}), items, today, days_ago(2000))
    assert len(expected) == 3
    ((child_id, summary),) = gap_summaries(spec, Vocabulary.load(), today=today, child_ids=[cast.child.pk])
    assert child_id == cast.child.pk
    assert (summary.matches(), len(summary)) == (expected, 3)
    assert finding(summary) == finding(expected)
    shown = {entries[1].pk: days_ago(0)}  # a closed alert took the first gap's start in after it was long
    assert finding(summary, gaps_shown=shown) == finding(expected, gaps_shown=shown)
    assert finding(summary, gaps_shown=shown) != finding(summary)


def test_a_scans_log_rows_are_sealed_from_the_values_written(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    """The scan's log rows (one per new or grown alert) are sealed from the content it inserted,
    without reading them back (the sealer serialises no row), and that content is what the
    verifier reads back from the table."""
    from unittest import mock

    from safeguarding.core import chain, chain_check, context
    from safeguarding.core.enums import Via

    only_rules(WNB_RULE)
    for n in (300, 200, 100):
        record(cast.agency, cast.child, "was_not_brought", days_ago(n))
    chain.seal_pending(everything=True)
    with context.use_via(Via.COMMAND), mock.patch.object(chain, "canonical", wraps=chain.canonical) as read:
        with django_capture_on_commit_callbacks(execute=True):
            assert len(full_scan().raised) == 1
        assert read.call_count == 0
        record(cast.agency, cast.child, "was_not_brought", days_ago(50))
        chain.seal_pending(everything=True)  # the entry's own log row, read back
        read.reset_mock()
        with django_capture_on_commit_callbacks(execute=True):
            assert len(evaluate_children([cast.child.pk]).updated) == 1
        assert read.call_count == 0
    actions = ActivityLog.objects.filter(action__startswith="alert.").order_by("pk").values_list("action", flat=True)
    assert list(actions) == ["alert.raised", "alert.evidence_added"]
    assert not ActivityLog.objects.filter(chain.unsealed()).exists()
    assert chain_check.verify().ok


def test_the_evidence_fingerprint_is_the_one_stored_on_alerts() -> None:
    """`reconcile.digest` gives the value alerts hold (each id times the constant modulo 2**64,
    summed, modulo 2**62), computed with one multiplication: alerts written before compare equal."""
    import random

    from safeguarding.concerns.reconcile import DIGEST_MASK, digest

    rng = random.Random(19)
    for size in (0, 1, 7, 300):
        ids = {rng.randrange(1, 1 << 40) for _ in range(size)}
        assert digest(ids) == sum((i * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF for i in ids) & DIGEST_MASK
        assert digest(iter(sorted(ids))) == digest(ids)
