"""API v1 chronology: agency systems post entries (one or a batch); anyone who may see a child reads
the child's merged chronology, built by `merged_chronology` exactly as the page builds it.

A child the caller may not see answers 404, exactly like a child that does not exist.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.http import Http404
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, status, viewsets
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from safeguarding.api.exceptions import id_or_404
from safeguarding.api.models import AgencyApiToken
from safeguarding.api.people import person
from safeguarding.api.schema import ERROR_RESPONSES
from safeguarding.children.models import Child
from safeguarding.children.queries import get_child_for_user
from safeguarding.children.services import record_child_view
from safeguarding.chronology.api.posting import ShapeError, entries_from_body, record_events, recording_agencies
from safeguarding.chronology.api.serializers import (
    EVENT_POST_SCHEMA,
    MAX_BATCH,
    ChronologyBadRequestSerializer,
    ChronologySerializer,
    EventInputSerializer,
    EventResultSerializer,
)
from safeguarding.chronology.highlights import DEFAULT_GAP_DAYS
from safeguarding.chronology.merged import ChronologyFilters, ChronologyRow, MergedChronology, merged_chronology
from safeguarding.chronology.models import Event, decode_tags

ERRORS = {
    **ERROR_RESPONSES,
    400: OpenApiResponse(
        ChronologyBadRequestSerializer, description="The request has errors, or its body could not be read."
    ),
}
MULTI_STATUS = 207
MAX_GAP_DAYS = 3650
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})


# ---- posting ----------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(
        tags=["Chronology"],
        summary="Record chronology entries (one or a batch)",
        description=(
            f"Records one entry (a JSON object) or a batch (a JSON array of 1 to {MAX_BATCH} entries) for the "
            "caller's agency, through the same service as the page and file imports; the agency is given an "
            "involvement with each child.\n\n"
            "**Per item, not all or nothing**: each entry is checked and recorded on its own, so one bad entry "
            "never stops the others. The answer is always a list with one result per entry, in order: "
            "`created`, `exists` (your agency already recorded an entry with this `agency_reference`: nothing "
            "was added, and `id` is that entry's) or `error` (nothing was recorded for it; `errors` says why, "
            "by field). Sending the same batch again is safe: it adds nothing.\n\n"
            "Status: **201** when every entry was created; **200** when every entry was created or already "
            "existed; **207 Multi-Status** when at least one entry has an error (the others were still "
            "recorded); **400** when the body does not have the shape documented here (not JSON, not an object or a "
            "list, an empty list or more than 1,000 entries, a required field missing, a field of the wrong type "
            "or form): then nothing is recorded, and `errors` names each problem by entry index and field, e.g. "
            "`3.occurred_on`. An entry of the right shape that cannot be recorded (a date that does not exist or "
            "is in the future, an NHS number whose check digit does not match, a child that cannot be "
            "identified, an agency you cannot record for) is an `error` for that entry only. **403** for a person "
            "who records for no agency.\n\n"
            "Children are matched as in file imports: by NHS number; else exact name and date of birth; "
            "else your agency's own reference for the child. No match creates a new, unverified child "
            "record (give first and last name); more than one candidate is an error for that entry. "
            "Event types are matched by code, label or synonym; an unknown type is recorded as `other`, "
            "keeping what you sent as the original label.\n\n"
            "A token records for its own agency. A person signed in with two-factor authentication records "
            "for the one agency they hold a case role in, or names it with `agency`."
        ),
        request={"application/json": EVENT_POST_SCHEMA},
        responses={
            201: OpenApiResponse(EventResultSerializer(many=True), description="Every entry was created."),
            200: OpenApiResponse(
                EventResultSerializer(many=True), description="Every entry was created or already existed."
            ),
            MULTI_STATUS: OpenApiResponse(
                EventResultSerializer(many=True),
                description="At least one entry has an error; the others were recorded (or already existed).",
            ),
            **ERRORS,
        },
    ),
)
class EventViewSet(viewsets.GenericViewSet):
    queryset = Event.objects.none()
    serializer_class = EventInputSerializer
    parser_classes = [JSONParser]
    pagination_class = None

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            items = entries_from_body(request.data)
        except ShapeError as exc:
            raise exceptions.ValidationError(exc.errors) from exc
        token = request.auth if isinstance(request.auth, AgencyApiToken) else None
        token_agency = token.agency if token is not None else None
        if token_agency is None and not recording_agencies(request.user):
            raise exceptions.PermissionDenied(
                "You do not hold a case role in any agency, so you cannot record chronology entries."
            )
        results = record_events(actor=person(request), token_agency=token_agency, items=items)
        statuses = {r.status for r in results}
        if "error" in statuses:
            code = MULTI_STATUS
        elif statuses == {"created"}:
            code = status.HTTP_201_CREATED
        else:
            code = status.HTTP_200_OK
        return Response([r.as_dict() for r in results], status=code)


# ---- reading ----------------------------------------------------------------------------------


class ChronologyAutoSchema(AutoSchema):
    """Says that a filter sent empty (`?from=`) is accepted and ignored."""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        for parameter in (operation or {}).get("parameters", []):
            if parameter.get("in") == "query":
                parameter["allowEmptyValue"] = True
        return operation


CHRONOLOGY_PARAMETERS = [
    OpenApiParameter("id", int, OpenApiParameter.PATH, description="The child's id."),
    OpenApiParameter(
        "agency", str, many=True, description="Only entries recorded by these agencies (codes; repeat the parameter)."
    ),
    OpenApiParameter("type", str, many=True, description="Only entries of these event types (codes; repeatable)."),
    OpenApiParameter("tag", str, many=True, description="Only entries whose type carries one of these tags."),
    OpenApiParameter("from", OpenApiTypes.DATE, description="Only entries on or after this date (YYYY-MM-DD)."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Only entries on or before this date (YYYY-MM-DD)."),
    OpenApiParameter(
        "family", bool, description="Include the entries of the child's siblings and household that you may see."
    ),
    OpenApiParameter(
        "gap_days",
        {"type": "integer", "minimum": 1, "maximum": MAX_GAP_DAYS},
        description=f"Highlight gaps with no agency contact longer than this many days (default {DEFAULT_GAP_DAYS}).",
    ),
]


def _date(params: Any, name: str, errors: dict[str, list[str]]) -> dt.date | None:
    text = (params.get(name) or "").strip()
    if not text:
        return None
    try:
        if not ISO_DATE.match(text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        errors[name] = ["Enter the date as YYYY-MM-DD, for example 2016-03-12."]
        return None


def parse_filters(params: Any) -> ChronologyFilters:
    """The page's filters from query parameters; a bad value is a 400 naming the parameter."""
    errors: dict[str, list[str]] = {}
    date_from, date_to = _date(params, "from", errors), _date(params, "to", errors)
    if date_from and date_to and date_from > date_to:
        errors["to"] = ["The end date must be the same as or after the start date."]
    family_text = (params.get("family") or "").strip().lower()
    if family_text and family_text not in TRUE_WORDS | FALSE_WORDS:
        errors["family"] = ["Send family=true or family=false."]
    gap_text = (params.get("gap_days") or "").strip()
    gap_days = DEFAULT_GAP_DAYS
    if gap_text:
        if not gap_text.isascii() or not gap_text.isdigit() or not 1 <= int(gap_text) <= MAX_GAP_DAYS:
            errors["gap_days"] = [f"Enter the gap as a whole number of days from 1 to {MAX_GAP_DAYS}, e.g. 90."]
        else:
            gap_days = int(gap_text)
    if errors:
        raise exceptions.ValidationError(errors)

    def values(name: str) -> frozenset[str]:
        return frozenset(v.strip() for v in params.getlist(name) if v.strip())

    return ChronologyFilters(
        agency_codes=values("agency"),
        type_codes=values("type"),
        tags=frozenset(t.lower() for t in values("tag")),
        date_from=date_from,
        date_to=date_to,
        include_family=family_text in TRUE_WORDS,
        gap_days=gap_days,
    )


