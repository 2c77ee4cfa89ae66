"""One shape for API errors: `{"detail": "..."}`, plus `errors` by field for a 400.

A 404 always says "Not found.", whether the thing does not exist or the caller may not see it.
Written once for every app's viewsets: the project-wide `EXCEPTION_HANDLER` (a service's
`ValidationError` 400, `StaleVersion` 409, any other `ServiceError` 403), the one `Conflict` and
`Pagination`, `id_or_404`, and the few helpers for an endpoint whose errors are shaped differently
(`conflict_on`, `api_field_names`, `validated`, `validated_by_field`, `flatten_errors`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler

from safeguarding.core.access import parse_id
from safeguarding.core.calendar import CalendarOutOfRange
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
    if isinstance(exc, CalendarOutOfRange):  # the dates given cannot be counted: the request's problem, 400
        return exceptions.ValidationError({"non_field_errors": [exc.message]})
    if isinstance(exc, ServiceError):
        return exceptions.PermissionDenied(exc.message)
    return None


@contextmanager
def conflict_on(*errors: type[ServiceError]) -> Iterator[None]:
    """Answer these refusals 409, as a stale version is: they say the record is no longer in a state
    that can change (an agreed plan version, a completed assessment), not that the caller may not."""
    try:
        yield
    except errors as exc:
        raise Conflict(exc.message) from exc


@contextmanager
def api_field_names(names: Mapping[str, str]) -> Iterator[None]:
    """A service's field errors under the API's names for those fields (`{"lead": ...}` answered as
    `{"lead_id": ...}`); every other refusal goes on to the project-wide handler unchanged."""
    try:
        yield
    except DjangoValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise exceptions.ValidationError(
            {names.get(name, name): msgs for name, msgs in exc.message_dict.items()}
        ) from exc


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
    elif response is not None and isinstance(exc, exceptions.ParseError):
        # A body that is not JSON: the documented 400 shape, the parser's reason as a non-field error.
        response.data = {"detail": VALIDATION_DETAIL, "errors": {"non_field_errors": [str(exc.detail)]}}
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


def validated(serializer: Any) -> dict[str, Any]:
    """The serializer's validated data, or a 400 whose `errors` are flattened by path
    (`{"grades[0].unit": ["..."]}`, see `flatten_errors`)."""
    if not serializer.is_valid():
        raise exceptions.ValidationError(flatten_errors(serializer.errors))
    return dict(serializer.validated_data)


def _messages(detail: Any, prefix: str = "") -> list[str]:
    if isinstance(detail, dict):
        return [m for key, value in detail.items() for m in _messages(value, f"{prefix}{key}: ")]
    if isinstance(detail, list):
        out = []
        for index, value in enumerate(detail):
            label = f"{prefix}item {index + 1}: " if isinstance(value, (dict, list)) else prefix
            out.extend(_messages(value, label))
        return out
    return [f"{prefix}{detail}"]


def validated_by_field(serializer: Any) -> dict[str, Any]:
    """The serializer's validated data, or a 400 whose `errors` are `{field: [messages]}`, a nested
    field's errors flattened into its messages (`"reasons: item 2: ..."`)."""
    if not serializer.is_valid():
        raise exceptions.ValidationError({name: _messages(value) for name, value in serializer.errors.items()})
    return dict(serializer.validated_data)
