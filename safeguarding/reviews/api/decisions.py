"""API v1 for the notification's copies and the partners informed, the national panel's response to
a recommended national review, closing a national review and reopening a closed case: actions on
`reviews/{id}/`, mixed into `ReviewViewSet`. The same services as the pages, so the same rules:
404 for a review the caller may not see, 403 for a step the rules refuse (the message says why), 409
for a stale `version`, 400 naming the field."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from safeguarding.agencies.models import Agency
from safeguarding.api.exceptions import validated
from safeguarding.api.fields import CodeField
from safeguarding.api.people import person
from safeguarding.api.schema import ERROR_RESPONSES, BadRequestSerializer, ErrorSerializer
from safeguarding.reviews import services
from safeguarding.reviews.api.serializers import ReviewDetailSerializer
from safeguarding.reviews.enums import PanelResponse
from safeguarding.reviews.models import Review

ERRORS = {
    **ERROR_RESPONSES,
    400: OpenApiResponse(BadRequestSerializer, description="The request has errors, or its body could not be read."),
}
CONFLICT = OpenApiResponse(
    ErrorSerializer, description="The review changed since the `version` you sent: read it again, then retry."
)
ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The review's id.")
TAGS = ["Case reviews"]
VERSION_HELP = "The review's version you read; a change to an older version answers 409."


def _version() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text=VERSION_HELP)


class CopiesSerializer(serializers.Serializer):
    ofsted_sent_on = serializers.DateField(required=False, allow_null=True, default=None)
    secretary_of_state_sent_on = serializers.DateField(required=False, allow_null=True, default=None)


class PartnersInformedSerializer(serializers.Serializer):
    informed_on = serializers.DateField()
    agencies = CodeField(
        slug_field="code",
        many=True,
        queryset=Agency.objects.active(),
        required=False,
        default=list,  # type: ignore[arg-type]
        help_text="Codes of the statutory partners informed that day (not children's social care, which notifies).",
    )
    harm_area = serializers.BooleanField(
        required=False, default=False, help_text="The area where the harm happened (outside England) was informed."
    )


class PanelResponseSerializer(serializers.Serializer):
    version = _version()
    response = serializers.ChoiceField(choices=PanelResponse.choices)
    responded_on = serializers.DateField(help_text="The date of the national panel's response.")
    panel_words = serializers.CharField(max_length=20000, help_text="The national panel's response in its own words.")
    reason = serializers.CharField(
        max_length=10000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required for no_review: the reasons the case closes.",
    )


class CloseNationalReviewSerializer(serializers.Serializer):
    version = _version()
    published_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="The date the national review was published."
    )
    reason = serializers.CharField(
        max_length=10000, required=False, allow_blank=True, default="", help_text="Required without `published_on`."
    )


class ReopenSerializer(serializers.Serializer):
    version = _version()
    reason = serializers.CharField(max_length=10000, help_text="Why the review is reopened (required).")


class DecisionActions:
    """Mixed into `ReviewViewSet`, which gives `_get` (404 for a review the caller may not see, logged)
    and `get_queryset`."""

    def _get(self, pk: Any) -> Review:  # pragma: no cover - ReviewViewSet's
        raise NotImplementedError

    def get_queryset(self) -> Any:  # pragma: no cover - ReviewViewSet's
        raise NotImplementedError

    def _answer(self, review: Review) -> Response:
        return Response(ReviewDetailSerializer(self.get_queryset().get(pk=review.pk)).data)

    @extend_schema(
        tags=TAGS,
        summary="Record the copies of the notification",
        description="The dates the copies went to Ofsted and to the Secretary of State (both required before "
        "the notification is recorded as sent when a looked-after child died). The business unit or the chair.",
        parameters=[ID],
        request=CopiesSerializer,
        responses={200: ReviewDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="notification-copies", url_name="notification-copies")
    def notification_copies(self, request: Request, pk: Any = None) -> Response:
        review = self._get(pk)
        v = validated(CopiesSerializer(data=request.data))
        services.record_notification_copies(actor=person(request), review=review, **v)
        return self._answer(review)

    @extend_schema(
        tags=TAGS,
        summary="Record the safeguarding partners informed",
        description="The day the other statutory safeguarding partners (and, for harm outside England, the area "
        "where it happened) were informed of the incident. Recording a partner again corrects its date. The "
        "answer's `partners_not_informed` lists who is left.",
        parameters=[ID],
        request=PartnersInformedSerializer,
        responses={200: ReviewDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="partners-informed", url_name="partners-informed")
    def partners_informed(self, request: Request, pk: Any = None) -> Response:
        review = self._get(pk)
        v = validated(PartnersInformedSerializer(data=request.data))
        services.record_partners_informed(
            actor=person(request),
            review=review,
            informed_on=v["informed_on"],
            agencies=list(v["agencies"]),
            harm_area=v["harm_area"],
        )
        return self._answer(review)

    @extend_schema(
        tags=TAGS,
        summary="Record the national panel's response",
        description="For a review awaiting the national panel (its rapid review recommended a national review): "
        "`accepted` (the case stays open as `national_review`), `returned` (a local child safeguarding practice "
        "review decided on `responded_on`: the case goes to `in_progress`) or `no_review` (closed; `reason` "
        "required). The business unit or the chair; 403 otherwise or at another stage; 409 on a stale version.",
        parameters=[ID],
        request=PanelResponseSerializer,
        responses={200: ReviewDetailSerializer, **ERRORS, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="panel-response", url_name="panel-response")
    def panel_response(self, request: Request, pk: Any = None) -> Response:
        review = self._get(pk)
        v = validated(PanelResponseSerializer(data=request.data))
        services.record_panel_response(actor=person(request), review=review, **v)
        return self._answer(review)

    @extend_schema(
        tags=TAGS,
        summary="Close a national review",
        description="When the national review is published (`published_on`), or explicitly with a `reason`. "
        "The business unit or the chair; 409 on a stale version.",
        parameters=[ID],
        request=CloseNationalReviewSerializer,
        responses={200: ReviewDetailSerializer, **ERRORS, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="close-national-review", url_name="close-national-review")
    def close_national_review(self, request: Request, pk: Any = None) -> Response:
        review = self._get(pk)
        v = validated(CloseNationalReviewSerializer(data=request.data))
        services.close_national_review(actor=person(request), review=review, **v)
        return self._answer(review)

    @extend_schema(
        tags=TAGS,
        summary="Reopen a closed review",
        description="The business unit only, with a reason. The review returns to the stage it closed from "
        "(a case the national panel declined returns to `decision`). 403 for anyone else who sees the review "
        "or a review that is not closed; 409 on a stale version.",
        parameters=[ID],
        request=ReopenSerializer,
        responses={200: ReviewDetailSerializer, **ERRORS, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: Any = None) -> Response:
        review = self._get(pk)
        v = validated(ReopenSerializer(data=request.data))
        services.reopen_review(actor=person(request), review=review, **v)
        return self._answer(review)
