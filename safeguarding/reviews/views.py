"""Case review pages. Thin: fetch through the access helper (404 for what the person may not see),
ask the app's rules (`permissions.py`, through `require_perm`), validate with a form, call a service,
redirect with a message. Every view of review material is logged.

This module: the index, notifying, a review's page and its stage changes, monitoring, an agency's
request and stored documents. Recording pages are in `views_recording.py`; findings, recommendations
and the review chronology in `views_findings.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from safeguarding.core.access import perm_required, require_perm
from safeguarding.core.forms import attempt
from safeguarding.core.kernel import StaleVersion
from safeguarding.core.sections import sections_for
from safeguarding.core.services import record_activity
from safeguarding.reviews import (
    clocks,
    forms,
    forms_publication,
    publication,
    queries,
    regime,
    services,
    timeline,
    workflow,
)
from safeguarding.reviews.enums import Action
from safeguarding.reviews.models import Review, Submission
from safeguarding.reviews.permissions import lead_agency_ids

if TYPE_CHECKING:
    from safeguarding.core.types import Person, PersonRequest

# ---- shared by the review pages --------------------------------------------------------------------


def upload_of(file: Any) -> services.Upload:
    return services.Upload(file.name, file.read(), getattr(file, "content_type", "") or "application/octet-stream")


def form_page(
    request: HttpRequest,
    form: Any,
    *,
    title: str,
    button: str,
    review: Review | None = None,
    intro: str = "",
    back: str = "",
) -> HttpResponse:
    return render(
        request,
        "reviews/form.html",
        {"form": form, "title": title, "button": button, "review": review, "intro": intro, "back": back},
    )


def review_for(request: HttpRequest, pk: Any, perm: str) -> Review:
    """The review, if the person may see it and has `perm` on it (404 otherwise, as for one they may
    not see: the recording pages are not offered to anyone else)."""
    review = queries.get_review_for_user(request.user, pk)
    require_perm(request.user, perm, review)
    return review


def form_flow(
    request: HttpRequest,
    review: Review,
    form: Any,
    call: Callable[[dict[str, Any]], Any],
    *,
    title: str,
    button: str,
    done: str,
    to: str = "reviews:detail",
    intro: str = "",
) -> HttpResponse:
    """Show the form; on a valid POST call the service, then redirect to `to` with `done` (or show its
    refusal on the form)."""
    if request.method == "POST" and form.is_valid() and attempt(form, lambda: call(form.cleaned_data)):
        messages.success(request, done)
        return redirect(to, pk=review.pk)
    return form_page(request, form, title=title, button=button, review=review, intro=intro)


# ---- the index, notifying, a review --------------------------------------------------------------


@login_required
@perm_required("reviews.use_reviews")
def index(request: PersonRequest) -> HttpResponse:
    user = request.user
    reviews = list(queries.with_related(queries.reviews_visible_to(user)).order_by("-created_at")[:200])
    own_requests = list(
        queries.requests_visible_to(user)
        .filter(agency_id__in=lead_agency_ids(user))
        .select_related("review", "agency")
        .order_by("status", "due_on")[:200]
    )
    return render(
        request,
        "reviews/index.html",
        {
            "reviews": [(r, queries.current_clock(r)) for r in reviews],
            "own_requests": own_requests,
            # Those who monitor (the business unit, scrutineers) see every review's stage and timeliness,
            # if not its material: the page says so and links there, rather than "no reviews for you".
            "monitoring": queries.monitoring_summary() if user.has_perm("reviews.monitor") else None,
        },
    )


@login_required
@perm_required("reviews.notify")
def notify(request: PersonRequest) -> HttpResponse:
    form = forms.NotifyForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created: list[Review] = []

        def call() -> None:
            created.append(
                services.notify_serious_incident(
                    actor=request.user,
                    incident_on=data["incident_on"],
                    aware_on=data["aware_on"],
                    harm=data["harm"],
                    summary=data["summary"],
                    children=[services.ChildInput(c, p) for c, p in data["children"]],
                    abuse_or_neglect=data["abuse_or_neglect"],
                    looked_after=data["looked_after"],
                    harm_outside_england=data["harm_outside_england"],
                    harm_location=data["harm_location"],
                )
            )

        if attempt(form, call):
            review = created[0]
            messages.success(request, f"Notification recorded as {review.reference}. The rapid review is open.")
            return redirect("reviews:detail", pk=review.pk)
    return form_page(
        request,
        form,
        title="Notify a serious incident",
        button="Record the notification",
        intro="The local authority notifies the national panel within 5 working days of becoming aware that a "
        "child has died or been seriously harmed and abuse or neglect is known or suspected, and tells the "
        "other safeguarding partners. The death of a looked-after child is notified whatever the cause.",
        back="reviews:index",
    )


def _timeliness_of(clock: clocks.Clock | None, today: date) -> str | None:
    return clocks.timeliness(clock, today) if clock else None


@login_required
def detail(request: PersonRequest, pk: int) -> HttpResponse:
    user = request.user
    review = queries.get_review_for_user(user, pk)
    record_activity(actor=user, action="review.viewed", target=review)
    practice = queries.practice_or_none(review)
    clock = queries.current_clock(review)
    today = timezone.localdate()
    return render(
        request,
        "reviews/detail.html",
        {
            "review": review,
            "practice": practice,
            "regime": regime.of_practice(practice) if practice else None,
            "copies": publication.copy_rule(practice) if practice else None,
            "completed_on": queries.completed_on(review) if practice else None,
            "clock": clock,
            "notification_timeliness": _timeliness_of(queries.notification_clock(review), today),
            "rapid_timeliness": _timeliness_of(queries.rapid_review_clock(review), today),
            "timeliness": queries.clock_timeliness(review, clock, today) if clock else None,
            "children": review.child_links.all(),
            "members": review.members.select_related("user"),
            "requests": review.requests.select_related("agency", "submission").order_by("kind", "agency__name"),
            "sign_offs": review.rapid_review.sign_offs.select_related("agency")
            if hasattr(review, "rapid_review")
            else [],
            "partners": workflow.statutory_partners(),
            "history": review.stage_changes.select_related("actor", "actor_agency"),
            "actions": [
                (action_href(review, a), label, why) for a, label, why in workflow.available_actions(user, review)
            ],
            **decision_context(review),
            "findings_count": review.findings.count(),
            "recommendations_count": review.recommendations.count(),
            "sections": sections_for("review", request, review),
        },
    )


# ---- stage transitions -------------------------------------------------------------------------------

URL_ACTIONS = {
    "notification-sent": Action.NOTIFICATION_SENT,
    "send-rapid-review": Action.RAPID_REVIEW_SENT,
    "decide-practice-review": Action.PRACTICE_REVIEW_OPENED,
    "decide-no-review": Action.CLOSED_AT_DECISION,
    "draft": Action.DRAFT_RECEIVED,
    "share-with-family": Action.SHARED_WITH_FAMILY,
    "finalise": Action.FINALISED,
    "publish": Action.PUBLISHED,
    "close": Action.CLOSED,
    "refer-national-review": Action.NATIONAL_REVIEW_REFERRED,
    "close-without-publishing": Action.CLOSED_UNPUBLISHED,
}
ACTION_URLS: dict[str, str] = {action: slug for slug, action in URL_ACTIONS.items()}
ACTION_FORMS: dict[str, type[forms.VersionedForm]] = {
    Action.NOTIFICATION_SENT: forms.NotificationSentForm,
    Action.RAPID_REVIEW_SENT: forms.SentForm,
    Action.PRACTICE_REVIEW_OPENED: forms.DecideForm,
    Action.CLOSED_AT_DECISION: forms.CloseAtDecisionForm,
    Action.DRAFT_RECEIVED: forms.ConfirmForm,
    Action.SHARED_WITH_FAMILY: forms.ConfirmForm,
    Action.FINALISED: forms.ConfirmForm,
    Action.PUBLISHED: forms.PublishForm,
    Action.CLOSED: forms.CloseForm,
    Action.NATIONAL_REVIEW_REFERRED: forms.ReferForm,
    Action.CLOSED_UNPUBLISHED: forms_publication.CloseUnpublishedForm,
}


def action_href(review: Review, action: str) -> str:
    """The page of a stage change: the generic one, or the step's own (`views_decisions.OWN_PAGES`)."""
    from safeguarding.reviews.views_decisions import OWN_PAGES

    if action in OWN_PAGES:
        name, query = OWN_PAGES[action]
        return reverse(name, args=[review.pk]) + query
    return reverse("reviews:transition", args=[review.pk, ACTION_URLS[action]])


