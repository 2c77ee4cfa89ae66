"""The integrated chronology: every entry a person may see about a child (optionally with the
child's siblings and household), from every agency, merged in date order, with duplicates shown
once and the highlights a reviewer would otherwise find by hand.

The page, the API and the exports all build on `merged_chronology`, so they show the same thing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.base import ModelState
from django.http import Http404
from django.utils import timezone

from safeguarding.agencies.models import Agency
from safeguarding.children.enums import CHILD_TO_CHILD_KINDS
from safeguarding.children.models import Child, HouseholdMember, Relationship
from safeguarding.children.queries import children_visible_to
from safeguarding.chronology import highlights
from safeguarding.chronology.models import Event, EventChild, EventType, decode_tags
from safeguarding.chronology.queries import memberships
from safeguarding.core.access import parse_id
from safeguarding.core.context import remembered
from safeguarding.core.restriction import restriction_q

if TYPE_CHECKING:
    from safeguarding.core.types import Person


@dataclass(frozen=True)
class ChronologyFilters:
    agency_codes: frozenset[str] = frozenset()
    type_codes: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    date_from: date | None = None
    date_to: date | None = None
    include_family: bool = False
    gap_days: int = highlights.DEFAULT_GAP_DAYS

    @property
    def selects(self) -> bool:
        """Whether any filter leaves entries out (otherwise every entry `matches`)."""
        return bool(self.agency_codes or self.type_codes or self.tags or self.date_from or self.date_to)

    def matches(self, event: Event) -> bool:
        if self.agency_codes and event.agency.code not in self.agency_codes:
            return False
        if self.type_codes and event.event_type.code not in self.type_codes:
            return False
        if self.tags and not (self.tags & set(decode_tags(event.event_type.tags))):
            return False
        if self.date_from and event.occurred_on < self.date_from:
            return False
        return not (self.date_to and event.occurred_on > self.date_to)


@dataclass
class ChronologyRow:
    """One line of the merged chronology: the lead entry and every agency's record of it."""

    event: Event
    sources: list[Event]
    child_ids: frozenset[int]
    highlight_kinds: set[str] = field(default_factory=set)

    @property
    def agencies(self) -> list[Any]:
        return [e.agency for e in self.sources]


@dataclass
class MergedChronology:
    child: Child
    children: list[Child]
    rows: list[ChronologyRow]
    highlights: list[highlights.Highlight]
    total_entries: int

    @property
    def agencies(self) -> list[Any]:
        seen: dict[int, Any] = {}
        for row in self.rows:
            for agency in row.agencies:
                seen.setdefault(agency.pk, agency)
        return sorted(seen.values(), key=lambda a: a.name)


def family_ids(child_id: int) -> set[int]:
    """The ids of the child's siblings and of the children of their current household (whoever may
    see them), in one query: the two directions of a sibling relationship and the current housemates,
    as one UNION (four queries before)."""
    today = timezone.localdate()
    current = Q(moved_out__isnull=True) | Q(moved_out__gte=today)
    households = HouseholdMember.objects.filter(current, child_id=child_id).values("household_id")
    ids_qs = (
        Relationship.objects.filter(child_id=child_id, kind__in=CHILD_TO_CHILD_KINDS)
        .values_list("other_child_id", flat=True)
        .union(
            Relationship.objects.filter(other_child_id=child_id, kind__in=CHILD_TO_CHILD_KINDS).values_list(
                "child_id", flat=True
            ),
            HouseholdMember.objects.filter(current, household_id__in=households, child__isnull=False).values_list(
                "child_id", flat=True
            ),
        )
    )
    return set(ids_qs) - {child_id, None}


def family_of(user: Person, child: Child) -> list[Child]:
    """The child's siblings and the children of their current household that `user` may see."""
    ids = family_ids(child.pk)
    if not ids:
        return []
    return list(children_visible_to(user).filter(pk__in=ids).order_by("date_of_birth", "pk"))


def child_and_family(user: Person, child_id: object) -> tuple[Child, list[Child]]:
    """`get_child_for_user(user, child_id)` and `family_of(user, child)` in two queries (the family's
    ids, then the child and the family among the children `user` may see) instead of three: one
    visibility condition built and run, not two. 404 for a child `user` may not see, exactly as for
    one that does not exist."""
    number = parse_id(child_id)
    if number is None:
        raise Http404("Not found")
    wanted = [number, *family_ids(number)]
    found = list(children_visible_to(user).filter(pk__in=wanted).order_by("date_of_birth", "pk"))
    child = next((c for c in found if c.pk == number), None)
    if child is None:
        raise Http404("Not found")
    return child, [c for c in found if c.pk != number]


