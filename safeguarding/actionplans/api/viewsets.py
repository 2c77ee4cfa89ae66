"""API v1 action plans: plans (with their actions and progress), actions (filterable), each action's
updates (read, and post one with evidence files), and the re-check of a complete action (did the change
hold?).

The same services and rules as the pages (`safeguarding.actionplans`): a plan or action the caller may
not see answers 404, exactly like one that does not exist; a change the rules do not allow answers 403
saying why; a re-check sent against an older `version` answers 409. An agency system (token) sees the
plans with actions its agency leads, only those actions, and may post updates on them (not re-checks:
those are recorded by the lead officer or the business unit).
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from safeguarding.actionplans import queries, services
from safeguarding.actionplans.api.serializers import (
    ActionFilterSerializer,
    ActionSerializer,
    PlanDetailSerializer,
    PlanSerializer,
    RecheckCreateSerializer,
    RecheckUploadSerializer,
    UpdateCreateSerializer,
    UpdateSerializer,
    UpdateUploadSerializer,
)
from safeguarding.actionplans.enums import ActionStatus
from safeguarding.actionplans.models import Action, ActionPlan
from safeguarding.actionplans.permissions import can_record_recheck, can_update_action
from safeguarding.api.exceptions import id_or_404
from safeguarding.api.people import person
from safeguarding.api.schema import ERROR_RESPONSES, BadRequestSerializer, ErrorSerializer, PageAutoSchema

ERRORS = {
    **ERROR_RESPONSES,
    400: OpenApiResponse(BadRequestSerializer, description="The request has errors, or its body could not be read."),
}
READ_ERRORS = {code: response for code, response in ERRORS.items() if code != 403}
CONFLICT = OpenApiResponse(
    ErrorSerializer, description="The action changed since the `version` you sent: read it again, then retry."
)
PLAN_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The plan's id.")
ACTION_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The action's id.")
TAGS = ["Action plans"]


class ActionAutoSchema(PageAutoSchema):
    """Says that a filter sent empty (`?status=`) is accepted and ignored, as the filters do."""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        for parameter in (operation or {}).get("parameters", []):
            if parameter.get("in") == "query" and parameter["name"] in ACTION_FILTER_NAMES:
                parameter["allowEmptyValue"] = True
        return operation


def _evidence_uploads(files: list[Any]) -> list[Any]:
    """The evidence files sent, checked for number and size before any is read (400 naming the problem)."""
    problem = services.evidence_files_problem(files)
    if problem:
        raise exceptions.ValidationError({"evidence": [problem]})
    return [
        services.Upload(f.name, f.read(), getattr(f, "content_type", "") or "application/octet-stream") for f in files
    ]


def _valid(serializer: Any) -> dict[str, Any]:
    if not serializer.is_valid():
        raise exceptions.ValidationError(serializer.errors)
    return cast(dict[str, Any], serializer.validated_data)


@extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        summary="Action plans you can see",
        description="The business unit, administrators and scrutineers see every plan; a lead officer the plans "
        "they lead actions in; people named on a review its plan; an agency system the plans with actions its "
        "agency leads. Progress counts the actions the caller sees.",
        responses={200: PlanSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        tags=TAGS,
        summary="An action plan with its actions, progress and versions",
        description="A plan the caller may not see answers 404, like one that does not exist.",
        parameters=[PLAN_ID],
        responses={200: PlanDetailSerializer, **READ_ERRORS},
    ),
)
class ActionPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = ActionPlan.objects.none()  # depends on the caller: see get_queryset()
    serializer_class = PlanSerializer
    schema = PageAutoSchema()
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[ActionPlan]:
        return queries.plans_visible_to(self.request.user).select_related("chair").order_by("-created_at", "-pk")

    def _progress(self, plans: list[ActionPlan]) -> dict[int, Any]:
        today = timezone.localdate()
        actions = list(queries.actions_visible_to(self.request.user).filter(plan__in=[p.pk for p in plans]))
        return {p.pk: services.progress_of([a for a in actions if a.plan_id == p.pk], today) for p in plans}

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        paginator = cast(PageNumberPagination, self.paginator)
        page = list(paginator.paginate_queryset(self.get_queryset(), request, view=self) or [])
        data = PlanSerializer(page, many=True, context={"progress": self._progress(page)}).data
        return paginator.get_paginated_response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            plan = self.get_queryset().prefetch_related("versions__decisions").get(pk=id_or_404(kwargs.get("pk")))
        except ActionPlan.DoesNotExist as exc:
            raise exceptions.NotFound() from exc
        actions = list(queries.plan_actions(request.user, plan))
        groups = services.recommendation_progress(plan, timezone.localdate(), actions)
        context = {"progress": {plan.pk: services.progress_of(actions)}, "actions": actions, "groups": groups}
        return Response(PlanDetailSerializer(plan, context=context).data)


ACTION_FILTERS = [
    OpenApiParameter("plan", int, OpenApiParameter.QUERY, required=False, description="Only this plan's actions."),
    OpenApiParameter("lead_agency", str, OpenApiParameter.QUERY, required=False, description="A lead agency's code."),
    OpenApiParameter(
        "status",
        str,
        OpenApiParameter.QUERY,
        required=False,
        enum=ActionStatus.values,
        description="Only actions with this status.",
    ),
    OpenApiParameter(
        "overdue",
        str,
        OpenApiParameter.QUERY,
        required=False,
        enum=["true", "false"],
        description="true: only overdue actions (past due, not complete); false: only the others.",
    ),
    OpenApiParameter(
        "recheck_due",
        str,
        OpenApiParameter.QUERY,
        required=False,
        enum=["true", "false"],
        description="true: only actions with a re-check due (complete, `recheck_on` today or earlier, no re-check "
        "that held); false: only the others.",
    ),
]
ACTION_FILTER_NAMES = frozenset(p.name for p in ACTION_FILTERS)


@extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        summary="Actions you can see",
        description="In plan and number order. Filters: plan, lead_agency, status, overdue, recheck_due. "
        "An unknown filter value answers 400 naming the parameter.",
        parameters=ACTION_FILTERS,
        responses={200: ActionSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        tags=TAGS, summary="An action", parameters=[ACTION_ID], responses={200: ActionSerializer, **READ_ERRORS}
    ),
)
class ActionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Action.objects.none()  # depends on the caller: see get_queryset()
    serializer_class = ActionSerializer
    schema = ActionAutoSchema()
    lookup_value_regex = "[^/]+"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Action]:
        return queries.with_related(queries.actions_visible_to(self.request.user)).order_by("plan_id", "number")

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.action != "list":
            return queryset
        v = _valid(ActionFilterSerializer(data=self.request.query_params))
        if v.get("plan") is not None:
            queryset = queryset.filter(plan_id=v["plan"])
        if v.get("lead_agency"):
            queryset = queryset.filter(lead_agency__code__iexact=v["lead_agency"])
        if v.get("status"):
            queryset = queryset.filter(status=v["status"])
        if v.get("overdue"):
            overdue = Action.objects.overdue(timezone.localdate()).values("pk")
            queryset = queryset.filter(pk__in=overdue) if v["overdue"] == "true" else queryset.exclude(pk__in=overdue)
        if v.get("recheck_due"):
            due = Action.objects.recheck_due(timezone.localdate()).values("pk")
            queryset = queryset.filter(pk__in=due) if v["recheck_due"] == "true" else queryset.exclude(pk__in=due)
        return queryset

    def _get(self, pk: Any) -> Action:
        try:
            return self.get_queryset().get(pk=id_or_404(pk))
        except Action.DoesNotExist as exc:
            raise exceptions.NotFound() from exc

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(ActionSerializer(self._get(kwargs.get("pk"))).data)

    @extend_schema(
        methods=["get"],
        tags=TAGS,
        summary="The action's updates, newest first",
        parameters=[ACTION_ID],
        responses={200: UpdateSerializer(many=True), **READ_ERRORS},
    )
    @extend_schema(
        methods=["post"],
        tags=TAGS,
        summary="Add an update (sets the action's status and RAG)",
        description="By the action's lead officer, the business unit, or the lead agency's system; anyone else "
        "who can see the action: 403. Send JSON (no files) or multipart/form-data with `evidence` files. "
        "The status rules: RAG blue exactly when complete; on track green, at risk amber, off track red; "
        "complete_with_impact needs evidence (a file now or on an earlier update); reopening a complete action "
        "clears its sign-off. 400 names the field that breaks a rule. Send the action's `version` as you read it: "
        "if the action changed since (another update), nothing is saved and the answer is 409.",
        parameters=[ACTION_ID],
        request={"application/json": UpdateCreateSerializer, "multipart/form-data": UpdateUploadSerializer},
        responses={201: UpdateSerializer, 409: CONFLICT, **ERRORS},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def updates(self, request: Request, pk: Any = None) -> Response:
        found = self._get(pk)
        if request.method == "GET":
            rows = found.updates.select_related("author").prefetch_related("evidence")
            return Response(UpdateSerializer(rows, many=True).data)
        if not can_update_action(request.user, found):
            raise exceptions.PermissionDenied("Only the action's lead officer or the business unit can add an update.")
        multipart = request.content_type.startswith("multipart/")
        data: Any = request.data
        if multipart:
            data = {
                key: data.get(key) for key in ("version", "written_on", "narrative", "status", "rag") if key in data
            }
            data["evidence"] = request.FILES.getlist("evidence")
        v = _valid((UpdateUploadSerializer if multipart else UpdateCreateSerializer)(data=data))
        files = _evidence_uploads(v.get("evidence", []))
        update = services.add_update(
            actor=person(request),
            action=found,
            written_on=v["written_on"],
            narrative=v["narrative"],
            status=v["status"],
            rag=v["rag"],
            evidence_files=files,
            version=v["version"],
        )
        return Response(UpdateSerializer(update).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS,
        summary="Record the re-check: did the change hold?",
        description="For a complete action (signed off or not), by its lead officer or the business unit; anyone "
        "else who can see the action, an agency system included: 403, as for an action not complete or whose "
        "re-check already found that the change held. Send the action's `version` as you read it (a stale one "
        "answers 409). held true: the action stays complete and keeps `rechecked_on` and `recheck_held`. held "
        "false: the re-check is an update to at_risk (amber) that reopens the action (completion and sign-off "
        "cleared, a review recommendation taken back to 'In an action plan') and `due_on` (required) becomes "
        "its due date, `recheck_on` (optional) its next re-check date. JSON, or multipart/form-data with "
        "`evidence` files. Answers the action as it now stands; the re-check shows in its updates.",
        parameters=[ACTION_ID],
        request={"application/json": RecheckCreateSerializer, "multipart/form-data": RecheckUploadSerializer},
        responses={200: ActionSerializer, **ERRORS, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], pagination_class=None)
    def recheck(self, request: Request, pk: Any = None) -> Response:
        found = self._get(pk)
        if not can_record_recheck(request.user, found):
            raise exceptions.PermissionDenied(
                "Only the action's lead officer or the business unit can record the re-check."
            )
        multipart = request.content_type.startswith("multipart/")
        data: Any = request.data
        if multipart:
            names = ("version", "rechecked_on", "held", "narrative", "due_on", "recheck_on")
            # An empty optional date in a form post means "not given".
            data = {key: data.get(key) for key in names if key in data and data.get(key) != ""}
            data["evidence"] = request.FILES.getlist("evidence")
        v = _valid((RecheckUploadSerializer if multipart else RecheckCreateSerializer)(data=data))
        files = _evidence_uploads(v.get("evidence", []))
        services.record_recheck(
            actor=person(request),
            action=found,
            version=v["version"],
            rechecked_on=v["rechecked_on"],
            held=v["held"],
            narrative=v["narrative"],
            evidence_files=files,
            due_on=v["due_on"],
            recheck_on=v["recheck_on"],
        )
        return Response(ActionSerializer(self._get(pk)).data)


def register(router: SimpleRouter) -> None:
    router.register("action-plans", ActionPlanViewSet, basename="action-plan")
    router.register("actions", ActionViewSet, basename="action")
