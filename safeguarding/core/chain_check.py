"""Verifying the activity log's hash chain (`core.chain`) and anchoring it outside the database.

`verify` walks every link in `seq` order, streamed (a server-side cursor on PostgreSQL), and names
the first place the chain breaks: a log row changed after it was sealed (its hash no longer
matches), a log row deleted (its link remains), a link missing (a gap in `seq`) or altered (the
next link no longer follows it), and log rows left unsealed for longer than `grace`. Against the
anchors (`anchor`: the latest seq, hash and count, appended daily to a file or sent to syslog,
where the database's owner cannot reach them), it checks that every anchored link still has the
hash it had then — which also catches a chain rewritten from a row onwards, hashes and all — and
that the chain has not shrunk below the latest anchor (its last rows and links removed).

Messages name ids, sequence numbers and hashes only: never a row's content.
"""

from __future__ import annotations

import json
import logging.handlers
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from safeguarding.core import chain
from safeguarding.core.models import ActivityLog, ActivityLogSeal

SysLogHandler = logging.handlers.SysLogHandler
SYSLOG_PREFIX = "safeguarding-hub activity-log anchor"


@dataclass(frozen=True)
class Problem:
    kind: str  # altered, deleted, missing_link, broken_link, unsealed, anchor_mismatch, shrunk, anchor_file
    message: str
    seq: int | None = None
    log_id: int | None = None


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    count: int
    at: str


@dataclass
class Report:
    links: int = 0
    last_seq: int = 0
    last_hash: str = chain.GENESIS
    anchors: int = 0
    anchors_checked: int = 0
    sealed_now: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


# Anchors --------------------------------------------------------------------------------------


def destination() -> str:
    return str(getattr(settings, "ACTIVITY_LOG_ANCHOR", "") or "")


def is_syslog(dest: str) -> bool:
    return dest == "syslog" or dest.startswith("syslog:")


def current_anchor() -> Anchor:
    """The chain's latest link now, after sealing what is pending."""
    chain.seal_pending(recent=timedelta(minutes=grace_minutes()))
    last = ActivityLogSeal.objects.order_by("-seq").values_list("seq", "row_hash").first()
    seq, row_hash = last if last else (0, chain.GENESIS)
    return Anchor(seq=seq, hash=row_hash, count=ActivityLog.objects.count(), at=timezone.now().isoformat())


def write_anchor(anchor: Anchor, dest: str) -> None:
    """Append the anchor to `dest`: a file (one JSON line, flushed to disk) or syslog[:facility]."""
    if is_syslog(dest):
        facility = dest.partition(":")[2] or "user"
        address: Any = "/dev/log" if Path("/dev/log").exists() else ("localhost", 514)
        handler = SysLogHandler(address=address, facility=SysLogHandler.facility_names[facility])
        try:
            line = f"{SYSLOG_PREFIX} seq={anchor.seq} hash={anchor.hash} count={anchor.count} at={anchor.at}"
            handler.emit(logging.makeLogRecord({"msg": line, "levelno": logging.INFO, "levelname": "INFO"}))
        finally:
            handler.close()
        return
    with open(dest, "a", encoding="utf-8") as out:
        out.write(json.dumps(asdict(anchor), sort_keys=True) + "\n")
        out.flush()
        os.fsync(out.fileno())


def read_anchors(path: str) -> tuple[list[Anchor], list[Problem]]:
    """The anchors in a file of JSON lines; a line that is not one is a problem (the file was edited)."""
    anchors: list[Anchor] = []
    problems: list[Problem] = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return [], []  # nothing anchored yet
    except OSError as exc:
        return [], [Problem("anchor_file", f"The anchor file cannot be read ({exc.strerror}).")]
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            anchors.append(
                Anchor(seq=int(data["seq"]), hash=str(data["hash"]), count=int(data["count"]), at=data["at"])
            )
        except (ValueError, KeyError, TypeError):
            problems.append(Problem("anchor_file", f"Line {number} of the anchor file is not an anchor."))
    return anchors, problems


# Verification ---------------------------------------------------------------------------------