def visible_events(user: Person, children: Sequence[Child]) -> list[Event]:
    """Current entries about any of `children` that `user` may see, in date order, each once.

    Agencies and types are attached from one lookup each rather than joined per row: a chronology
    has thousands of entries but only a handful of agencies and types. The author is not read (no
    reader of a chronology shows it; `event.author` would load it).
    """
    child_ids = [c.pk for c in children]
    if len(child_ids) == 1:
        # One child: read through the partial index (child, occurred_on, event) in its own order,
        # saying of each entry whether it is about another child too (a look-up in the link table's
        # (event, child) index), so that only those entries' other children need reading.
        others = EventChild.objects.filter(event_id=OuterRef("pk")).exclude(child_id=child_ids[0])
        events_qs = (
            Event.objects.filter(child_links__child_id=child_ids[0], child_links__is_current=True)
            .annotate(**{ABOUT_OTHERS: Exists(others)})
            .order_by("child_links__occurred_on", "child_links__event_id")
        )
        return _lean_events(events_qs.filter(restriction_q(memberships(user))), ABOUT_OTHERS)
    events_qs = Event.objects.filter(
        pk__in=EventChild.objects.filter(child_id__in=child_ids, is_current=True).values("event_id")
    ).order_by("occurred_on", "id")
    return _lean_events(events_qs.filter(restriction_q(memberships(user))))


def every_agency(ids: set[int] | None = None) -> dict[int, Agency]:
    """Every agency by id, read once per request (a few dozen rows, which the page's filter form and
    the chronology both need); `ids` that are not there yet (added during the request) are read too."""
    return _by_id(Agency, ids)


def every_event_type(ids: set[int] | None = None) -> dict[int, EventType]:
    """Every event type by id, read once per request, as `every_agency`."""
    return _by_id(EventType, ids)


def _by_id(model: Any, ids: set[int] | None) -> dict[int, Any]:
    found: dict[int, Any] = remembered(("chronology.by_id", model._meta.label), model.objects.in_bulk)
    missing = (ids or set()) - found.keys()
    if missing:
        found = {**found, **model.objects.in_bulk(missing)}
    return found


# The columns the chronology's readers show or decide with (the page, the API, the exports, the
# timeline and the highlights). The rest (versioning, import bookkeeping, `lineage`'s uuid,
# `recorded_at`) are left deferred, as `.only()` leaves them: converting them was a third of the
# query's cost, and reading one on an instance still works (Django loads a deferred field on access).
SHOWN_COLUMNS = (
    "id",
    "agency_id",
    "author_id",
    "event_type_id",
    "original_type_label",
    "category",
    "value",
    "occurred_on",
    "precision",
    "approximate",
    "summary",
    "impact",
    "action_taken",
    "agency_reference",
    "confidentiality",
    "restricted_to_roles",
    "entered_in_error_at",
    "entered_in_error_reason",
)


def _lean_events(events_qs: QuerySet[Event], *annotations: str) -> list[Event]:
    """The entries as `Event` instances built straight from the values of `SHOWN_COLUMNS`, with their
    agency and type attached (the author is left to load on access: no reader of a chronology shows it,
    and reading the authors was a query of every page and API call).

    `Model.__init__` sets every field through its descriptor (about 70 µs an entry here, most of a
    2,000-entry chronology's time in Python); the values are those the database gave, converted as
    for any query (`values_list` applies the same converters), so the instances are the ones
    `.only(*SHOWN_COLUMNS)` would build, marked as loaded from the database. The related objects are
    put in each instance's cache as `select_related` would (the descriptors' checks cost more than the
    rest of the row for thousands of entries), from one lookup each: thousands of entries share a
    handful of agencies and types. `annotations` of the query are set as attributes too, as
    `annotate()` sets them.
    """
    attnames = (*SHOWN_COLUMNS, *annotations)
    agency_at, type_at = (attnames.index(name) for name in ("agency_id", "event_type_id"))
    db = events_qs.db
    rows = list(events_qs.values_list(*attnames))
    agencies = every_agency({row[agency_at] for row in rows})
    types = every_event_type({row[type_at] for row in rows})
    events = []
    new_event, new_state = Event.__new__, ModelState.__new__
    for row in rows:
        event = new_event(Event)
        values = event.__dict__
        values.update(zip(attnames, row, strict=True))
        state = values["_state"] = new_state(ModelState)
        state.__dict__.update(
            adding=False,
            db=db,
            fields_cache={"agency": agencies[row[agency_at]], "event_type": types[row[type_at]]},
        )
        events.append(event)
    return events


# Set by `visible_events` for one child: whether the entry is also about another child.
ABOUT_OTHERS = "chronology_about_others"
# An `IN` list of ids longer than this is asked as a sub-query instead (SQLite limits a statement's
# parameters).
MAX_LISTED_IDS = 900


