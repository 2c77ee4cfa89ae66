"""The activity log's hash chain (issue 16): sealing, verification and the anchor.

Tests in the suite's transaction call the sealer directly (`on_commit` never fires there); the
transactional tests at the end prove the sealing after commit, including a transaction overtaken
by a shorter one. Tampering goes through raw SQL as the table's owner, with the append-only
triggers switched off on PostgreSQL (SQLite has none)."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from io import StringIO
from logging.handlers import SysLogHandler
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from safeguarding.core import chain, chain_check
from safeguarding.core.models import ActivityLog, ActivityLogSeal
from safeguarding.core.services import record_activity
from safeguarding.testing import factories as f

pytestmark = pytest.mark.django_db
POSTGRESQL = connection.vendor == "postgresql"


def _log(count: int) -> list[ActivityLog]:
    child = f.ChildFactory()
    user = f.member(f.AgencyFactory(code="NBP"))
    return [
        record_activity(
            actor=user if n % 2 else None,
            action="test.done",
            target=child if n % 3 else None,
            child_id=child.pk,
            changes={"b": [None, n], "a": ["Zoë", "Zoé"], "when": [None, "2027-01-01"]},
        )
        for n in range(count)
    ]


@contextmanager
def _as_owner(*tables: str) -> Iterator[Any]:
    """A raw cursor that may rewrite `tables`: on PostgreSQL their triggers are off meanwhile."""
    with connection.cursor() as cursor:
        if POSTGRESQL:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses pending FK checks
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
        yield cursor
        if POSTGRESQL:
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER ALL")


def _verify(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_activity_log", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_a_chain_of_rows_verifies():
    rows = _log(7)
    assert chain.seal_pending() == 7
    assert chain.seal_pending() == 0  # nothing pending: nothing sealed twice
    seals = list(ActivityLogSeal.objects.order_by("seq"))
    assert [s.log_id for s in seals] == [r.pk for r in rows]
    assert seals[0].prev_hash == chain.GENESIS
    assert all(later.prev_hash == earlier.row_hash for earlier, later in itertools.pairwise(seals))
    status, out, err = _verify()
    assert (status, err) == (0, "")
    assert "7 rows chained, last link 7" in out


def test_canonical_content_covers_every_column_in_a_stable_form():
    row = _log(2)[1]
    (values,) = chain._rows([row.pk])
    content = json.loads(chain.canonical(values))
    assert content["target_type"] == "children.child"  # by name, not the content type's id
    assert content["at"].endswith("+00:00")
    assert list(content["changes"]) == ["a", "b", "when"]
    # Every column is in the content: a new column must be added to `chain.log_columns` too.
    columns = {field.name for field in ActivityLog._meta.concrete_fields}
    assert set(content) == columns - {"subject_child_id"} | {"subject_child"}
    assert chain.link_hash(chain.GENESIS, values) != chain.link_hash("1" * 64, values)


def test_a_row_rewritten_by_its_owner_with_the_triggers_off_is_named():
    """The issue's test: DISABLE TRIGGER ALL as the owner, rewrite one row's action, re-enable."""
    rows = _log(5)
    chain.seal_pending()
    with _as_owner("core_activitylog") as cursor:
        cursor.execute("UPDATE core_activitylog SET action = 'test.innocent' WHERE id = %s", [rows[2].pk])
    status, _out, err = _verify()
    assert status == 1
    assert f"FAILED (altered): Log row {rows[2].pk} (link 3) was changed after it was sealed." in err
    report = chain_check.verify()
    assert [(p.kind, p.log_id) for p in report.problems] == [("altered", rows[2].pk)]
    assert report.links == 2  # the first broken row stops the walk


def test_a_deleted_row_and_a_removed_link_are_named():
    rows = _log(4)
    chain.seal_pending()
    with _as_owner("core_activitylog") as cursor:
        cursor.execute("DELETE FROM core_activitylog WHERE id = %s", [rows[1].pk])
    assert [(p.kind, p.log_id) for p in chain_check.verify().problems] == [("deleted", rows[1].pk)]
    with _as_owner("core_activitylog", "core_activitylogseal") as cursor:
        cursor.execute("DELETE FROM core_activitylogseal WHERE seq = 2")
    (problem,) = chain_check.verify(seal=False).problems
    assert (problem.kind, problem.seq, problem.log_id) == ("missing_link", 3, rows[2].pk)
    assert problem.message == f"Links 2 of the chain are missing (before log row {rows[2].pk})."


def test_removing_the_last_rows_and_links_is_caught_by_the_anchor(tmp_path: Path, settings: Any):
    settings.ACTIVITY_LOG_ANCHOR = str(tmp_path / "anchor.jsonl")
    rows = _log(5)
    call_command("anchor_activity_log", stdout=StringIO())
    with _as_owner("core_activitylog", "core_activitylogseal") as cursor:
        cursor.execute("DELETE FROM core_activitylogseal WHERE seq >= 4")
        cursor.execute("DELETE FROM core_activitylog WHERE id >= %s", [rows[3].pk])
    assert chain_check.verify(anchor_file="").ok  # the chain alone still holds: it is shorter
    status, out, _ = _verify("--json")
    assert status == 1
    report = json.loads(out)
    assert report["ok"] is False
    assert [(p["kind"], p["seq"]) for p in report["problems"]] == [("shrunk", 4)]
    assert "The chain ends at link 3 but the anchor of" in report["problems"][0]["message"]


def test_the_anchor_file_is_appended_and_checked(tmp_path: Path, settings: Any):
    anchor_file = tmp_path / "anchor.jsonl"
    settings.ACTIVITY_LOG_ANCHOR = str(anchor_file)
    rows = _log(3)
    out = StringIO()
    call_command("anchor_activity_log", stdout=out)
    first_count = ActivityLog.objects.count()
    _log(2)
    call_command("anchor_activity_log", stdout=out)
    count = ActivityLog.objects.count()
    lines = [json.loads(line) for line in anchor_file.read_text().splitlines()]
    assert [(a["seq"], a["count"]) for a in lines] == [(first_count, first_count), (count, count)]
    assert lines[1]["hash"] == ActivityLogSeal.objects.get(seq=count).row_hash
    assert f"Anchored link {count}" in out.getvalue()
    report = chain_check.verify()
    assert report.ok
    assert report.anchors_checked == 2
    # Rewrite a row and recompute every later link: the chain alone holds again, the anchor does not.
    with _as_owner("core_activitylog", "core_activitylogseal") as cursor:
        cursor.execute("UPDATE core_activitylog SET action = 'test.innocent' WHERE id = %s", [rows[1].pk])
        cursor.execute("DELETE FROM core_activitylogseal WHERE log_id >= %s", [rows[1].pk])
    chain.seal_pending(everything=True)
    assert chain_check.verify(anchor_file="").ok
    (problem,) = chain_check.verify().problems
    assert problem.kind == "anchor_mismatch"
    assert problem.seq == 3
    anchor_file.write_text(anchor_file.read_text() + "not json\n")
    assert "Line 3 of the anchor file is not an anchor." in [p.message for p in chain_check.verify().problems]


def test_the_anchor_goes_to_syslog_with_the_facility_named(settings: Any):
    settings.ACTIVITY_LOG_ANCHOR = "syslog:local3"
    _log(2)
    with mock.patch.object(chain_check, "SysLogHandler") as handler_class:
        handler_class.facility_names = SysLogHandler.facility_names
        call_command("anchor_activity_log", stdout=StringIO())
    assert handler_class.call_args.kwargs["facility"] == SysLogHandler.LOG_LOCAL3
    (record,), _ = handler_class.return_value.emit.call_args
    last = ActivityLogSeal.objects.get(seq=2)
    assert record.getMessage().startswith(f"safeguarding-hub activity-log anchor seq=2 hash={last.row_hash} count=")
    handler_class.return_value.close.assert_called_once()


def test_the_anchor_command_refuses_without_a_destination(settings: Any):
    from django.core.management.base import CommandError

    settings.ACTIVITY_LOG_ANCHOR = ""
    with pytest.raises(CommandError, match="Set ACTIVITY_LOG_ANCHOR"):
        call_command("anchor_activity_log")
    with pytest.raises(CommandError, match="unknown syslog facility"):
        call_command("anchor_activity_log", "--to", "syslog:nowhere")


def test_a_row_left_unsealed_is_reported_until_sealed_with_all():
    (first,) = _log(1)[:1]
    chain.seal_pending()
    ActivityLog.objects.create(id=first.pk + 1000, action="test.later")
    chain.seal_pending()
    # A row its process never sealed (it died between commit and the sealing step), an hour old.
    missed = ActivityLog.objects.create(id=first.pk + 500, action="test.missed", at=timezone.now() - timedelta(hours=1))
    report = chain_check.verify()
    assert [(p.kind, p.log_id) for p in report.problems] == [("unsealed", missed.pk)]
    assert report.problems[0].message == f"Log row {missed.pk} has not been sealed (1 row unsealed for over 5 minutes)."
    call_command("seal_activity_log", "--all", stdout=StringIO())
    assert chain_check.verify().ok


def test_a_recent_row_below_the_last_sealed_is_swept_by_verification():
    (first,) = _log(1)[:1]
    ActivityLog.objects.create(id=first.pk + 1000, action="test.later")
    chain.seal_pending()
    overtaken = ActivityLog.objects.create(id=first.pk + 500, action="test.overtaken")
    assert not chain.anything_pending()
    assert chain.anything_pending(since_id=overtaken.pk)
    report = chain_check.verify()
    assert report.ok
    assert report.sealed_now == 1


@pytest.mark.skipif(not POSTGRESQL, reason="the database trigger exists on PostgreSQL only")
def test_the_seal_table_is_append_only_on_postgresql():
    _log(1)
    chain.seal_pending()
    for sql in ("UPDATE core_activitylogseal SET row_hash = 'x'", "DELETE FROM core_activitylogseal"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE core_activitylogseal")
    assert ActivityLogSeal.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_commit_seals_its_rows_and_a_failing_sealer_never_fails_the_request(caplog: pytest.LogCaptureFixture):
    with transaction.atomic():
        rows = _log(3)
        assert not ActivityLogSeal.objects.exists()
    assert sorted(ActivityLogSeal.objects.values_list("log_id", flat=True)) == sorted(
        ActivityLog.objects.values_list("pk", flat=True)
    )
    assert rows[-1].pk in set(ActivityLogSeal.objects.values_list("log_id", flat=True))
    with mock.patch.object(chain, "seal_pending", side_effect=DatabaseError("boom")), transaction.atomic():
        late = record_activity(actor=None, action="test.late")
    assert "Sealing the activity log failed (DatabaseError)" in caplog.text
    assert not ActivityLogSeal.objects.filter(log_id=late.pk).exists()


@pytest.mark.skipif(not POSTGRESQL, reason="needs two concurrent writers (SQLite has one)")
@pytest.mark.django_db(transaction=True)
def test_a_long_transaction_overtaken_by_a_short_one_is_sealed_when_it_commits():
    written, release, done = threading.Event(), threading.Event(), threading.Event()
    long_ids: list[int] = []

    def long_import() -> None:
        try:
            with transaction.atomic():
                long_ids.extend(record_activity(actor=None, action="test.import").pk for _ in range(3))
                written.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()
            done.set()

    worker = threading.Thread(target=long_import)
    worker.start()
    assert written.wait(timeout=30)
    with transaction.atomic():
        short = record_activity(actor=None, action="test.view")
    assert list(ActivityLogSeal.objects.values_list("log_id", flat=True)) == [short.pk]  # the import is not visible
    assert short.pk > max(long_ids)
    release.set()
    assert done.wait(timeout=30)
    worker.join()
    assert sorted(ActivityLogSeal.objects.values_list("log_id", flat=True)) == sorted([short.pk, *long_ids])
    assert chain_check.verify().ok


def test_a_commit_is_sealed_in_three_statements_after_earlier_links():
    from django.test.utils import CaptureQueriesContext

    earlier = _log(3)
    chain.seal_pending()
    rows = _log(2)
    with CaptureQueriesContext(connection) as queries:
        assert chain.seal_pending(rows[0].pk) == 2  # what a commit's callback does with its first row
    # PostgreSQL: the lock and one query for the pending rows with the last link (the links' COPY is
    # not captured); SQLite: that query and the links' insert. Savepoints are the test's transaction's.
    asked = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert len(asked) == 2, asked
    seals = list(ActivityLogSeal.objects.order_by("seq"))
    assert [s.log_id for s in seals] == [r.pk for r in [*earlier, *rows]]
    assert all(later.prev_hash == earlier.row_hash for earlier, later in itertools.pairwise(seals))
    assert chain.seal_pending(rows[0].pk) == 0  # sealed once only
    assert _verify()[0] == 0


def test_a_commit_with_more_rows_than_a_batch_is_sealed_in_batches(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(chain, "BATCH", 2)
    rows = _log(5)
    assert chain.seal_pending(rows[0].pk) == 5
    assert [s.log_id for s in ActivityLogSeal.objects.order_by("seq")] == [r.pk for r in rows]
    assert _verify()[0] == 0


def test_a_writers_known_contents_are_hashed_and_only_the_other_rows_read_back():
    """A bulk writer hands the sealing the canonical content of the rows it wrote (`known`); the
    rows it does not know (another transaction's) are read back; the chain verifies either way."""
    rows = _log(3)
    (second,) = chain._rows([rows[1].pk])
    known = {rows[1].pk: chain.canonical(second)}
    with mock.patch.object(chain, "_rows", wraps=chain._rows) as read:
        assert chain.seal_pending(rows[0].pk, known=known) == 3
    assert [call.args[0] for call in read.call_args_list] == [[rows[0].pk, rows[2].pk]]
    assert _verify()[0] == 0


def test_a_known_content_that_is_not_the_rows_is_caught_by_the_verifier():
    """The known content is what is hashed: had a writer handed other content than it wrote, the
    verifier, which reads every row back, names the row."""
    rows = _log(2)
    (first,) = chain._rows([rows[0].pk])
    known = {rows[0].pk: chain.canonical(first).replace("test.done", "test.other")}
    assert chain.seal_pending(rows[0].pk, known=known) == 2
    assert [(p.kind, p.log_id) for p in chain_check.verify().problems] == [("altered", rows[0].pk)]
