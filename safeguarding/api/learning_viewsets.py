"""API v1 learning: learning events (list, read), their attendance (read and record, for the business
unit and the event's facilitator) and learning briefings (published ones for everyone; drafts too for
the business unit).

The same access rules (`learning.queries`) and services as the pages: an event the caller may not see,
or attendance they may not see, answers 404 exactly like something that does not exist; a change the
rules do not allow answers 403 saying why.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from safeguarding.api.escalations_serializers import BadRequestSerializer
from safeguarding.api.escalations_viewsets import EscalationAutoSchema
from safeguarding.api.exceptions import ApiExceptionsMixin
from safeguarding.api.learning_serializers import (
    AttendanceRowSerializer,
    AttendanceWriteSerializer,
    LearningBriefingSerializer,
    LearningEventSerializer,
)
from safeguarding.api.viewsets import ERROR_RESPONSES, id_or_404
from safeguarding.learning import queries, services
from safeguarding.learning.models import Attendance, LearningBriefing, LearningEvent

ERRORS = {
    **ERROR_RESPONSES,
    400: OpenApiResponse(BadRequestSerializer, description="The request has errors, or its body could not be read."),
}
EVENT_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The learning event's id.")
BRIEFING_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The learning briefing's id.")
EVENT_TAGS = ["Learning events"]
BRIEFING_TAGS = ["Learning briefings"]


class LearningPagination(PageNumberPagination):
    page_size = 50


@extend_schema_view(
    list=extend_schema(
        tags=EVENT_TAGS,
        summary="Learning events you can see",
        description="The business unit sees every event; others see published events their agency and role "
        "are invited to (an agency system: any event its agency is invited to), or that they facilitate or "
        "registered for. Soonest first.",
        responses={200: LearningEventSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        tags=EVENT_TAGS,
        summary="A learning event",
        parameters=[EVENT_ID],
        responses={200: LearningEventSerializer, **ERRORS},
    ),
)
class LearningEventViewSet(
    ApiExceptionsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = LearningEvent.objects.none()  # depends on the caller: see get_queryset()
    serializer_class = LearningEventSerializer
    pagination_class = LearningPagination
    schema = EscalationAutoSchema()
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[LearningEvent]:
        return queries.with_related(queries.events_visible_to(self.request.user)).order_by("starts_at", "pk")

    def _get(self, pk: Any) -> LearningEvent:
        try:
            return self.get_queryset().get(pk=id_or_404(pk))
        except LearningEvent.DoesNotExist as exc:
            raise exceptions.NotFound() from exc

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(LearningEventSerializer(self._get(kwargs.get("pk"))).data)

    def _attendance_rows(self, event: LearningEvent) -> list[dict[str, Any]]:
        came = dict(Attendance.objects.filter(event=event).values_list("user_id", "attended"))
        registrations = queries.registrations_visible_to(self.request.user, event).filter(cancelled_at__isnull=True)
        return [
            {
                "user": r.user_id,
                "name": str(r.user),
                "agency": r.agency_id,
                "agency_name": r.agency.name,
                "role": r.role,
                "registered_at": r.registered_at,
                "attended": came.get(r.user_id),
            }
            for r in registrations
        ]

    @extend_schema(
        methods=["GET"],
        tags=EVENT_TAGS,
        summary="The event's attendance register",
        description="Everyone registered and whether they came. The business unit and the event's facilitator "
        "only; anyone else: 404.",
        parameters=[EVENT_ID],
        request=None,
        responses={200: AttendanceRowSerializer(many=True), **ERRORS},
    )
    @extend_schema(
        methods=["POST"],
        tags=EVENT_TAGS,
        summary="Record who came",
        description="Whether each registered person came (once the event has started). The business unit and the "
        "event's facilitator; a cancelled or draft event answers 403; anyone else: 404.",
        parameters=[EVENT_ID],
        request=AttendanceWriteSerializer,
        responses={200: AttendanceRowSerializer(many=True), **ERRORS},
    )
    @action(detail=True, methods=["get", "post"], url_path="attendance", pagination_class=None)
    def attendance(self, request: Request, pk: Any = None) -> Response:
        event = self._get(pk)
        if not queries.can_see_registrations(request.user, event):
            raise exceptions.NotFound()
        if request.method == "POST":
            data = AttendanceWriteSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            entries = {e["user"]: e["attended"] for e in data.validated_data["entries"]}
            try:
                services.record_attendance(actor=request.user, event=event, attended=entries)
            except DjangoValidationError as exc:
                detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
                raise exceptions.ValidationError(detail) from exc
            except services.LearningError as exc:
                raise exceptions.PermissionDenied(exc.message) from exc
        return Response(AttendanceRowSerializer(self._attendance_rows(event), many=True).data)


@extend_schema_view(
    list=extend_schema(
        tags=BRIEFING_TAGS,
        summary="Learning briefings",
        description="Published briefings, newest first, for everyone signed in to the partnership (and agency "
        "systems); the business unit sees drafts too.",
        responses={200: LearningBriefingSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        tags=BRIEFING_TAGS,
        summary="A learning briefing",
        description="A draft answers 404 to anyone but the business unit.",
        parameters=[BRIEFING_ID],
        responses={200: LearningBriefingSerializer, **ERRORS},
    ),
)
class LearningBriefingViewSet(
    ApiExceptionsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = LearningBriefing.objects.none()  # depends on the caller: see get_queryset()
    serializer_class = LearningBriefingSerializer
    pagination_class = LearningPagination
    schema = EscalationAutoSchema()
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[LearningBriefing]:
        return (
            queries.briefings_visible_to(self.request.user)
            .select_related("review")
            .prefetch_related("findings")
            .order_by("-published_at", "-created_at", "-pk")
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            briefing = self.get_queryset().get(pk=id_or_404(kwargs.get("pk")))
        except LearningBriefing.DoesNotExist as exc:
            raise exceptions.NotFound() from exc
        return Response(LearningBriefingSerializer(briefing).data)


def register(router: SimpleRouter) -> None:
    router.register("learning-events", LearningEventViewSet, basename="learning-event")
    router.register("learning-briefings", LearningBriefingViewSet, basename="learning-briefing")
