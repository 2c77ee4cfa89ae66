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


class ApiExceptionsMixin:
    """Use our error shape in a view (without changing the project-wide handler)."""

    def get_exception_handler(self) -> Any:
        return api_exception_handler
