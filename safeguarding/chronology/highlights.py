"""What a reviewer would otherwise find by hand in a merged chronology (shared/domain.md §3).

Pure functions over plain entries, so the page, the API and the exports show the same findings,
and the rules can be read and tested without a database:

- runs of "was not brought": two or more missed health appointments with no attended one between;
- gaps: longer than a chosen period with no agency recording any contact;
- repeated referrals closed with no further action within twelve months ("start again");
- early help closed for non-engagement while concerns continue afterwards;
- the same event recorded by two agencies (same date, type and children) shown once, with both sources.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from operator import attrgetter

from safeguarding.chronology.birth import ends_before
from safeguarding.core.dates import long_date

WAS_NOT_BROUGHT = "was_not_brought"
ATTENDED = "health_appointment_attended"
REFERRAL_OUTCOME = "referral_outcome"
NFA = "nfa"
# Kinds of entry that count as a continuing concern after early help closed.
CONCERN_TAGS = frozenset({"neglect", "concern", "domestic_abuse", "physical"})

NFA_WINDOW = timedelta(days=365)
CONCERNS_AFTER_CLOSURE_WINDOW = timedelta(days=183)
DEFAULT_GAP_DAYS = 90


@dataclass(frozen=True)
class Entry:
    id: int
    occurred_on: date
    type_code: str
    agency_id: int
    tags: frozenset[str] = frozenset()
    category: str = ""
    child_ids: frozenset[int] = frozenset()
    precision: str = "day"


@dataclass(frozen=True)
class Highlight:
    kind: str
    title: str
    explanation: str
    start: date
    end: date
    entry_ids: tuple[int, ...] = ()


@dataclass
class MergedEntry:
    """One row of the merged chronology: an entry, and any other agency's record of the same event."""

    entry: Entry
    duplicates: list[Entry] = field(default_factory=list)

    @property
    def agency_ids(self) -> list[int]:
        return [self.entry.agency_id, *(d.agency_id for d in self.duplicates)]

    @property
    def entry_ids(self) -> list[int]:
        return [self.entry.id, *(d.id for d in self.duplicates)]


_DATE_ORDER = attrgetter("occurred_on", "id")


def _sorted(entries: Iterable[Entry]) -> list[Entry]:
    # A C-level key (the same (date, id) tuples as a lambda): each detector sorts every entry again.
    return sorted(entries, key=_DATE_ORDER)


def was_not_brought_runs(entries: Sequence[Entry]) -> list[Highlight]:
    runs: list[list[Entry]] = []
    current: list[Entry] = []
    for entry in _sorted(entries):
        if entry.type_code == WAS_NOT_BROUGHT:
            current.append(entry)
        elif entry.type_code == ATTENDED:
            if len(current) >= 2:
                runs.append(current)
            current = []
    if len(current) >= 2:
        runs.append(current)
    return [
        Highlight(
            kind="was_not_brought_run",
            title=f"{len(run)} appointments in a row: the child was not brought",
            explanation=(
                f"Between {long_date(run[0].occurred_on)} and {long_date(run[-1].occurred_on)} the child was not "
                "brought to "
                f"{len(run)} health appointments, with none attended in between."
            ),
            start=run[0].occurred_on,
            end=run[-1].occurred_on,
            entry_ids=tuple(e.id for e in run),
        )
        for run in runs
    ]


def gaps(
    entries: Sequence[Entry], *, gap_days: int = DEFAULT_GAP_DAYS, today: date | None = None, born: date | None = None
) -> list[Highlight]:
    """Periods with no agency contact. Never counted from before `born` (the earliest date of birth of
    the children shown): an entry dated before it says nothing about contact with a child not yet born."""
    ordered = [e for e in _sorted(entries) if not ends_before(e.occurred_on, e.precision, born)]
    found = []
    limit = timedelta(days=gap_days)
    for before, after in pairwise(ordered):
        if after.occurred_on - before.occurred_on > limit:
            days = (after.occurred_on - before.occurred_on).days
            found.append(
                Highlight(
                    kind="gap",
                    title=f"No agency contact for {days} days",
                    explanation=(
                        f"No agency recorded any contact with the child between {long_date(before.occurred_on)} "
                        f"and {long_date(after.occurred_on)}."
                    ),
                    start=before.occurred_on,
                    end=after.occurred_on,
                    entry_ids=(before.id, after.id),
                )
            )
    if today is not None and ordered and today - ordered[-1].occurred_on > limit:
        last = ordered[-1]
        days = (today - last.occurred_on).days
        found.append(
            Highlight(
                kind="gap",
                title=f"No agency contact for {days} days, up to today",
                explanation=f"No agency has recorded any contact with the child since {long_date(last.occurred_on)}.",
                start=last.occurred_on,
                end=today,
                entry_ids=(last.id,),
            )
        )
    return found


