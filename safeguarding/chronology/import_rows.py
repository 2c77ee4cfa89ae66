"""Reading an agency's chronology file into validated rows, and matching their children.

Every row is parsed and validated in memory (`tabular`), event types are mapped through the
vocabulary, and the rows' children are matched: rows are grouped into people (never across two NHS
numbers), then each person is linked by identifier (NHS number, the agency's own reference, a single
exact name and date of birth) or by the probabilistic linkage (`safeguarding.linking.matching`);
anyone else is a new, unverified child, with possible matches queued for a data steward. No error
tells the agency whether a child it does not work with exists. Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from safeguarding.agencies.models import Agency
from safeguarding.children.models import Child, Involvement, normalise_name
from safeguarding.children.validators import nhs_number_is_valid, normalise_nhs_number
from safeguarding.chronology import birth, services, tabular
from safeguarding.chronology.import_vocabulary import OTHER_CHOICE as OTHER_CHOICE  # for the importer and command
from safeguarding.chronology.import_vocabulary import Vocabulary as Vocabulary
from safeguarding.chronology.import_vocabulary import label_key as _label_key
from safeguarding.chronology.import_vocabulary import mapping_keys
from safeguarding.chronology.models import ChildAgencyReference, EventType
from safeguarding.linking.matching import Incoming, PendingPair, score_incoming

WRITE_BATCH = 2000
LOOKUP_CHUNK = 2000  # values per IN (...) list: well inside SQLite's (32,766) and PostgreSQL's limits
MAX_REPORTED_ERRORS = 1000
Progress = Callable[[int, int, str], None]


@dataclass(slots=True)
class Row:
    number: int
    occurred_on: dt.date
    precision: str
    approximate: bool
    event_type: EventType
    category: str
    value: Decimal | None
    original_label: str
    summary: str
    action: str
    impact: str
    nhs: str
    first_name: str
    last_name: str
    name_key: str
    dob: dt.date | None
    child_reference: str
    event_reference: str
    # A household, tenancy, family or incident reference several children may share: stored on
    # the entry, part of its content key, never used to decide which child the row is about.
    household_reference: str = ""
    content_key: str = ""
    # The content key as it was before household references were read (the same row without its
    # household reference), so a file imported before is not imported a second time.
    previous_content_key: str = ""
    child_id: int | None = None
    new_child: int | None = None  # index into the children to create


@dataclass
class ImportResult:
    rows_total: int = 0
    events_created: int = 0
    events_already_present: int = 0
    # For operators and tests (the command prints them); the agency's page shows only the two after.
    children_matched: int = 0
    children_created: int = 0
    children_involved: int = 0
    children_shared: int = 0
    possible_matches: int = 0
    # Possible matches to queue once the new children exist (never reported to the agency).
    pending_pairs: list[PendingPair] = field(default_factory=list)
    mapped_to_other: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0
    # Labels close to a known type that nobody has confirmed yet, in the order first seen:
    # [{"label": "Was not brough", "nearest": "was_not_brought", "nearest_label": "Was not brought", "rows": 3}].
    # While there are any, nothing is written (a dry run still counts): the uploader confirms first.
    type_suggestions: list[dict[str, Any]] = field(default_factory=list)
    _suggestion_at: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def rejected(self) -> bool:
        return bool(self.error_count)

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.type_suggestions) and not self.rejected

    def add_suggestion(self, label: str, nearest: EventType) -> None:
        key = _label_key(label)
        if key in self._suggestion_at:
            self.type_suggestions[self._suggestion_at[key]]["rows"] += 1
            return
        self._suggestion_at[key] = len(self.type_suggestions)
        self.type_suggestions.append(
            {"label": label, "nearest": nearest.code, "nearest_label": nearest.label, "rows": 1}
        )

    def add_error(self, row: int, column: str, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append({"row": row, "column": column, "reason": reason})


# ---- parsing -----------------------------------------------------------------------------------
# Files repeat the same dates, names and numbers on many rows: parse each distinct text once.


def _cached(function: Callable[..., Any]) -> Callable[..., Any]:
    cached = functools.lru_cache(maxsize=65536)(function)

    def call(value: Any, *rest: Any) -> Any:
        if isinstance(value, str):
            return cached(value, *rest)
        return function(value, *rest)

    return call


_event_date = _cached(tabular.parse_event_date)
_birth_date = _cached(tabular.parse_birth_date)
_nhs_valid = functools.lru_cache(maxsize=65536)(nhs_number_is_valid)
_split_name = functools.lru_cache(maxsize=65536)(tabular.split_name)
_name_key = functools.lru_cache(maxsize=65536)(normalise_name)


def _content_key(agency: Agency, row: Row, *, with_household: bool = True) -> str:
    parts = [
        str(agency.pk),
        row.nhs,
        row.name_key,
        row.dob.isoformat() if row.dob else "",
        row.child_reference,
        row.occurred_on.isoformat(),
        row.precision,
        _label_key(row.original_label),
        " ".join(row.summary.split()),
    ]
    if with_household and row.household_reference:
        # Only when there is one, so rows without a household reference keep the keys they had.
        parts.append(f"household:{row.household_reference}")
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def parse_rows(
    table: tabular.Table,
    agency: Agency,
    vocabulary: Vocabulary,
    result: ImportResult,
    progress: Progress | None = None,
    *,
    type_mapping: dict[str, str] | None = None,
    confirm_types: bool = False,
) -> list[Row]:
    """Validated rows; errors go to `result`.

    With `confirm_types`, a label close to a known type (`Vocabulary.nearest`) that `type_mapping`
    does not settle is listed in `result.type_suggestions` (its rows are checked as that type),
    instead of being recorded as Other. Without it (a review's chronology), such labels are Other.
    """
    missing = _missing_columns(table.columns)
    if missing:
        result.add_error(table.header_row, "", f"The file has no column for {'; '.join(missing)}.")
        return []
    reader = _RowReader(table, agency, vocabulary, result, mapping_keys(type_mapping), confirm_types)
    rows: list[Row] = []
    next_report = time.monotonic() + 0.5
    for number, cells in table.rows:
        if not any(tabular.cell_text(c) for c in cells):
            continue  # blank lines are not rows
        result.rows_total += 1
        row = reader.read(number, cells)
        if row is not None:
            rows.append(row)
        if progress and result.rows_total % 1000 == 0 and time.monotonic() >= next_report:
            # Reported at most twice a second: each report is a committed write for the progress page.
            next_report = time.monotonic() + 0.5
            progress(result.rows_total, 0, "validating")
    return rows


def _missing_columns(columns: dict[str, int]) -> list[str]:
    missing = []
    if "date" not in columns:
        missing.append('the date of the event (name the column "Date")')
    if "type" not in columns:
        missing.append('the event type (name the column "Event type")')
    if not {"child", "nhs", "child_reference"} & set(columns):
        missing.append('the child (a "Child name", "NHS number" or "Agency ref" column)')
    return missing


class _RowReader:
    """Reads and checks one row of a file at a time; each problem is an error for its row and column."""

    def __init__(
        self,
        table: tabular.Table,
        agency: Agency,
        vocabulary: Vocabulary,
        result: ImportResult,
        mapping: dict[str, str],
        confirm_types: bool,
    ) -> None:
        self.table = table
        self.columns = table.columns
        self.agency = agency
        self.vocabulary = vocabulary
        self.result = result
        self.mapping = mapping
        self.confirm_types = confirm_types
        self.household = (
            table.household if table.household is not None else tabular.household_columns(table.header, self.columns)
        )
        self.seen_refs: dict[str, int] = {}
        self.today = timezone.localdate()
        self.number = 0

    def header(self, field_name: str) -> str:
        return tabular.cell_text(self.table.header[self.columns[field_name]]) or tabular.COLUMN_NAMES[field_name]

    def error(self, field_name: str, reason: str) -> None:
        column = self.header(field_name) if field_name in self.columns else tabular.COLUMN_NAMES[field_name]
        self.result.add_error(self.number, column, reason)

    def get(self, cells: list[Any], field_name: str) -> Any:
        index = self.columns.get(field_name)
        return cells[index] if index is not None and index < len(cells) else None

    def read(self, number: int, cells: list[Any]) -> Row | None:
        """The row, or None when it has errors (they are in the result)."""
        self.number = number
        errors_before = self.result.error_count
        occurred_on, precision, approximate = self._date(cells)
        original_label = tabular.cell_text(self.get(cells, "type"))
        event_type, category, mapped_other, suggested = self._event_type(original_label)
        category = self._category(cells, event_type, category)
        value = self._value(cells, event_type)
        nhs, first_name, last_name, dob, child_reference = self._child(cells)
        event_reference, household_reference = self._references(cells, child_reference)
        if birth.ends_before(occurred_on, precision, dob):
            # Against the row's own date of birth: never the record's, which the agency may not see.
            self.error("date", birth.BEFORE_GIVEN_BIRTH)
        if len(first_name) > 100 or len(last_name) > 100:
            self.error("child", "The child's name is too long (at most 100 characters for each part).")
        row = None
        if self.result.error_count == errors_before:
            row = Row(
                number=number,
                occurred_on=services.date_for_precision(occurred_on, precision),
                precision=precision,
                approximate=approximate,
                event_type=event_type,
                category=category,
                value=value,
                original_label=original_label,
                summary=tabular.cell_text(self.get(cells, "summary")) or original_label,
                action=tabular.cell_text(self.get(cells, "action")),
                impact=tabular.cell_text(self.get(cells, "impact")),
                nhs=nhs,
                first_name=first_name,
                last_name=last_name,
                name_key=_name_key(first_name, last_name),
                dob=dob,
                child_reference=child_reference,
                event_reference=event_reference,
                household_reference=household_reference,
            )
            if not event_reference:
                row.content_key = _content_key(self.agency, row)
                if household_reference:
                    row.previous_content_key = _content_key(self.agency, row, with_household=False)
            if mapped_other:
                self.result.mapped_to_other += 1
        if suggested is not None:
            self.result.add_suggestion(original_label, suggested)  # rows with errors too: the report lists both
        return row

    def _date(self, cells: list[Any]) -> tuple[dt.date, str, bool]:
        occurred_on, precision, approximate = self.today, "day", False
        try:
            occurred_on, precision, approximate = _event_date(self.get(cells, "date"))
            if occurred_on > self.today:
                self.error("date", "The date of the event is in the future. Check the date.")
            elif occurred_on.year < 1900:
                self.error("date", "The date of the event is before 1900. Check the date.")
        except tabular.CellError as exc:
            self.error("date", str(exc))
        return occurred_on, precision, approximate

    def _event_type(self, original_label: str) -> tuple[EventType, str, bool, EventType | None]:
        """(type, category, recorded as Other, the near type to ask the uploader about)."""
        event_type, category, mapped_other = self.vocabulary.match_cached(original_label)
        suggested: EventType | None = None
        if mapped_other and original_label and self.confirm_types:
            confirmed = self.vocabulary.resolve(original_label, self.mapping)
            if confirmed is not None:
                event_type, mapped_other = confirmed
            else:
                suggested = self.vocabulary.nearest(original_label)
                if suggested is not None:
                    # Checked as the type it is probably a slip of; nothing is written until confirmed.
                    event_type, mapped_other = suggested, False
        if not original_label:
            self.error("type", 'Enter the event type, for example "Was not brought" or "Home visit".')
        return event_type, category, mapped_other, suggested

    def _category(self, cells: list[Any], event_type: EventType, category: str) -> str:
        category_text = tabular.cell_text(self.get(cells, "category"))
        if category_text and event_type.categories and not category:
            found = self.vocabulary.category(event_type, category_text)
            if found is None:
                allowed = ", ".join(c["label"] for c in event_type.categories)
                self.error("category", f"This is not a category of {event_type.label}. Use one of: {allowed}.")
            else:
                category = found
        return category

    def _value(self, cells: list[Any], event_type: EventType) -> Decimal | None:
        value = None
        try:
            value = tabular.parse_value(self.get(cells, "value"))
        except tabular.CellError as exc:
            self.error("value", str(exc))
        if value is not None and not event_type.takes_value:
            self.error("value", f"{event_type.label} takes no value. Leave the value blank or check the event type.")
        return value

    def _child(self, cells: list[Any]) -> tuple[str, str, str, dt.date | None, str]:
        """(NHS number, first name, last name, date of birth, the agency's reference for the child)."""
        nhs = normalise_nhs_number(tabular.cell_text(self.get(cells, "nhs")))
        if nhs and not _nhs_valid(nhs):
            self.error(
                "nhs",
                "This is not a valid NHS number (10 digits, the last a check digit). Correct it or leave it blank.",
            )
        full_name = tabular.name_text(self.get(cells, "child"))
        first_name, last_name = _split_name(full_name) if full_name else ("", "")
        dob = None
        dob_text = self.get(cells, "dob")
        if tabular.cell_text(dob_text):
            try:
                dob = _birth_date(dob_text)
            except tabular.CellError as exc:
                self.error("dob", str(exc))
            if dob is not None and dob > self.today:
                self.error("dob", birth.BIRTH_IN_FUTURE)
                dob = None
        child_reference = tabular.cell_text(self.get(cells, "child_reference"))
        if not (nhs or full_name or child_reference):
            self.error("child", "Enter the child's name and date of birth, NHS number or your reference for the child.")
        return nhs, first_name, last_name, dob, child_reference

    def _references(self, cells: list[Any], child_reference: str) -> tuple[str, str]:
        """(the entry's reference, its household references joined)."""
        household_reference = "; ".join(
            text for text in (tabular.cell_text(cells[i]) for i in self.household if i < len(cells)) if text
        )
        event_reference = tabular.cell_text(self.get(cells, "event_reference"))
        if event_reference:
            if event_reference in self.seen_refs:
                self.error(
                    "event_reference",
                    f"This reference is also used in row {self.seen_refs[event_reference]}. "
                    "Give each entry its own reference.",
                )
            self.seen_refs.setdefault(event_reference, self.number)
        if len(event_reference) > 100 or len(child_reference) > 100:
            self.error(
                "event_reference" if len(event_reference) > 100 else "child_reference",
                "References can be at most 100 characters.",
            )
        if len(household_reference) > 100:
            self.error("household_reference", "Household references can be at most 100 characters.")
        return event_reference, household_reference


# ---- matching children -------------------------------------------------------------------------


def chunks(values: Iterable[Any], size: int = LOOKUP_CHUNK) -> Iterable[list[Any]]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass
class NewChild:
    first_name: str
    last_name: str
    dob: dt.date | None
    nhs: str


@dataclass
class _Person:
    """The rows of one file that describe one person (before deciding which child that is)."""

    incoming: Incoming
    reference: str = ""
    rows: list[Row] = field(default_factory=list)


def _group_rows(rows: list[Row], result: ImportResult) -> list[_Person]:
    """Rows are one person when they share an NHS number, the agency's reference for the child, or
    name and date of birth — never across two different NHS numbers (those are two children)."""
    people: list[_Person] = []
    by_nhs: dict[str, _Person] = {}
    by_ref: dict[str, _Person] = {}
    by_name: dict[tuple[str, dt.date | None], _Person] = {}
    for row in rows:
        person = by_nhs.get(row.nhs) if row.nhs else None
        if person is None and row.child_reference:
            found = by_ref.get(row.child_reference)
            if found is not None and _not_one_person(found.incoming, row):
                result.add_error(
                    row.number,
                    "Agency ref",
                    "This reference is used for two different children in the file. Check the reference, NHS "
                    "number and name; if it is a household or incident reference, mark its column as one.",
                )
                continue
            person = found
        if person is None and row.name_key and row.dob:
            found = by_name.get((row.name_key, row.dob))
            if found is not None and not (row.nhs and found.incoming.nhs):
                person = found
        if person is None:
            person = _Person(Incoming(row.first_name, row.last_name, row.dob, row.nhs, row.name_key))
            people.append(person)
        if row.child_reference:
            owner = by_ref.setdefault(row.child_reference, person)
            if owner is not person:
                result.add_error(
                    row.number,
                    "Agency ref",
                    "This reference is used for two different children in the file. Check the reference, NHS "
                    "number and name; if it is a household or incident reference, mark its column as one.",
                )
                continue
            person.reference = person.reference or row.child_reference
        _fill(person.incoming, row)
        if row.nhs:
            by_nhs.setdefault(row.nhs, person)
        if row.name_key and row.dob:
            by_name.setdefault((row.name_key, row.dob), person)
        person.rows.append(row)
    return people


def _full_name(incoming: Incoming) -> bool:
    return bool(incoming.first_name and incoming.last_name)


def _not_one_person(incoming: Incoming, row: Row) -> bool:
    """Rows sharing a child reference that cannot be one child: different NHS numbers; different
    first names and different dates of birth (siblings under a family reference); or different
    surnames with no date of birth in common."""
    if row.nhs and incoming.nhs and row.nhs != incoming.nhs:
        return True
    firsts = normalise_name(row.first_name), normalise_name(incoming.first_name)
    lasts = normalise_name(row.last_name), normalise_name(incoming.last_name)
    same_dob = bool(row.dob and row.dob == incoming.dob)
    other_dob = bool(row.dob and incoming.dob and row.dob != incoming.dob)
    if all(firsts) and firsts[0] != firsts[1] and other_dob:
        return True
    return all(lasts) and lasts[0] != lasts[1] and not same_dob


def _fill(incoming: Incoming, row: Row) -> None:
    """A later row may know what an earlier one left out."""
    if row.nhs and not incoming.nhs:
        incoming.nhs = row.nhs
    if row.dob and not incoming.dob:
        incoming.dob = row.dob
    if row.first_name and row.last_name and not _full_name(incoming):
        incoming.first_name, incoming.last_name, incoming.name_key = row.first_name, row.last_name, row.name_key


def _by_identifiers(people: list[_Person], agency: Agency, result: ImportResult) -> None:
    """NHS number, then the agency's own reference, then a single exact name and date of birth."""
    by_nhs: dict[str, int] = {}
    for chunk in chunks({p.incoming.nhs for p in people if p.incoming.nhs}):
        for nhs_number, pk in Child.objects.filter(nhs_number__in=chunk).values_list("nhs_number", "pk"):
            by_nhs[str(nhs_number)] = pk
    by_ref: dict[str, int] = {}
    for chunk in chunks({p.reference for p in people if p.reference}):
        by_ref.update(
            ChildAgencyReference.objects.filter(
                agency=agency, reference__in=chunk, child__merged_into__isnull=True
            ).values_list("reference", "child_id")
        )
    by_name: dict[tuple[str, dt.date | None], list[tuple[int, str | None]]] = defaultdict(list)
    for chunk in chunks({p.incoming.name_key for p in people if p.incoming.name_key and p.incoming.dob}):
        for pk, name_key, dob, nhs in Child.objects.filter(normalised_name__in=chunk).values_list(
            "pk", "normalised_name", "date_of_birth", "nhs_number"
        ):
            by_name[(name_key, dob)].append((pk, nhs))
    for person in people:
        incoming = person.incoming
        child_id = by_nhs.get(incoming.nhs) if incoming.nhs else None
        known = by_ref.get(person.reference) if person.reference else None
        if known is not None and child_id is not None and known != child_id:
            result.add_error(
                person.rows[0].number,
                "Agency ref",
                "Your reference for this child is already linked to a different child. Check the reference, "
                "NHS number and name.",
            )
            continue
        child_id = child_id or known
        if child_id is None and incoming.name_key and incoming.dob:
            # Two different NHS numbers are two children, whatever the names say.
            same = [pk for pk, nhs in by_name.get((incoming.name_key, incoming.dob), []) if not (incoming.nhs and nhs)]
            if len(same) == 1:
                child_id = same[0]
        incoming.child_id = child_id


def _unnamed_must_be_known(people: list[_Person], agency: Agency, result: ImportResult) -> None:
    """A person with no name can only be a child the agency already works with. The same message
    whether or not the Hub holds a child with that NHS number: nothing tells which children exist."""
    ids = [p.incoming.child_id for p in people if not _full_name(p.incoming) and p.incoming.child_id]
    involved: set[int] = set()
    for chunk in chunks(ids):
        involved.update(
            Involvement.objects.active_on().filter(agency=agency, child_id__in=chunk).values_list("child_id", flat=True)
        )
    for person in people:
        if not _full_name(person.incoming) and person.incoming.child_id not in involved:
            for row in person.rows:
                result.add_error(
                    row.number,
                    "Child name",
                    "Your agency is not working with a child with this NHS number or reference. Add the child's "
                    "first and last name and date of birth.",
                )
            person.incoming.child_id = None


def match_children(rows: list[Row], agency: Agency, result: ImportResult, *, per_item: bool = False) -> list[NewChild]:
    """Set `child_id` or `new_child` on each row; returns the children to create, and leaves the
    possible matches to queue in `result.pending_pairs` (see `safeguarding.linking.matching`).

    A file is all or nothing, so matching stops at the first error; the API (`per_item`) records
    each entry on its own, so the rows of entries without errors are still matched."""
    people = _group_rows(rows, result)
    _by_identifiers(people, agency, result)
    _unnamed_must_be_known(people, agency, result)
    if result.rejected and not per_item:
        return []
    incoming = [p.incoming for p in people]
    outcome = score_incoming(incoming)
    new_children: list[NewChild] = []
    new_index: dict[int, int] = {}
    for i, person in enumerate(people):
        if person.incoming.child_id is not None:
            continue
        leader = outcome.same_as.get(i, i)
        if leader not in new_index:
            lead = people[leader].incoming
            new_index[leader] = len(new_children)
            new_children.append(NewChild(lead.first_name, lead.last_name, lead.dob, lead.nhs))
        new_index[i] = new_index[leader]
    matched: set[int] = set()
    for i, person in enumerate(people):
        for row in person.rows:
            if person.incoming.child_id is not None:
                row.child_id = person.incoming.child_id
                matched.add(person.incoming.child_id)
            else:
                row.new_child = new_index[i]
    result.pending_pairs = [
        PendingPair(_side(pair.left, people, new_index), _side(pair.right, people, new_index), pair.score, pair.reasons)
        for pair in outcome.pairs
    ]
    result.children_matched = len(matched)
    return new_children


def _side(side: tuple[str, int], people: list[_Person], new_index: dict[int, int]) -> tuple[str, int]:
    """An incoming person's index as the child they were linked to, or the new child made for them."""
    if side[0] == "id":
        return side
    linked = people[side[1]].incoming.child_id
    return ("id", linked) if linked is not None else ("new", new_index[side[1]])