def decision_context(review: Review) -> dict[str, Any]:
    """The notification's parts, the partners informed and the case's record, for the review page."""
    return {
        "partners_informed": timeline.partners_informed(review),
        "partners_not_informed": timeline.partners_not_informed(review),
        "case_record": timeline.case_record(review),
    }


def versioned_step(
    request: PersonRequest,
    review: Review,
    form: Any,
    call: Callable[[dict[str, Any]], Any],
    *,
    title: str,
    done: str | Callable[[], str],
    intro: str = "",
) -> HttpResponse:
    """A stage change's page: on a valid POST call the service and redirect; a stale version answers 409.

    `done` is the banner, or a function giving it once the service has run (to name the new stage)."""
    stale = False
    if request.method == "POST" and form.is_valid():

        def run() -> None:
            nonlocal stale
            try:
                call(form.cleaned_data)
            except StaleVersion:
                stale = True
                raise

        if attempt(form, run):
            messages.success(request, done() if callable(done) else done)
            return redirect("reviews:detail", pk=review.pk)
    response = form_page(request, form, title=title, button=title, review=review, intro=intro)
    if stale:
        response.status_code = 409
    return response


def _run_transition(action: str, user: Person, review: Review, data: dict[str, Any]) -> None:
    """The same entry point as the API: `services.move_review` (guard, version check, history row, log)."""
    details = {name: value for name, value in data.items() if name != "version" and value is not None}
    services.move_review(actor=user, review=review, action=action, version=data["version"], **details)