def repeated_nfa_referrals(entries: Sequence[Entry]) -> list[Highlight]:
    outcomes = [e for e in _sorted(entries) if e.type_code == REFERRAL_OUTCOME and e.category == NFA]
    clusters: list[list[Entry]] = []
    for entry in outcomes:
        if clusters and entry.occurred_on - clusters[-1][-1].occurred_on <= NFA_WINDOW:
            clusters[-1].append(entry)
        else:
            clusters.append([entry])
    return [
        Highlight(
            kind="repeated_nfa",
            title=f"{len(c)} referrals closed with no further action",
            explanation=(
                f"Referrals were closed with no further action {len(c)} times between {long_date(c[0].occurred_on)} "
                f"and {long_date(c[-1].occurred_on)}, each within twelve months of the last: each may have been "
                "assessed afresh while the concerns continued."
            ),
            start=c[0].occurred_on,
            end=c[-1].occurred_on,
            entry_ids=tuple(e.id for e in c),
        )
        for c in clusters
        if len(c) >= 2
    ]


def closed_for_non_engagement_while_concerns_continue(entries: Sequence[Entry]) -> list[Highlight]:
    ordered = _sorted(entries)
    days = [e.occurred_on for e in ordered]
    found = []
    for i, closure in enumerate(ordered):
        if not {"early_help", "non_engagement"} <= closure.tags or "closure" not in closure.tags:
            continue
        window_end = closure.occurred_on + CONCERNS_AFTER_CLOSURE_WINDOW
        # In date order, the entries up to the window's end are the ones before this index.
        until = bisect_right(days, window_end, lo=i + 1)
        later = [e for e in ordered[i + 1 : until] if e.tags & CONCERN_TAGS or e.type_code == WAS_NOT_BROUGHT]
        if later:
            found.append(
                Highlight(
                    kind="closed_non_engagement",
                    title="Early help closed for non-engagement while concerns continued",
                    explanation=(
                        f"Early help closed on {long_date(closure.occurred_on)} because the family did not engage; "
                        f"{len(later)} concern{'s' if len(later) != 1 else ''} followed within six months."
                    ),
                    start=closure.occurred_on,
                    end=later[-1].occurred_on,
                    entry_ids=(closure.id, *(e.id for e in later)),
                )
            )
    return found


def find_highlights(
    entries: Sequence[Entry],
    *,
    gap_days: int = DEFAULT_GAP_DAYS,
    today: date | None = None,
    born: date | None = None,
) -> list[Highlight]:
    """Every highlight for these entries, in date order."""
    found = [
        *was_not_brought_runs(entries),
        *gaps(entries, gap_days=gap_days, today=today, born=born),
        *repeated_nfa_referrals(entries),
        *closed_for_non_engagement_while_concerns_continue(entries),
    ]
    return sorted(found, key=lambda h: (h.start, h.kind))


def merge_duplicates(entries: Sequence[Entry]) -> list[MergedEntry]:
    """The same event recorded by different agencies (same date, type and children) becomes one row
    listing every source; the earliest-recorded (lowest id) entry leads."""
    rows: list[MergedEntry] = []
    by_key: dict[tuple[date, str, frozenset[int]], MergedEntry] = {}
    for entry in _sorted(entries):
        key = (entry.occurred_on, entry.type_code, entry.child_ids)
        row = by_key.get(key)
        if row is not None and entry.agency_id not in row.agency_ids:
            row.duplicates.append(entry)
            continue
        row = MergedEntry(entry)
        by_key.setdefault(key, row)
        rows.append(row)
    return rows
