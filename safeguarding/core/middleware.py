from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

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


class NoStoreMiddleware:
    """Nothing a signed-in person or an agency system is sent may be kept by a browser or a proxy
    cache: child pages, API answers and PDF/XLSX/CSV exports alike carry `Cache-Control: no-store`.

    Set once here rather than per view so that a new page cannot forget it. Anonymous responses
    (the sign-in page, /healthz, static files served by WhiteNoise before this runs) are left alone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)  # DRF copies a token's user onto the Django request
        if (user is not None and user.is_authenticated) or "Authorization" in request.headers:
            add_never_cache_headers(response)
        return response
