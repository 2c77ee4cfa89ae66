"""What the API takes and gives for chronology entries: posted events (one or a batch), the answer
per item, and a child's merged chronology. Access and writing happen elsewhere (the services)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from safeguarding.agencies.enums import HUMAN_ROLES
from safeguarding.children.api.serializers import NHS_NUMBER_FORMAT_MESSAGE, NHS_NUMBER_PATTERN
from safeguarding.children.models import clean_name
from safeguarding.children.validators import normalise_nhs_number, validate_nhs_number
from safeguarding.chronology import birth
from safeguarding.chronology.enums import Precision
from safeguarding.core.enums import Confidentiality

MAX_BATCH = 1000
MAX_CHILDREN_PER_EVENT = 10
DATE_MESSAGES: dict[str, Any] = {
    "required": "Enter the date of the event as YYYY-MM-DD, for example 2016-03-12.",
    "invalid": "Enter the date as YYYY-MM-DD, for example 2016-03-12 (for a month or a year, give its first day "
    "and set precision).",
    "datetime": "Enter the date as YYYY-MM-DD, for example 2016-03-12, without a time.",
}


class ChronologyBadRequestSerializer(serializers.Serializer):
    """A 400: a body that could not be read (only `detail`), or parameters with errors (`detail` and `errors`)."""

    detail = serializers.CharField(help_text="What went wrong, and what to do next.")
    # Only describes the response body (never bound to data), so shadowing Serializer.errors is harmless.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Messages by parameter or field name.",
    )


# ---- posting events ----------------------------------------------------------------------------


class ChildIdentifierSerializer(serializers.Serializer):
    """Who the entry is about, as the agency knows them. Matched like a file import: NHS number; else
    exact name and date of birth; else the agency's own reference for the child; no match creates a
    new, unverified child record (which needs a first and last name)."""

    nhs_number = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        help_text="10 digits, spaces allowed, e.g. '943 476 5919'. The check digit is checked.",
    )
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    date_of_birth = serializers.DateField(
        required=False,
        allow_null=True,
        input_formats=["iso-8601"],
        error_messages={
            "invalid": "Enter the date of birth as YYYY-MM-DD, for example 2015-03-31.",
            "datetime": "Enter the date of birth as YYYY-MM-DD, without a time.",
        },
    )
    child_reference = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Your agency's own id for the child (UPN, LA ID…)."
    )

    def validate_first_name(self, value: str) -> str:
        # Invisible and bidirectional control characters (zero-width spaces, direction marks…) would
        # make the same name compare different: removed before matching and storing.
        return clean_name(value)

    def validate_last_name(self, value: str) -> str:
        return clean_name(value)

    def validate_nhs_number(self, value: str) -> str:
        value = value.strip()
        if not value:
            return ""
        if not re.fullmatch(NHS_NUMBER_PATTERN, value):
            raise serializers.ValidationError(NHS_NUMBER_FORMAT_MESSAGE)
        try:
            validate_nhs_number(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                "This is not a valid NHS number: its check digit does not match. Correct it or leave it out."
            ) from exc
        return normalise_nhs_number(value)

    def validate_date_of_birth(self, value: dt.date | None) -> dt.date | None:
        if value is not None and value > timezone.localdate():
            raise serializers.ValidationError(birth.BIRTH_IN_FUTURE)
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        has_name = bool(attrs.get("first_name", "").strip() and attrs.get("last_name", "").strip())
        if not (attrs.get("nhs_number") or has_name or attrs.get("child_reference", "").strip()):
            raise serializers.ValidationError(
                "Identify the child by NHS number, by first name, last name and date of birth, "
                "or by your reference for the child."
            )
        return attrs


class EventInputSerializer(serializers.Serializer):
    """One chronology entry, as an agency system sends it."""

    agency_reference = serializers.CharField(
        max_length=100,
        error_messages={
            "blank": "Enter your agency's own reference for this entry.",
            "required": "Enter your agency's own reference for this entry.",
        },
        help_text="Your agency's own id for this entry. Posting an entry with a reference your agency already "
        "used adds nothing and answers `exists`, so a batch can safely be sent again.",
    )
    household_reference = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        default="",
        help_text="A household, tenancy, family or incident reference the entry belongs to (it may cover several "
        "children). Kept on the entry for reviewers; never used to decide which child the entry is about.",
    )
    agency = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        help_text="The recording agency's code. A token always records for its own agency (leave this out, or "
        "send that agency's code); a person must send it when they work in more than one agency.",
    )
    children = serializers.ListField(
        child=ChildIdentifierSerializer(),
        min_length=1,
        max_length=MAX_CHILDREN_PER_EVENT,
        help_text=f"The child or children (up to {MAX_CHILDREN_PER_EVENT}, e.g. siblings) the entry is about.",
    )
    occurred_on = serializers.DateField(
        input_formats=["iso-8601"],
        error_messages=DATE_MESSAGES,
        help_text="When it happened, as YYYY-MM-DD. For month or year precision the day (and month) are ignored.",
    )
    precision = serializers.ChoiceField(choices=Precision.choices, default=Precision.DAY)
    approximate = serializers.BooleanField(default=False, help_text="True when the date is approximate.")
    type = serializers.CharField(
        max_length=200,
        error_messages={
            "blank": "Enter the event type, for example 'was_not_brought' or 'Home visit'.",
            "required": "Enter the event type, for example 'was_not_brought' or 'Home visit'.",
        },
        help_text="The event type's code, label or a synonym (e.g. 'was_not_brought', 'WNB', 'DNA'). An unknown "
        "type is recorded as 'other', keeping what you sent as the original label.",
    )
    category = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="For types with categories (e.g. a concern: 'neglect'), the category's code or label.",
    )
    value = serializers.DecimalField(
        required=False,
        allow_null=True,
        max_digits=9,
        decimal_places=2,
        help_text="For types that take a number, e.g. an attendance percentage.",
    )
    summary = serializers.CharField(
        max_length=20000,
        help_text="A plain, factual summary of what happened.",
        error_messages={
            "blank": "Enter a factual summary of what happened.",
            "required": "Enter a factual summary of what happened.",
        },
    )
    impact = serializers.CharField(required=False, allow_blank=True, max_length=20000, default="")
    action_taken = serializers.CharField(required=False, allow_blank=True, max_length=20000, default="")
    confidentiality = serializers.ChoiceField(choices=Confidentiality.choices, default=Confidentiality.NORMAL)
    restricted_to_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=[(r.value, r.label) for r in HUMAN_ROLES]),
        required=False,
        default=list,
        max_length=len(HUMAN_ROLES),
        help_text="When restricted: the roles in your agency that may see it (empty: everyone in your agency).",
    )

    def validate_agency_reference(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError("Enter your agency's own reference for this entry.")
        return value

    def validate_summary(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("Enter a factual summary of what happened.")
        return value

    def validate_type(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("Enter the event type, for example 'was_not_brought' or 'Home visit'.")
        return value.strip()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Against the dates of birth sent here: never a record's, which the agency may not see.
        for n, child in enumerate(attrs.get("children", [])):
            if birth.ends_before(
                attrs["occurred_on"], attrs.get("precision", Precision.DAY), child.get("date_of_birth")
            ):
                raise serializers.ValidationError({"occurred_on": [birth.BEFORE_GIVEN_BIRTH_IN_ENTRY.format(n=n)]})
        return attrs


class EventResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The item's position in the request (0 for a single entry).")
    status = serializers.ChoiceField(
        choices=[
            ("created", "Recorded now"),
            ("exists", "Your agency already recorded an entry with this reference; nothing was added"),
            ("error", "Not recorded: see errors"),
        ]
    )
    id = serializers.IntegerField(allow_null=True, help_text="The entry's id (new or existing); null on error.")
    type = serializers.CharField(
        allow_null=True, help_text="The event type code it was recorded as ('other' when not recognised)."
    )
    child_ids = serializers.ListField(child=serializers.IntegerField(), help_text="The children it was recorded for.")
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text=(
            "Messages by field, a nested one by its path (`children[0].nhs_number`; `children[0]` for the "
            "child as a whole); empty unless status is error."
        ),
    )


# ---- reading the merged chronology -------------------------------------------------------------


class SourceSerializer(serializers.Serializer):
    agency = serializers.CharField(help_text="The recording agency's code.")
    id = serializers.IntegerField(help_text="That agency's entry id.")
    agency_reference = serializers.CharField(help_text="That agency's own reference (may be empty).")


class ChronologyEntrySerializer(serializers.Serializer):
    """One line of the merged chronology: the first agency's entry, and every agency's record of the same event."""

    id = serializers.IntegerField()
    occurred_on = serializers.DateField(help_text="Month precision: the 1st of the month; year precision: 1 January.")
    precision = serializers.ChoiceField(choices=Precision.choices)
    approximate = serializers.BooleanField()
    agency = serializers.CharField(help_text="The recording agency's code.")
    type = serializers.CharField(help_text="The event type code.")
    original_type_label = serializers.CharField(help_text="What the agency called it, when it was mapped.")
    tags = serializers.ListField(child=serializers.CharField())
    category = serializers.CharField()
    value = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    summary = serializers.CharField()
    action_taken = serializers.CharField()
    impact = serializers.CharField()
    confidentiality = serializers.ChoiceField(choices=Confidentiality.choices)
    entered_in_error = serializers.BooleanField(
        help_text="Marked entered in error by the recording agency: kept for the record, in no highlight or alert."
    )
    entered_in_error_reason = serializers.CharField(help_text="Why, when entered in error; else empty.")
    child_ids = serializers.ListField(child=serializers.IntegerField())
    highlights = serializers.ListField(
        child=serializers.CharField(), help_text="The kinds of highlight this entry belongs to."
    )
    sources = SourceSerializer(many=True, help_text="Every agency's record of this event (two or more: a duplicate).")


class HighlightSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="e.g. was_not_brought_run, gap, repeated_nfa, closed_non_engagement.")
    title = serializers.CharField()
    explanation = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    entry_ids = serializers.ListField(child=serializers.IntegerField())


class ChronologyChildSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)


# One object, not a list: the chronology is the viewset's `list` action, which drf-spectacular would
# otherwise document as an array of these.
@extend_schema_serializer(many=False)
class ChronologySerializer(serializers.Serializer):
    """Every entry the caller may see about the child (and, with `family`, siblings and household)."""

    child = ChronologyChildSerializer()
    children = ChronologyChildSerializer(many=True, help_text="The children whose entries are included.")
    total_entries = serializers.IntegerField(help_text="Entries the caller may see, before filters.")
    entries = ChronologyEntrySerializer(many=True)
    highlights = HighlightSerializer(many=True)


# ---- the shape of a posted entry, as JSON Schema ---------------------------------------------------
# Documented as the request body AND checked before anything is recorded, so the two always agree:
# a request that does not have this shape answers 400 and records nothing; an entry that has the
# shape but cannot be recorded (a date that does not exist, an NHS number whose check digit does
# not match, no child matched, an agency the caller cannot record for…) is an error for that entry.

ISO_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

CHILD_IDENTIFIER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": " ".join((ChildIdentifierSerializer.__doc__ or "").split()),
    "properties": {
        "nhs_number": {
            "type": "string",
            "pattern": NHS_NUMBER_PATTERN,
            "description": "10 digits, spaces allowed, e.g. '943 476 5919'. The check digit is checked.",
        },
        "first_name": {"type": "string", "maxLength": 100},
        "last_name": {"type": "string", "maxLength": 100},
        "date_of_birth": {"type": "string", "pattern": ISO_DATE_PATTERN, "description": "YYYY-MM-DD."},
        "child_reference": {
            "type": "string",
            "maxLength": 100,
            "description": "Your agency's own id for the child (UPN, LA ID…).",
        },
    },
}


def _describe(name: str) -> str:
    text = EventInputSerializer().fields[name].help_text
    return str(text or "")


EVENT_ITEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "One chronology entry, as an agency system sends it.",
    "required": ["agency_reference", "children", "occurred_on", "type", "summary"],
    "properties": {
        "agency_reference": {
            "type": "string",
            "minLength": 1,
            "maxLength": 100,
            "description": _describe("agency_reference"),
        },
        "household_reference": {"type": "string", "maxLength": 100, "description": _describe("household_reference")},
        "agency": {"type": "string", "maxLength": 32, "description": _describe("agency")},
        "children": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_CHILDREN_PER_EVENT,
            "items": CHILD_IDENTIFIER_SCHEMA,
            "description": _describe("children"),
        },
        "occurred_on": {"type": "string", "pattern": ISO_DATE_PATTERN, "description": _describe("occurred_on")},
        "precision": {"type": "string", "enum": list(Precision.values), "default": Precision.DAY},
        "approximate": {"type": "boolean", "default": False, "description": _describe("approximate")},
        "type": {"type": "string", "minLength": 1, "maxLength": 200, "description": _describe("type")},
        "category": {"type": "string", "maxLength": 64, "description": _describe("category")},
        "value": {
            "type": "number",
            "minimum": -9999999.99,
            "maximum": 9999999.99,
            "description": "For types that take a number, e.g. an attendance percentage (at most 2 decimal places).",
        },
        "summary": {"type": "string", "minLength": 1, "maxLength": 20000, "description": _describe("summary")},
        "impact": {"type": "string", "maxLength": 20000, "description": "The impact on the child."},
        "action_taken": {"type": "string", "maxLength": 20000, "description": "What was done."},
        "confidentiality": {
            "type": "string",
            "enum": list(Confidentiality.values),
            "default": Confidentiality.NORMAL,
            "description": "Restricted entries show only to your agency (and the roles you name).",
        },
        "restricted_to_roles": {
            "type": "array",
            "maxItems": len(HUMAN_ROLES),
            "items": {"type": "string", "enum": [r.value for r in HUMAN_ROLES]},
            "description": _describe("restricted_to_roles"),
        },
    },
}

EVENT_POST_SCHEMA: dict[str, Any] = {
    "oneOf": [
        EVENT_ITEM_SCHEMA,
        {"type": "array", "minItems": 1, "maxItems": MAX_BATCH, "items": EVENT_ITEM_SCHEMA},
    ],
}
