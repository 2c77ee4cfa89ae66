"""API v1 endpoints. Lists go through `search_children` (itself `children_visible_to`), details
through `get_child_for_user`; a child the caller may not see answers exactly like one that
does not exist."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from safeguarding.api.exceptions import id_or_404
from safeguarding.api.people import person
from safeguarding.api.schema import ERROR_RESPONSES
from safeguarding.children.api.queries import load_child_record
from safeguarding.children.api.serializers import (
    NHS_NUMBER_PATTERN,
    ChildDetailSerializer,
    ChildListItemSerializer,
    ChildSearchSerializer,
)
from safeguarding.children.models import Child
from safeguarding.children.queries import children_visible_to, get_child_for_user, search_children
from safeguarding.children.services import record_child_view
from safeguarding.core.services import record_activity

SEARCH_PARAMETERS = [
    OpenApiParameter(
        "name",
        {"type": "string", "maxLength": 200},
        description="Words that start the child's first or last name (case and accents are ignored), e.g. 'ali smi'.",
    ),
    OpenApiParameter(
        "date_of_birth",
        OpenApiTypes.DATE,
        description="The child's date of birth, as YYYY-MM-DD.",
    ),
    OpenApiParameter(
        "nhs_number",
        # The format only: a number whose modulus 11 check digit does not match is a 400 too.
        {"type": "string", "pattern": NHS_NUMBER_PATTERN},
        description="The child's NHS number: 10 digits, spaces allowed, e.g. '943 476 5919'.",
    ),
]


class SearchAutoSchema(AutoSchema):
    """Says that a search parameter sent empty (`?date_of_birth=`) is accepted and ignored."""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        for parameter in (operation or {}).get("parameters", []):
            if parameter.get("in") == "query" and parameter["name"] in {p.name for p in SEARCH_PARAMETERS}:
                parameter["allowEmptyValue"] = True
        return operation


@extend_schema_view(
    list=extend_schema(
        tags=["Children"],
        summary="Find children",
        description=(
            "Children the caller may see (those its agency is actively involved with), matching every "
            "parameter given. Each search is written to the activity log, without the search terms."
        ),
        parameters=SEARCH_PARAMETERS,
        responses={200: ChildListItemSerializer(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        tags=["Children"],
        summary="A child's record",
        description=(
            "The child, households, relationships and the agency involvements the caller may see. "
            "Each view is written to the activity log. A child the caller may not see answers 404, "
            "exactly like a child that does not exist."
        ),
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="The child's id.")],
        responses={200: ChildDetailSerializer, **ERROR_RESPONSES},
    ),
)
class ChildViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Child.objects.none()  # the real querysets depend on the caller: see get_queryset()
    serializer_class = ChildListItemSerializer
    schema = SearchAutoSchema()
    # Any path segment reaches retrieve(), so every odd id gets the same JSON 404 as a hidden child.
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[Child]:
        return children_visible_to(self.request.user)

    def get_serializer_class(self) -> type[Any]:
        return ChildDetailSerializer if self.action == "retrieve" else ChildListItemSerializer

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        params = ChildSearchSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        children = search_children(request.user, **params.validated_data)
        paginator = cast(PageNumberPagination, self.paginator)
        page = paginator.paginate_queryset(children, request, view=self)
        current = paginator.page
        count = current.paginator.count if current is not None else 0
        # The search terms are personal data: the log keeps only how many children matched.
        record_activity(actor=person(request), action="children.searched", changes={"results": count})
        serializer = ChildListItemSerializer(page, many=True, context=self.get_serializer_context())
        return paginator.get_paginated_response(serializer.data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            child = get_child_for_user(request.user, id_or_404(kwargs.get("pk", "")))
        except Http404 as exc:
            raise exceptions.NotFound() from exc
        record_child_view(actor=person(request), child=child)
        load_child_record(person(request), child)
        return Response(ChildDetailSerializer(child, context=self.get_serializer_context()).data)


def register(router: SimpleRouter) -> None:
    router.register("children", ChildViewSet, basename="child")
