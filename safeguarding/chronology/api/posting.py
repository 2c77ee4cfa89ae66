"""Recording a posted batch of chronology entries, item by item, through `record_event`.

Each item is validated on its own, its children matched with the file importer's rules (identifiers,
then the probabilistic linkage; no match: a new, unverified child, with any possible match queued for
a data steward), and recorded in its own transaction, so a bad item never stops the good ones and a
repeated `agency_reference` answers "exists" instead of adding a second entry. Recording never gives
the agency sight of a child: the answer names only children it could already see.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError as SchemaError

from safeguarding.agencies.models import Agency
from safeguarding.api.exceptions import error_path, flatten_errors
from safeguarding.children import services as children_services
from safeguarding.children.api.serializers import NHS_NUMBER_FORMAT_MESSAGE
from safeguarding.children.models import Child, normalise_name
from safeguarding.children.queries import children_visible_to
from safeguarding.chronology import permissions, services
from safeguarding.chronology.api.serializers import (
    EVENT_ITEM_SCHEMA,
    ISO_DATE_PATTERN,
    MAX_BATCH,
    EventInputSerializer,
)
from safeguarding.chronology.enums import EventSource
from safeguarding.chronology.import_rows import ImportResult, NewChild, Row, Vocabulary, match_children
from safeguarding.chronology.models import ChildAgencyReference, Event
from safeguarding.chronology.queries import memberships
from safeguarding.core.restriction import can_see_restricted
from safeguarding.linking.matching import PendingPair
from safeguarding.linking.services import record_possible_matches

if TYPE_CHECKING:
    from safeguarding.core.types import Person, Viewer

# The importer names columns as a file's header would; the API names its own fields.
IMPORT_COLUMN_FIELDS = {"Child name": "children[{n}]", "Agency ref": "children[{n}].child_reference"}


_ITEM_VALIDATOR = Draft7Validator(EVENT_ITEM_SCHEMA)
_JSON_TYPES = {
    "string": "text",
    "boolean": "true or false",
    "number": "a number",
    "array": "a list",
    "object": "an object",
}


class ShapeError(Exception):
    """The body does not have the documented shape; `errors` names each problem by entry and field."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("The request does not have the documented shape.")
        self.errors = errors


def _shape_message(error: SchemaError) -> tuple[list[Any], str]:
    """(path, message) for one schema error, in words a developer can act on."""
    path = list(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    kind, value = error.validator, error.validator_value
    if kind == "required":
        missing = str(error.message).split("'")[1] if "'" in str(error.message) else ""
        return [*path, missing], "This field is required."
    if kind == "type":
        return path, f"Send {_JSON_TYPES.get(str(value), str(value))} here."
    if kind == "pattern":
        if value == ISO_DATE_PATTERN:
            return path, "Enter the date as YYYY-MM-DD, for example 2016-03-12."
        return path, NHS_NUMBER_FORMAT_MESSAGE
    if kind == "minLength":
        return path, "This cannot be empty."
    if kind == "maxLength":
        return path, f"Use at most {value} characters."
    if kind == "enum":
        return path, f"Use one of: {', '.join(str(v) for v in value)}."
    if kind == "minItems":
        return path, f"Send at least {value}."
    if kind == "maxItems":
        return path, f"Send at most {value}."
    if kind in ("minimum", "maximum"):
        return path, f"Use a number from {schema.get('minimum')} to {schema.get('maximum')}."
    return path, str(error.message)


def entries_from_body(body: Any) -> list[dict[str, Any]]:
    """The posted entries, once the body has the documented shape (else ShapeError: nothing is recorded)."""
    if isinstance(body, dict):
        items: list[Any] = [body]
    elif isinstance(body, list):
        items = body
    else:
        raise ShapeError(
            {"non_field_errors": ["Send one entry as a JSON object, or a batch as a JSON array of objects."]}
        )
    if not items:
        raise ShapeError({"non_field_errors": ["Send at least one entry."]})
    if len(items) > MAX_BATCH:
        raise ShapeError({"non_field_errors": [f"Send at most {MAX_BATCH} entries at a time; split the batch."]})
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(items):
        # Each problem named by its path in the body: `[3].occurred_on` in a batch, `occurred_on` for one entry.
        at = [index] if isinstance(body, list) else []
        if not isinstance(item, dict):
            errors.setdefault(error_path(at), []).append("Send each entry as a JSON object.")
            continue
        for error in sorted(_ITEM_VALIDATOR.iter_errors(item), key=lambda e: list(map(str, e.absolute_path))):
            path, message = _shape_message(error)
            errors.setdefault(error_path([*at, *path]) or "non_field_errors", []).append(message)
    if errors:
        raise ShapeError(errors)
    return items


@dataclass
class ItemResult:
    index: int
    status: str = "error"
    id: int | None = None
    type: str | None = None
    child_ids: list[int] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add_error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "status": self.status,
            "id": self.id,
            "type": self.type,
            "child_ids": self.child_ids,
            "errors": self.errors,
        }


