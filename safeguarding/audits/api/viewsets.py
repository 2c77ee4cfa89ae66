"""API v1 audits: list and read audits (with their sample and status), change an audit's plan (PATCH,
with the version read), its auditors (list, and remove one with a reason), an agency's responses for the
sampled cases (read, and post for its own agency while the audit is in progress), and findings.

The same rules and services as the pages (`safeguarding.audits.workflow`). An audit the caller may not
see answers 404, exactly like one that does not exist; so do the responses and auditors of an audit whose
cases the caller may not see (scrutineers read summaries only). A change the rules do not allow answers
403 saying why; a change made against an older `version` answers 409.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from safeguarding.api.exceptions import api_field_names, id_or_404, validated
from safeguarding.api.people import person
from safeguarding.api.schema import ERROR_RESPONSES, BadRequestSerializer, ErrorSerializer, PageAutoSchema
from safeguarding.audits import services, workflow
from safeguarding.audits.api.serializers import (
    AuditAuditorRemoveSerializer,
    AuditAuditorSerializer,
    AuditFindingSerializer,
    AuditPlanUpdateSerializer,
    AuditResponsesCreateSerializer,
    AuditResponseSerializer,
    AuditSerializer,
)
from safeguarding.audits.models import Audit, AuditResponse
from safeguarding.audits.queries import audits_visible_to, with_related
from safeguarding.children.services import record_child_view
from safeguarding.core.services import record_activity

ERRORS = {
    **ERROR_RESPONSES,
    400: OpenApiResponse(BadRequestSerializer, description="The request has errors, or its body could not be read."),
}
ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The audit's id.")
AUDITOR_PARAMETER = OpenApiParameter(
    "auditor_id", int, OpenApiParameter.PATH, description="The auditor's id on this audit (from its auditors list)."
)
CONFLICT = OpenApiResponse(
    ErrorSerializer, description="The audit changed since the `version` you sent: read it again, then retry."
)
TAGS = ["Audits"]
# The API names the lead `lead_id`; the service's field is `lead`.
API_FIELD_NAMES = {"lead": "lead_id"}


@extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        summary="Audits you can see",
        description="The business unit and scrutineers see every audit; the lead and named auditors theirs; an "
        "agency system the audits its agency takes part in. Each with its status and sample: the cases are "
        "listed for those who may see case-level data (not scrutineers), and the children named (id and NHS "
        "number) only while the caller may open the cases: auditors and agency systems between the audit's "
        "start and end dates.",
        responses={200: AuditSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        tags=TAGS, summary="An audit", parameters=[ID_PARAMETER], responses={200: AuditSerializer, **ERRORS}
    ),
    partial_update=extend_schema(
        tags=TAGS,
        summary="Change the audit's plan",
        description="Send the audit's `version` as you read it and only the fields that change. The business "
        "unit, administrators and the audit's lead may change the plan until the audit closes; anyone else who "
        "can see the audit, or a closed audit: 403. The end date must be on or after the start date; once "
        "auditing has started the practice period and the tool are fixed, so is a start date that has passed, "
        "and while in progress the end date cannot be before today. An agency that has recorded responses, or "
        "still has named auditors, cannot leave the audit (400, naming it). Auditors' access follows the new "
        "dates at once. A change made since your `version`: 409.",
        parameters=[ID_PARAMETER],
        request=AuditPlanUpdateSerializer,
        responses={
            200: AuditSerializer,
            204: OpenApiResponse(description="Saved; the caller handed the lead on and may no longer see the audit."),
            **ERRORS,
            409: CONFLICT,
        },
    ),
)
class AuditViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Audit.objects.none()  # depends on the caller: see get_queryset()
    serializer_class = AuditSerializer
    schema = PageAutoSchema()
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Audit]:
        return (
            with_related(audits_visible_to(self.request.user))
            .prefetch_related("agencies", "tool__questions")
            .order_by("-start_on", "-pk")
        )

    def _get(self, pk: Any) -> Audit:
        try:
            audit = self.get_queryset().get(pk=id_or_404(pk))
        except Audit.DoesNotExist as exc:
            raise exceptions.NotFound() from exc
        return audit

    def _context(self, rows: list[Audit]) -> dict[str, Any]:
        user = person(self.request)
        see = {a.pk: workflow.can_see_case_data(user, a) for a in rows}
        show = {a.pk: see[a.pk] and workflow.can_view_case(user, a) for a in rows}
        for audit in rows:
            if show[audit.pk]:
                for case in audit.cases.select_related("child"):
                    record_child_view(actor=user, child=case.child, action="audit.sample_viewed")
        return {**self.get_serializer_context(), "see_cases": see, "show_children": show}

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        paginator = cast(PageNumberPagination, self.paginator)
        page = paginator.paginate_queryset(self.get_queryset(), request, view=self) or []
        return paginator.get_paginated_response(AuditSerializer(page, many=True, context=self._context(page)).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        audit = self._get(kwargs.get("pk"))
        record_activity(actor=person(request), action="audit.viewed", target=audit)
        return Response(AuditSerializer(audit, context=self._context([audit])).data)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        audit = self._get(kwargs.get("pk"))
        refusal = workflow.plan_change_refusal(request.user, audit)
        if refusal:
            raise exceptions.PermissionDenied(refusal)
        values = dict(validated(AuditPlanUpdateSerializer(data=request.data, context={"user": request.user})))
        version = values.pop("version")
        if "lead_id" in values:
            values["lead"] = values.pop("lead_id")
        with api_field_names(API_FIELD_NAMES):
            services.change_audit_plan(actor=person(request), audit=audit, version=version, **values)
        # The audit as it is now (the caller may have handed the lead on: then it is no longer theirs to see).
        try:
            fresh = self.get_queryset().get(pk=audit.pk)
        except Audit.DoesNotExist:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(AuditSerializer(fresh, context=self._context([fresh])).data)

    @extend_schema(
        tags=TAGS,
        summary="The audit's auditors",
        description="The people named to audit, each for one participating agency, with the id to remove them "
        "by. For those who may see the audit's case-level data; scrutineers and others: 404.",
        parameters=[ID_PARAMETER],
        responses={200: AuditAuditorSerializer(many=True), **ERRORS},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def auditors(self, request: Request, pk: Any = None) -> Response:
        audit = self._get(pk)
        if not workflow.can_see_case_data(request.user, audit):
            raise exceptions.NotFound()
        rows = audit.auditors.select_related("user", "agency").order_by("agency__code", "pk")
        return Response(AuditAuditorSerializer(rows, many=True).data)

    @extend_schema(
        tags=TAGS,
        summary="Remove an auditor",
        description="The business unit, administrators and the audit's lead remove a person as an auditor, with "
        "the reason (logged). Their access to the audit and its sampled cases ends at once; the responses they "
        "recorded stay, attributed to them. Anyone else who can see the audit: 403. Returns the auditors left.",
        parameters=[ID_PARAMETER, AUDITOR_PARAMETER],
        request=AuditAuditorRemoveSerializer,
        responses={200: AuditAuditorSerializer(many=True), **ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"auditors/(?P<auditor_id>[^/]+)/remove",
        url_name="auditor-remove",
        pagination_class=None,
    )
    def remove_auditor(self, request: Request, pk: Any = None, auditor_id: Any = None) -> Response:
        audit = self._get(pk)
        if not workflow.can_remove_auditor(request.user, audit):
            raise exceptions.PermissionDenied("Only the business unit or the audit's lead can remove auditors.")
        auditor = audit.auditors.filter(pk=id_or_404(auditor_id)).first()
        if auditor is None:
            raise exceptions.NotFound()
        v = validated(AuditAuditorRemoveSerializer(data=request.data))
        services.take_auditor_off(actor=person(request), audit=audit, auditor=auditor, reason=v["reason"])
        rows = audit.auditors.select_related("user", "agency").order_by("agency__code", "pk")
        return Response(AuditAuditorSerializer(rows, many=True).data)

    @extend_schema(
        methods=["get"],
        tags=TAGS,
        summary="Responses for the sampled cases",
        description="The caller's own agency's responses (every agency's for the business unit and the lead). "
        "Scrutineers and others who may not see case-level data: 404.",
        parameters=[ID_PARAMETER],
        responses={200: AuditResponseSerializer(many=True), **ERRORS},
    )
    @extend_schema(
        methods=["post"],
        tags=TAGS,
        summary="Record your agency's part for a case",
        description="A grade (a code of the tool's scale) and a narrative per question number, for one sampled "
        "case. Only while the audit is in progress and between its start and end dates; an agency system or a "
        "named auditor answers for its own agency only (otherwise 403). An answer replaces the agency's earlier "
        "answer to the same question. Returns the agency's responses for the case.",
        parameters=[ID_PARAMETER],
        request=AuditResponsesCreateSerializer,
        responses={201: AuditResponseSerializer(many=True), **ERRORS},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def responses(self, request: Request, pk: Any = None) -> Response:
        audit = self._get(pk)
        user = person(request)
        if not workflow.can_see_case_data(user, audit):
            raise exceptions.NotFound()
        if request.method == "GET":
            rows = (
                AuditResponse.objects.filter(case__audit=audit, agency_id__in=workflow.own_agency_ids(user, audit))
                .select_related("case", "agency", "question")
                .order_by("case__number", "question__number", "agency__code")
            )
            return Response(AuditResponseSerializer(rows, many=True).data)
        v = validated(AuditResponsesCreateSerializer(data=request.data))
        case = audit.cases.filter(pk=v["case"]).first()
        if case is None:
            raise exceptions.ValidationError({"case": ["No case with this id in the audit's sample."]})
        mine = [a for a in audit.agencies.all() if a.pk in workflow.own_agency_ids(user, audit)]
        if "agency" in v:
            agency = next((a for a in audit.agencies.all() if a.code == v["agency"]), None)
            if agency is None:
                raise exceptions.ValidationError({"agency": ["Not a participating agency's code."]})
        elif len(mine) == 1:
            agency = mine[0]
        else:
            raise exceptions.ValidationError({"agency": ["Say which agency you answer for (its code)."]})
        questions = {q.number: q for q in audit.tool.questions.all()}
        errors = [
            f"item {i + 1}: no question {a['question']} in the tool."
            for i, a in enumerate(v["answers"])
            if a["question"] not in questions
        ]
        if errors:
            raise exceptions.ValidationError({"answers": errors})
        answers = [services.Answer(questions[a["question"]], a["grade"], a["narrative"]) for a in v["answers"]]
        services.record_responses(actor=user, case=case, agency=agency, answers=answers)
        rows = (
            case.responses.filter(agency=agency)
            .select_related("case", "agency", "question")
            .order_by("question__number")
        )
        return Response(AuditResponseSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS,
        summary="The audit's findings",
        description="Strengths and areas for development, with themes and the actions created from them.",
        parameters=[ID_PARAMETER],
        responses={200: AuditFindingSerializer(many=True), **ERRORS},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def findings(self, request: Request, pk: Any = None) -> Response:
        audit = self._get(pk)
        return Response(AuditFindingSerializer(audit.findings.prefetch_related("themes"), many=True).data)


def register(router: SimpleRouter) -> None:
    router.register("audits", AuditViewSet, basename="audit")
