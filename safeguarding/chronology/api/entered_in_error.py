"""API v1: mark a chronology entry entered in error, or reinstate it (issue 17). The same services
as the entry's page (`chronology.entered_in_error`); an entry the caller may not see answers 404,
exactly like one that does not exist; one they see but did not record answers 403."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from safeguarding.api.exceptions import id_or_404
from safeguarding.api.people import person
from safeguarding.api.schema import ERROR_RESPONSES
from safeguarding.chronology import entered_in_error
from safeguarding.chronology.models import Event
from safeguarding.chronology.queries import get_event_for_user

ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The chronology entry's id.")


class EntryErrorReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=entered_in_error.MAX_REASON,
        help_text="Why (at least 5 letters). Kept with the entry when marking; logged (masked) when reinstating.",
    )


class EnteredInErrorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    entered_in_error = serializers.BooleanField(help_text="True: kept, struck through, counted in nothing.")
    entered_in_error_at = serializers.DateTimeField(allow_null=True)
    entered_in_error_reason = serializers.CharField(allow_blank=True)


def entered_in_error_data(event: Event) -> dict[str, Any]:
    return {
        "id": event.pk,
        "entered_in_error": event.is_entered_in_error,
        "entered_in_error_at": event.entered_in_error_at,
        "entered_in_error_reason": event.entered_in_error_reason,
    }


RESPONSES = {
    200: OpenApiResponse(EnteredInErrorSerializer, description="The entry as it now stands."),
    **ERROR_RESPONSES,
}


class EnteredInErrorViewSet(viewsets.GenericViewSet):
    queryset = Event.objects.none()
    serializer_class = EntryErrorReasonSerializer
    pagination_class = None
    # Any id reaches the view, which answers a JSON 404 for one that can be no entry's ("0.5").
    lookup_value_regex = "[^/]+"

    def _get(self, request: Request, pk: Any) -> Event:
        try:
            event, _ = get_event_for_user(person(request), id_or_404(pk))
        except Http404 as exc:
            raise exceptions.NotFound() from exc
        return event

    def _reason(self, request: Request) -> str:
        data = EntryErrorReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return str(data.validated_data["reason"])

    @extend_schema(
        tags=["Chronology"],
        summary="Mark an entry entered in error",
        description=(
            "For an entry that should never have been recorded (the wrong child, say). The entry is kept and "
            "shown struck through with the reason; it no longer counts in highlights or in the concern rules, "
            "and an open alert whose evidence was only entries in error is closed when the child's entries are "
            "evaluated again. Only the recording agency's case-holding staff or its API system may do it, on "
            "the current version (403 otherwise); 400 if the entry is already marked or has been corrected, "
            "or the reason is missing. Logged in the activity log of every child on the entry. Reversible: "
            "`POST /events/{id}/reinstate/`."
        ),
        parameters=[ID_PARAMETER],
        request=EntryErrorReasonSerializer,
        responses=RESPONSES,
    )
    @action(detail=True, methods=["post"], url_path="entered-in-error")
    def entered_in_error(self, request: Request, pk: Any = None) -> Response:
        event = self._get(request, pk)
        reason = self._reason(request)
        event = entered_in_error.mark_entered_in_error(actor=person(request), event=event, reason=reason)
        return Response(entered_in_error_data(event))

    @extend_schema(
        tags=["Chronology"],
        summary="Reinstate an entry marked entered in error",
        description=(
            "Undoes a mark made by mistake: the entry counts again in highlights and alerts. Same rules as "
            "marking; 400 if the entry is not marked."
        ),
        parameters=[ID_PARAMETER],
        request=EntryErrorReasonSerializer,
        responses=RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def reinstate(self, request: Request, pk: Any = None) -> Response:
        event = self._get(request, pk)
        reason = self._reason(request)
        event = entered_in_error.reinstate_event(actor=person(request), event=event, reason=reason)
        return Response(entered_in_error_data(event))


def register(router: SimpleRouter) -> None:
    router.register("events", EnteredInErrorViewSet, basename="event-entered-in-error")
