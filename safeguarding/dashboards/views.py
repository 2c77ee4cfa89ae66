"""Dashboard pages. Thin: check the one access rule (404 for anyone else), read the period from the
query string, count the figures, render. The data pack downloads are logged in the activity log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from safeguarding.core.access import perm_required
from safeguarding.dashboards import exports, services
from safeguarding.dashboards.figures import build_figures, cached_figures
from safeguarding.dashboards.forms import period_from
from safeguarding.dashboards.sections import build_sections

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


@login_required
@perm_required("dashboards.view_page")
def index(request: PersonRequest) -> HttpResponse:
    form, period = period_from(request.GET, timezone.localdate())
    if form.errors:
        return render(request, "dashboards/dashboard.html", {"form": form, "sections": None}, status=400)
    figures = cached_figures(period)
    query = request.GET.copy()
    if "period" not in query:
        query.update({"period": period.kind, "year": str(period.start.year)})
    return render(
        request,
        "dashboards/dashboard.html",
        {"form": form, "figures": figures, "sections": build_sections(figures), "query": query.urlencode()},
    )


@login_required
@perm_required("dashboards.view_page")
def pack(request: PersonRequest, fmt: str) -> HttpResponse:
    if fmt not in exports.FORMATS:
        raise Http404
    form, period = period_from(request.GET, timezone.localdate())
    if form.errors:
        return render(request, "dashboards/dashboard.html", {"form": form, "sections": None}, status=400)
    figures = build_figures(period)
    if fmt == "xlsx":
        content, content_type = exports.xlsx(figures), exports.XLSX_CONTENT_TYPE
    else:
        content, content_type = exports.pdf(figures, request.build_absolute_uri("/")), "application/pdf"
    services.record_pack_download(actor=request.user, fmt=fmt, period=period)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(figures, fmt)}"'
    return response