@dataclass
class _Item:
    result: ItemResult
    data: dict[str, Any]
    agency: Agency
    rows: list[Row] = field(default_factory=list)


def recording_agencies(user: Viewer) -> list[Agency]:
    """The agencies `user` may record for (`permissions.recording_agencies`), by code: the order the
    messages list them in."""
    return sorted(permissions.recording_agencies(user), key=lambda a: a.code)


def _choose_agency(user: Viewer, token_agency: Agency | None, code: str, allowed: list[Agency]) -> Agency | str:
    """The agency an item records for, or the message saying why there is none."""
    code = (code or "").strip()
    if token_agency is not None:
        if code and code.upper() != token_agency.code.upper():
            return f"This token records for {token_agency.code} only. Leave agency out or send {token_agency.code}."
        return token_agency
    if not code:
        if len(allowed) == 1:
            return allowed[0]
        codes = ", ".join(a.code for a in allowed)
        return f"You work in more than one agency: send the code of the one recording this entry ({codes})."
    found = next((a for a in allowed if a.code.upper() == code.upper()), None)
    if found is None:
        codes = ", ".join(a.code for a in allowed)
        return f"You cannot record entries for an agency with the code {code}. Use one of: {codes}."
    return found


def _rows_for(item: _Item, vocabulary: Vocabulary, number: int) -> list[Row]:
    data = item.data
    event_type, category, _mapped = vocabulary.match_cached(data["type"])
    rows: list[Row] = []
    for child in data["children"]:
        first, last = child.get("first_name", "").strip(), child.get("last_name", "").strip()
        rows.append(
            Row(
                number=number + len(rows),
                occurred_on=data["occurred_on"],
                precision=data["precision"],
                approximate=data["approximate"],
                event_type=event_type,
                category=category,
                value=data.get("value"),
                original_label=data["type"],
                summary=data["summary"],
                action=data["action_taken"],
                impact=data["impact"],
                nhs=child.get("nhs_number", ""),
                first_name=first,
                last_name=last,
                name_key=normalise_name(first, last) if first and last else "",
                dob=child.get("date_of_birth"),
                child_reference=child.get("child_reference", "").strip(),
                event_reference=data["agency_reference"],
            )
        )
    return rows


def _children_for(
    actor: Person, item: _Item, new_children: list[NewChild], created: dict[tuple[int, int], int]
) -> list[Child]:
    """The item's children, creating (in the caller's transaction) those no record matched."""
    ids = []
    for row in item.rows:
        if row.child_id is not None:
            ids.append(row.child_id)
            continue
        assert row.new_child is not None
        key = (item.agency.pk, row.new_child)
        if key not in created:
            new = new_children[row.new_child]
            child = children_services.create_child(
                actor=actor,
                first_name=new.first_name,
                last_name=new.last_name,
                date_of_birth=new.dob,
                nhs_number=new.nhs or None,
                is_verified=False,
            )
            created[key] = child.pk
        ids.append(created[key])
    # Learn the agency's own reference for each child, so later posts and imports can match by it.
    for row, child_id in zip(item.rows, ids, strict=True):
        if row.child_reference:
            ChildAgencyReference.objects.get_or_create(
                agency=item.agency, reference=row.child_reference, defaults={"child_id": child_id}
            )
    return list(Child.objects.filter(pk__in=ids).order_by("pk"))


