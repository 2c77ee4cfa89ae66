"""One shape for API errors: `{"detail": "..."}`, plus `errors` by field for a 400.

A 404 always says "Not found.", whether the thing does not exist or the caller may not see it.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

VALIDATION_DETAIL = "The request has errors. Correct the fields named in errors and try again."


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        # Never pass Http404's own message on: it could tell "hidden" from "missing".
        exc = exceptions.NotFound()
    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        errors = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        response.data = {"detail": VALIDATION_DETAIL, "errors": errors}
    return response


def flatten_errors(detail: Any, prefix: str = "", *, fold_non_field: bool = False) -> dict[str, list[str]]:
    """Nested serializer or service errors as `{"grades[0].unit": ["..."]}`: the documented shape of a
    400's `errors`. With `fold_non_field`, an item's own errors are named by the item (`walk_ins[1]`)
    rather than `walk_ins[1].non_field_errors`."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if str(key).isdigit():  # a list serializer's errors, by the item's index
                name = f"{prefix}[{key}]"
            elif fold_non_field and prefix and key == "non_field_errors":
                name = prefix
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            out.update(flatten_errors(value, name, fold_non_field=fold_non_field))
    elif isinstance(detail, list) and not all(isinstance(item, str) for item in detail):
        for index, item in enumerate(detail):
            out.update(flatten_errors(item, f"{prefix}[{index}]", fold_non_field=fold_non_field))
    else:
        messages = [str(item) for item in (detail if isinstance(detail, list) else [detail])]
        if messages:
            out[prefix or "non_field_errors"] = messages
    return out


class ApiExceptionsMixin:
    """Use our error shape in a view (without changing the project-wide handler)."""

    def get_exception_handler(self) -> Any:
        return api_exception_handler
