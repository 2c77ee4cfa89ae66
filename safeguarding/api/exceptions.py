"""One shape for API errors: `{"detail": "..."}`, plus `errors` by field for a 400.

A 404 always says "Not found.", whether the thing does not exist or the caller may not see it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler

from safeguarding.core.access import parse_id
from safeguarding.core.kernel import ServiceError, StaleVersion

VALIDATION_DETAIL = "The request has errors. Correct the fields named in errors and try again."


class Conflict(exceptions.APIException):
    """409: someone else changed the record since the caller read its `version`."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The record changed since you read it. Read it again, then make your change."
    default_code = "conflict"


class Pagination(PageNumberPagination):
    """The one page shape of every list: `count`, `next`, `previous`, `results`, 50 to a page unless
    a view sets `page_size`."""

    page_size = 50


def id_or_404(value: Any) -> int:
    """The id in a URL, or the API's 404 when it can be no object's id (integer ids beyond 64 bits
    cannot exist, so they answer 404 without asking the database)."""
    number = parse_id(value)
    if number is None:
        raise exceptions.NotFound()
    return number


def service_error_as_api(exc: Exception) -> exceptions.APIException | None:
    """A service's refusal as the API's answer: a ValidationError 400 (by field), a stale version
    409, any other `ServiceError` 403. None for anything else."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return exceptions.ValidationError(detail)
    if isinstance(exc, StaleVersion):
        return Conflict(exc.message)
    if isinstance(exc, ServiceError):
        return exceptions.PermissionDenied(exc.message)
    return None


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """The project-wide DRF `EXCEPTION_HANDLER`."""
    if isinstance(exc, Http404):
        # Never pass Http404's own message on: it could tell "hidden" from "missing".
        exc = exceptions.NotFound()
    exc = service_error_as_api(exc) or exc
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
