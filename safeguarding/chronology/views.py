from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from safeguarding.chronology import importer, permissions, queries
from safeguarding.chronology.forms import ImportUploadForm
from safeguarding.chronology.tasks import import_events_task


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    if not permissions.can_import(request.user):
        raise Http404
    page = Paginator(queries.batches_visible_to(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "chronology/import_list.html", {"page": page})


@login_required
def import_new(request: HttpRequest) -> HttpResponse:
    agencies = permissions.import_agencies(request.user)
    if not agencies:
        raise Http404
    form = ImportUploadForm(data=request.POST or None, files=request.FILES or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = importer.create_batch(
            actor=request.user,
            agency=form.cleaned_data["agency"],
            filename=upload.name,
            content=upload.read(),
            dry_run=form.cleaned_data["dry_run"],
        )
        # The batch row is committed (views are not wrapped in a transaction), so a worker finds it.
        import_events_task.enqueue(batch.pk)
        messages.success(request, f"{batch.filename} is being imported.")
        return redirect("chronology:import-detail", pk=batch.pk)
    return render(request, "chronology/import_new.html", {"form": form})


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = queries.get_batch_for_user(request.user, pk)
    return render(request, "chronology/import_detail.html", {"batch": batch})
