"""API v1 census: `GET /api/v1/census/export/?year=2025-26[&agency=CODE]` answers the year's CIN census
XML, built from the children's social care agency's holdings (docs/cin-census.md) — the same file, the
same rule and the same activity log as the page and `manage.py export_cin`. For the agency's own system
(token) and its case-holding members (session); anyone else gets 404, as for an address that does not exist."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.routers import SimpleRouter

from safeguarding.api.people import person
from safeguarding.api.schema import ERROR_RESPONSES
from safeguarding.census import permissions
from safeguarding.census.services import export_cin_census
from safeguarding.census.views import xml_response
from safeguarding.census.years import CensusYear


class XMLFileRenderer(BaseRenderer):
    """Lets a client ask for `application/xml`: the file itself passes through; an error is JSON."""

    media_type = "application/xml"
    format = "xml"
    charset = None

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if isinstance(data, bytes):
            return data
        return json.dumps(data).encode()


class CensusViewSet(viewsets.ViewSet):
    renderer_classes = [JSONRenderer, XMLFileRenderer]

    @extend_schema(
        tags=["Census"],
        operation_id="census_export",
        summary="The Children in Need census XML for a census year",
        description="The census year's file in the Department for Education's CIN census XML, built from the "
        "children's social care agency's chronology entries and involvements (docs/cin-census.md has how each "
        "element is derived). Each child in it is logged as an export of their record. `agency` (its code) is "
        "needed only by someone who works in more than one children's social care agency.",
        parameters=[
            OpenApiParameter("year", OpenApiTypes.STR, required=True, description="The census year, e.g. 2025-26."),
            OpenApiParameter("agency", OpenApiTypes.STR, description="The children's social care agency's code."),
        ],
        responses={
            (200, "application/xml"): OpenApiResponse(OpenApiTypes.BINARY, description="The census XML file."),
            **ERROR_RESPONSES,
        },
    )
    @action(detail=False, methods=["get"], url_path="export")
    def export(self, request: Request) -> HttpResponse:
        user = person(request)
        agencies = permissions.census_agencies(user)
        if not agencies:
            raise exceptions.NotFound()
        code = (request.query_params.get("agency") or "").strip().upper()
        if code:
            agency = next((a for a in agencies if a.code == code), None)
            if agency is None:
                raise exceptions.NotFound()
        elif len(agencies) == 1:
            agency = agencies[0]
        else:
            codes = ", ".join(a.code for a in agencies)
            raise exceptions.ValidationError({"agency": [f"Give the agency's code: one of {codes}."]})
        try:
            year = CensusYear.parse(request.query_params.get("year", ""))
        except ValidationError as exc:
            raise exceptions.ValidationError({"year": exc.messages}) from exc
        result = export_cin_census(actor=user, agency=agency, year=year)
        return xml_response(result.content, result.filename)


def register(router: SimpleRouter) -> None:
    router.register("census", CensusViewSet, basename="census")
