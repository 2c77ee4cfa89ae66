"""One shape for API errors: `{"detail": "..."}`, plus `errors` by field for a 400.

A 404 always says "Not found.", whether the thing does not exist or the caller may not see it.
Written once for every app's viewsets: the project-wide `EXCEPTION_HANDLER` (a service's
`ValidationError` 400, `StaleVersion` 409, any other `ServiceError` 403; every 400's `errors` named by
field, a nested field by its path: `grades[0].unit`), the one `Conflict` and `Pagination`,
`id_or_404`, and a few helpers (`conflict_on`, `api_field_names`, `validated`, `error_path`,
`flatten_errors`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
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
        # Every endpoint's field errors in the one documented shape, nested ones named by their path.
        response.data = {"detail": VALIDATION_DETAIL, "errors": flatten_errors(response.data)}
    elif response is not None and isinstance(exc, exceptions.ParseError):
        # A body that is not JSON: the documented 400 shape, the parser's reason as a non-field error.
        response.data = {"detail": VALIDATION_DETAIL, "errors": {"non_field_errors": [str(exc.detail)]}}
    return response


def error_path(parts: Iterable[Any]) -> str:
    """The one name of a nested field in a 400's `errors`: its path in the request body, a field by
    its name after a dot and a list item by its index in brackets (`grades[0].unit`, `[3].occurred_on`
    for the fourth entry of a posted array, `walk_ins[1]` for an item's own errors)."""
    out = ""
    for part in parts:
        if isinstance(part, int) or str(part).isdigit():
            out += f"[{part}]"
        elif part not in ("", None):
            out += f".{part}" if out else str(part)
    return out


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Nested serializer or service errors as `{"grades[0].unit": ["..."]}` (see `error_path`): the
    documented shape of every 400's `errors`. An item's own errors are named by the item
    (`walk_ins[1]`, not `walk_ins[1].non_field_errors`); the body's own stay `non_field_errors`.
    Already-flat errors come out unchanged."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if prefix and key in ("non_field_errors", "__all__"):
                name = prefix
            elif not prefix and key == "__all__":
                name = "non_field_errors"
            else:
                name = error_path([prefix, key])
            for field, messages in flatten_errors(value, name).items():
                out.setdefault(field, []).extend(messages)
    elif isinstance(detail, list) and not all(isinstance(item, str) for item in detail):
        for index, item in enumerate(detail):
            for field, messages in flatten_errors(item, f"{prefix}[{index}]").items():
                out.setdefault(field, []).extend(messages)
    else:
        messages = [str(item) for item in (detail if isinstance(detail, list) else [detail])]
        if messages:
            out[prefix or "non_field_errors"] = messages
    return out


def validated(serializer: Any) -> dict[str, Any]:
    """The serializer's validated data, or a 400 whose `errors` name each field by its path
    (`{"grades[0].unit": ["..."]}`: the handler flattens every 400 so)."""
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
