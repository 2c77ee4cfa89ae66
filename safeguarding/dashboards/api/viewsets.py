"""API v1 partnership dashboard: `GET /api/v1/dashboard/?from=YYYY-MM-DD&to=YYYY-MM-DD`.

The same figures as the dashboard page, for the same people: the business unit, administrators,
scrutineers and senior managers of the statutory partners (session), or the business unit's own
agency system (token). Anyone else gets 404, the same answer as for an address that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from safeguarding.api.schema import ERROR_RESPONSES
from safeguarding.dashboards import periods, permissions
from safeguarding.dashboards.api.serializers import DashboardQuerySerializer, DashboardSerializer
from safeguarding.dashboards.figures import cached_figures


class SingleObjectSchema(AutoSchema):
    """The dashboard is one object (its figures), not a list, although the router calls the action `list`."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


class DashboardViewSet(viewsets.ViewSet):
    schema = SingleObjectSchema()

    @extend_schema(
        tags=["Dashboard"],
        operation_id="dashboard_figures",
        summary="The partnership dashboard's figures for a period",
        description="Case reviews in progress and their timeliness against each statutory clock, action plan "
        "progress and overdue actions, escalation statistics and learning-flagged items, for the period "
        "from `from` to `to` (both days included; both or neither: without them, the current financial year, "
        "1 April to 31 March). Open and overdue items are counted on the period's last day, or today if "
        "earlier (`as_at`). Figures may be up to 5 minutes old (`generated_at`). No child is named. "
        "See docs/dashboards.md for how each figure is counted.",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="The period's first day, YYYY-MM-DD."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="The period's last day (included), YYYY-MM-DD."),
        ],
        responses={200: DashboardSerializer, **ERROR_RESPONSES},
    )
    def list(self, request: Request) -> Response:
        if not permissions.can_view_dashboard(request.user):
            raise exceptions.NotFound()
        query = DashboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = timezone.localdate()
        start, end = query.validated_data.get("from"), query.validated_data.get("to")
        period = periods.custom(start, end) if start and end else periods.default_period(today)
        figures = cached_figures(period, today=today)
        return Response(DashboardSerializer(figures.as_dict()).data)


def register(router: SimpleRouter) -> None:
    router.register("dashboard", DashboardViewSet, basename="dashboard")
