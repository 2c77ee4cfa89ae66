"""What every part of the OpenAPI schema shares: the authentication schemes (loaded in
ApiConfig.ready()), the error bodies and responses each endpoint documents, and the AutoSchema that
says an empty `?page=` is accepted. Each app's viewsets (`safeguarding/<app>/api/`) use these."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class AgencyTokenScheme(OpenApiAuthenticationExtension):
    target_class = "safeguarding.api.authentication.AgencyTokenAuthentication"
    name = "agencyToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "An agency system token, sent as `Authorization: Token <key>` (the word Token, a space, "
                "then the key). An administrator creates tokens at /api/tokens/; the key is shown once."
            ),
        }


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    target_class = "safeguarding.api.authentication.VerifiedSessionAuthentication"
    name = "verifiedSession"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": (
                "The session of a person signed in to the Safeguarding Hub with two-factor authentication. "
                "Requests that change data also need the CSRF token in the X-CSRFToken header."
            ),
        }


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, and what to do next.")


class ValidationErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="A summary: the request has errors.")
    # Only describes the response body (never bound to data), so shadowing Serializer.errors is harmless.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages by parameter or field name.",
    )


class BadRequestSerializer(serializers.Serializer):
    """A 400: a body that could not be read (only `detail`) or fields with errors (`detail` and `errors`)."""

    detail = serializers.CharField(help_text="What went wrong, and what to do next.")
    # Only describes the response body (never bound to data), so shadowing Serializer.errors is harmless.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Messages by field name, when fields have errors.",
    )


ERROR_RESPONSES: dict[int, OpenApiResponse] = {
    400: OpenApiResponse(ValidationErrorSerializer, description="The request has errors; `errors` names them."),
    401: OpenApiResponse(
        ErrorSerializer, description="No valid token or verified session, e.g. 'Invalid or revoked token.'"
    ),
    403: OpenApiResponse(ErrorSerializer, description="Signed in, but this request is not allowed."),
    404: OpenApiResponse(
        ErrorSerializer, description="'Not found.': it does not exist, or the caller may not see it (the same answer)."
    ),
}


class PageAutoSchema(AutoSchema):
    """Says that `?page=` sent empty is accepted (as page 1), as DRF's pagination does."""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        for parameter in (operation or {}).get("parameters", []):
            if parameter.get("in") == "query" and parameter["name"] == "page":
                parameter["allowEmptyValue"] = True
        return operation
