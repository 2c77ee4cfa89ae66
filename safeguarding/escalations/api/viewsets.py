"""API v1 escalations: list, read, raise, respond, record the agreed outcome, escalate, resolve.

The same services as the pages. An escalation the caller may not see answers 404, exactly like one
that does not exist; a change the workflow does not allow answers 403 saying why; a change made
against an older `version` answers 409.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from safeguarding.api.exceptions import id_or_404
from safeguarding.api.people import person
from safeguarding.api.schema import ERROR_RESPONSES, BadRequestSerializer, ErrorSerializer, PageAutoSchema
from safeguarding.children.queries import children_visible_to
from safeguarding.escalations import services
from safeguarding.escalations.api.serializers import (
    EscalationCreateSerializer,
    EscalationSerializer,
    OutcomeSerializer,
    ReasonSerializer,
    ResolveSerializer,
    RespondSerializer,
)
from safeguarding.escalations.models import Escalation, EscalationChild
from safeguarding.escalations.queries import children_shown_to, escalations_visible_to, know_who_acted, with_related
from safeguarding.escalations.workflow import RAISING_ROLES

ERRORS = {
    **ERROR_RESPONSES,
    400: OpenApiResponse(BadRequestSerializer, description="The request has errors, or its body could not be read."),
}
CONFLICT = OpenApiResponse(
    ErrorSerializer, description="The escalation changed since the `version` you sent: read it again, then retry."
)
ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The escalation's id.")
ACTION_RESPONSES = {200: EscalationSerializer, **ERRORS, 409: CONFLICT}


@extend_schema_view(
    list=extend_schema(
        tags=["Escalations"],
        summary="Escalations your agency can see",
        description="Escalations raised by or with the caller's agency, newest first. Children appear by id "
        "only when the caller's agency works with them.",
        responses={200: EscalationSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        tags=["Escalations"],
        summary="An escalation and its history",
        parameters=[ID_PARAMETER],
        responses={200: EscalationSerializer, **ERRORS},
    ),
    create=extend_schema(
        tags=["Escalations"],
        summary="Raise an escalation",
        description="Opens stage 1 for the caller's agency and tells the receiving agency.",
        request=EscalationCreateSerializer,
        responses={201: EscalationSerializer, **ERRORS},
    ),
)
class EscalationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Escalation.objects.none()  # depends on the caller: see get_queryset()
    serializer_class = EscalationSerializer
    schema = PageAutoSchema()
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[Escalation]:
        return (
            with_related(escalations_visible_to(self.request.user))
            .prefetch_related("steps")
            .order_by("-raised_at", "-pk")
        )

    def _context(self, rows: list[Escalation]) -> dict[str, Any]:
        links = list(EscalationChild.objects.filter(escalation__in=[e.pk for e in rows]))
        visible = set(
            children_visible_to(self.request.user)
            .filter(pk__in={link.child_id for link in links})
            .values_list("pk", flat=True)
        )
        all_ids: dict[int, list[int]] = {}
        shown: dict[int, list[int]] = {}
        for link in links:
            all_ids.setdefault(link.escalation_id, []).append(link.child_id)
            if link.child_id in visible:
                shown.setdefault(link.escalation_id, []).append(link.child_id)
        return {**self.get_serializer_context(), "visible_child_ids": shown, "all_child_ids": all_ids}

    def _out(self, esc: Escalation, code: int = 200) -> Response:
        esc = self._get(esc.pk)
        return Response(EscalationSerializer(esc, context=self._context([esc])).data, status=code)

    def _get(self, pk: Any) -> Escalation:
        try:
            return self.get_queryset().get(pk=id_or_404(pk))
        except Escalation.DoesNotExist as exc:
            raise exceptions.NotFound() from exc

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        paginator = cast(PageNumberPagination, self.paginator)
        page = list(paginator.paginate_queryset(self.get_queryset(), request, view=self) or [])
        # The workflow's per-escalation questions (allowed_actions) answered for the whole page at once.
        page = know_who_acted(request.user, page)
        context = self._context(page)
        services.record_escalations_listed(
            actor=person(request), escalations=page, visible_child_ids=context["visible_child_ids"]
        )
        return paginator.get_paginated_response(EscalationSerializer(page, many=True, context=context).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        esc = self._get(kwargs.get("pk"))
        services.record_escalation_view(
            actor=person(request), escalation=esc, children=children_shown_to(request.user, esc).visible
        )
        return self._out(esc)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = EscalationCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        user = request.user
        agencies = sorted(user.agency_ids_with_role(RAISING_ROLES))  # type: ignore[union-attr]
        if not agencies:
            raise exceptions.PermissionDenied("Only agencies that hold cases can raise escalations.")
        from safeguarding.agencies.models import Agency

        values = data.validated_data
        esc = services.raise_escalation(
            actor=person(request),
            children=values["children"],
            raising_agency=Agency.objects.get(pk=agencies[0]),
            receiving_agency=values["receiving_agency"],
            reason=values["reason"],
            disputed_decision=values["disputed_decision"],
            desired_outcome=values["desired_outcome"],
            raiser_level_of_need=int(values["raiser_level_of_need"]),
            urgency=values["urgency"],
            evidence=values["evidence"],
        )
        return self._out(esc, status.HTTP_201_CREATED)

    @extend_schema(
        tags=["Escalations"],
        summary="Respond (receiving side)",
        parameters=[ID_PARAMETER],
        request=RespondSerializer,
        responses=ACTION_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def respond(self, request: Request, pk: Any = None) -> Response:
        esc = self._get(pk)
        data = RespondSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        level = v.get("level_of_need")
        services.respond_to_escalation(
            actor=person(request),
            escalation=esc,
            version=v["version"],
            kind=v["kind"],
            reasons=v["reasons"],
            proposal=v["proposal"],
            level_of_need=int(level) if level else None,
        )
        return self._out(esc)

    @extend_schema(
        tags=["Escalations"],
        summary="Record the agreed outcome and actions",
        parameters=[ID_PARAMETER],
        request=OutcomeSerializer,
        responses=ACTION_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def outcome(self, request: Request, pk: Any = None) -> Response:
        esc = self._get(pk)
        data = OutcomeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        items = [
            services.ActionInput(a["description"], a["owner_agency"], a["owner_name"], a["due_on"])
            for a in v["actions"]
        ]
        services.record_outcome(
            actor=person(request), escalation=esc, version=v["version"], outcome=v["outcome"], actions=items
        )
        return self._out(esc)

    @extend_schema(
        tags=["Escalations"],
        summary="Move to the next stage (raising side)",
        parameters=[ID_PARAMETER],
        request=ReasonSerializer,
        responses=ACTION_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk: Any = None) -> Response:
        esc = self._get(pk)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        services.escalate_to_next_stage(actor=person(request), escalation=esc, version=v["version"], reason=v["reason"])
        return self._out(esc)

    @extend_schema(
        tags=["Escalations"],
        summary="Resolve: accept the outcome, or end it by referral",
        description="`how: accepted` (the raising side accepts the recorded outcome) or `how: referral` (anyone "
        "involved, when the child's safety is dealt with another way; `reason` required).",
        parameters=[ID_PARAMETER],
        request=ResolveSerializer,
        responses=ACTION_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: Any = None) -> Response:
        esc = self._get(pk)
        data = ResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if v["how"] == "referral":
            services.resolve_by_referral(
                actor=person(request), escalation=esc, version=v["version"], reason=v["reason"]
            )
        else:
            services.accept_outcome(actor=person(request), escalation=esc, version=v["version"], note=v["reason"])
        return self._out(esc)


def register(router: SimpleRouter) -> None:
    router.register("escalations", EscalationViewSet, basename="escalation")