def record_events(*, actor: Person, token_agency: Agency | None, items: list[dict[str, Any]]) -> list[ItemResult]:
    """Record each posted entry on its own (`items` already have the documented shape: see
    `entries_from_body`); returns one result per entry, in order."""
    allowed = [token_agency] if token_agency is not None else recording_agencies(actor)
    vocabulary = Vocabulary()
    results = [ItemResult(index=n) for n in range(len(items))]
    valid: list[_Item] = []
    for result, raw in zip(results, items, strict=True):
        serializer = EventInputSerializer(data=raw)
        if not serializer.is_valid():
            result.errors = flatten_errors(serializer.errors)
            continue
        data = dict(serializer.validated_data)
        agency = _choose_agency(actor, token_agency, data.get("agency", ""), allowed)
        if isinstance(agency, str):
            result.add_error("agency", agency)
            continue
        valid.append(_Item(result=result, data=data, agency=agency))

    # Children are matched per agency in a few batched queries, exactly as a file import does.
    row_owner: dict[tuple[int, int], tuple[_Item, int]] = {}
    by_agency: dict[int, list[_Item]] = defaultdict(list)
    for item in valid:
        by_agency[item.agency.pk].append(item)
    new_children_by_agency: dict[int, list[NewChild]] = {}
    pairs_by_agency: dict[int, list[PendingPair]] = {}
    for agency_items in by_agency.values():
        agency = agency_items[0].agency
        number = 1
        rows: list[Row] = []
        for item in agency_items:
            item.rows = _rows_for(item, vocabulary, number)
            for position, row in enumerate(item.rows):
                row_owner[(agency.pk, row.number)] = (item, position)
            number += len(item.rows)
            rows.extend(item.rows)
        report = ImportResult()
        new_children_by_agency[agency.pk] = match_children(rows, agency, report, per_item=True)
        pairs_by_agency[agency.pk] = report.pending_pairs
        for error in report.errors:
            owner, position = row_owner[(agency.pk, error["row"])]
            name = IMPORT_COLUMN_FIELDS.get(error["column"], "children[{n}]").format(n=position)
            owner.result.add_error(name, error["reason"])

    created_children: dict[tuple[int, int], int] = {}
    for item in valid:
        if item.result.errors:
            continue
        _record(actor, item, vocabulary, new_children_by_agency[item.agency.pk], created_children)
    # Possible matches are queued for the data stewards once their new children exist; the caller is
    # never told (an ambiguous or possible match looks like any other entry to it).
    for agency_id, pairs in pairs_by_agency.items():
        new_ids = {index: pk for (owner, index), pk in created_children.items() if owner == agency_id}
        record_possible_matches(pairs, new_ids, found_by="api")
    return results


def _record(
    actor: Person,
    item: _Item,
    vocabulary: Vocabulary,
    new_children: list[NewChild],
    created_children: dict[tuple[int, int], int],
) -> None:
    data, result = item.data, item.result
    try:
        # The service's own check, before any child is made for the item: a repeated post answers
        # "exists" whatever else it sends. `record_event` checks again, for a post racing this one.
        services._refuse_duplicate_reference(item.agency, data["agency_reference"])
    except services.DuplicateReferenceError as exc:
        _exists(actor, result, exc.existing)
        return
    event_type, category, mapped_other = vocabulary.match_cached(data["type"])
    if data.get("category"):
        category = Vocabulary.category(event_type, data["category"]) or data["category"]
    before = dict(created_children)
    try:
        with transaction.atomic():
            children = _children_for(actor, item, new_children, created_children)
            event = services.record_event(
                actor=actor,
                agency=item.agency,
                children=children,
                event_type=event_type,
                occurred_on=data["occurred_on"],
                summary=data["summary"],
                precision=data["precision"],
                approximate=data["approximate"],
                impact=data["impact"],
                action_taken=data["action_taken"],
                category=category,
                value=data.get("value"),
                original_type_label=data["type"] if mapped_other or data["type"] != event_type.code else "",
                agency_reference=data["agency_reference"],
                household_reference=data.get("household_reference", ""),
                source=EventSource.API,
                confidentiality=data["confidentiality"],
                restricted_to_roles=data["restricted_to_roles"],
                shared_in=True,
            )
    except services.DuplicateReferenceError as exc:
        created_children.clear()
        created_children.update(before)  # the children made for this item were rolled back
        _exists(actor, result, exc.existing)
        return
    except ValidationError as exc:
        created_children.clear()
        created_children.update(before)
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        for name, messages in errors.items():
            for message in messages:
                result.add_error(_api_field(name), message)
        return
    except PermissionDenied as exc:
        created_children.clear()
        created_children.update(before)
        result.add_error("agency", str(exc) or "You cannot record entries for this agency.")
        return
    result.status = "created"
    result.id = event.pk
    result.type = event_type.code
    # Only the children the caller may see: the answer has the same shape whether a child already
    # existed, was created, or went to the possible-match queue (sharing in is not seeing).
    visible = children_visible_to(actor).filter(pk__in=[c.pk for c in children])
    result.child_ids = sorted(visible.values_list("pk", flat=True))


def _exists(actor: Person, result: ItemResult, existing: Event) -> None:
    """The entry is already recorded. A caller who may not see it (a restricted entry of its own
    agency) learns only that the reference is taken; children it may not see are left out."""
    if not can_see_restricted(memberships(actor), existing):
        result.add_error(
            "agency_reference", "This reference is already used by another entry. Use the entry's own reference."
        )
        return
    result.status = "exists"
    result.id = existing.pk
    result.type = existing.event_type.code
    visible = children_visible_to(actor).filter(pk__in=existing.child_links.values("child_id"))
    result.child_ids = sorted(visible.values_list("pk", flat=True))


def _api_field(name: str) -> str:
    """The service's field names, as the API's."""
    return {"event_type": "type", "__all__": "non_field_errors"}.get(name, name)
