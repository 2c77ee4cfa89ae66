"""API v1 possible matches: the data stewards' queue of child records that may be one child, and
their decisions (accept merges the two records, reject keeps them apart for good).

The same services and rules as the pages: only data stewards (signed in with two-factor
authentication) see any of it; for anyone else, and for agency tokens, the list is empty and a pair
answers 404, exactly like one that does not exist. The list names no one: record ids and scores only.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from safeguarding.api.exceptions import Conflict, Pagination, id_or_404
from safeguarding.api.people import person
from safeguarding.api.schema import ERROR_RESPONSES, ErrorSerializer, PageAutoSchema
from safeguarding.linking import permissions, services
from safeguarding.linking.api.serializers import DecisionSerializer, MergeResultSerializer, PossibleMatchSerializer
from safeguarding.linking.models import PossibleMatch


class MatchPagination(Pagination):
    """A data steward's queue: 100 pairs to a page."""

    page_size = 100


CONFLICT = OpenApiResponse(ErrorSerializer, description="Someone decided this pair after you read it.")
ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The pair's id.")


@extend_schema_view(
    list=extend_schema(
        tags=["Linking"],
        summary="Possible matches waiting for a data steward",
        description="Pairs of child records the linkage thinks may be one child, most likely first: `child_ids` "
        "(lower id first) and `score` (the match probability). For data stewards only; anyone else gets an empty "
        "list. `manage.py possible_matches --json` prints the same pairs.",
        responses={200: PossibleMatchSerializer(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        tags=["Linking"],
        summary="A possible match",
        parameters=[ID_PARAMETER],
        responses={200: PossibleMatchSerializer, **ERROR_RESPONSES},
    ),
)
class PossibleMatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = PossibleMatch.objects.none()
    serializer_class = PossibleMatchSerializer
    pagination_class = MatchPagination
    schema = PageAutoSchema()  # `?page=` sent empty is accepted, as DRF's pagination does
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[PossibleMatch]:
        if not permissions.can_steward(self.request.user):
            return PossibleMatch.objects.none()
        return PossibleMatch.objects.pending().order_by("-score", "id")

    def _get(self, pk: Any, *, decided_too: bool = False) -> PossibleMatch:
        queryset = self.get_queryset()
        if decided_too and permissions.can_steward(self.request.user):
            queryset = PossibleMatch.objects.all()
        try:
            return queryset.get(pk=id_or_404(pk))
        except PossibleMatch.DoesNotExist as exc:
            raise exceptions.NotFound() from exc

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(PossibleMatchSerializer(self._get(kwargs.get("pk"))).data)

    def _decide(self, request: Request, pk: Any, service: Any) -> Any:
        # A pair decided since the caller read it is found too, so that the service answers 409.
        match = self._get(pk, decided_too=True)
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            return service(
                actor=person(request),
                match=match,
                version=body.validated_data["version"],
                note=body.validated_data["note"],
            )
        except DjangoPermissionDenied as exc:
            raise exceptions.NotFound() from exc
        except DjangoValidationError as exc:
            if services.STALE in exc.messages:
                raise Conflict(services.STALE) from exc
            raise exceptions.ValidationError({"non_field_errors": exc.messages}) from exc

    @extend_schema(
        tags=["Linking"],
        summary="Accept: the two records are one child (merge)",
        parameters=[ID_PARAMETER],
        request=DecisionSerializer,
        responses={200: MergeResultSerializer, 409: CONFLICT, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: Any = None) -> Response:
        merge = self._decide(request, pk, services.accept_match)
        return Response({"merge_id": merge.pk, "kept_child_id": merge.kept_id, "merged_child_id": merge.merged_id})

    @extend_schema(
        tags=["Linking"],
        summary="Reject: two different children (never suggested again)",
        parameters=[ID_PARAMETER],
        request=DecisionSerializer,
        responses={200: PossibleMatchSerializer, 409: CONFLICT, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: Any = None) -> Response:
        match = self._decide(request, pk, services.reject_match)
        return Response(PossibleMatchSerializer(match).data)


def register(router: SimpleRouter) -> None:
    router.register("possible-matches", PossibleMatchViewSet, basename="possible-match")
