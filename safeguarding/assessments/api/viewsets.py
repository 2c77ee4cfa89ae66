"""API v1 assessments and assessment templates.

- `/api/v1/assessment-templates/`: read the templates (structure and grade scale; never the licensed
  descriptor wording, which only trained people see, on the pages).
- `/api/v1/assessments/`: list (filter by child, template, agency) and read with grades, for agency
  system tokens and signed-in people alike: completed assessments of children the caller may see (and
  a person's own drafts). Creating and completing is for **people trained for the template**, through
  their verified browser session: an assessment is a trained practitioner's professional judgement, so
  an agency system token cannot make one (403).

The same services as the pages. An assessment the caller may not see answers 404, exactly like one
that does not exist; a refused change answers 403 saying why; a change to an older `version`, or to a
completed assessment, answers 409.
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

from safeguarding.api.exceptions import conflict_on, id_or_404, validated
from safeguarding.api.people import person
from safeguarding.api.schema import ERROR_RESPONSES, BadRequestSerializer, ErrorSerializer, PageAutoSchema
from safeguarding.assessments import queries, services
from safeguarding.assessments.api.serializers import (
    AssessmentCompleteSerializer,
    AssessmentCreateSerializer,
    AssessmentDetailSerializer,
    AssessmentSerializer,
    TemplateSerializer,
)
from safeguarding.assessments.models import Assessment, AssessmentTemplate
from safeguarding.core.access import parse_id

ERRORS = {
    **ERROR_RESPONSES,
    400: OpenApiResponse(BadRequestSerializer, description="The request has errors, or its body could not be read."),
}
CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description="The assessment changed since the `version` you sent, or it is completed and can no longer change.",
)
ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The assessment's id.")
TEMPLATE_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The template's id.")
FILTERS = [
    OpenApiParameter("child", {"type": "integer", "minimum": 1}, description="Only this child's assessments (an id)."),
    OpenApiParameter(
        "template", {"type": "string", "maxLength": 40}, description="Only this template's (its code, any version)."
    ),
    OpenApiParameter(
        "agency", {"type": "string", "maxLength": 32}, description="Only those made by this agency (code)."
    ),
]
TAGS = ["Assessments"]


def _content(values: dict[str, Any]) -> dict[str, Any]:
    """Service keyword arguments from a content serializer's data (what was not sent stays as it was)."""
    out: dict[str, Any] = {
        "grades": {
            g["unit"]: services.GradeInput(g["grade"], g["evidence"], list(dict.fromkeys(g["entries"])))
            for g in values["grades"]
        }
    }
    for name in ("overall_view", "next_steps", "assessed_on"):
        if values.get(name) is not None:
            out[name] = values[name]
    return out


@extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        summary="Assessments you can see",
        description="Completed assessments of children the caller may see (any agency's), and a person's own "
        "drafts; newest first. Without grades: read one for those.",
        parameters=FILTERS,
        responses={200: AssessmentSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        tags=TAGS,
        summary="An assessment with its grades",
        description="Each grade with its evidence and the chronology entries it cites; an entry the caller may not "
        "see is shown only as restricted. Reading it is logged as a view of the child's record.",
        parameters=[ID_PARAMETER],
        responses={200: AssessmentDetailSerializer, **ERRORS},
    ),
    create=extend_schema(
        tags=TAGS,
        summary="Start an assessment (people trained for the template)",
        description="Starts a draft for the caller, who must be recorded as trained for the template, with any "
        "grades given; `complete: true` completes it at once. Agency system tokens cannot assess (403).",
        request=AssessmentCreateSerializer,
        responses={201: AssessmentDetailSerializer, **ERRORS},
    ),
)
class AssessmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Assessment.objects.none()  # depends on the caller: see get_queryset()
    serializer_class = AssessmentSerializer
    schema = PageAutoSchema()
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[Assessment]:
        return queries.with_related(queries.assessments_visible_to(self.request.user)).order_by("-assessed_on", "-pk")

    def _get(self, pk: Any) -> Assessment:
        try:
            return self.get_queryset().get(pk=id_or_404(pk))
        except Assessment.DoesNotExist as exc:
            raise exceptions.NotFound() from exc

    def _out(self, assessment: Assessment, code: int = 200) -> Response:
        assessment = self._get(assessment.pk)
        context = {**self.get_serializer_context(), "cited": queries.cited_entries(person(self.request), assessment)}
        return Response(AssessmentDetailSerializer(assessment, context=context).data, status=code)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        qs = self.get_queryset()
        params = request.query_params
        errors: dict[str, list[str]] = {}
        if params.get("child"):
            child_id = parse_id(params["child"])
            if not child_id:
                errors["child"] = ["Give a child's id (a whole number)."]
            else:
                qs = qs.filter(child_id=child_id)
        for name, lookup, length in (("template", "template__code", 40), ("agency", "agency__code", 32)):
            value = params.get(name)
            if value:
                if "\x00" in value or len(value) > length:
                    errors[name] = [f"Give a {name} code of up to {length} characters."]
                else:
                    qs = qs.filter(**{lookup: value})
        if errors:
            raise exceptions.ValidationError(errors)
        paginator = cast(PageNumberPagination, self.paginator)
        page = list(paginator.paginate_queryset(qs, request, view=self) or [])
        # A list shows each assessment as its detail does: the same record of a look at the child's record.
        for assessment in page:
            services.record_assessment_view(actor=person(request), assessment=assessment)
        return paginator.get_paginated_response(AssessmentSerializer(page, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        assessment = self._get(kwargs.get("pk"))
        services.record_assessment_view(actor=person(request), assessment=assessment)
        return self._out(assessment)

    def _refuse_systems(self) -> None:
        if getattr(self.request.user, "is_system", False):
            raise exceptions.PermissionDenied(
                "Assessments are made by people trained for the template, through their own signed-in session. "
                "An agency system token can read assessments but not make them."
            )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self._refuse_systems()
        v = validated(AssessmentCreateSerializer(data=request.data, context={"request": request}))
        content = _content(v)
        with conflict_on(services.Locked):
            assessment = services.start_assessment(
                actor=person(request),
                child=v["child"],
                template=v["template"],
                agency=v["agency"],
                assessed_on=v.get("assessed_on"),
            )
        if content["grades"] or v["complete"] or len(content) > 1:
            with conflict_on(services.Locked):
                services.save_assessment(
                    actor=person(request),
                    assessment=assessment,
                    version=assessment.version,
                    complete=v["complete"],
                    **content,
                )
        return self._out(assessment, status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS,
        summary="Save grades and complete a draft (its assessor, trained for the template)",
        description="Grades, overall view and next steps given here are saved first; then every unit must be "
        "graded and the overall view and next steps given. A completed assessment never changes (409).",
        parameters=[ID_PARAMETER],
        request=AssessmentCompleteSerializer,
        responses={200: AssessmentDetailSerializer, **ERRORS, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: Any = None) -> Response:
        assessment = self._get(pk)
        v = validated(AssessmentCompleteSerializer(data=request.data))
        self._refuse_systems()
        with conflict_on(services.Locked):
            services.complete_assessment(
                actor=person(request), assessment=assessment, version=v["version"], **_content(v)
            )
        return self._out(assessment)


@extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        summary="Assessment templates",
        description="Every template version with its grade scale and structure (areas, sub-areas, items). "
        "Licensed descriptor wording is never given here.",
        responses={200: TemplateSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        tags=TAGS,
        summary="An assessment template",
        parameters=[TEMPLATE_ID],
        responses={200: TemplateSerializer, **ERRORS},
    ),
)
class AssessmentTemplateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = AssessmentTemplate.objects.none()
    serializer_class = TemplateSerializer
    schema = PageAutoSchema()
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[AssessmentTemplate]:
        return (
            queries.templates_visible_to(self.request.user)
            .prefetch_related("scale", "areas__sub_areas__items")
            .order_by("code", "-version")
        )

    def get_object(self) -> AssessmentTemplate:
        try:
            return self.get_queryset().get(pk=id_or_404(self.kwargs.get("pk")))
        except AssessmentTemplate.DoesNotExist as exc:
            raise exceptions.NotFound() from exc


def register(router: SimpleRouter) -> None:
    router.register("assessments", AssessmentViewSet, basename="assessment")
    router.register("assessment-templates", AssessmentTemplateViewSet, basename="assessment-template")
