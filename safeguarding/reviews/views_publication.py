"""The publication pages of a practice review: the publication page (target or deferral, the copies
and the earliest publication date, what is published, the file and its identifier scan, the NSPCC
copy) and the pages that record each decision. Offered only to those the rule allows (404 otherwise)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import capfirst

from safeguarding.core.sections import Section
from safeguarding.core.services import record_activity
from safeguarding.reviews import forms, forms_publication, publication, queries, services
from safeguarding.reviews.models import IdentifierHit, PublicationReport, Review
from safeguarding.reviews.views import form_flow, review_for, upload_of

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest

RUN = "reviews.run_review"
WRITE = "reviews.write_review"


def _with_practice(review: Review) -> Review:
    if queries.practice_or_none(review) is None:
        raise Http404("Not found")
    return review


def _flow(request: PersonRequest, review: Review, form: Any, call: Any, **page: str) -> HttpResponse:
    """`form_flow`, back to the publication page."""
    return form_flow(request, review, form, call, to="reviews:publication", **page)


@login_required
def page(request: PersonRequest, pk: int) -> HttpResponse:
    review = _with_practice(queries.get_review_for_user(request.user, pk))
    record_activity(actor=request.user, action="review.publication_viewed", target=review)
    practice = review.practice_review
    found = publication.publication_of(practice)
    current = publication.state(review)
    return render(
        request,
        "reviews/publication.html",
        {
            "review": review,
            "practice": practice,
            "state": current,
            "found": found,
            "hits": current.report.hits.select_related("marked_by") if current.report else [],
            "reports": found.reports.order_by("-number") if found else [],
            "deferrals": found.deferrals.select_related("deferred_by", "resumed_by") if found else [],
            "before_publication": review.stage in publication.BEFORE_PUBLICATION,
            "review_overdue": bool(current.deferral and current.deferral.review_by < timezone.localdate()),
        },
    )


@login_required
def defer(request: PersonRequest, pk: int) -> HttpResponse:
    review = _with_practice(review_for(request, pk, RUN))
    form = forms_publication.DeferForm(data=request.POST or None, initial={"version": review.version})
    return _flow(
        request,
        review,
        form,
        lambda d: services.defer_publication(
            actor=request.user,
            review=review,
            version=d["version"],
            reason_kind=d["reason_kind"],
            reason=d["reason"],
            review_by=d["review_by"],
        ),
        title="Defer publication",
        button="Defer publication",
        done="Publication deferred. The publication target is paused until publication resumes."
        if publication.publication_clock_applies(review.practice_review)
        else "Publication deferred.",
        intro="For example while criminal proceedings are under way. The publication clock is paused, and shown "
        "as deferred rather than late.",
    )


@login_required
def resume(request: PersonRequest, pk: int) -> HttpResponse:
    review = _with_practice(review_for(request, pk, RUN))
    form = forms.ConfirmForm(data=request.POST or None, initial={"version": review.version})
    return _flow(
        request,
        review,
        form,
        lambda d: services.resume_publication(actor=request.user, review=review, version=d["version"]),
        title="Resume publication",
        button="Resume publication",
        done="Publication resumed. The publication target has moved on by the days it was deferred."
        if publication.publication_clock_applies(review.practice_review)
        else "Publication resumed.",
    )


@login_required
def learning_only(request: PersonRequest, pk: int) -> HttpResponse:
    review = _with_practice(review_for(request, pk, RUN))
    form = forms_publication.LearningOnlyForm(data=request.POST or None, initial={"version": review.version})
    return _flow(
        request,
        review,
        form,
        lambda d: services.publish_learning_only(
            actor=request.user,
            review=review,
            version=d["version"],
            reasons=d["reasons"],
            learning_summary=d["learning_summary"],
        ),
        title="Publish the learning only",
        button="Publish the learning only",
        done="Decided: the learning will be published, not the report in full.",
        intro="Where publishing the report in full would be inappropriate, the partners publish information about "
        f"the improvements to be made, and the reasons. {capfirst(publication.copy_rule(review.practice_review).both)} "
        "still get the full report.",
    )


@login_required
def upload(request: PersonRequest, pk: int) -> HttpResponse:
    review = _with_practice(review_for(request, pk, WRITE))
    form = forms_publication.ReportUploadForm(data=request.POST or None, files=request.FILES or None)
    return _flow(
        request,
        review,
        form,
        lambda d: services.upload_publication_report(
            actor=request.user, review=review, upload=upload_of(d["document"])
        ),
        title="Upload the report to be published",
        button="Upload and check",
        done="Report uploaded and checked for identifying details.",
    )


@login_required
def intended(request: PersonRequest, pk: int, hit_pk: int) -> HttpResponse:
    review = _with_practice(review_for(request, pk, RUN))
    hit = IdentifierHit.objects.filter(pk=hit_pk, report__publication__practice_review__review=review).first()
    if hit is None:
        raise Http404("Not found")
    form = forms_publication.IntendedForm(data=request.POST or None)
    return _flow(
        request,
        review,
        form,
        lambda d: services.mark_identifier_intended(actor=request.user, review=review, hit=hit, reason=d["reason"]),
        title=f"Mark as intended: {hit.label}",
        button="Mark as intended",
        done=f"Marked as intended: {hit.label}.",
        intro=f"In the report: “{hit.preview}”",
    )


@login_required
def nspcc(request: PersonRequest, pk: int) -> HttpResponse:
    review = _with_practice(review_for(request, pk, RUN))
    form = forms_publication.NspccForm(data=request.POST or None)
    return _flow(
        request,
        review,
        form,
        lambda d: services.record_nspcc_copy(actor=request.user, review=review, sent_on=d["sent_on"]),
        title="Record the copy to the NSPCC repository",
        button="Save",
        done="Copy to the NSPCC national case review repository recorded.",
    )


@login_required
def download(request: PersonRequest, pk: int, report_pk: int) -> HttpResponse:
    review = _with_practice(queries.get_review_for_user(request.user, pk))
    report = PublicationReport.objects.filter(pk=report_pk, publication__practice_review__review=review).first()
    if report is None:
        raise Http404("Not found")
    record_activity(actor=request.user, action="review.publication_report_downloaded", target=review)
    with report.file.open("rb") as handle:
        content = handle.read()
    types = {
        "pdf": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
    response = HttpResponse(content, content_type=types.get(report.format, "application/octet-stream"))
    response["Content-Disposition"] = (
        f'attachment; filename="{review.reference}-report-{report.number}.{report.format}"'
    )
    return response


def section(request: PersonRequest, review: Review) -> Section | None:
    """The publication summary on the review's page (its readers: the page already checked)."""
    practice = queries.practice_or_none(review)
    if practice is None:
        return None
    return Section(
        "reviews/includes/publication_section.html",
        {"review": review, "state": publication.state(review), "published_on": practice.published_on},
    )
