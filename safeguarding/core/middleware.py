from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from safeguarding.core import context
from safeguarding.core.enums import Via


class RequestContextMiddleware:
    """Marks each request as coming from a page or the API, with an id for the activity log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        via = Via.API if request.path.startswith("/api/v1/") else Via.PAGE
        request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex
        with context.use_via(via, request_id):
            response = self.get_response(request)
        response["X-Request-Id"] = request_id
        return response
