"""API v1 alerts: list (filters child, rule, status), read, acknowledge, decide, close.

The same services and access rules as the pages: an alert about a child the caller may not see
answers 404, like one that does not exist; a change made against an older `version` answers 409.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from safeguarding.api.exceptions import id_or_404
from safeguarding.api.people import person
from safeguarding.api.schema import ERROR_RESPONSES, ErrorSerializer, PageAutoSchema
from safeguarding.children.services import record_child_view
from safeguarding.concerns import services
from safeguarding.concerns.api.serializers import (
    AlertSerializer,
    CloseSerializer,
    DecideSerializer,
    VersionSerializer,
    evidence_map,
)
from safeguarding.concerns.enums import AlertStatus
from safeguarding.concerns.models import Alert
from safeguarding.concerns.queries import alerts_visible_to
from safeguarding.core.access import parse_id
from safeguarding.escalations.queries import escalations_visible_to

CONFLICT = OpenApiResponse(
    ErrorSerializer, description="The alert changed since the `version` you sent: read it again."
)
ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The alert's id.")
ACTION_RESPONSES = {200: AlertSerializer, **ERROR_RESPONSES, 409: CONFLICT}
FILTERS = [
    OpenApiParameter("child", int, description="Only alerts about this child (by id)."),
    OpenApiParameter("rule", str, description="Only alerts of this rule (by code)."),
    OpenApiParameter("status", str, enum=AlertStatus.values, description="Only alerts with this status."),
]


@extend_schema_view(
    list=extend_schema(
        tags=["Alerts"],
        summary="Cumulative-concern alerts about children you may see",
        description="Newest first. Each alert names its rule (by code), the date the pattern was first met (the date "
        "of the entry that completed it), its status and the ids of its evidence entries (read them through the "
        "chronology API, which hides restricted entries from those they are not shared with).",
        parameters=FILTERS,
        responses={200: AlertSerializer(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        tags=["Alerts"],
        summary="An alert",
        parameters=[ID_PARAMETER],
        responses={200: AlertSerializer, **ERROR_RESPONSES},
    ),
)
class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Alert.objects.none()  # depends on the caller: see get_queryset()
    serializer_class = AlertSerializer
    schema = PageAutoSchema()
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[Alert]:
        return alerts_visible_to(self.request.user).order_by("-raised_at", "-pk")

    def _filtered(self) -> QuerySet[Alert]:
        qs = self.get_queryset()
        params = self.request.query_params
        if "child" in params:
            child = parse_id(params["child"])
            if child is None:
                raise exceptions.ValidationError({"child": ["Give a child's id (a whole number)."]})
            qs = qs.filter(child_id=child)
        if params.get("rule"):
            qs = qs.filter(rule__code=params["rule"])
        if "status" in params:
            if params["status"] not in AlertStatus.values:
                raise exceptions.ValidationError({"status": [f"Choose one of: {', '.join(AlertStatus.values)}."]})
            qs = qs.filter(status=params["status"])
        return qs

    def _get(self, pk: Any) -> Alert:
        try:
            return self.get_queryset().get(pk=id_or_404(pk))
        except Alert.DoesNotExist as exc:
            raise exceptions.NotFound() from exc

    def _out(self, alert: Alert) -> Response:
        alert = self._get(alert.pk)
        return Response(AlertSerializer(alert, context={"evidence": evidence_map([alert.pk])}).data)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        paginator = cast(PageNumberPagination, self.paginator)
        page = paginator.paginate_queryset(self._filtered().select_related("child"), request, view=self) or []
        context = {"evidence": evidence_map([a.pk for a in page])}
        # A list shows each alert as its detail does: the same record of a look at each child's record.
        for child in {alert.child_id: alert.child for alert in page}.values():
            record_child_view(actor=person(request), child=child, action="alert.viewed")
        return paginator.get_paginated_response(AlertSerializer(page, many=True, context=context).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        alert = self._get(kwargs.get("pk"))
        # The same record of a look at the child's record as the alert page writes.
        record_child_view(actor=person(request), child=alert.child, action="alert.viewed")
        return self._out(alert)

    @extend_schema(
        tags=["Alerts"],
        summary="Acknowledge an alert",
        parameters=[ID_PARAMETER],
        request=VersionSerializer,
        responses=ACTION_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: Any = None) -> Response:
        alert = self._get(pk)
        data = VersionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.acknowledge_alert(actor=person(request), alert=alert, version=data.validated_data["version"])
        return self._out(alert)

    @extend_schema(
        tags=["Alerts"],
        summary="Record a decision",
        description="`decision`: meeting, referral, escalation (optionally linking `escalation`, an escalation about "
        "the child that you may see), plan, or no_action (with a `note` saying why).",
        parameters=[ID_PARAMETER],
        request=DecideSerializer,
        responses=ACTION_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: Any = None) -> Response:
        alert = self._get(pk)
        data = DecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        escalation = None
        if v.get("escalation") is not None:
            escalation = escalations_visible_to(request.user).filter(pk=v["escalation"]).first()
            if escalation is None:
                raise exceptions.ValidationError({"escalation": ["No escalation with this id that you may see."]})
        services.decide_alert(
            actor=person(request),
            alert=alert,
            version=v["version"],
            decision=v["decision"],
            note=v["note"],
            escalation=escalation,
        )
        return self._out(alert)

    @extend_schema(
        tags=["Alerts"],
        summary="Close an alert (after a decision)",
        parameters=[ID_PARAMETER],
        request=CloseSerializer,
        responses=ACTION_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        alert = self._get(pk)
        data = CloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.close_alert(
            actor=person(request), alert=alert, version=data.validated_data["version"], note=data.validated_data["note"]
        )
        return self._out(alert)


def register(router: SimpleRouter) -> None:
    router.register("alerts", AlertViewSet, basename="alert")
