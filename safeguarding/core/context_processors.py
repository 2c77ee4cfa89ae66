from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from safeguarding.core import navigation


def service(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated and getattr(user, "is_verified", lambda: False)())
    return {
        "service_name": settings.SERVICE_NAME,
        "phase_banner_text": settings.PHASE_BANNER_TEXT,
        "nav_items": navigation.items_for(user, request.path) if signed_in and user is not None else [],
    }
