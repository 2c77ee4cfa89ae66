"""The census import page: children's social care uploads its census XML; the file is checked by the
national validator and imported by the chronology's import task, and the result (errors or queries)
is shown on the import's own page (`chronology:import-detail`), like every import."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from safeguarding.census.import_forms import CensusImportForm
from safeguarding.census.import_rules import census_import_agencies
from safeguarding.census.importer import FORMAT
from safeguarding.chronology.importer import create_batch
from safeguarding.chronology.tasks import import_events_task
from safeguarding.core.access import perm_required

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


@login_required
@perm_required("census.import_census")
def import_new(request: PersonRequest) -> HttpResponse:
    form = CensusImportForm(
        data=request.POST or None, files=request.FILES or None, agencies=census_import_agencies(request.user)
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = create_batch(
            actor=request.user,
            agency=form.cleaned_data["agency"],
            filename=upload.name,
            content=upload.read(),
            dry_run=form.cleaned_data["dry_run"],
            file_format=FORMAT,
        )
        # The batch row is committed (views are not wrapped in a transaction), so a worker finds it.
        import_events_task.enqueue(batch.pk)
        messages.success(request, f"{batch.filename} is being checked by the census validator.")
        return redirect("chronology:import-detail", pk=batch.pk)
    return render(request, "census/import_new.html", {"form": form})
