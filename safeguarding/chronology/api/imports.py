"""API v1 import batches: an agency's file imports, where each stands, and trying a failed one again.

The same rules as the pages: a batch is seen by the uploading agency's case-holding members (and its
own system token); for anyone else it answers 404, exactly like one that does not exist. Reading a
running batch whose worker died marks it failed first (`chronology.recovery`), as the page does.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from safeguarding.api.exceptions import conflict_on, id_or_404
from safeguarding.api.people import person
from safeguarding.api.schema import ERROR_RESPONSES, ErrorSerializer, PageAutoSchema
from safeguarding.chronology import queries, recovery
from safeguarding.chronology.models import ImportBatch
from safeguarding.chronology.tasks import import_events_task


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row in the file (0: the file as a whole).")
    column = serializers.CharField(allow_blank=True)
    reason = serializers.CharField(help_text="What is wrong, and what to do.")
    rule = serializers.CharField(required=False, help_text="A census file: the validator's rule code (e.g. 8640).")
    child = serializers.CharField(required=False, help_text="A census file: the child's LA child ID.")


class ImportWarningSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row (a census file: the child's position) in the file; 0: the file.")
    column = serializers.CharField(allow_blank=True, help_text="The column, or the census element.")
    reason = serializers.CharField(help_text="What to check: for a census file, the validator's query in its words.")
    rule = serializers.CharField(required=False, help_text="A census file: the validator's rule code.")
    child = serializers.CharField(required=False, help_text="A census file: the child's LA child ID.")


class ImportBatchSerializer(serializers.ModelSerializer):
    agency: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text="The agency's code."
    )
    # Only reads the batch's `errors` (never bound to input), so shadowing Serializer.errors is harmless.
    errors = ImportErrorSerializer(  # type: ignore[assignment]
        many=True, read_only=True, help_text="Why it failed or was refused."
    )
    warnings = ImportWarningSerializer(
        many=True, read_only=True, help_text="What did not stop the import (a census file: the validator's queries)."
    )

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "agency",
            "filename",
            "file_format",
            "status",
            "dry_run",
            "rows_total",
            "rows_done",
            "events_created",
            "events_already_present",
            "mapped_to_other",
            "errors",
            "warnings",
            "created_at",
            "started_at",
            "finished_at",
            "heartbeat_at",
            "version",
        ]
        read_only_fields = fields


class RetrySerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The batch's `version` as you read it.")


ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The import batch's id.")
CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description="The batch changed since you read it (stale `version`), or it is not failed: already imported, "
    "refused, waiting for its event types, queued or running. Nothing was queued.",
)


@extend_schema_view(
    list=extend_schema(
        tags=["Chronology"],
        summary="Your agency's file imports, newest first",
        responses={200: ImportBatchSerializer(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        tags=["Chronology"],
        summary="One file import: status, counts and problems",
        description="`status`: queued, running, succeeded, rejected, failed, or confirm (waiting for event types "
        "to be confirmed on the page). A running import whose worker stopped (no heartbeat for IMPORT_STALE_AFTER "
        "seconds) is answered failed, with the reason, and can be tried again.",
        parameters=[ID_PARAMETER],
        responses={200: ImportBatchSerializer, **ERROR_RESPONSES},
    ),
)
class ImportBatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = ImportBatch.objects.none()
    serializer_class = ImportBatchSerializer
    schema = PageAutoSchema()  # `?page=` sent empty is accepted, as DRF's pagination does
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[ImportBatch]:
        return queries.batches_visible_to(self.request.user)

    def _get(self, pk: Any) -> ImportBatch:
        return queries.get_batch_for_user(self.request.user, id_or_404(pk))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        batch = recovery.check_stalled(self._get(kwargs.get("pk")))
        return Response(ImportBatchSerializer(batch).data)

    @extend_schema(
        tags=["Chronology"],
        summary="Try a failed import again",
        description="Queues the batch again with the file it was uploaded with (the import is all or nothing and "
        "idempotent: nothing is added twice). Only a failed batch can be tried again; the answer is the batch, "
        "queued, with its new `version`.",
        parameters=[ID_PARAMETER],
        request=RetrySerializer,
        responses={200: ImportBatchSerializer, 409: CONFLICT, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: Any = None) -> Response:
        batch = self._get(pk)
        body = RetrySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with conflict_on(recovery.NotRetryable):
            recovery.retry_import(actor=person(request), batch=batch, version=body.validated_data["version"])
        # Committed (requests are not wrapped in a transaction), so a worker finds it.
        import_events_task.enqueue(batch.pk)
        batch.refresh_from_db()
        return Response(ImportBatchSerializer(batch).data)


def register(router: SimpleRouter) -> None:
    router.register("imports", ImportBatchViewSet, basename="import-batch")
