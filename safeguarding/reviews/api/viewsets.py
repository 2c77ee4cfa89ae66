"""API v1 case reviews: reviews (with notification, findings and recommendations) for the business unit
and the people named on a review; review requests and submissions for the agency asked.

The same services as the pages. A review or request the caller may not see answers 404, exactly like
one that does not exist; a change the rules do not allow answers 403 saying why.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from safeguarding.api.exceptions import id_or_404, validated
from safeguarding.api.people import person
from safeguarding.api.schema import ERROR_RESPONSES, BadRequestSerializer, ErrorSerializer, PageAutoSchema
from safeguarding.children.models import Child
from safeguarding.core import kernel
from safeguarding.core.services import record_activity
from safeguarding.reviews import services
from safeguarding.reviews.api.decisions import DecisionActions
from safeguarding.reviews.api.serializers import (
    AgencyRequestSerializer,
    FindingCreateSerializer,
    FindingSerializer,
    NotifySerializer,
    RecommendationCreateSerializer,
    RecommendationSerializer,
    RecommendationStatusSerializer,
    ReviewDetailSerializer,
    ReviewSerializer,
    ReviewTransitionSerializer,
    SubmitSerializer,
)
from safeguarding.reviews.models import AgencyRequest, Review
from safeguarding.reviews.queries import requests_visible_to, reviews_visible_to, with_related
from safeguarding.reviews.workflow import (
    action_to,
    can_notify,
    can_run_review,
    next_stages,
)

ERRORS = {
    **ERROR_RESPONSES,
    400: OpenApiResponse(BadRequestSerializer, description="The request has errors, or its body could not be read."),
}
CONFLICT = OpenApiResponse(
    ErrorSerializer, description="The review changed since the `version` you sent: read it again, then retry."
)
ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The id.")
REC_PARAMETER = OpenApiParameter(
    "rec_id", int, OpenApiParameter.PATH, description="The recommendation's id (one of this review's)."
)
TAGS = ["Case reviews"]


@extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        summary="Case reviews you can see",
        description="The business unit sees every review; panel members, reviewers and chairs see theirs. "
        "Agency systems see none (they answer requests: see review-requests).",
        responses={200: ReviewSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        tags=TAGS,
        summary="A case review",
        description="With the partners informed and not yet informed, and the case's dated record.",
        parameters=[ID_PARAMETER],
        responses={200: ReviewDetailSerializer, **ERRORS},
    ),
)
class ReviewViewSet(DecisionActions, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Review.objects.none()  # depends on the caller: see get_queryset()
    serializer_class = ReviewSerializer
    schema = PageAutoSchema()
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[Review]:
        return (
            with_related(reviews_visible_to(self.request.user))
            .prefetch_related("child_links")
            .order_by("-created_at", "-pk")
        )

    def _get(self, pk: Any) -> Review:
        try:
            review = self.get_queryset().get(pk=id_or_404(pk))
        except Review.DoesNotExist as exc:
            raise exceptions.NotFound() from exc
        record_activity(actor=person(self.request), action="review.viewed", target=review)
        return review

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(ReviewDetailSerializer(self._get(kwargs.get("pk"))).data)

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
        v = validated(NotifySerializer(data=request.data))
        children = []
        for index, item in enumerate(v["children"]):
            child = Child.objects.filter(nhs_number=item["nhs_number"]).first()
            if child is None:
                raise exceptions.ValidationError({"children": [f"Child {index + 1}: no child has this NHS number."]})
            children.append(services.ChildInput(child, item["pseudonym"]))
        review = services.notify_serious_incident(
            actor=person(request),
            incident_on=v["incident_on"],
            aware_on=v["aware_on"],
            harm=v["harm"],
            summary=v["summary"],
            children=children,
            abuse_or_neglect=v["abuse_or_neglect"],
            looked_after=v["looked_after"],
            harm_outside_england=v["harm_outside_england"],
            harm_location=v["harm_location"],
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
        v = validated(FindingCreateSerializer(data=request.data))
        finding = services.add_finding(
            actor=person(request),
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
        v = validated(RecommendationCreateSerializer(data=request.data))
        recommendation = services.add_recommendation(
            actor=person(request),
            review=review,
            text=v["text"],
            addressee=v["addressee"],
            status=v["status"],
        )
        return Response(RecommendationSerializer(recommendation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS,
        summary="Change a recommendation's status",
        description="The business unit or the review's chair (anyone else who can see the review: 403). "
        "A recommendation that is not this review's: 404. Written to the activity log.",
        parameters=[ID_PARAMETER, REC_PARAMETER],
        request=RecommendationStatusSerializer,
        responses={200: RecommendationSerializer, **ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"recommendations/(?P<rec_id>[^/]+)/status",
        url_name="recommendation-status",
    )
    def recommendation_status(self, request: Request, pk: Any = None, rec_id: Any = None) -> Response:
        review = self._get(pk)
        recommendation = (
            review.recommendations.select_related("addressee", "review").filter(pk=id_or_404(rec_id)).first()
        )
        if recommendation is None:
            raise exceptions.NotFound()
        v = validated(RecommendationStatusSerializer(data=request.data))
        changed = services.set_recommendation_status(
            actor=person(request), recommendation=recommendation, status=v["status"]
        )
        return Response(RecommendationSerializer(changed).data)

    @extend_schema(
        tags=TAGS,
        summary="Move the review to its next stage",
        description="The same stage change as the review page's buttons, by the business unit or the review's "
        "chair; the workflow's guard decides whether it may happen now. `to_stage` must be reachable from the "
        "review's current stage (`notified → rapid_review → decision → in_progress | awaiting_panel | closed`, "
        "`in_progress → draft → with_family → final → published → closed`). Besides `version`, each step needs: "
        "`rapid_review` and `decision` a `sent_on` date (`rapid_review` also `ofsted_sent_on` and "
        "`secretary_of_state_sent_on` when a looked-after child died); `awaiting_panel` nothing (the rapid "
        "review must recommend a national review); `in_progress` (from decision) a `kind` and "
        "`decided_on`; `closed` from decision a `decision` and `reason`; `published` a `published_on` (and "
        "optionally `may_come_down_on`). `reason` is otherwise an optional note kept in the history.\n\n"
        "Answers the updated review. 400: bad input, or a stage not reachable from here (`errors` names the "
        "field); 403: not allowed, or the guard refuses (the message says what is missing); 404: a review you "
        "may not see; 409: the review changed since the `version` you sent.",
        parameters=[ID_PARAMETER],
        request=ReviewTransitionSerializer,
        responses={200: ReviewSerializer, **ERRORS, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: Any = None) -> Response:
        review = self._get(pk)
        v = validated(ReviewTransitionSerializer(data=request.data))
        if v["version"] != review.version:
            raise kernel.StaleVersion(noun="review")
        if not can_run_review(request.user, review):
            raise exceptions.PermissionDenied("Only the business unit or the review's chair can move its stage.")
        step = action_to(review, v["to_stage"])
        if step is None:
            stage = review.get_stage_display().lower()
            options = ", ".join(next_stages(review)) or "no other stage"
            raise exceptions.ValidationError(
                {
                    "to_stage": [
                        f"From the {stage} stage the review can move to: {options}. The national panel's "
                        "response, closing a national review and reopening have their own endpoints "
                        "(panel-response, close-national-review, reopen)."
                    ]
                }
            )
        services.move_review(
            actor=person(request),
            review=review,
            action=step,
            version=v["version"],
            reason=v["reason"],
            sent_on=v["sent_on"],
            kind=v["kind"],
            decided_on=v["decided_on"],
            decision=v["decision"],
            published_on=v["published_on"],
            may_come_down_on=v["may_come_down_on"],
            ofsted_sent_on=v["ofsted_sent_on"],
            secretary_of_state_sent_on=v["secretary_of_state_sent_on"],
        )
        return Response(ReviewSerializer(self.get_queryset().get(pk=review.pk)).data)


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
class ReviewRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = AgencyRequest.objects.none()  # depends on the caller: see get_queryset()
    serializer_class = AgencyRequestSerializer
    schema = PageAutoSchema()
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[AgencyRequest]:
        return requests_visible_to(self.request.user).select_related("review", "agency").order_by("due_on", "pk")

    def _get(self, pk: Any) -> AgencyRequest:
        try:
            found = self.get_queryset().get(pk=id_or_404(pk))
        except AgencyRequest.DoesNotExist as exc:
            raise exceptions.NotFound() from exc
        record_activity(actor=person(self.request), action="review.request_viewed", target=found)
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
        v = validated(SubmitSerializer(data=request.data))
        upload = None
        if v["document_base64"]:
            try:
                content = base64.b64decode(v["document_base64"], validate=True)
            except (binascii.Error, ValueError) as exc:
                raise exceptions.ValidationError({"document_base64": ["This is not valid base64."]}) from exc
            upload = services.Upload(v["document_name"] or "document", content)
        services.submit_to_request(
            actor=person(request),
            request=found,
            involvement=v["involvement"],
            analysis=v["analysis"],
            learning=v["learning"],
            immediate_actions=v["immediate_actions"],
            upload=upload,
        )
        return Response(AgencyRequestSerializer(self.get_queryset().get(pk=found.pk)).data, status=201)


def register(router: SimpleRouter) -> None:
    from safeguarding.reviews.api import publication

    publication.register(router)
    router.register("reviews", ReviewViewSet, basename="review")
    router.register("review-requests", ReviewRequestViewSet, basename="review-request")
