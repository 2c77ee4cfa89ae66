from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from safeguarding.children.models import Child
from safeguarding.children.queries import get_child_for_user
from safeguarding.children.services import record_child_view
from safeguarding.chronology import (
    exports,
    importer,
    merged,
    permissions,
    queries,
    recovery,
    rendering,
    services,
    timeline,
)
from safeguarding.chronology import import_template as import_template_file
from safeguarding.chronology.enums import ImportStatus
from safeguarding.chronology.forms import (
    ChronologyFilterForm,
    ConfirmTypesForm,
    CorrectionForm,
    EnteredInErrorForm,
    EntryForm,
    ImportUploadForm,
    RetryImportForm,
)
from safeguarding.chronology.models import Event, ImportBatch
from safeguarding.chronology.tasks import import_events_task
from safeguarding.core import worker
from safeguarding.core.access import perm_required, require_perm
from safeguarding.core.forms import add_service_errors, attempt
from safeguarding.core.restriction import restriction_q

if TYPE_CHECKING:
    from safeguarding.core.types import Person, PersonRequest

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@perm_required("chronology.import_events")
def import_list(request: PersonRequest) -> HttpResponse:
    page = Paginator(queries.batches_visible_to(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "chronology/import_list.html", {"page": page})


@login_required
@perm_required("chronology.import_events")
def import_new(request: PersonRequest) -> HttpResponse:
    agencies = permissions.import_agencies(request.user)
    form = ImportUploadForm(data=request.POST or None, files=request.FILES or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = importer.create_batch(
            actor=request.user,
            agency=form.cleaned_data["agency"],
            filename=upload.name,
            content=upload.read(),
            dry_run=form.cleaned_data["dry_run"],
            reference_columns=form.reference_columns,
        )
        # The batch row is committed (views are not wrapped in a transaction), so a worker finds it.
        import_events_task.enqueue(batch.pk)
        messages.success(request, f"{batch.filename} is being imported.")
        return redirect("chronology:import-detail", pk=batch.pk)
    return render(request, "chronology/import_new.html", {"form": form, "agencies": agencies})


@login_required
@perm_required("chronology.import_events")
def import_template(request: PersonRequest) -> HttpResponse:
    """The CSV template for one of the agencies this person imports for (`?agency=<id>`, else the first);
    any other agency answers 404, as for one that does not exist."""
    agencies = permissions.import_agencies(request.user)
    wanted = request.GET.get("agency")
    agency = next((a for a in agencies if str(a.pk) == wanted), None) if wanted else agencies[0]
    if agency is None:
        raise Http404("No agency found")
    response = HttpResponse(import_template_file.template_csv(agency), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{import_template_file.template_filename(agency)}"'
    return response


def _import_detail_context(
    user: Person,
    batch: ImportBatch,
    form: ConfirmTypesForm | None = None,
    retry_form: RetryImportForm | None = None,
) -> dict[str, Any]:
    can_confirm = batch.status == ImportStatus.NEEDS_CONFIRMATION and user.has_perm(
        "chronology.confirm_import_types", batch
    )
    if can_confirm and form is None:
        form = ConfirmTypesForm(suggestions=batch.type_suggestions)
    confirmed = [
        {**s, "choice": batch.type_mapping.get(s["label"])}
        for s in batch.type_suggestions
        if s["label"] in batch.type_mapping
    ]
    return {
        "batch": batch,
        "form": form if can_confirm else None,
        "confirmed": confirmed,
        "can_retry": batch.status == ImportStatus.FAILED and user.has_perm("chronology.retry_import", batch),
        "retry_form": retry_form,
        # A batch waiting for the worker says so when the worker has stopped. A running one has its own
        # heartbeat: whoever runs it (the worker, or the command) is alive until it is marked stalled.
        "worker_down": batch.status == ImportStatus.QUEUED and worker.worker_is_down(batch.created_at),
        "worker_down_message": worker.DOWN_MESSAGE,
    }


@login_required
def import_detail(request: PersonRequest, pk: int) -> HttpResponse:
    # Reading a batch whose worker died marks it failed (as `recover_imports` would), so it can be retried.
    batch = recovery.check_stalled(queries.get_batch_for_user(request.user, pk))
    return render(request, "chronology/import_detail.html", _import_detail_context(request.user, batch))


@login_required
@require_POST
def import_retry(request: PersonRequest, pk: int) -> HttpResponse:
    """Try a failed import again with the file it was uploaded with."""
    batch = queries.get_batch_for_user(request.user, pk)  # 404 for other agencies' imports
    require_perm(request.user, "chronology.retry_import", batch, hidden=False)
    form = RetryImportForm(data=request.POST)
    if form.is_valid() and attempt(
        form, lambda: recovery.retry_import(actor=request.user, batch=batch, version=form.cleaned_data["version"])
    ):
        # The batch row is committed (views are not wrapped in a transaction), so a worker finds it.
        import_events_task.enqueue(batch.pk)
        messages.success(request, f"{batch.filename} is being imported again.")
        return redirect("chronology:import-detail", pk=batch.pk)
    batch.refresh_from_db()
    return render(
        request, "chronology/import_detail.html", _import_detail_context(request.user, batch, retry_form=form)
    )


@login_required
@require_POST
def import_confirm_types(request: PersonRequest, pk: int) -> HttpResponse:
    """The uploader's answer for each label close to a known type; the same file is then imported again."""
    batch = queries.get_batch_for_user(request.user, pk)  # 404 for other agencies' imports
    require_perm(request.user, "chronology.confirm_import_types", batch, hidden=False)
    form = ConfirmTypesForm(data=request.POST, suggestions=batch.type_suggestions)
    if batch.status == ImportStatus.NEEDS_CONFIRMATION and form.is_valid():
        if attempt(
            form, lambda: importer.confirm_import_types(actor=request.user, batch=batch, mapping=form.mapping())
        ):
            # The batch row is committed (views are not wrapped in a transaction), so a worker finds it.
            import_events_task.enqueue(batch.pk)
            messages.success(request, f"Event types confirmed. {batch.filename} is being imported.")
            return redirect("chronology:import-detail", pk=batch.pk)
    elif batch.status != ImportStatus.NEEDS_CONFIRMATION:
        messages.info(request, "This import is not waiting for event types to be confirmed.")
        return redirect("chronology:import-detail", pk=batch.pk)
    return render(request, "chronology/import_detail.html", _import_detail_context(request.user, batch, form))


# --- The integrated chronology of a child -----------------------------------------------------------


def _filter_form(
    request: PersonRequest, child: Child, family: list[Child], child_events: list[Event]
) -> ChronologyFilterForm:
    """The filter form, its agency choices from every agency with an entry about the child or family
    that this person may see (a restricted entry must not reveal that its agency works with the child).

    The child's own agencies come from `child_events` (the entries this person may see about the child,
    which the chronology shows); the family's from one query, only when there is a family. One more
    query for the types, whatever the number of entries.
    """
    agency_ids = {e.agency_id for e in child_events}
    if family:
        agency_ids |= set(
            Event.objects.filter(child_links__child__in=family, child_links__is_current=True)
            .filter(restriction_q(queries.memberships(request.user)))
            .values_list("agency_id", flat=True)
            .distinct()
        )
    # The agencies and types themselves from the request's lookups, which the chronology reads too.
    known = merged.every_agency(agency_ids)
    agencies = sorted((known[pk] for pk in agency_ids), key=lambda a: (a.name, a.pk))
    types = sorted((t for t in merged.every_event_type().values() if t.is_active), key=lambda t: (t.label, t.pk))
    return ChronologyFilterForm(data=request.GET, agencies=agencies, types=types)


def _chronology_for(request: PersonRequest, child_id: int) -> tuple[Child, ChronologyFilterForm, Any, Any]:
    # The child and family are read together (404 as `get_child_for_user`), and the child's entries
    # once, for the form's choices and for the chronology.
    child, family = merged.child_and_family(request.user, child_id)
    child_events = merged.visible_events(request.user, [child])
    form = _filter_form(request, child, family, child_events)
    filters = form.filters()
    chronology = merged.merged_chronology(request.user, child, filters, family=family, child_events=child_events)
    return child, form, filters, chronology


def _record_views(user: Person, chronology: merged.MergedChronology, action: str) -> None:
    """A view or export of a family chronology is a view of each child's record shown in it."""
    for shown in chronology.children:
        record_child_view(actor=user, child=shown, action=action)


@login_required
def child_chronology(request: PersonRequest, child_id: int) -> HttpResponse:
    child, form, _filters, chronology = _chronology_for(request, child_id)
    _record_views(request.user, chronology, "chronology.viewed")
    names = exports.child_names(chronology)
    rows = [(row, exports.row_cells(row, names)) for row in chronology.rows]
    query = request.GET.urlencode()
    # Each highlight links to the rows it is about that the filters leave on the page.
    row_of = {event.id: row for row in chronology.rows for event in row.sources}
    highlight_links = []
    for found in chronology.highlights:
        linked = {row_of[i].event.id: row_of[i] for i in found.entry_ids if i in row_of}
        highlight_links.append((found, rendering.entry_links(list(linked.values())) if linked else ""))
    return render(
        request,
        "chronology/child.html",
        {
            "child": child,
            "form": form,
            # `{{ form }}`'s markup, written without a template per field and option (issue 16).
            "form_fields": rendering.filter_form(form),
            "chronology": chronology,
            "rows": rows,
            "table_rows": rendering.table_rows(
                rows,
                # One reverse() for every row's link, not 2,000.
                entry_base=reverse("chronology:entry", args=[0]).removesuffix("0/"),
                show_children=len(chronology.children) > 1,
            ),
            "show_children": len(chronology.children) > 1,
            "timeline_svg": mark_safe(timeline.render_timeline(chronology)),  # noqa: S308 — built with escaping
            "timeline_summary": timeline.summary(chronology),
            "highlight_links": highlight_links,
            "export_query": f"?{query}" if query else "",
            "filtered": any(v for k, v in request.GET.items()),
        },
    )


@login_required
def export_pdf(request: PersonRequest, child_id: int) -> HttpResponse:
    _child, _form, filters, chronology = _chronology_for(request, child_id)
    svg = timeline.render_timeline(chronology, id_prefix="pdf-timeline")
    content = exports.chronology_pdf(chronology, filters, svg=svg, produced_by=_who(request.user))
    _record_views(request.user, chronology, "chronology.exported")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{exports.export_filename(chronology, "pdf")}"'
    return response


@login_required
def export_xlsx(request: PersonRequest, child_id: int) -> HttpResponse:
    _child, _form, filters, chronology = _chronology_for(request, child_id)
    content = exports.chronology_xlsx(chronology, filters, produced_by=_who(request.user))
    _record_views(request.user, chronology, "chronology.exported")
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{exports.export_filename(chronology, "xlsx")}"'
    return response


def _who(user: Person) -> str:
    agency = user.primary_agency
    name = user.get_full_name() or user.get_username()
    return f"{name}, {agency.name}" if agency else name


# --- Adding an entry --------------------------------------------------------------------------------


@login_required
def entry_add(request: PersonRequest, child_id: int) -> HttpResponse:
    child = get_child_for_user(request.user, child_id)
    # Seeing a child (e.g. through a reviewer's access grant) is not working with them.
    require_perm(request.user, "chronology.add_entries")
    agencies = permissions.recording_agencies(request.user)
    children = [child, *merged.family_of(request.user, child)]
    form = EntryForm(data=request.POST or None, children=children, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        chosen = set(form.cleaned_data["children"])
        try:
            services.record_event(
                actor=request.user,
                agency=form.cleaned_data["agency"],
                children=[c for c in children if c.pk in chosen],
                **form.service_fields(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("agency", str(exc))
        else:
            messages.success(request, "Entry added to the chronology.")
            return redirect("chronology:child", child_id=child.pk)
    return render(request, "chronology/entry_add.html", {"child": child, "form": form})


# --- One entry: its versions, and corrections by the recording agency ------------------------------


def _get_event_for_user(user: Person, pk: int) -> tuple[Event, list[Child]]:
    return queries.get_event_for_user(user, pk)


def _entry_context(request: PersonRequest, event: Event, children: list[Child], form: Any = None) -> dict[str, Any]:
    versions = list(
        queries.event_versions(event)
        .filter(restriction_q(queries.memberships(request.user)))
        .select_related("agency", "event_type", "author")
    )
    latest = next((v for v in versions if v.is_current), None)
    if form is None and request.user.has_perm("chronology.correct_event", event):
        form = CorrectionForm(initial=CorrectionForm.initial_for(event))
    may_mark = request.user.has_perm("chronology.mark_entered_in_error", event)
    return {
        "error_form": EnteredInErrorForm(reinstating=event.is_entered_in_error) if may_mark else None,
        "event": event,
        "children": children,
        "versions": versions,
        "latest": latest,
        "form": form,
        "type_label": exports.type_label(event),
        # Only for the recording agency's own entries: it named those children itself.
        "shared_only": event.child_links.count() - len(children)
        if request.user.has_perm("chronology.record_event", event.agency)
        else 0,
        "category_value": exports.category_and_value(event),
    }


@login_required
def entry_detail(request: PersonRequest, pk: int) -> HttpResponse:
    event, children = _get_event_for_user(request.user, pk)
    for child in children:
        record_child_view(actor=request.user, child=child, action="chronology.entry_viewed")
    return render(request, "chronology/entry_detail.html", _entry_context(request, event, children))


@login_required
@require_POST
def entry_correct(request: PersonRequest, pk: int) -> HttpResponse:
    event, children = _get_event_for_user(request.user, pk)
    require_perm(request.user, "chronology.record_event", event.agency, hidden=False)
    form = CorrectionForm(data=request.POST)
    corrected: list[Event] = []
    if form.is_valid() and attempt(
        form,
        lambda: corrected.append(
            services.correct_event(
                actor=request.user, event=event, version=form.cleaned_data["version"], **form.service_fields()
            )
        ),
    ):
        new = corrected[0]
        messages.success(request, f"Entry corrected. This is version {new.version}.")
        return redirect("chronology:entry", pk=new.pk)
    return render(request, "chronology/entry_detail.html", _entry_context(request, event, children, form), status=200)