def _child(child: Child) -> dict[str, Any]:
    return {
        "id": child.pk,
        "first_name": child.first_name,
        "last_name": child.last_name,
        "date_of_birth": child.date_of_birth.isoformat() if child.date_of_birth else None,
    }


class _Lookups:
    """Agency codes and type codes/tags by id, read once per answer: thousands of rows share a few
    dozen agencies and types, and going through the related-object descriptors for each is slow."""

    def __init__(self) -> None:
        self.agencies: dict[int, str] = {}
        self.types: dict[int, tuple[str, list[str]]] = {}

    def agency(self, event: Event) -> str:
        code = self.agencies.get(event.agency_id)
        if code is None:
            code = self.agencies[event.agency_id] = event.agency.code
        return code

    def event_type(self, event: Event) -> tuple[str, list[str]]:
        found = self.types.get(event.event_type_id)
        if found is None:
            found = self.types[event.event_type_id] = (event.event_type.code, decode_tags(event.event_type.tags))
        return found


def entry_data(row: ChronologyRow, lookups: _Lookups) -> dict[str, Any]:
    """One row as JSON-ready data (built directly: a serializer per field is slow for thousands of rows)."""
    event = row.event
    type_code, tags = lookups.event_type(event)
    return {
        "id": event.pk,
        "occurred_on": event.occurred_on.isoformat(),
        "precision": event.precision,
        "approximate": event.approximate,
        "agency": lookups.agency(event),
        "type": type_code,
        "original_type_label": event.original_type_label,
        "tags": list(tags),
        "category": event.category,
        "value": None if event.value is None else f"{event.value:.2f}",
        "summary": event.summary,
        "action_taken": event.action_taken,
        "impact": event.impact,
        "confidentiality": event.confidentiality,
        "entered_in_error": event.entered_in_error_at is not None,
        "entered_in_error_reason": event.entered_in_error_reason,
        "child_ids": sorted(row.child_ids),
        "highlights": sorted(row.highlight_kinds),
        "sources": [
            {"agency": lookups.agency(e), "id": e.pk, "agency_reference": e.agency_reference} for e in row.sources
        ],
    }


