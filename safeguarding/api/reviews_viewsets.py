"""API v1 case reviews: reviews (with notification, findings and recommendations) for the business unit
and the people named on a review; review requests and submissions for the agency asked.

The same services as the pages. A review or request the caller may not see answers 404, exactly like
one that does not exist; a change the rules do not allow answers 403 saying why.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from safeguarding.api.escalations_serializers import BadRequestSerializer
from safeguarding.api.escalations_viewsets import EscalationAutoSchema
from safeguarding.api.exceptions import ApiExceptionsMixin
from safeguarding.api.reviews_serializers import (
    AgencyRequestSerializer,
    FindingCreateSerializer,
    FindingSerializer,
    NotifySerializer,
    RecommendationCreateSerializer,
    RecommendationSerializer,
    ReviewSerializer,
    SubmitSerializer,
)
from safeguarding.api.viewsets import ERROR_RESPONSES, MAX_ID
from safeguarding.children.models import Child
from safeguarding.core.services import record_activity
from safeguarding.reviews import services
from safeguarding.reviews.models import AgencyRequest, Review
from safeguarding.reviews.queries import requests_visible_to, reviews_visible_to, with_related
from safeguarding.reviews.workflow import ReviewError, can_notify

ERRORS = {
    **ERROR_RESPONSES,
    400: OpenApiResponse(BadRequestSerializer, description="The request has errors, or its body could not be read."),
}
ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The id.")
TAGS = ["Case reviews"]


class ReviewPagination(PageNumberPagination):
    page_size = 50


def _pk(value: Any) -> int:
    text = str(value)
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_ID:
        raise exceptions.NotFound()
    return int(text)


def _flat(detail: Any, prefix: str = "") -> list[str]:
    if isinstance(detail, dict):
        return [m for key, value in detail.items() for m in _flat(value, f"{prefix}{key}: ")]
    if isinstance(detail, list):
        out = []
        for index, value in enumerate(detail):
            label = f"{prefix}item {index + 1}: " if isinstance(value, (dict, list)) else prefix
            out.extend(_flat(value, label))
        return out
    return [f"{prefix}{detail}"]


def _valid(serializer: Any) -> dict[str, Any]:
    """Validated data; errors as {field: [messages]} (nested errors flattened into messages)."""
    if not serializer.is_valid():
        raise exceptions.ValidationError({name: _flat(value) for name, value in serializer.errors.items()})
    return cast(dict[str, Any], serializer.validated_data)


def _call(service: Any, **kwargs: Any) -> Any:
    try:
        return service(**kwargs)
    except DjangoValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        raise exceptions.ValidationError(detail) from exc
    except ReviewError as exc:
        raise exceptions.PermissionDenied(exc.message) from exc


@extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        summary="Case reviews you can see",
        description="The business unit sees every review; panel members, reviewers and chairs see theirs. "
        "Agency systems see none (they answer requests: see review-requests).",
        responses={200: ReviewSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        tags=TAGS, summary="A case review", parameters=[ID_PARAMETER], responses={200: ReviewSerializer, **ERRORS}
    ),
)
class ReviewViewSet(ApiExceptionsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Review.objects.none()  # depends on the caller: see get_queryset()
    serializer_class = ReviewSerializer
    pagination_class = ReviewPagination
    schema = EscalationAutoSchema()
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[Review]:
        return (
            with_related(reviews_visible_to(self.request.user))
            .prefetch_related("child_links")
            .order_by("-created_at", "-pk")
        )

    def _get(self, pk: Any) -> Review:
        try:
            review = self.get_queryset().get(pk=_pk(pk))
        except Review.DoesNotExist as exc:
            raise exceptions.NotFound() from exc
        record_activity(actor=self.request.user, action="review.viewed", target=review)
        return review

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(ReviewSerializer(self._get(kwargs.get("pk"))).data)

    @extend_schema(
        tags=TAGS,
        summary="Notify a serious incident",
        description="Records the notification and opens its rapid review. The business unit, or the statutory "
        "children's social care agency (its senior managers, safeguarding leads or system). Anyone else: 404, "
        "as for the page.",
        request=NotifySerializer,
        responses={201: ReviewSerializer, **ERRORS},
    )
    @action(detail=False, methods=["post"])
    def notify(self, request: Request) -> Response:
        if not can_notify(request.user):
            raise exceptions.NotFound()  # as the notify page: not offered to those who may not notify
        v = _valid(NotifySerializer(data=request.data))
        children = []
        for index, item in enumerate(v["children"]):
            child = Child.objects.filter(nhs_number=item["nhs_number"]).first()
            if child is None:
                raise exceptions.ValidationError({"children": [f"Child {index + 1}: no child has this NHS number."]})
            children.append(services.ChildInput(child, item["pseudonym"]))
        review = _call(
            services.notify_serious_incident,
            actor=request.user,
            incident_on=v["incident_on"],
            aware_on=v["aware_on"],
            harm=v["harm"],
            summary=v["summary"],
            children=children,
        )
        if not reviews_visible_to(request.user).filter(pk=review.pk).exists():
            # The notifier is not named on it: answer with the reference, not the review's material.
            return Response({"id": review.pk, "reference": review.reference}, status=status.HTTP_201_CREATED)
        return Response(ReviewSerializer(self.get_queryset().get(pk=review.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["get"],
        tags=TAGS,
        summary="The review's findings",
        parameters=[ID_PARAMETER],
        responses={200: FindingSerializer(many=True), **ERRORS},
    )
    @extend_schema(
        methods=["post"],
        tags=TAGS,
        summary="Add a finding",
        parameters=[ID_PARAMETER],
        request=FindingCreateSerializer,
        responses={201: FindingSerializer, **ERRORS},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def findings(self, request: Request, pk: Any = None) -> Response:
        review = self._get(pk)
        if request.method == "GET":
            return Response(FindingSerializer(review.findings.prefetch_related("themes"), many=True).data)
        v = _valid(FindingCreateSerializer(data=request.data))
        finding = _call(
            services.add_finding,
            actor=request.user,
            review=review,
            title=v["title"],
            text=v["text"],
            themes=v["themes"],
        )
        return Response(FindingSerializer(finding).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["get"],
        tags=TAGS,
        summary="The review's recommendations",
        parameters=[ID_PARAMETER],
        responses={200: RecommendationSerializer(many=True), **ERRORS},
    )
    @extend_schema(
        methods=["post"],
        tags=TAGS,
        summary="Add a recommendation",
        description="Numbered in order; `addressee` is an agency code, or null for the partnership.",
        parameters=[ID_PARAMETER],
        request=RecommendationCreateSerializer,
        responses={201: RecommendationSerializer, **ERRORS},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def recommendations(self, request: Request, pk: Any = None) -> Response:
        review = self._get(pk)
        if request.method == "GET":
            rows = review.recommendations.select_related("addressee", "review")
            return Response(RecommendationSerializer(rows, many=True).data)
        v = _valid(RecommendationCreateSerializer(data=request.data))
        recommendation = _call(
            services.add_recommendation,
            actor=request.user,
            review=review,
            text=v["text"],
            addressee=v["addressee"],
            status=v["status"],
        )
        return Response(RecommendationSerializer(recommendation).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        summary="Review requests to your agency",
        description="Requests for an agency summary, chronology or agency report, soonest due first.",
        responses={200: AgencyRequestSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        tags=TAGS,
        summary="A review request and its submission",
        parameters=[ID_PARAMETER],
        responses={200: AgencyRequestSerializer, **ERRORS},
    ),
)
class ReviewRequestViewSet(
    ApiExceptionsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = AgencyRequest.objects.none()  # depends on the caller: see get_queryset()
    serializer_class = AgencyRequestSerializer
    pagination_class = ReviewPagination
    schema = EscalationAutoSchema()
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[AgencyRequest]:
        return requests_visible_to(self.request.user).select_related("review", "agency").order_by("due_on", "pk")

    def _get(self, pk: Any) -> AgencyRequest:
        try:
            found = self.get_queryset().get(pk=_pk(pk))
        except AgencyRequest.DoesNotExist as exc:
            raise exceptions.NotFound() from exc
        record_activity(actor=self.request.user, action="review.request_viewed", target=found)
        return found

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(AgencyRequestSerializer(self._get(kwargs.get("pk"))).data)

    @extend_schema(
        tags=TAGS,
        summary="Answer a request (submit)",
        description="Structured fields plus an optional document (required for a chronology or agency report). "
        "A chronology is imported into the review chronology, all or nothing: a file with errors adds nothing "
        "and the 400 lists the rows.",
        parameters=[ID_PARAMETER],
        request=SubmitSerializer,
        responses={201: AgencyRequestSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        found = self._get(pk)
        v = _valid(SubmitSerializer(data=request.data))
        upload = None
        if v["document_base64"]:
            try:
                content = base64.b64decode(v["document_base64"], validate=True)
            except (binascii.Error, ValueError) as exc:
                raise exceptions.ValidationError({"document_base64": ["This is not valid base64."]}) from exc
            upload = services.Upload(v["document_name"] or "document", content)
        _call(
            services.submit_to_request,
            actor=request.user,
            request=found,
            involvement=v["involvement"],
            analysis=v["analysis"],
            learning=v["learning"],
            immediate_actions=v["immediate_actions"],
            upload=upload,
        )
        return Response(AgencyRequestSerializer(self.get_queryset().get(pk=found.pk)).data, status=201)
