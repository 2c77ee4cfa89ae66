from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from safeguarding.core import home as home_panels
from safeguarding.core import worker

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


@login_required
def home(request: PersonRequest) -> HttpResponse:
    return render(request, "core/home.html", {"panels": home_panels.panels_for(request)})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers: 200 when the database answers, 503 when it does not.

    It also says whether the task worker is alive (`worker`: ok, down or unknown, and the age of its
    newest heartbeat in seconds), for monitoring; a stopped worker does not make this process unfit
    to serve pages, so the status stays 200 and a load balancer keeps sending requests here."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        state = worker.worker_state()
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return JsonResponse({"status": "unavailable", "database": "error", "worker": worker.UNKNOWN}, status=503)
    return JsonResponse(
        {
            "status": "ok",
            "database": "ok",
            "worker": state.status,
            "worker_heartbeat_age_seconds": state.age_seconds(),
        }
    )
