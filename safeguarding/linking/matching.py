"""Which child is this? Deciding, for the people an agency's file or system describes, whether each is
a child the Hub already holds, a possible match for a data steward, or a new child.

1. Identifiers link for certain: the NHS number, else the agency's own reference for the child.
   Exact name and date of birth with a single candidate links too (two different NHS numbers never do).
2. Everyone else is scored with the trained Splink model (`engine`) against the Hub's records that
   share a blocking key, and against the other people in the same file:
   - at or above `LINKAGE_LINK_AT`, with no guard (twins, siblings, different dates of birth,
     different NHS numbers), linked automatically;
   - from `LINKAGE_POSSIBLE_AT`, a new child record plus a possible match for a data steward;
   - below, a new child.
Nothing here writes: the caller creates the new children and then records the pairs
(`services.record_possible_matches`). Nothing here is ever told to the agency: an ambiguous or
possible match looks exactly like a new child to it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from safeguarding.children.models import Child
from safeguarding.linking import engine
from safeguarding.linking.models import LinkageModel

LOOKUP_CHUNK = 2000
EVEN_TIME_PEOPLE = 50  # requests this small are always scored in full (see score_incoming)
RANGE_FROM = 4 * LOOKUP_CHUNK  # more candidate dates of birth than this: one range scan instead
Side = tuple[str, int]  # ("id", child pk) or ("new", index of the incoming person)


@dataclass
class Incoming:
    """One distinct person as the incoming data describes them."""

    first_name: str
    last_name: str
    dob: dt.date | None
    nhs: str = ""
    name_key: str = ""
    child_id: int | None = None  # set once linked to an existing child


@dataclass(frozen=True)
class PendingPair:
    left: Side
    right: Side
    score: float
    reasons: dict[str, str] = field(default_factory=dict)

    def resolve(self, new_ids: dict[int, int]) -> tuple[int, int] | None:
        """The two child ids, once new children exist (None when one of them was not created)."""
        ids = []
        for kind, value in (self.left, self.right):
            pk = value if kind == "id" else new_ids.get(value)
            if pk is None:
                return None
            ids.append(pk)
        return (ids[0], ids[1]) if ids[0] != ids[1] else None


@dataclass
class Outcome:
    same_as: dict[int, int] = field(default_factory=dict)  # incoming index -> index it is the same new child as
    pairs: list[PendingPair] = field(default_factory=list)


def current_model() -> tuple[dict[str, Any], int | None]:
    latest = LinkageModel.objects.latest_version()
    if latest is None:
        return engine.default_model(), None
    return latest.parameters, latest.version


def dob_variants(day: dt.date) -> set[dt.date]:
    """The date, its day and month swapped, and every date one digit away (typing slips)."""
    out = {day}
    if day.day <= 12:
        with contextlib.suppress(ValueError):
            out.add(day.replace(month=day.day, day=day.month))
    text = day.isoformat()
    for position, char in enumerate(text):
        if not char.isdigit():
            continue
        for digit in "0123456789":
            if digit == char:
                continue
            try:
                out.add(dt.date.fromisoformat(text[:position] + digit + text[position + 1 :]))
            except ValueError:
                continue
    return out


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    values = list(values)
    for start in range(0, len(values), LOOKUP_CHUNK):
        yield values[start : start + LOOKUP_CHUNK]


def _candidates(people: Sequence[Incoming], *, unnumbered_only: bool = False) -> list[engine.PersonRecord]:
    """The Hub's records that share a blocking key with any of these people: a date of birth near
    theirs (swapped or one digit out), or exactly their name (only records without an NHS number
    when `unnumbered_only`)."""
    dobs: set[dt.date] = set()
    for day in {person.dob for person in people if person.dob}:  # a file's children share dates
        dobs |= dob_variants(day)
    names = {p.name_key for p in people if p.name_key}
    found: dict[int, tuple[Any, ...]] = {}
    columns = ("pk", "first_name", "last_name", "date_of_birth", "nhs_number", "sex")
    children = Child.objects.filter(nhs_number__isnull=True) if unnumbered_only else Child.objects.all()
    if len(dobs) > RANGE_FROM:
        # A large file's dates cover most days of the years it spans: one range scan of the date of
        # birth index, filtered here, costs less than dozens of long IN lists.
        in_range = children.filter(date_of_birth__range=(min(dobs), max(dobs))).values_list(*columns)
        found.update((row[0], row) for row in in_range.iterator(chunk_size=5000) if row[3] in dobs)
    else:
        for chunk in _chunks(sorted(dobs)):
            for row in children.filter(date_of_birth__in=chunk).values_list(*columns):
                found[row[0]] = row
    for chunk in _chunks(sorted(names)):
        for row in children.filter(normalised_name__in=chunk).values_list(*columns):
            found[row[0]] = row
    references = _references(found)
    return [
        engine.PersonRecord(
            key=f"c:{pk}",
            first_name=first,
            last_name=last,
            date_of_birth=dob,
            nhs_number=nhs or "",
            references=tuple(references.get(pk, ())),
            sex=sex or "",
        )
        for pk, first, last, dob, nhs, sex in found.values()
    ]


def _references(found: dict[int, Any]) -> dict[int, list[str]]:
    from django.apps import apps

    model = apps.get_model("chronology", "ChildAgencyReference")
    out: dict[int, list[str]] = {}
    for chunk in _chunks(found):
        for child_id, code, reference in model.objects.filter(child_id__in=chunk).values_list(
            "child_id", "agency__code", "reference"
        ):
            out.setdefault(child_id, []).append(f"{code}:{reference}")
    return out


def score_incoming(people: Sequence[Incoming]) -> Outcome:
    """Link each unresolved person (child_id None) to an existing child where the model is sure;
    returns which unresolved people are one new child, and the possible matches to queue."""
    outcome = Outcome()
    unresolved = [i for i, p in enumerate(people) if p.child_id is None]
    # A small request (an API post, a short file) is always scored in full, whether or not anyone is
    # left to link and whether or not the Hub holds a similar record, so that how long the answer
    # takes does not tell the agency whether such a child exists.
    even_time = len(people) <= EVEN_TIME_PEOPLE
    if not unresolved and not even_time:
        return outcome
    scored = unresolved or list(range(len(people)))
    # Two records with NHS numbers are the same child only if the numbers agree, and those were linked
    # by identifier already: people who all carry one can only match records that carry none.
    all_numbered = all(people[i].nhs for i in scored)
    candidates = _candidates([people[i] for i in scored], unnumbered_only=all_numbered)
    if not even_time and not candidates and (all_numbered or len(unresolved) < 2):
        return outcome
    incoming = [
        engine.PersonRecord(
            key=f"n:{i}",
            first_name=people[i].first_name,
            last_name=people[i].last_name,
            date_of_birth=people[i].dob,
            nhs_number=people[i].nhs,
        )
        for i in scored
    ]
    model, _version = current_model()
    link_at, possible_at = settings.LINKAGE_LINK_AT, settings.LINKAGE_POSSIBLE_AT
    pairs = engine.find_pairs(
        [*incoming, *candidates], model, min_probability=possible_at, involving={r.key for r in incoming}
    )
    to_existing: dict[int, list[tuple[int, engine.ScoredPair]]] = {}
    between: list[tuple[int, int, engine.ScoredPair]] = []
    waiting = set(unresolved)
    for pair in pairs:
        left, right = sorted((pair.left, pair.right), key=lambda k: (k[0] != "n", k))
        i = int(left[2:])
        if i not in waiting or (right.startswith("n:") and int(right[2:]) not in waiting):
            continue  # scored only to keep the time even
        if right.startswith("c:"):
            to_existing.setdefault(i, []).append((int(right[2:]), pair))
        else:
            between.append((i, int(right[2:]), pair))
    for i, found in to_existing.items():
        sure = [pk for pk, pair in found if engine.band(pair, link_at=link_at, possible_at=possible_at) == "link"]
        if len(sure) == 1:
            people[i].child_id = sure[0]
            continue
        for pk, pair in found:
            if engine.band(pair, link_at=link_at, possible_at=possible_at) != "new":
                outcome.pairs.append(PendingPair(("new", i), ("id", pk), pair.probability, pair.reasons))
    _join_within(people, between, outcome, link_at=link_at, possible_at=possible_at)
    return outcome


def _join_within(
    people: Sequence[Incoming],
    between: list[tuple[int, int, engine.ScoredPair]],
    outcome: Outcome,
    *,
    link_at: float,
    possible_at: float,
) -> None:
    """People in the same file the model is sure are one child become one new record (or follow the
    existing record one of them was linked to); the others are possible matches."""
    parent: dict[int, int] = {}

    def root(i: int) -> int:
        while parent.get(i, i) != i:
            i = parent[i]
        return i

    for i, j, pair in sorted(between, key=lambda t: -t[2].probability):
        decided = engine.band(pair, link_at=link_at, possible_at=possible_at)
        a, b = people[i], people[j]
        if decided == "link" and (a.child_id is None or b.child_id is None or a.child_id == b.child_id):
            if a.child_id is None and b.child_id is not None:
                a.child_id = b.child_id
            elif b.child_id is None and a.child_id is not None:
                b.child_id = a.child_id
            elif root(i) != root(j) and not _nhs_conflict(people, root(i), root(j), root):
                parent[root(j)] = root(i)
            continue
        if decided != "new":
            left: Side = ("id", a.child_id) if a.child_id is not None else ("new", i)
            right: Side = ("id", b.child_id) if b.child_id is not None else ("new", j)
            if left != right:
                outcome.pairs.append(PendingPair(left, right, pair.probability, pair.reasons))
    for i in parent:
        r = root(i)
        if r != i:
            outcome.same_as[i] = r


def _nhs_conflict(people: Sequence[Incoming], a: int, b: int, root: Callable[[int], int]) -> bool:
    """Two groups whose members carry different NHS numbers are different children."""
    numbers = {people[i].nhs for i in range(len(people)) if people[i].nhs and root(i) in (a, b)}
    return len(numbers) > 1