def _children_of(children: Sequence[Child], events: Sequence[Event]) -> dict[int, frozenset[int]]:
    """Every child of every current entry about `children`, in one query (or none).

    For one child, every entry is about that child: only the links to other children are read, and
    only for the entries `visible_events` found to have any (usually few, often none)."""
    about_these = EventChild.objects.filter(child_id__in=[c.pk for c in children], is_current=True).values("event_id")
    links: dict[int, set[int]] = defaultdict(set)
    if len(children) == 1:
        only = children[0].pk
        shared = [e.id for e in events if e.__dict__.get(ABOUT_OTHERS, True)]
        if len(shared) > MAX_LISTED_IDS:
            linked = EventChild.objects.filter(event_id__in=about_these)
        else:
            linked = EventChild.objects.filter(event_id__in=shared) if shared else EventChild.objects.none()
        for event_id, child_id in linked.exclude(child_id=only).values_list("event_id", "child_id"):
            links[event_id].add(child_id)
        # Most entries are about this child alone: they share one set.
        alone = frozenset((only,))
        return {e.id: alone if e.id not in links else frozenset((only, *links[e.id])) for e in events}
    for event_id, child_id in EventChild.objects.filter(event_id__in=about_these).values_list("event_id", "child_id"):
        links[event_id].add(child_id)
    return {event_id: frozenset(ids) for event_id, ids in links.items()}


def _entry(event: Event, child_ids: frozenset[int], kinds: dict[int, tuple[str, frozenset[str]]]) -> highlights.Entry:
    kind = kinds.get(event.event_type_id)
    if kind is None:  # each event type's code and tags, decoded once
        event_type = event.event_type
        kind = kinds[event.event_type_id] = (event_type.code, frozenset(decode_tags(event_type.tags)))
    # Every field set at once: a frozen dataclass's `__init__` sets each through `object.__setattr__`,
    # three times slower for thousands of entries. The result is the same object (`Entry(...)`).
    entry = _new_entry(highlights.Entry)
    entry.__dict__.update(
        id=event.id,
        occurred_on=event.occurred_on,
        type_code=kind[0],
        agency_id=event.agency_id,
        tags=kind[1],
        category=event.category,
        child_ids=child_ids,
        precision=event.precision,
    )
    return entry


_new_entry = object.__new__


def merged_chronology(
    user: Person,
    child: Child,
    filters: ChronologyFilters | None = None,
    *,
    family: list[Child] | None = None,
    child_events: list[Event] | None = None,
) -> MergedChronology:
    """The caller has already checked that `user` may see `child` (`get_child_for_user`).

    A caller that has already read `family_of(user, child)` or `visible_events(user, [child])` in this
    request passes them (`family`, `child_events`) so that they are not read twice; `child_events`
    serves only a chronology of the child alone."""
    filters = filters or ChronologyFilters()
    children = [child, *(family_of(user, child) if family is None else family)] if filters.include_family else [child]
    events = child_events if child_events is not None and len(children) == 1 else visible_events(user, children)
    child_links = _children_of(children, events)
    by_id = {e.id: e for e in events}
    kinds: dict[int, tuple[str, frozenset[str]]] = {}
    nobody: frozenset[int] = frozenset()
    entries = [_entry(e, child_links.get(e.id, nobody), kinds) for e in events]
    # Entries entered in error are listed (struck through) but count in no highlight, and are never
    # merged with another agency's record of the same event.
    in_error = {e.id for e in events if e.entered_in_error_at is not None}
    counted = [e for e in entries if e.id not in in_error]
    # Highlights look at everything the person may see, so a filter cannot hide a gap or a run.
    births = [c.date_of_birth for c in children if c.date_of_birth is not None]
    found = highlights.find_highlights(
        counted, gap_days=filters.gap_days, today=timezone.localdate(), born=min(births, default=None)
    )
    kinds_by_entry: dict[int, set[str]] = defaultdict(set)
    for h in found:
        for entry_id in h.entry_ids:
            kinds_by_entry[entry_id].add(h.kind)
    rows = []
    # A row names only the children shown here, never another child on the same entry.
    shown_ids = frozenset(c.pk for c in children)
    merged_rows = highlights.merge_duplicates(counted) + [
        highlights.MergedEntry(e) for e in entries if e.id in in_error
    ]
    merged_rows.sort(key=lambda m: (m.entry.occurred_on, m.entry.id))
    filtering = filters.selects
    for merged in merged_rows:
        sources = [by_id[i] for i in merged.entry_ids]
        if filtering and not any(filters.matches(e) for e in sources):
            continue
        rows.append(
            ChronologyRow(
                event=sources[0],
                sources=sources,
                child_ids=merged.entry.child_ids & shown_ids,
                highlight_kinds=set().union(*(kinds_by_entry.get(i, set()) for i in merged.entry_ids)),
            )
        )
    return MergedChronology(child=child, children=children, rows=rows, highlights=found, total_entries=len(events))
