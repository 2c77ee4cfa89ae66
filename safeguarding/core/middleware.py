from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from safeguarding.core import context
from safeguarding.core.enums import Via


class RequestContextMiddleware:
    """Marks each request as coming from a page or the API, with an id for the activity log, and gives
    it a memo of answers asked more than once (`context.remembered`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        via = Via.API if request.path.startswith("/api/v1/") else Via.PAGE
        request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex
        with context.use_via(via, request_id), context.request_memo():
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


class IdleSessionRenewalMiddleware:
    """Renews a signed-in session's idle timeout (`SESSION_COOKIE_AGE`) at most once a
    `SESSION_RENEW_SECONDS` (60 by default), instead of on every request.

    `SESSION_SAVE_EVERY_REQUEST` would write the session row on every page (a transaction with an
    UPDATE: three of the ~20 queries of a typical page, and a commit's disk flush on PostgreSQL). Here a
    request marks the session modified only when its last renewal is older than the interval, so the
    session ends between `SESSION_COOKIE_AGE - SESSION_RENEW_SECONDS` and `SESSION_COOKIE_AGE` seconds
    after the last request: a little earlier at most, never later. Goes just inside SessionMiddleware.
    """

    KEY = "_renewed_at"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # An empty session (anonymous, or flushed by signing out) is not kept alive.
        if session is not None and not session.is_empty():
            now = int(time.time())
            renewed = session.get(self.KEY)
            interval = min(settings.SESSION_RENEW_SECONDS, settings.SESSION_COOKIE_AGE // 2)
            if not isinstance(renewed, int) or not 0 <= now - renewed < interval:
                session[self.KEY] = now  # modified: SessionMiddleware saves it with a new expiry
        return response
