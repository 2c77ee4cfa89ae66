"""The census export page for children's social care: choose the year, download the XML or check it
with the validator first. Everyone else gets 404, as for a page that does not exist."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from safeguarding.census import permissions
from safeguarding.census.forms import ExportForm
from safeguarding.census.services import export_cin_census
from safeguarding.census.validator import ValidatorUnavailable, validate_file

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest

XML_TYPE = "application/xml"


def xml_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XML_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def export(request: PersonRequest) -> HttpResponse:
    agencies = permissions.census_agencies(request.user)
    if not agencies:
        raise Http404
    submitted = "year" in request.GET
    form = ExportForm(request.GET if submitted else None, agencies=agencies)
    if not submitted or not form.is_valid():
        return render(request, "census/export.html", {"form": form})
    agency, year = form.cleaned_data["agency"], form.cleaned_data["year"]
    result = export_cin_census(actor=request.user, agency=agency, year=year)
    if form.cleaned_data["action"] == "download":
        return xml_response(result.content, result.filename)
    report, problem = None, ""
    with tempfile.TemporaryDirectory(prefix="cin-export-") as folder:
        path = Path(folder) / result.filename
        path.write_bytes(result.content)
        try:
            report = validate_file(path, year=year)
        except ValidatorUnavailable as exc:
            problem = str(exc)
    download = request.GET.copy()
    download["action"] = "download"
    return render(
        request,
        "census/checked.html",
        {"form": form, "result": result, "report": report, "problem": problem, "download": download.urlencode()},
    )
