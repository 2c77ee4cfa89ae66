"""API v1 care plans: plans, their objectives, progress updates and scaling scores.

The same services and access rules as the pages. A plan is visible only to callers who may see every
child in it; anything else answers 404, exactly like a plan that does not exist. Agreed versions are
read-only: a change to a plan without a draft answers 409 saying to amend it first; a change made
against an older `version` answers 409 too. Reading a plan is logged as a view of each child's record.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from safeguarding.api.exceptions import conflict_on, id_or_404
from safeguarding.api.people import person
from safeguarding.api.schema import ERROR_RESPONSES, BadRequestSerializer, ErrorSerializer, PageAutoSchema
from safeguarding.core.access import parse_id
from safeguarding.plans import services
from safeguarding.plans.api.serializers import (
    TEXT_CONTENT,
    CarePlanDetailSerializer,
    CarePlanSerializer,
    PlanDraftUpdateSerializer,
    PlanObjectiveSerializer,
    PlanObjectiveUpdateCreateSerializer,
    PlanObjectiveUpdateSerializer,
    PlanObjectiveWriteSerializer,
    PlanReviewCreateSerializer,
    ScalingScoreSerializer,
)
from safeguarding.plans.models import AgreedVersionLocked, CarePlan, Objective, ScalingScore
from safeguarding.plans.queries import plans_visible_to, with_related

if TYPE_CHECKING:
    from safeguarding.core.types import Person

ERRORS = {
    **ERROR_RESPONSES,
    400: OpenApiResponse(BadRequestSerializer, description="The request has errors, or its body could not be read."),
}
CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description="The plan's agreed version cannot be changed (amend the plan to make a draft first), or the plan "
    "changed since the `version` you sent (read it again, then retry).",
)
ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The plan's id.")
UID_PARAMETER = OpenApiParameter(
    "uid", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The objective's uid (the same in every version)."
)
CHILD_PARAMETER = OpenApiParameter(
    "child",
    {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
    description="Only plans for this child (a child you cannot see gives an empty list; a value that is not "
    "an id is a 400).",
)


def _user_or_none(value: int | None) -> Person | None:
    return get_user_model().objects.filter(pk=value).first() if value else None


@extend_schema_view(
    list=extend_schema(
        tags=["Care plans"],
        summary="Care plans you can see",
        description="Plans for children the caller may see (every child in the plan), newest first.",
        parameters=[CHILD_PARAMETER],
        responses={200: CarePlanSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        tags=["Care plans"],
        summary="A care plan with its current version and objectives",
        parameters=[ID_PARAMETER],
        responses={200: CarePlanDetailSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        tags=["Care plans"],
        summary="Change the draft's content",
        description="Only the draft changes. A plan whose versions are all agreed answers 409: amend it first.",
        parameters=[ID_PARAMETER],
        request=PlanDraftUpdateSerializer,
        responses={200: CarePlanDetailSerializer, **ERRORS, 409: CONFLICT},
    ),
)
class CarePlanViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = CarePlan.objects.none()  # depends on the caller: see get_queryset()
    serializer_class = CarePlanSerializer
    schema = PageAutoSchema()
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[CarePlan]:
        qs = with_related(plans_visible_to(self.request.user)).order_by("-started_on", "-pk")
        if self.action == "list" and "child" in self.request.query_params:
            number = parse_id(self.request.query_params.get("child", ""))
            if number is None:
                raise exceptions.ValidationError({"child": ["Enter the child's id: a whole number."]})
            qs = qs.filter(child_links__child_id=number)
        return qs

    def _get(self, pk: Any) -> CarePlan:
        try:
            return self.get_queryset().get(pk=id_or_404(pk))
        except CarePlan.DoesNotExist as exc:
            raise exceptions.NotFound() from exc

    def _detail(self, plan: CarePlan) -> Response:
        return Response(CarePlanDetailSerializer(self._get(plan.pk)).data)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        paginator = cast(PageNumberPagination, self.paginator)
        page = list(paginator.paginate_queryset(self.get_queryset(), request, view=self) or [])
        # A list shows each plan as its detail does: the same record of a look at each child's record.
        for plan in page:
            services.record_plan_view(actor=person(request), plan=plan)
        return paginator.get_paginated_response(CarePlanSerializer(page, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = self._get(kwargs.get("pk"))
        services.record_plan_view(actor=person(request), plan=plan)
        return self._detail(plan)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = self._get(kwargs.get("pk"))
        data = PlanDraftUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        version = values.pop("version")
        content = {name: values[name] for name in [*TEXT_CONTENT, "review_date"] if name in values}
        with conflict_on(AgreedVersionLocked):
            services.update_draft(actor=person(request), plan=plan, version=version, content=content)
        return self._detail(plan)

    @extend_schema(
        tags=["Care plans"],
        summary="Objectives of the plan",
        description="GET: the objectives of the current version (the agreed one in force, or the first draft). "
        "POST: add an objective to the draft; a plan without a draft answers 409 (agreed versions are read-only).",
        parameters=[ID_PARAMETER],
        request=PlanObjectiveWriteSerializer,
        responses={200: PlanObjectiveSerializer(many=True), 201: PlanObjectiveSerializer, **ERRORS, 409: CONFLICT},
    )
    @action(detail=True, methods=["get", "post"], url_path="objectives", pagination_class=None)
    def objectives(self, request: Request, pk: Any = None) -> Response:
        plan = self._get(pk)
        if request.method == "GET":
            services.record_plan_view(actor=person(request), plan=plan)
            rows = plan.current_version().objectives.select_related("version", "owner_agency").order_by("order", "id")
            return Response(PlanObjectiveSerializer(rows, many=True).data)
        data = PlanObjectiveWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        item = services.ObjectiveInput(
            action=v["action"],
            owner_kind=v["owner_kind"],
            due_on=v["due_on"],
            progress_measure=v["progress_measure"],
            support_offered=v.get("support_offered", ""),
            owner_user=_user_or_none(v.get("owner_user")),
            owner_agency=v.get("owner_agency"),
            owner_name=v.get("owner_name", ""),
            owner_relationship=v.get("owner_relationship", ""),
        )
        with conflict_on(AgreedVersionLocked):
            objective = services.add_objective(actor=person(request), plan=plan, version=v["version"], data=item)
        return Response(PlanObjectiveSerializer(objective).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=["Care plans"],
        summary="Scaling scores of every review",
        description="Each person's 0–10 score and reason at each review, oldest review first. `person_key` "
        "identifies the same person across reviews; scores are never averaged.",
        parameters=[ID_PARAMETER],
        responses={200: ScalingScoreSerializer(many=True), **ERRORS},
    )
    @action(detail=True, methods=["get"], url_path="scaling-scores", pagination_class=None)
    def scaling_scores(self, request: Request, pk: Any = None) -> Response:
        plan = self._get(pk)
        services.record_plan_view(actor=person(request), plan=plan)
        rows = (
            ScalingScore.objects.filter(plan=plan)
            .select_related("review", "agency")
            .order_by("review__held_on", "review_id", "id")
        )
        return Response(ScalingScoreSerializer(rows, many=True).data)

    @extend_schema(
        tags=["Care plans"],
        summary="Record a review meeting with scaling scores",
        description="The lead professional or their manager records a review of the agreed plan: attendance, "
        "decisions, the next review, and each person's 0–10 score with their reason.",
        parameters=[ID_PARAMETER],
        request=PlanReviewCreateSerializer,
        responses={201: ScalingScoreSerializer(many=True), **ERRORS, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="reviews", pagination_class=None)
    def reviews(self, request: Request, pk: Any = None) -> Response:
        plan = self._get(pk)
        data = PlanReviewCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        scores = [
            services.ScoreInput(
                kind=s["kind"],
                score=s["score"],
                reason=s["reason"],
                name=s.get("name", ""),
                role=s.get("role", ""),
                user=_user_or_none(s.get("user")),
                agency=s.get("agency"),
            )
            for s in v["scores"]
        ]
        with conflict_on(AgreedVersionLocked):
            review = services.record_review(
                actor=person(request),
                plan=plan,
                version=v["version"],
                held_on=v["held_on"],
                attendance=v["attendance"],
                decisions=v["decisions"],
                next_review_on=v.get("next_review_on"),
                scores=scores,
            )
        rows = review.scores.select_related("review", "agency").order_by("id")
        return Response(ScalingScoreSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=extend_schema(
        tags=["Care plans"],
        summary="An objective (its latest version)",
        parameters=[UID_PARAMETER],
        responses={200: PlanObjectiveSerializer, **ERRORS},
    ),
)
class ObjectiveViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Objective.objects.none()
    serializer_class = PlanObjectiveSerializer
    lookup_field = "uid"
    lookup_value_regex = "[^/]+"

    def _get(self, uid: Any) -> Objective:
        try:
            key = uuid.UUID(str(uid))
        except ValueError as exc:
            raise exceptions.NotFound() from exc
        found = (
            Objective.objects.filter(uid=key, version__plan__in=plans_visible_to(self.request.user))
            .select_related("version", "version__plan", "owner_agency")
            .order_by("-version__number")
            .first()
        )
        if found is None:
            raise exceptions.NotFound()
        return found

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        objective = self._get(kwargs.get("uid"))
        services.record_plan_view(actor=person(request), plan=objective.version.plan)
        return Response(PlanObjectiveSerializer(objective).data)

    @extend_schema(
        tags=["Care plans"],
        summary="Progress updates on an objective",
        description="GET: updates, newest first. POST: record progress on the objective of the agreed plan in "
        "force (the lead professional and the agencies in the plan, including their agency systems).",
        parameters=[UID_PARAMETER],
        request=PlanObjectiveUpdateCreateSerializer,
        responses={200: PlanObjectiveUpdateSerializer(many=True), 201: PlanObjectiveUpdateSerializer, **ERRORS},
    )
    @action(detail=True, methods=["get", "post"], url_path="updates", pagination_class=None)
    def updates(self, request: Request, uid: Any = None) -> Response:
        objective = self._get(uid)
        plan = objective.version.plan
        if request.method == "GET":
            services.record_plan_view(actor=person(request), plan=plan)
            rows = plan.objective_updates.filter(objective_uid=objective.uid).select_related("agency")
            return Response(PlanObjectiveUpdateSerializer(rows, many=True).data)
        data = PlanObjectiveUpdateCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        with conflict_on(AgreedVersionLocked):
            update = services.record_objective_update(
                actor=person(request),
                plan=plan,
                uid=objective.uid,
                status=v["status"],
                rag=v["rag"],
                evidence=v["evidence"],
            )
        return Response(PlanObjectiveUpdateSerializer(update).data, status=status.HTTP_201_CREATED)


def register(router: SimpleRouter) -> None:
    router.register("care-plans", CarePlanViewSet, basename="care-plan")
    router.register("objectives", ObjectiveViewSet, basename="objective")