def grace_minutes() -> int:
    return int(getattr(settings, "ACTIVITY_LOG_SEAL_GRACE_MINUTES", 5))


def _walk_sql() -> str:
    """Every link in order with its log row's canonical columns (NULL where the row is gone)."""
    quote = connection.ops.quote_name
    links = ", ".join(f"s.{quote(name)}" for name in ("seq", "log_id", "prev_hash", "row_hash"))
    seals = quote(ActivityLogSeal._meta.db_table)
    join = f"LEFT JOIN {chain.log_table()} l ON l.{quote('id')} = s.{quote('log_id')} {chain.content_type_join()}"
    return f"SELECT {links}, {chain.log_columns()} FROM {seals} s {join} ORDER BY s.{quote('seq')}"  # noqa: S608


def _check_link(report: Report, link: tuple[Any, ...], anchored: dict[int, Anchor]) -> Problem | None:
    seq, log_id, prev_hash, row_hash, *row = link
    expected = report.last_seq + 1
    if seq != expected:
        missing = f"{expected}" if seq == expected + 1 else f"{expected} to {seq - 1}"
        return Problem(
            "missing_link", f"Links {missing} of the chain are missing (before log row {log_id}).", seq, log_id
        )
    if prev_hash != report.last_hash:
        return Problem("broken_link", f"Link {seq} (log row {log_id}) does not follow link {seq - 1}.", seq, log_id)
    if row[0] is None:
        return Problem("deleted", f"Log row {log_id} (link {seq}) was deleted.", seq, log_id)
    if chain.link_hash(prev_hash, row) != row_hash:
        return Problem("altered", f"Log row {log_id} (link {seq}) was changed after it was sealed.", seq, log_id)
    anchor = anchored.get(seq)
    if anchor is not None:
        report.anchors_checked += 1
        if anchor.hash != row_hash:
            return Problem(
                "anchor_mismatch",
                f"Link {seq} (log row {log_id}) differs from the anchor of {anchor.at}: "
                "the chain was rewritten at or before this row.",
                seq,
                log_id,
            )
    return None


def _walk(report: Report, anchored: dict[int, Anchor]) -> None:
    with connection.chunked_cursor() as cursor:
        cursor.execute(_walk_sql())
        while links := cursor.fetchmany(chain.BATCH):
            for link in links:
                problem = _check_link(report, link, anchored)
                if problem is not None:
                    report.problems.append(problem)
                    return
                report.links += 1
                report.last_seq, report.last_hash = link[0], link[3]


def _unsealed(report: Report, before: datetime) -> None:
    old = ActivityLog.objects.filter(chain.unsealed(), at__lt=before).order_by("pk")
    first = old.values_list("pk", flat=True).first()
    if first is not None:
        count = old.count()
        report.problems.append(
            Problem(
                "unsealed",
                f"Log row {first} has not been sealed ({count} row{'s' if count != 1 else ''} unsealed for over "
                f"{grace_minutes()} minutes).",
                log_id=first,
            )
        )


def verify(*, anchor_file: str | None = None, seal: bool = True) -> Report:
    """Check the whole chain; `anchor_file`: the anchors to check it against (default: the setting,
    when it names a file)."""
    report = Report()
    minutes = grace_minutes()
    if seal:
        report.sealed_now = chain.seal_pending(recent=timedelta(minutes=minutes))
    if anchor_file is None and destination() and not is_syslog(destination()):
        anchor_file = destination()
    anchors, report.problems = read_anchors(anchor_file) if anchor_file else ([], [])
    report.anchors = len(anchors)
    _walk(report, {a.seq: a for a in anchors})
    walked = all(p.kind == "anchor_file" for p in report.problems)
    latest = max(anchors, key=lambda a: a.seq, default=None)
    if walked and latest is not None and latest.seq > report.last_seq:
        report.problems.append(
            Problem(
                "shrunk",
                f"The chain ends at link {report.last_seq} but the anchor of {latest.at} recorded link {latest.seq}: "
                "rows and their links were removed.",
                seq=report.last_seq + 1,
            )
        )
    _unsealed(report, timezone.now() - timedelta(minutes=minutes))
    return report