@login_required
def transition(request: PersonRequest, pk: int, slug: str) -> HttpResponse:
    review = queries.get_review_for_user(request.user, pk)
    action = URL_ACTIONS.get(slug)
    if action is None:
        raise Http404
    # The workflow's guard and the step's readiness: the same check the service makes.
    reason = workflow.blocker(action, request.user, review)
    if reason is not None:
        messages.error(request, reason)
        return redirect("reviews:detail", pk=review.pk)
    label = workflow.WORKFLOW[action].label
    form = ACTION_FORMS[action](data=request.POST or None, initial={"version": review.version})
    return versioned_step(
        request,
        review,
        form,
        lambda data: _run_transition(action, request.user, review, data),
        title=label,
        done=lambda: f"Done: {label.lower()}. The review is now at the {review.get_stage_display().lower()} stage.",
        intro=publication.publish_intro(review) if action == Action.PUBLISHED else "",
    )


# ---- monitoring ----------------------------------------------------------------------------------


@login_required
@perm_required("reviews.monitor")
def monitoring(request: PersonRequest) -> HttpResponse:
    record_activity(actor=request.user, action="review.monitoring_viewed")
    return render(request, "reviews/monitoring.html", {"rows": queries.monitoring_rows()})


# ---- agencies' requests and stored documents -----------------------------------------------------


@login_required
def request_detail(request: PersonRequest, pk: int) -> HttpResponse:
    agency_request = queries.get_request_for_user(request.user, pk)
    record_activity(actor=request.user, action="review.request_viewed", target=agency_request)
    answering = request.user.has_perm("reviews.answer_request", agency_request)
    form = forms.SubmissionForm(data=request.POST or None, files=request.FILES or None) if answering else None
    if form is not None and request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if attempt(
            form,
            lambda: services.submit_to_request(
                actor=request.user,
                request=agency_request,
                involvement=d["involvement"],
                analysis=d["analysis"],
                learning=d["learning"],
                immediate_actions=d["immediate_actions"],
                upload=upload_of(d["document"]) if d.get("document") else None,
            ),
        ):
            messages.success(request, "Submitted. The partnership business unit has your agency's answer.")
            return redirect("reviews:request", pk=agency_request.pk)
    submission = Submission.objects.filter(request=agency_request).select_related("document", "submitted_by").first()
    return render(
        request,
        "reviews/request.html",
        {
            "req": agency_request,
            "form": form,
            "submission": submission,
            "pseudonyms": [c.pseudonym for c in agency_request.review.child_links.all()],
        },
    )


@login_required
def document(request: PersonRequest, pk: int) -> HttpResponse:
    """A stored document, for those who may see what it belongs to (404 otherwise)."""
    doc = queries.get_document_for_user(request.user, pk)
    record_activity(actor=request.user, action="review.document_downloaded", target=doc)
    response = HttpResponse(bytes(doc.content), content_type="application/octet-stream")
    safe_name = "".join(c for c in doc.filename if c.isalnum() or c in "._- ") or "document"
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    return response
