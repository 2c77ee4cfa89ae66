"""API v1 learning: learning events (list, read), their registrations (places and the waiting list, in
order: the organisers see everyone's, anyone else their own), their attendance (read and record, walk-ins
included, for the business unit and the event's facilitator) and learning briefings (published ones for
everyone; drafts too for the business unit).

The same access rules (`learning.queries`) and services as the pages: an event the caller may not see,
or attendance they may not see, answers 404 exactly like something that does not exist; a change the
rules do not allow answers 403 saying why.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from safeguarding.agencies.models import Agency
from safeguarding.api.exceptions import flatten_errors, id_or_404
from safeguarding.api.people import person
from safeguarding.api.schema import ERROR_RESPONSES, BadRequestSerializer, PageAutoSchema
from safeguarding.learning import queries, services, walk_ins
from safeguarding.learning.api.serializers import (
    AttendanceRowSerializer,
    AttendanceWriteSerializer,
    LearningBriefingSerializer,
    LearningEventSerializer,
    RegistrationSerializer,
)
from safeguarding.learning.models import Attendance, LearningBriefing, LearningEvent, Registration

ERRORS = {
    **ERROR_RESPONSES,
    400: OpenApiResponse(BadRequestSerializer, description="The request has errors, or its body could not be read."),
}
EVENT_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The learning event's id.")
BRIEFING_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The learning briefing's id.")
EVENT_TAGS = ["Learning events"]
BRIEFING_TAGS = ["Learning briefings"]


def _waiting_count() -> Any:
    waiting = (
        Registration.objects.waiting()
        .filter(event_id=OuterRef("pk"))
        .order_by()
        .values("event_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(waiting, output_field=IntegerField()), 0)


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
class LearningEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = LearningEvent.objects.none()  # depends on the caller: see get_queryset()
    serializer_class = LearningEventSerializer
    schema = PageAutoSchema()
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[LearningEvent]:
        return (
            queries.with_related(queries.events_visible_to(self.request.user))
            .annotate(waiting_list_count=_waiting_count())
            .order_by("starts_at", "pk")
        )

    def _get(self, pk: Any) -> LearningEvent:
        try:
            return self.get_queryset().get(pk=id_or_404(pk))
        except LearningEvent.DoesNotExist as exc:
            raise exceptions.NotFound() from exc

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(LearningEventSerializer(self._get(kwargs.get("pk"))).data)

    def _registration_rows(self, event: LearningEvent) -> list[dict[str, Any]]:
        live = queries.registrations_visible_to(person(self.request), event).live()
        places = list(live.with_place().order_by("registered_at", "pk"))
        waiting = list(live.waiting())
        # The waiting list is in order; a practitioner's own position counts everyone ahead of them.
        positions: dict[int, int | None] = {r.pk: n for n, r in enumerate(waiting, start=1)}
        if waiting and not queries.can_see_registrations(self.request.user, event):
            positions = {r.pk: queries.waiting_position(r) for r in waiting}
        return [
            {
                "id": r.pk,
                "user": r.user_id,
                "name": str(r.user),
                "agency": r.agency_id,
                "agency_name": r.agency.name,
                "role": r.role,
                "state": r.status,
                "waiting_position": positions.get(r.pk),
                "registered_at": r.registered_at,
                "promoted_at": r.promoted_at,
            }
            for r in [*places, *waiting]
        ]

    @extend_schema(
        tags=EVENT_TAGS,
        summary="The event's registrations and waiting list",
        description="Everyone with a place, then the waiting list in order (`waiting_position` 1 is the next to be "
        "given a place). The business unit and the event's facilitator see everyone; anyone else who can see the "
        "event sees only their own registration (an empty list if they have none). An event the caller may not "
        "see: 404.",
        parameters=[EVENT_ID],
        responses={200: RegistrationSerializer(many=True), **ERRORS},
    )
    @action(detail=True, methods=["get"], url_path="registrations", pagination_class=None)
    def registrations(self, request: Request, pk: Any = None) -> Response:
        event = self._get(pk)
        return Response(RegistrationSerializer(self._registration_rows(event), many=True).data)

    def _attendance_rows(self, event: LearningEvent) -> list[dict[str, Any]]:
        rows = list(
            Attendance.objects.filter(event=event).select_related("user", "agency").order_by("recorded_at", "pk")
        )
        came = {a.user_id: a.attended for a in rows if not a.walk_in}
        registrations = queries.registrations_visible_to(person(self.request), event).with_place()
        registered = [
            {
                "user": r.user_id,
                "name": str(r.user),
                "agency": r.agency_id,
                "agency_name": r.agency.name,
                "role": r.role,
                "registered_at": r.registered_at,
                "attended": came.get(r.user_id),
                "walk_in": False,
            }
            for r in registrations
        ]
        walked_in = [
            {
                "user": a.user_id,
                "name": a.who,
                "agency": a.agency_id,
                "agency_name": a.agency.name,
                "role": a.role,
                "registered_at": None,
                "attended": True,
                "walk_in": True,
            }
            for a in rows
            if a.walk_in
        ]
        return registered + walked_in

    def _record(self, event: LearningEvent, data: dict[str, Any]) -> None:
        """Attendance and walk-ins together: all of them are recorded, or (on any error) none."""
        entries = {e["user"]: e["attended"] for e in data.get("entries") or []}
        User = get_user_model()
        with transaction.atomic():
            if entries:
                services.record_attendance(actor=person(self.request), event=event, attended=entries)
            for index, item in enumerate(data.get("walk_ins") or []):
                where = f"walk_ins[{index}]"
                user = agency = None
                if "user" in item:
                    user = User.objects.filter(pk=item["user"], is_active=True, is_system=False).first()
                    if user is None:
                        raise exceptions.ValidationError({f"{where}.user": ["No person with an account has this id."]})
                else:
                    agency = Agency.objects.filter(pk=item["agency"]).first()
                    if agency is None:
                        raise exceptions.ValidationError({f"{where}.agency": ["No agency has this id."]})
                try:
                    walk_ins.record_walk_in(
                        actor=person(self.request),
                        event=event,
                        user=user,
                        name=item.get("name", ""),
                        agency=agency,
                        role=item.get("role", ""),
                    )
                except DjangoValidationError as exc:
                    detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
                    raise exceptions.ValidationError(flatten_errors(detail, where)) from exc

    @extend_schema(
        methods=["GET"],
        tags=EVENT_TAGS,
        summary="The event's attendance register",
        description="Everyone with a place and whether they came, then the walk-ins (people who came without "
        "registering, `walk_in` true). The business unit and the event's facilitator only; anyone else: 404.",
        parameters=[EVENT_ID],
        request=None,
        responses={200: AttendanceRowSerializer(many=True), **ERRORS},
    )
    @extend_schema(
        methods=["POST"],
        tags=EVENT_TAGS,
        summary="Record who came, walk-ins included",
        description="Once the event has started: whether each person with a place came (`entries`), and people who "
        "came without registering (`walk_ins`): a person with an account from an agency the event invited "
        '(`{"user": 12}`), or someone without one (`{"name": "…", "agency": 3, "role": "practitioner"}`). All are '
        "recorded or, if any has an error, none. The business unit and the event's facilitator; a cancelled or "
        "draft event answers 403; anyone else: 404.",
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
            if not data.is_valid():
                raise exceptions.ValidationError(flatten_errors(data.errors))
            self._record(event, data.validated_data)
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
class LearningBriefingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = LearningBriefing.objects.none()  # depends on the caller: see get_queryset()
    serializer_class = LearningBriefingSerializer
    schema = PageAutoSchema()
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
