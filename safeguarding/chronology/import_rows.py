"""Reading an agency's chronology file into validated rows, and matching their children.

Every row is parsed and validated in memory (`tabular`), event types are mapped through the
vocabulary, and children are matched with a few batched queries: NHS number; else exact normalised
name and date of birth; else the agency's own reference for the child already known; else a new,
unverified child. More than one candidate is an error for the row. Nothing here writes.
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
from safeguarding.children.models import Child, normalise_name
from safeguarding.children.validators import nhs_number_is_valid, normalise_nhs_number
from safeguarding.chronology import services, tabular
from safeguarding.chronology.models import ChildAgencyReference, EventType

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
    content_key: str = ""
    child_id: int | None = None
    new_child: int | None = None  # index into the children to create


@dataclass
class ImportResult:
    rows_total: int = 0
    events_created: int = 0
    events_already_present: int = 0
    children_matched: int = 0
    children_created: int = 0
    mapped_to_other: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0

    @property
    def rejected(self) -> bool:
        return bool(self.error_count)

    def add_error(self, row: int, column: str, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append({"row": row, "column": column, "reason": reason})


# ---- vocabulary --------------------------------------------------------------------------------


def _label_key(text: str) -> str:
    return " ".join(text.replace("–", "-").replace("—", "-").lower().split())


class Vocabulary:
    """Event-type lookup by code, label, synonym and category synonym (read once per import)."""

    def __init__(self) -> None:
        self.types = list(EventType.objects.active().order_by("id"))
        self.other = next((t for t in self.types if t.code == EventType.OTHER), None)
        if self.other is None:
            self.other = EventType.objects.get(code=EventType.OTHER)
        self.lookup: dict[str, tuple[EventType, str]] = {}
        self._matched: dict[str, tuple[EventType, str, bool]] = {}
        for event_type in self.types:
            for name in (event_type.code, event_type.code.replace("_", " "), event_type.label, *event_type.synonyms):
                self.lookup.setdefault(_label_key(name), (event_type, ""))
        for event_type in self.types:
            for category in event_type.categories:
                names = [
                    f"{event_type.label} - {category['label']}",
                    *event_type.category_synonyms.get(category["code"], []),
                ]
                for name in names:
                    self.lookup.setdefault(_label_key(name), (event_type, category["code"]))

    def match(self, label: str) -> tuple[EventType, str, bool]:
        """(type, category, mapped to other)."""
        found = self.lookup.get(_label_key(label))
        if found is None:
            assert self.other is not None
            return self.other, "", True
        return found[0], found[1], False

    def match_cached(self, label: str) -> tuple[EventType, str, bool]:
        if label not in self._matched:
            self._matched[label] = self.match(label)
        return self._matched[label]

    @staticmethod
    def category(event_type: EventType, text: str) -> str | None:
        key = _label_key(text)
        for category in event_type.categories:
            if key in (category["code"], _label_key(category["label"])):
                return str(category["code"])
        return None


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


def _content_key(agency: Agency, row: Row) -> str:
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
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def parse_rows(
    table: tabular.Table, agency: Agency, vocabulary: Vocabulary, result: ImportResult, progress: Progress | None = None
) -> list[Row]:
    columns = table.columns
    name = tabular.COLUMN_NAMES

    def header(field_name: str) -> str:
        return tabular.cell_text(table.header[columns[field_name]]) or name[field_name]

    missing = []
    if "date" not in columns:
        missing.append('the date of the event (name the column "Date")')
    if "type" not in columns:
        missing.append('the event type (name the column "Event type")')
    if not {"child", "nhs", "child_reference"} & set(columns):
        missing.append('the child (a "Child name", "NHS number" or "Agency ref" column)')
    if missing:
        result.add_error(table.header_row, "", f"The file has no column for {'; '.join(missing)}.")
        return []

    def get(cells: list[Any], field_name: str) -> Any:
        index = columns.get(field_name)
        return cells[index] if index is not None and index < len(cells) else None

    rows: list[Row] = []
    next_report = time.monotonic() + 0.5
    seen_refs: dict[str, int] = {}
    today = timezone.localdate()
    for number, cells in table.rows:
        if not any(tabular.cell_text(c) for c in cells):
            continue  # blank lines are not rows
        result.rows_total += 1
        errors_before = result.error_count

        def error(field_name: str, reason: str, number: int = number) -> None:
            result.add_error(number, header(field_name) if field_name in columns else name[field_name], reason)

        occurred_on, precision, approximate = today, "day", False
        try:
            occurred_on, precision, approximate = _event_date(get(cells, "date"))
            if occurred_on > today:
                error("date", "The date of the event is in the future. Check the date.")
            elif occurred_on.year < 1900:
                error("date", "The date of the event is before 1900. Check the date.")
        except tabular.CellError as exc:
            error("date", str(exc))

        original_label = tabular.cell_text(get(cells, "type"))
        event_type, category, mapped_other = vocabulary.match_cached(original_label)
        if not original_label:
            error("type", 'Enter the event type, for example "Was not brought" or "Home visit".')
        category_text = tabular.cell_text(get(cells, "category"))
        if category_text and event_type.categories and not category:
            found = vocabulary.category(event_type, category_text)
            if found is None:
                allowed = ", ".join(c["label"] for c in event_type.categories)
                error("category", f"This is not a category of {event_type.label}. Use one of: {allowed}.")
            else:
                category = found

        value = None
        try:
            value = tabular.parse_value(get(cells, "value"))
        except tabular.CellError as exc:
            error("value", str(exc))
        if value is not None and not event_type.takes_value:
            error("value", f"{event_type.label} takes no value. Leave the value blank or check the event type.")

        nhs = normalise_nhs_number(tabular.cell_text(get(cells, "nhs")))
        if nhs and not _nhs_valid(nhs):
            error(
                "nhs",
                "This is not a valid NHS number (10 digits, the last a check digit). Correct it or leave it blank.",
            )
        full_name = tabular.cell_text(get(cells, "child"))
        first_name, last_name = _split_name(full_name) if full_name else ("", "")
        dob = None
        dob_text = get(cells, "dob")
        if tabular.cell_text(dob_text):
            try:
                dob = _birth_date(dob_text)
            except tabular.CellError as exc:
                error("dob", str(exc))
        child_reference = tabular.cell_text(get(cells, "child_reference"))
        if not (nhs or full_name or child_reference):
            error("child", "Enter the child's name and date of birth, NHS number or your reference for the child.")
        event_reference = tabular.cell_text(get(cells, "event_reference"))
        if event_reference:
            if event_reference in seen_refs:
                error(
                    "event_reference",
                    f"This reference is also used in row {seen_refs[event_reference]}. "
                    "Give each entry its own reference.",
                )
            seen_refs.setdefault(event_reference, number)

        summary = tabular.cell_text(get(cells, "summary")) or original_label
        if len(event_reference) > 100 or len(child_reference) > 100:
            error(
                "event_reference" if len(event_reference) > 100 else "child_reference",
                "References can be at most 100 characters.",
            )
        if len(first_name) > 100 or len(last_name) > 100:
            error("child", "The child's name is too long (at most 100 characters for each part).")

        if result.error_count == errors_before:
            row = Row(
                number=number,
                occurred_on=services.date_for_precision(occurred_on, precision),
                precision=precision,
                approximate=approximate,
                event_type=event_type,
                category=category,
                value=value,
                original_label=original_label,
                summary=summary,
                action=tabular.cell_text(get(cells, "action")),
                impact=tabular.cell_text(get(cells, "impact")),
                nhs=nhs,
                first_name=first_name,
                last_name=last_name,
                name_key=_name_key(first_name, last_name),
                dob=dob,
                child_reference=child_reference,
                event_reference=event_reference,
            )
            if not event_reference:
                row.content_key = _content_key(agency, row)
            if mapped_other:
                result.mapped_to_other += 1
            rows.append(row)
        if progress and result.rows_total % 1000 == 0 and time.monotonic() >= next_report:
            # Reported at most twice a second: each report is a committed write for the progress page.
            next_report = time.monotonic() + 0.5
            progress(result.rows_total, 0, "validating")
    return rows


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


def match_children(rows: list[Row], agency: Agency, result: ImportResult) -> list[NewChild]:
    """Set `child_id` or `new_child` on each row; returns the children to create."""
    by_nhs: dict[str, int] = {}
    for chunk in chunks({r.nhs for r in rows if r.nhs}):
        for nhs_number, pk in Child.objects.filter(nhs_number__in=chunk).values_list("nhs_number", "pk"):
            by_nhs[str(nhs_number)] = pk
    by_name_dob: dict[tuple[str, dt.date | None], list[tuple[int, str | None]]] = defaultdict(list)
    for chunk in chunks({r.name_key for r in rows if r.name_key and r.dob}):
        for pk, name_key, dob, nhs in Child.objects.filter(normalised_name__in=chunk).values_list(
            "pk", "normalised_name", "date_of_birth", "nhs_number"
        ):
            by_name_dob[(name_key, dob)].append((pk, nhs))
    by_ref: dict[str, int] = {}
    for chunk in chunks({r.child_reference for r in rows if r.child_reference}):
        by_ref.update(
            ChildAgencyReference.objects.filter(agency=agency, reference__in=chunk).values_list("reference", "child_id")
        )

    new_children: list[NewChild] = []
    pending_nhs: dict[str, int] = {}
    pending_name: dict[tuple[str, dt.date | None], int] = {}
    pending_ref: dict[str, int] = {}
    ref_owner: dict[str, tuple[str, int]] = {}  # reference -> ("id"|"new", id) first claimed in this file
    matched: set[int] = set()
    for row in rows:
        child_id: int | None = by_nhs.get(row.nhs) if row.nhs else None
        if child_id is None and row.name_key and row.dob:
            candidates = [pk for pk, nhs in by_name_dob.get((row.name_key, row.dob), []) if not (row.nhs and nhs)]
            if len(candidates) > 1:
                result.add_error(
                    row.number,
                    "Child name",
                    f"{len(candidates)} children have this name and date of "
                    "birth. Add the child's NHS number or your reference for the child.",
                )
                continue
            if candidates:
                child_id = candidates[0]
        if child_id is None and row.child_reference:
            child_id = by_ref.get(row.child_reference)
        if row.child_reference:
            known = by_ref.get(row.child_reference)
            if known is not None and child_id is not None and known != child_id:
                result.add_error(
                    row.number,
                    "Agency ref",
                    "Your reference for this child is already linked to a "
                    "different child. Check the reference, NHS number and name.",
                )
                continue
        if child_id is not None:
            owner: tuple[str, int] = ("id", child_id)
            row.child_id = child_id
            matched.add(child_id)
        else:
            index = (
                (pending_nhs.get(row.nhs) if row.nhs else None)
                or (pending_name.get((row.name_key, row.dob)) if row.name_key else None)
                or (pending_ref.get(row.child_reference) if row.child_reference else None)
            )
            if index is None:
                if not (row.first_name and row.last_name):
                    result.add_error(
                        row.number,
                        "Child name",
                        "No record matches this child. Add the child's first and last name and date of birth "
                        "so a new record can be created.",
                    )
                    continue
                new_children.append(NewChild(row.first_name, row.last_name, row.dob, row.nhs))
                index = len(new_children)  # 1-based so that 0 is never confused with "none"
            if row.nhs:
                pending_nhs.setdefault(row.nhs, index)
            if row.name_key:
                pending_name.setdefault((row.name_key, row.dob), index)
            if row.child_reference:
                pending_ref.setdefault(row.child_reference, index)
            row.new_child = index - 1
            owner = ("new", index)
        if row.child_reference and by_ref.get(row.child_reference) is None:
            first = ref_owner.setdefault(row.child_reference, owner)
            if first != owner:
                result.add_error(
                    row.number,
                    "Agency ref",
                    "This reference is used for two different children in "
                    "the file. Check the reference, NHS number and name.",
                )
    result.children_matched = len(matched)
    return new_children