def chronology_data(chronology: MergedChronology) -> dict[str, Any]:
    lookups = _Lookups()
    return {
        "child": _child(chronology.child),
        "children": [_child(c) for c in chronology.children],
        "total_entries": chronology.total_entries,
        "entries": [entry_data(row, lookups) for row in chronology.rows],
        "highlights": [
            {
                "kind": h.kind,
                "title": h.title,
                "explanation": h.explanation,
                "start": h.start.isoformat(),
                "end": h.end.isoformat(),
                "entry_ids": list(h.entry_ids),
            }
            for h in chronology.highlights
        ],
    }


@extend_schema_view(
    list=extend_schema(
        tags=["Chronology"],
        summary="A child's integrated chronology",
        description=(
            "Every entry the caller may see about the child, from every agency, merged in date order: the same "
            "event recorded by several agencies (same date, type and children) is one entry listing every "
            "source. Restricted entries show only to the recording agency's named roles. Highlights (runs of "
            "'was not brought', gaps with no agency contact, repeated referrals closed with no further action, "
            "early help closed for non-engagement while concerns continue) look at everything the caller may "
            "see, whatever the filters. Filters match the chronology page.\n\n"
            "**Not paginated**: all entries come in one answer (a child's chronology is read as a whole; "
            "thousands of entries are expected). Each read is written to the activity log. A child the caller "
            "may not see answers 404, exactly like a child that does not exist."
        ),
        parameters=CHRONOLOGY_PARAMETERS,
        responses={200: ChronologySerializer, **ERRORS},
    ),
)
class ChildChronologyViewSet(viewsets.GenericViewSet):
    queryset = Child.objects.none()
    serializer_class = ChronologySerializer
    pagination_class = None
    filter_backends: list[Any] = []
    schema = ChronologyAutoSchema()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            child = get_child_for_user(request.user, id_or_404(kwargs.get("id", "")))
        except Http404 as exc:
            raise exceptions.NotFound() from exc
        filters = parse_filters(request.query_params)
        chronology = merged_chronology(person(request), child, filters)
        # A family chronology is a view of each child's record it shows.
        for shown in chronology.children:
            record_child_view(actor=person(request), child=shown, action="chronology.viewed")
        return Response(chronology_data(chronology))


def register(router: SimpleRouter) -> None:
    from safeguarding.chronology.api import entered_in_error, imports

    router.register(r"children/(?P<id>[^/]+)/chronology", ChildChronologyViewSet, basename="child-chronology")
    router.register("events", EventViewSet, basename="event")
    imports.register(router)
    entered_in_error.register(router)
