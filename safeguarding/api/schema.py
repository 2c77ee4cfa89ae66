"""What every part of the OpenAPI schema shares: the authentication schemes (loaded in
ApiConfig.ready()), the error bodies and responses each endpoint documents, and the AutoSchema that
says an empty `?page=` is accepted. Each app's viewsets (`safeguarding/<app>/api/`) use these."""

from __future__ import annotations

import re
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


# ---- OpenAPI links: where a record's `id` and `version` go next ---------------------------------

_METHODS = ("get", "post", "put", "patch", "delete")
_DETAIL = re.compile(r"^(/api/v1/[^/{}]+/)\{([^}/]+)\}/")


def _response_ref(operation: dict[str, Any]) -> str | None:
    for code in ("200", "201"):
        schema = operation.get("responses", {}).get(code, {}).get("content", {}).get("application/json", {})
        ref = schema.get("schema", {}).get("$ref")
        if ref:
            return str(ref)
    return None


def _takes_version(operation: dict[str, Any], components: dict[str, Any]) -> bool:
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    target = components.get(str(body.get("$ref", "")).rsplit("/", 1)[-1], body)
    return "version" in target.get("properties", {})


# Answers that are not a record but name one: the entries posted answer the children they are about
# (those the caller may see), whose record and chronology are read next.
_NAMED_LINKS = {
    ("/api/v1/events/", "post"): {
        "v1_children_retrieve": {"id": "$response.body#/0/child_ids/0"},
        "v1_children_chronology_list": {"id": "$response.body#/0/child_ids/0"},
    },
}


def add_links(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: OpenAPI links from every answer that is a record (a create, a
    read, an update or a transition answering what `GET /api/v1/<things>/{id}/` answers) to every operation
    on that record (`/api/v1/<things>/{id}/…` with no other path parameter), passing its `id` and, to an
    operation whose body takes one, its `version`. Clients, and the stateful schemathesis test, follow them:
    create, then read, update and move the record on."""
    paths = result.get("paths", {})
    components = result.get("components", {}).get("schemas", {})
    for path, item in paths.items():
        detail = _DETAIL.match(path)
        if detail is None or path != f"{detail.group(1)}{{{detail.group(2)}}}/" or "get" not in item:
            continue
        record = _response_ref(item["get"])
        collection = detail.group(1)
        if record is None:
            continue
        collection_list = "#/components/schemas/Paginated" + record.rsplit("/", 1)[-1].removesuffix("Detail") + "List"
        version = "version" in components.get(record.rsplit("/", 1)[-1], {}).get("properties", {})
        consumers = [
            (method, operation, found.group(2))
            for other, other_item in paths.items()
            if (found := _DETAIL.match(other)) and found.group(1) == collection and other.count("{") == 1
            for method, operation in other_item.items()
            if method in _METHODS
        ]
        for other, other_item in paths.items():
            if not other.startswith(collection):
                continue
            for method, producer in other_item.items():
                answer = _response_ref(producer)
                if method not in _METHODS or answer is None:
                    continue
                if answer == f"{collection_list}" and method == "get" and other == collection:
                    # A list: its first record, read in full (which links on to the rest).
                    producer["responses"]["200"].setdefault("links", {})[item["get"]["operationId"]] = {
                        "operationId": item["get"]["operationId"],
                        "parameters": {detail.group(2): "$response.body#/results/0/id"},
                    }
                    continue
                if answer not in (record, record.removesuffix("Detail")):  # the record, or its short form
                    continue
                code = "201" if "201" in producer["responses"] else "200"
                links = producer["responses"][code].setdefault("links", {})
                for _method, consumer, name in consumers:
                    link: dict[str, Any] = {
                        "operationId": consumer["operationId"],
                        "parameters": {name: "$response.body#/id"},
                    }
                    if version and _takes_version(consumer, components):
                        link["requestBody"] = {"version": "$response.body#/version"}
                    links[consumer["operationId"]] = link
    for (path, method), named in _NAMED_LINKS.items():
        operation = paths.get(path, {}).get(method)
        for response in (operation or {}).get("responses", {}).values():
            if str(response.get("content", {}).get("application/json", {}).get("schema", {}).get("type")) == "array":
                response["links"] = {name: {"operationId": name, "parameters": p} for name, p in named.items()}
    return result
