"""API v1 census imports: children's social care (its people with the import role, or its own system's
token) posts a Children in Need census XML file; it is stored as an import batch and queued, checked by
the national validator, then imported all or nothing by the chronology's import task. The answer is the
batch (202); `GET /api/v1/imports/{id}/` follows it to the result: `errors` (each with its `rule`,
`child` and field) or the validator's queries in `warnings`.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from safeguarding.api.people import person
from safeguarding.api.schema import ERROR_RESPONSES
from safeguarding.census.import_rules import census_import_agencies
from safeguarding.census.importer import FORMAT
from safeguarding.census.reading import MAX_FILE_BYTES
from safeguarding.chronology.api.imports import ImportBatchSerializer
from safeguarding.chronology.importer import create_batch
from safeguarding.chronology.tasks import import_events_task


class CensusImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The census XML file (2025-26 or 2026-27 specification).")
    agency = serializers.CharField(
        required=False,
        help_text="The children's social care agency's code; needed only when you import for several.",
    )
    dry_run = serializers.BooleanField(default=False, help_text="Check and count, but save nothing.")

    def validate_file(self, upload: Any) -> Any:
        if not upload.size:
            raise serializers.ValidationError("The file is empty. Send the census XML file.")
        if upload.size > MAX_FILE_BYTES:
            raise serializers.ValidationError("The file must be smaller than 50 MB. Check it is the census XML file.")
        return upload


class CensusImportViewSet(viewsets.ViewSet):
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = CensusImportSerializer

    @extend_schema(
        tags=["Census"],
        summary="Import a Children in Need census XML file",
        description="Multipart form: `file` (the XML), `agency` (the children's social care agency's code, when "
        "you import for several) and `dry_run`. The file is stored and queued (202, the import batch); the census "
        "validator checks it before anything is written: its errors refuse the whole file (the batch's `errors`, "
        "each with `rule`, `child` and field), its queries are the batch's `warnings`. Follow the batch at "
        "`/api/v1/imports/{id}/`. All or nothing, and a re-import adds nothing. Only a children's social care "
        "agency's people with a case-holding role, or its own system's token, may import (else 403).",
        request={"multipart/form-data": CensusImportSerializer},
        responses={
            202: OpenApiResponse(ImportBatchSerializer, description="Stored and queued: the import batch."),
            **ERROR_RESPONSES,
        },
    )
    def create(self, request: Request) -> Response:
        user = person(request)
        agencies = census_import_agencies(user)
        if not agencies:
            raise exceptions.PermissionDenied(
                "Only a children's social care agency's people who import files, or its own system, may import "
                "the census."
            )
        body = CensusImportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        code = (body.validated_data.get("agency") or "").strip().upper()
        chosen = [a for a in agencies if a.code.upper() == code] if code else agencies
        if len(chosen) != 1:
            codes = ", ".join(a.code for a in agencies)
            message = (
                f"You do not import the census for an agency with the code {code}."
                if code
                else "You import the census for several agencies: give the agency's code."
            )
            raise exceptions.ValidationError({"agency": [f"{message} Use one of: {codes}."]})
        upload = body.validated_data["file"]
        batch = create_batch(
            actor=user,
            agency=chosen[0],
            filename=upload.name or "census.xml",
            content=upload.read(),
            dry_run=body.validated_data["dry_run"],
            file_format=FORMAT,
        )
        # Committed (requests are not wrapped in a transaction), so a worker finds it.
        import_events_task.enqueue(batch.pk)
        batch.refresh_from_db()
        return Response(ImportBatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED)


def register(router: SimpleRouter) -> None:
    router.register("census/imports", CensusImportViewSet, basename="census-import")
