"""Committee report pages. Thin: fetch through the access helper (404 for what the person may not
see), validate with a form, call a service, redirect with a message. Downloads are logged."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from safeguarding.actionplans.models import CommitteeDecision
from safeguarding.core import kernel, worker
from safeguarding.core.access import parse_id, perm_required
from safeguarding.core.forms import attempt
from safeguarding.publishing import prefill, queries, services
from safeguarding.publishing.enums import GenerationStatus
from safeguarding.publishing.forms import DecisionForm, GenerateForm, InsertSentencesForm, ReportForm, TextForm
from safeguarding.publishing.models import CommitteeReport, GeneratedReport
from safeguarding.publishing.rendering import DOCX_TYPE
from safeguarding.publishing.tasks import generate_committee_report_task

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


@login_required
@perm_required("publishing.read")
def index(request: PersonRequest) -> HttpResponse:
    reports = list(queries.reports_visible_to(request.user).order_by("-meeting_on", "-pk")[:200])
    with_reports = {r.review_id for r in reports}
    candidates = [r for r in queries.reviews_for_new_report(request.user)[:200] if r.pk not in with_reports]
    return render(
        request,
        "publishing/index.html",
        {"reports": reports, "candidates": candidates},
    )


@login_required
def new(request: PersonRequest, review_id: int) -> HttpResponse:
    review = queries.get_review_for_new_report(request.user, review_id)
    form = ReportForm(data=request.POST or None, initial=prefill.header_for(review, request.user))
    created: list[CommitteeReport] = []
    if request.method == "POST" and form.is_valid():
        call = lambda: created.append(  # noqa: E731
            services.create_report(actor=request.user, review=review, header=form.header())
        )
        if attempt(form, call):
            messages.success(request, "Committee report created. Check its text, then generate it.")
            return redirect("publishing:detail", pk=created[0].pk)
    return render(
        request,
        "publishing/report_form.html",
        {"form": form, "review": review, "title": "New committee report", "button": "Create the report"},
    )


@login_required
def detail(request: PersonRequest, pk: int) -> HttpResponse:
    report = queries.get_report_for_user(request.user, pk)
    generated = list(report.generated.select_related("text", "plan_version", "requested_by", "generated_by"))
    pending = [g for g in generated if g.status == GenerationStatus.QUEUED]
    decisions = {
        d.plan_version_id: d
        for d in CommitteeDecision.objects.filter(
            plan_version_id__in=[g.plan_version_id for g in generated if g.plan_version_id]
        ).order_by("recorded_at")
    }
    return render(
        request,
        "publishing/detail.html",
        {
            "report": report,
            "text": report.latest_text(),
            "generated": [(g, decisions.get(g.plan_version_id) if g.plan_version_id else None) for g in generated],
            "pending": bool(pending),
            # A page that waits on the worker says so when the worker has stopped.
            "worker_down": bool(pending) and worker.worker_is_down(min(g.requested_at for g in pending)),
            "worker_down_message": worker.DOWN_MESSAGE,
        },
    )


@login_required
def edit(request: PersonRequest, pk: int) -> HttpResponse:
    report = queries.get_report_for_writer(request.user, pk)
    initial = {name: getattr(report, name) for name in CommitteeReport.HEADER_FIELDS} | {"version": report.version}
    form = ReportForm(data=request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("version") or 0
        call = lambda: services.update_report(  # noqa: E731
            actor=request.user, report=report, version=version, header=form.header()
        )
        if attempt(form, call):
            messages.success(request, "Report details saved.")
            return redirect("publishing:detail", pk=report.pk)
    return render(
        request,
        "publishing/report_form.html",
        {"form": form, "review": report.review, "report": report, "title": "Report details", "button": "Save"},
    )


@login_required
def edit_text(request: PersonRequest, pk: int) -> HttpResponse:
    report = queries.get_report_for_writer(request.user, pk)
    latest = report.latest_text()
    initial: dict[str, Any] = (latest.values() if latest else {}) | {"base_number": latest.number if latest else 0}
    form = TextForm(data=request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        base = form.cleaned_data["base_number"]
        call = lambda: services.edit_text(  # noqa: E731
            actor=request.user, report=report, base_number=base, fields=form.text_fields()
        )
        if attempt(form, call):
            messages.success(request, "Text saved as a new version.")
            return redirect("publishing:detail", pk=report.pk)
    return render(request, "publishing/text_form.html", {"form": form, "report": report, "latest": latest})


@login_required
def history(request: PersonRequest, pk: int) -> HttpResponse:
    report = queries.get_report_for_user(request.user, pk)
    versions = list(report.texts.select_related("created_by").order_by("-number"))
    by_number = {v.number: v for v in versions}
    compare = None
    a, b = parse_id(request.GET.get("from", "")), parse_id(request.GET.get("to", ""))
    if a is not None and b is not None:
        if a not in by_number or b not in by_number:
            raise Http404
        compare = (by_number[a], by_number[b], services.text_diff(by_number[a], by_number[b]))
    elif len(versions) >= 2:
        compare = (versions[1], versions[0], services.text_diff(versions[1], versions[0]))
    return render(request, "publishing/history.html", {"report": report, "versions": versions, "compare": compare})


def _check_page(request: PersonRequest, report: CommitteeReport, form: GenerateForm) -> HttpResponse:
    latest = report.latest_text()
    insert = InsertSentencesForm(initial={"base_number": latest.number if latest else 0, "field": "risks"})
    return render(
        request,
        "publishing/generate_check.html",
        {
            "report": report,
            "form": form,
            "insert": insert,
            "contradictions": services.contradictions(report),
            "sentences": services.figure_sentences(report),
        },
    )


@login_required
def generate(request: PersonRequest, pk: int) -> HttpResponse:
    """GET: the text checked against the live figures. POST: generate (confirming any contradiction)."""
    report = queries.get_report_for_writer(request.user, pk)
    form = GenerateForm(data=request.POST if request.method == "POST" else None)
    if not form.is_bound or not form.is_valid():
        return _check_page(request, report, form)
    try:
        generated = services.request_generation(
            actor=request.user, report=report, confirmed=form.cleaned_data["confirm"]
        )
    except services.FiguresContradicted as exc:
        form.add_error("confirm", exc.message)
        return _check_page(request, report, form)
    except kernel.ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("publishing:detail", pk=report.pk)
    # The row is committed (views are not wrapped in a transaction), so a worker finds it.
    generate_committee_report_task.enqueue(generated.pk)
    generated.refresh_from_db()
    if generated.status == GenerationStatus.DONE:
        messages.success(request, "Report generated. Download the PDF or the Word document below.")
    elif generated.status == GenerationStatus.FAILED:
        messages.error(request, generated.error)
    elif worker.worker_is_down(generated.requested_at):
        messages.warning(request, f"The report has been asked for. {worker.DOWN_MESSAGE}")
    else:
        messages.success(request, "The report is being generated. Refresh this page in a minute.")
    return redirect("publishing:detail", pk=report.pk)


@login_required
@require_POST
def insert_sentences(request: PersonRequest, pk: int) -> HttpResponse:
    """Add the sentences the figures give to one text field, as a new text version."""
    report = queries.get_report_for_writer(request.user, pk)
    form = InsertSentencesForm(data=request.POST)
    latest = report.latest_text()
    if form.is_valid() and latest is not None:
        key = form.cleaned_data["field"]
        fields = latest.values()
        added = " ".join(services.figure_sentences(report))
        fields[key] = "\n\n".join(part for part in (fields[key].strip(), added) if part)
        call = lambda: services.edit_text(  # noqa: E731
            actor=request.user, report=report, base_number=form.cleaned_data["base_number"], fields=fields
        )
        if attempt(form, call):
            messages.success(request, "The sentences from the figures were added as a new version of the text.")
            return redirect("publishing:generate", pk=report.pk)
    for error in form.non_field_errors() or [e for errors in form.errors.values() for e in errors]:
        messages.error(request, str(error))
    return redirect("publishing:generate", pk=report.pk)


def _download(request: PersonRequest, pk: int, file_format: str) -> HttpResponse:
    generated = queries.get_generated_for_user(request.user, pk)
    if not generated.is_done:
        raise Http404
    services.record_download(actor=request.user, generated=generated, file_format=file_format)
    content = bytes(generated.pdf if file_format == "pdf" else generated.docx)
    response = HttpResponse(content, content_type="application/pdf" if file_format == "pdf" else DOCX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{generated.filename(file_format)}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def download_pdf(request: PersonRequest, pk: int) -> HttpResponse:
    return _download(request, pk, "pdf")


@login_required
def download_docx(request: PersonRequest, pk: int) -> HttpResponse:
    return _download(request, pk, "docx")


@login_required
@perm_required("publishing.write")
def decision(request: PersonRequest, pk: int) -> HttpResponse:
    generated: GeneratedReport = queries.get_generated_for_user(request.user, pk)
    if not generated.is_done:
        raise Http404
    report = generated.report
    form = DecisionForm(data=request.POST or None, initial={"meeting_on": report.meeting_on})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        call = lambda: services.record_decision(  # noqa: E731
            actor=request.user,
            generated=generated,
            outcome=data["outcome"],
            questions=data["questions"],
            meeting_on=data["meeting_on"],
        )
        if attempt(form, call):
            messages.success(request, "The committee's decision is recorded against the plan version it saw.")
            return redirect("publishing:detail", pk=report.pk)
    return render(request, "publishing/decision_form.html", {"form": form, "report": report, "generated": generated})
