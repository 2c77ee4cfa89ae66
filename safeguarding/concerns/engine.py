"""Rule evaluation: pure functions over one child's current entries, no database.

Each rule kind has one function `(spec, items) -> list[Match]` over the child's entries sorted by
(date, id). A `Match` is one completion of the pattern: the date and id of the entry that completed
it and the entries that make it up. The incremental path and the full scan (`scan.py`) both call
`evaluate` (or the same functions through `scan.Evaluator`), so they cannot disagree about what a
rule means.

A gap in contact is the one kind that also needs the evaluation date ("today", or a scan's
`as_of`): a gap still going on has no entry that completes it. Its `GapMatch` is dated on the day
the gap reached W days (the last entry before it + W days; no entry is dated then), its
`completing_id` is that last entry before the gap (a gap is named by where it starts), its evidence
is that entry and, once contact resumed, the entry that ended the gap; it also carries the date of
its latest evidence entry (`last_on`), so an alert's `last_evidence_on` stays the date of an entry.

Boundaries (tested in tests/test_engine.py):
- "within W days" is inclusive: entries W days apart are within the window, W + 1 days apart are not;
- count and spread windows end on the date of the completing entry and include every entry that day;
- a sequence needs the second entry on a LATER day than the first (same day does not count);
- a state is open from the day of the entry that opens it to the day of the entry that closes it,
  both days included; an entry that opens a state already open, or closes one already closed, is
  ignored;
- a value threshold fires when the value is strictly below the threshold (equal does not fire);
- a gap is MORE than W days between two consecutive matching entries (W days apart: no gap; W + 1:
  gap), or after the last one when the evaluation date is more than W days after it; it is first
  met on the last entry's date + W days. Gaps count only from the child's first matching entry: a
  child with none has no gap (nobody ever recorded seeing the child: a different concern).

Every kind except "state plus event" and "gap" is monotone: adding entries, in any order, only adds
matches. A state can be closed by a late, back-dated entry, and a back-dated entry inside a gap
ends it; neither withdraws an alert already raised. A gap also depends on the evaluation date: an
ongoing gap becomes long with no new entry, so only the daily full scan finds it (see scan.py).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple, cast

from safeguarding.concerns.enums import RuleKind

MAX_WINDOW_DAYS = 3660


class Item(NamedTuple):
    """One current chronology entry about the child, as the rules see it (a tuple: the full scan
    makes millions of them)."""

    id: int
    occurred_on: date
    type_code: str
    agency_id: int
    tags: frozenset[str] = frozenset()
    category: str = ""
    value: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Match:
    completed_on: date
    completing_id: int
    evidence: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class GapMatch(Match):
    """A gap in contact: `completed_on` is the day it reached W days (the start entry's date + W),
    `completing_id` the entry it follows (its start), `evidence` (start,) while it goes on and
    (start, end) once an entry ended it; `last_on` is the date of the latest evidence entry."""

    last_on: date


@dataclass(slots=True)
class GapSummary:
    """A child's gaps in contact as one value (`gaps.py` aggregates them in SQL, one row a child):
    what `finding` needs of them when no closed alert showed any — the earliest day one became long
    (`first_met_on`), the date of the latest evidence entry (`last_on`) and every evidence entry —
    and the gaps themselves (`details`: "start-date start-id[ next-date next-id]" joined by ";",
    expanded into the same `GapMatch` values `engine.gap` gives only when a closed alert did)."""

    first_met_on: date
    last_on: date
    evidence: frozenset[int]
    count: int
    details: str
    days: int

    def __len__(self) -> int:
        return self.count

    def matches(self) -> list[Match]:
        span = timedelta(days=self.days)
        out: list[tuple[date, int, Match]] = []
        for part in self.details.split(";"):
            fields = part.split(" ")
            start_on, start_id = date.fromisoformat(fields[0]), int(fields[1])
            if len(fields) > 2:
                match = GapMatch(start_on + span, start_id, (start_id, int(fields[3])), date.fromisoformat(fields[2]))
            else:
                match = GapMatch(start_on + span, start_id, (start_id,), start_on)
            out.append((start_on, start_id, match))
        out.sort(key=lambda t: (t[0], t[1]))
        return [m for _, _, m in out]


# What a rule found for one child: its matches, or (a gap rule, from the scan) their summary.
Found = list[Match] | GapSummary


@dataclass(frozen=True)
class Selector:
    """Entries of any of `types`, or carrying any of `tags`; limited to `categories` when given.

    A type may name one category too, "concern_raised:neglect": entries of that type with that category.
    """

    types: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Selector:
        return cls(
            types=frozenset(str(t) for t in params.get("types") or ()),
            tags=frozenset(str(t).lower() for t in params.get("tags") or ()),
            categories=frozenset(str(c) for c in params.get("categories") or ()),
        )

    def __post_init__(self) -> None:
        # Precomputed for speed: a full scan calls `matches` millions of times.
        object.__setattr__(self, "_plain", frozenset(t for t in self.types if ":" in t) ^ self.types)
        object.__setattr__(self, "_pairs", frozenset(tuple(t.split(":", 1)) for t in self.types if ":" in t))

    def matches(self, item: Item) -> bool:
        if not (
            item.type_code in self._plain  # type: ignore[attr-defined]
            or (self.tags and not self.tags.isdisjoint(item.tags))
            or (self._pairs and (item.type_code, item.category) in self._pairs)  # type: ignore[attr-defined]
        ):
            return False
        return not self.categories or item.category in self.categories

    def choose(self, items: Sequence[Item]) -> list[Item]:
        """The items this selector matches, in order (a fast path for plain lists of types)."""
        plain = self._plain  # type: ignore[attr-defined]
        if not self.tags and not self._pairs and not self.categories:  # type: ignore[attr-defined]
            return [it for it in items if it.type_code in plain]
        if not self.tags and not self._pairs:  # type: ignore[attr-defined]
            categories = self.categories
            return [it for it in items if it.type_code in plain and it.category in categories]
        return [it for it in items if self.matches(it)]

    def resolved(self, tags_by_code: Mapping[str, frozenset[str]]) -> Selector:
        """The same selector with its tags replaced by the types that carry them (given the vocabulary)."""
        if not self.tags:
            return self
        extra = {code for code, tags in tags_by_code.items() if not self.tags.isdisjoint(tags)}
        return Selector(types=self.types | extra, tags=frozenset(), categories=self.categories)

    @property
    def type_codes(self) -> frozenset[str]:
        """The event types named, without any ":category" part."""
        return frozenset(t.split(":", 1)[0] for t in self.types)

    def matches_type(self, code: str, tags: frozenset[str]) -> bool:
        """Whether entries of this type could match (before looking at their category)."""
        return code in self.type_codes or bool(self.tags & tags)


@dataclass(frozen=True)
class Spec:
    """A rule compiled for evaluation (see `compile_rule`)."""

    rule_id: int
    code: str
    kind: str
    selectors: dict[str, Selector]
    numbers: dict[str, Any] = field(default_factory=dict)

    def matches_type(self, code: str, tags: frozenset[str]) -> bool:
        return any(s.matches_type(code, tags) for s in self.selectors.values())

    def resolved(self, tags_by_code: Mapping[str, frozenset[str]]) -> Spec:
        """The same rule with tags resolved into types (see `Selector.resolved`)."""
        selectors = {name: s.resolved(tags_by_code) for name, s in self.selectors.items()}
        return Spec(self.rule_id, self.code, self.kind, selectors, self.numbers)

    @property
    def minimum_items(self) -> int:
        """Fewer candidate entries than this can never meet the rule."""
        if self.kind == RuleKind.COUNT_IN_WINDOW:
            return int(self.numbers["count"])
        if self.kind == RuleKind.SPREAD_ACROSS_AGENCIES:
            return int(self.numbers["agencies"])
        if self.kind in (RuleKind.SEQUENCE, RuleKind.STATE_PLUS_EVENT):
            return 2
        # A gap needs one entry (a gap still going on after it); value thresholds need one too.
        return 1


# ---- parameters ---------------------------------------------------------------------------------

SELECTOR_KEYS = ("types", "tags", "categories")
# For each kind: the selectors it takes ("" = the selector's keys at the top level) and its numbers.
KIND_SHAPES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    RuleKind.COUNT_IN_WINDOW: (("",), ("count", "within_days")),
    RuleKind.SPREAD_ACROSS_AGENCIES: (("",), ("agencies", "within_days")),
    RuleKind.SEQUENCE: (("first", "then"), ("within_days",)),
    RuleKind.STATE_PLUS_EVENT: (("opens", "closes", "event"), ()),
    RuleKind.VALUE_THRESHOLD: (("",), ("below",)),
    RuleKind.GAP: (("",), ("days",)),
}
SELECTOR_NAMES = {
    "": "the entries counted",
    "first": "the first entry (first)",
    "then": "the entry that follows (then)",
    "opens": "the entry that opens the state (opens)",
    "closes": "the entry that closes the state (closes)",
    "event": "the entry that counts while the state is open (event)",
}
# The top-level selector of a gap rule chooses the entries that count as contact, not ones counted.
GAP_SELECTOR_NAME = "the entries that count as contact (types, tags, categories)"
MIN_GAP_DAYS = 7
NUMBER_RULES: dict[str, tuple[int | float, int | float, str]] = {
    "count": (2, 1000, "how many entries (count)"),
    "agencies": (2, 100, "how many different agencies (agencies)"),
    "within_days": (1, MAX_WINDOW_DAYS, "the window in days (within_days)"),
    "below": (0, 100000, "the threshold (below)"),
    "days": (MIN_GAP_DAYS, MAX_WINDOW_DAYS, "the longest time allowed without contact, in days (days)"),
}


def _selector_errors(
    name: str, raw: Any, known_types: set[str] | None, known_tags: set[str] | None, label: str | None = None
) -> list[str]:
    label = label or SELECTOR_NAMES[name]
    if not isinstance(raw, Mapping):
        return [f"Give {label} as an object with types, tags and categories."]
    errors = []
    for key in SELECTOR_KEYS:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            errors.append(f'For {label}, {key} must be a list of codes (words), e.g. ["was_not_brought"].')
    if errors:
        return errors
    if not raw.get("types") and not raw.get("tags"):
        errors.append(f"For {label}, give at least one event type (types) or tag (tags).")
    if known_types is not None:
        unknown = sorted({t.split(":", 1)[0] for t in raw.get("types", [])} - known_types)
        if unknown:
            errors.append(f"For {label}, these event types are not in the vocabulary: {', '.join(unknown)}.")
    if known_tags is not None:
        unknown = sorted({t.lower() for t in raw.get("tags", [])} - known_tags)
        if unknown:
            errors.append(f"For {label}, no event type carries these tags: {', '.join(unknown)}.")
    return errors


def parameter_errors(
    kind: str, params: Any, *, known_types: set[str] | None = None, known_tags: set[str] | None = None
) -> list[str]:
    """Plain-language problems with `params` for a rule of `kind` (empty when valid).

    `known_types` / `known_tags`, when given, are the vocabulary to check codes against (the admin
    pages pass them; the shipped defaults do not, so a missing optional type never fails a migration).
    """
    if kind not in KIND_SHAPES:
        return [f"Choose a kind of rule from: {', '.join(RuleKind.values)}."]
    if not isinstance(params, Mapping):
        return ['The parameters must be a JSON object, e.g. {"types": ["was_not_brought"], "count": 3}.']
    selectors, numbers = KIND_SHAPES[kind]
    allowed = set(numbers) | {s for s in selectors if s} | (set(SELECTOR_KEYS) if "" in selectors else set())
    errors = []
    unknown_keys = sorted(set(params) - allowed)
    if unknown_keys:
        hint = ""
        if kind == RuleKind.GAP and "within_days" in unknown_keys:
            hint = ' Give the length of the gap as days, e.g. "days": 183.'
        errors.append(
            f"A {RuleKind(kind).label.lower()} rule does not take: {', '.join(unknown_keys)}. "
            f"It takes: {', '.join(sorted(allowed))}.{hint}"
        )
    for name in selectors:
        raw = params if name == "" else params.get(name)
        if name and raw is None:
            errors.append(f"Give {SELECTOR_NAMES[name]}.")
            continue
        label = GAP_SELECTOR_NAME if kind == RuleKind.GAP and name == "" else None
        errors += _selector_errors(name, raw, known_types, known_tags, label)
    for name in numbers:
        low, high, label = NUMBER_RULES[name]
        value = params.get(name)
        if value is None:
            errors.append(f"Give {label}.")
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            errors.append(f"{label.capitalize()} must be a number.")
            continue
        if name != "below" and not float(value).is_integer():
            errors.append(f"{label.capitalize()} must be a whole number.")
        elif not low <= value <= high:
            errors.append(f"{label.capitalize()} must be between {low} and {high}.")
    return errors


def compile_rule(rule_id: int, code: str, kind: str, params: Mapping[str, Any]) -> Spec:
    selectors, numbers = KIND_SHAPES[kind]
    compiled = {name: Selector.from_params(params if name == "" else params[name]) for name in selectors}
    values: dict[str, Any] = {}
    for name in numbers:
        if name == "below":
            try:
                values[name] = Decimal(str(params[name]))
            except InvalidOperation:  # pragma: no cover - rejected by parameter_errors
                values[name] = Decimal(0)
        else:
            values[name] = int(params[name])
    return Spec(rule_id=rule_id, code=code, kind=kind, selectors=compiled, numbers=values)


# ---- one function per kind --------------------------------------------------------------------


def _windows(items: Sequence[Item], days: int) -> list[tuple[int, int]]:
    """For each distinct date (its last entry j): (i, j + 1), the entries in [date - days, date]."""
    out = []
    dates = [it.occurred_on for it in items]
    for j, item in enumerate(items):
        if j + 1 < len(items) and items[j + 1].occurred_on == item.occurred_on:
            continue
        i = bisect_left(dates, item.occurred_on - timedelta(days=days), 0, j + 1)
        out.append((i, j + 1))
    return out


def count_in_window(spec: Spec, items: Sequence[Item]) -> list[Match]:
    """N or more matching entries within W days."""
    chosen = spec.selectors[""].choose(items)
    count, days = spec.numbers["count"], spec.numbers["within_days"]
    if len(chosen) < count:
        return []
    return [
        Match(chosen[j - 1].occurred_on, chosen[j - 1].id, tuple(it.id for it in chosen[i:j]))
        for i, j in _windows(chosen, days)
        if j - i >= count
    ]


def spread_across_agencies(spec: Spec, items: Sequence[Item]) -> list[Match]:
    """Matching entries from K or more different agencies within W days."""
    chosen = spec.selectors[""].choose(items)
    k, days = spec.numbers["agencies"], spec.numbers["within_days"]
    if len({it.agency_id for it in chosen}) < k:
        return []
    # A window of fewer than k entries cannot hold k agencies (checked before counting them).
    return [
        Match(chosen[j - 1].occurred_on, chosen[j - 1].id, tuple(it.id for it in chosen[i:j]))
        for i, j in _windows(chosen, days)
        if j - i >= k and len({it.agency_id for it in chosen[i:j]}) >= k
    ]


def sequence(spec: Spec, items: Sequence[Item]) -> list[Match]:
    """An entry of one kind followed, on a later day within W days, by an entry of another."""
    first, then, days = spec.selectors["first"], spec.selectors["then"], spec.numbers["within_days"]
    firsts = first.choose(items)
    if not firsts:
        return []
    dates = [it.occurred_on for it in firsts]
    window = timedelta(days=days)
    # A `then` entry on or before the first `first` entry's day, or after the last one's window,
    # meets nothing (checked before the two bisections: most entries are such).
    earliest, latest = dates[0], dates[-1] + window
    out = []
    for it in then.choose(items):
        on = it.occurred_on
        if on <= earliest or on > latest:
            continue
        lo = bisect_left(dates, on - window)
        hi = bisect_left(dates, on)  # strictly earlier days only
        if lo < hi:
            out.append(Match(on, it.id, (*(a.id for a in firsts[lo:hi]), it.id)))
    return out


def state_plus_event(spec: Spec, items: Sequence[Item]) -> list[Match]:
    """An entry while a state (e.g. a child protection plan) is open."""
    opens, closes, event = spec.selectors["opens"], spec.selectors["closes"], spec.selectors["event"]
    intervals: list[tuple[date, date | None, int]] = []  # (opened on, closed on, opening entry)
    start: tuple[date, int] | None = None
    for it in items:
        if start is not None and closes.matches(it):
            intervals.append((start[0], it.occurred_on, start[1]))
            start = None
        elif start is None and opens.matches(it):
            start = (it.occurred_on, it.id)
    if start is not None:
        intervals.append((start[0], None, start[1]))
    if not intervals:
        return []
    out = []
    for it in event.choose(items):
        for opened, closed, opener in intervals:
            if opened <= it.occurred_on and (closed is None or it.occurred_on <= closed) and opener != it.id:
                out.append(Match(it.occurred_on, it.id, (opener, it.id)))
                break
    return out


def value_threshold(spec: Spec, items: Sequence[Item]) -> list[Match]:
    """A matching entry whose value is below the threshold (e.g. school attendance below 90%)."""
    below = spec.numbers["below"]
    return [
        Match(it.occurred_on, it.id, (it.id,))
        for it in spec.selectors[""].choose(items)
        if it.value is not None and it.value < below
    ]


def gap(spec: Spec, items: Sequence[Item], today: date, born: date | None = None) -> list[Match]:
    """More than W days with no matching entry: between two consecutive matching entries, or after
    the last one up to `today` (the evaluation date). Counted from the first matching entry only.
    Entries dated before the child's birth (`born`, when known) are not contact: they neither start
    nor end a gap, so no gap is counted from before the child was born.

    Each gap is one match, named by the entry it follows (`a`): first met on a's date + W days,
    evidence a and, when an entry `b` ended the gap, b. Of several entries on one day, the gap
    follows the last (by id). The scan finds the same gaps in SQL (`gaps.py`)."""
    chosen = spec.selectors[""].choose(items)
    if born is not None:
        chosen = [it for it in chosen if it.occurred_on >= born]
    if not chosen:
        return []
    span = timedelta(days=spec.numbers["days"])
    out: list[Match] = []
    before = chosen[0]
    for after in chosen[1:]:
        if after.occurred_on - before.occurred_on > span:
            out.append(GapMatch(before.occurred_on + span, before.id, (before.id, after.id), after.occurred_on))
        before = after
    if today - before.occurred_on > span:
        out.append(GapMatch(before.occurred_on + span, before.id, (before.id,), before.occurred_on))
    return out


KINDS: dict[str, Callable[[Spec, Sequence[Item]], list[Match]]] = {
    RuleKind.COUNT_IN_WINDOW: count_in_window,
    RuleKind.SPREAD_ACROSS_AGENCIES: spread_across_agencies,
    RuleKind.SEQUENCE: sequence,
    RuleKind.STATE_PLUS_EVENT: state_plus_event,
    RuleKind.VALUE_THRESHOLD: value_threshold,
}
# Kinds that also need the evaluation date.
DATED_KINDS: dict[str, Callable[[Spec, Sequence[Item], date], list[Match]]] = {RuleKind.GAP: gap}


def kind_function(spec: Spec, today: date | None = None) -> Callable[[Spec, Sequence[Item]], list[Match]]:
    """The function evaluating `spec`'s kind, the evaluation date bound for the kinds that need it
    (`today` defaults to the system date; the scan always passes `as_of` or the local date)."""
    dated = DATED_KINDS.get(spec.kind)
    if dated is None:
        return KINDS[spec.kind]
    on = today or date.today()
    return lambda s, items: dated(s, items, on)


def evaluate(spec: Spec, items: Sequence[Item], today: date | None = None, born: date | None = None) -> list[Match]:
    """Every completion of the rule's pattern in `items` (sorted by date, then id), on the
    evaluation date `today` for a child born on `born` (only a gap looks at them)."""
    if spec.kind == RuleKind.GAP:
        return gap(spec, items, today or date.today(), born)
    return kind_function(spec, today)(spec, items)


# ---- from matches to an alert -------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """What an alert for (rule, child) should hold: the first completion and all the evidence."""

    first_met_on: date
    last_evidence_on: date
    evidence: frozenset[int]


def finding(
    matches: Sequence[Match] | GapSummary,
    covered: frozenset[int] = frozenset(),
    gaps_shown: Mapping[int, date] | None = None,
) -> Finding | None:
    """The alert the matches call for, leaving out matches made only of entries already `covered`
    (the evidence of closed alerts for the same rule and child: a closed alert is not raised again
    for what it already showed).

    Gaps are compared by the entry they follow, not by all their entries: `gaps_shown` maps an entry
    to the latest day a closed alert of the rule and child took it in as evidence. A gap after entry
    `a` was shown by such an alert when the alert took `a` in after the gap had become long (later
    than a's date + W): then the entry that ends the gap later does not raise it again. If the alert
    took `a` in earlier (as the end of an earlier gap), a new gap after `a` is news and is raised.

    A `GapSummary` (every gap of the child) gives the same finding as its gaps' matches: its own
    figures when no closed alert showed any gap, else its gaps compared one by one as above."""
    if isinstance(matches, GapSummary):
        if not gaps_shown:
            return Finding(matches.first_met_on, matches.last_on, matches.evidence)
        matches = matches.matches()
    if matches and isinstance(matches[0], GapMatch):
        gaps = cast(Sequence[GapMatch], matches)
        if gaps_shown:
            gaps = [m for m in gaps if not gaps_shown.get(m.completing_id, date.min) > m.completed_on]
        if not gaps:
            return None
        evidence = {i for m in gaps for i in m.evidence}
        return Finding(min(m.completed_on for m in gaps), max(m.last_on for m in gaps), frozenset(evidence))
    fresh = [m for m in matches if not covered.issuperset(m.evidence)] if covered else list(matches)
    if not fresh:
        return None
    evidence = set()
    for m in fresh:
        evidence.update(m.evidence)
    # For every other kind the completing entry is the latest of its match's entries.
    return Finding(min(m.completed_on for m in fresh), max(m.completed_on for m in fresh), frozenset(evidence))
