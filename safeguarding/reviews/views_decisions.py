"""Pages for the notification's copies and the safeguarding partners informed, the national panel's
response to a recommended national review, closing a national review, and reopening a closed case.

Thin, like the other review pages: the access helper first (404 for what the person may not see or
run), the workflow's guard (a blocked step goes back to the review with the reason), a form, one
service. A form sent against an older version of the review answers 409 with the message on the form,
which keeps what was typed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect

from safeguarding.agencies.models import Agency
from safeguarding.reviews import forms_decisions as dforms
from safeguarding.reviews import queries, services, workflow
from safeguarding.reviews.enums import Action, PanelResponse, Stage
from safeguarding.reviews.models import Review
from safeguarding.reviews.views import form_flow, review_for, versioned_step

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest

RUN = "reviews.run_review"

# The review page's links for the steps with their own page.
OWN_PAGES: dict[str, tuple[str, str]] = {
    Action.NATIONAL_REVIEW_ACCEPTED: ("reviews:panel-response", f"?response={PanelResponse.ACCEPTED}"),
    Action.RETURNED_FOR_LOCAL_REVIEW: ("reviews:panel-response", f"?response={PanelResponse.RETURNED}"),
    Action.PANEL_NO_REVIEW: ("reviews:panel-response", f"?response={PanelResponse.NO_REVIEW}"),
    Action.NATIONAL_REVIEW_CLOSED: ("reviews:close-national-review", ""),
    Action.REOPENED: ("reviews:reopen", ""),
}


def _blocked(request: PersonRequest, review: Review, action: str) -> HttpResponse | None:
    """Back to the review with the reason, when the workflow's guard refuses the step now."""
    reason = workflow.blocker(action, request.user, review)
    if reason is None:
        return None
    messages.error(request, reason)
    return redirect("reviews:detail", pk=review.pk)


# ---- the notification ----------------------------------------------------------------------------


@login_required
def copies(request: PersonRequest, pk: int) -> HttpResponse:
    review = review_for(request, pk, RUN)
    notification = review.notification
    initial = {
        name: f"{day:%d/%m/%Y}"
        for name, day in (
            ("ofsted_sent_on", notification.ofsted_sent_on),
            ("secretary_of_state_sent_on", notification.secretary_of_state_sent_on),
        )
        if day is not None
    }
    form = dforms.CopiesForm(data=request.POST or None, initial=initial)
    return form_flow(
        request,
        review,
        form,
        lambda d: services.record_notification_copies(
            actor=request.user,
            review=review,
            ofsted_sent_on=d.get("ofsted_sent_on"),
            secretary_of_state_sent_on=d.get("secretary_of_state_sent_on"),
        ),
        title="Record the copies of the notification",
        button="Save the dates",
        done="Dates of the copies recorded.",
    )


@login_required
def partners_informed(request: PersonRequest, pk: int) -> HttpResponse:
    review = review_for(request, pk, RUN)
    notification = review.notification
    agencies = Agency.objects.filter(pk__in=[a.pk for a in workflow.partners_to_inform()]).order_by("name")
    form = dforms.PartnersInformedForm(
        data=request.POST or None, agencies=agencies, outside_england=notification.harm_outside_england
    )
    return form_flow(
        request,
        review,
        form,
        lambda d: services.record_partners_informed(
            actor=request.user,
            review=review,
            informed_on=d["informed_on"],
            agencies=list(d["agencies"]),
            harm_area=bool(d.get("harm_area")),
        ),
        title="Record who was informed",
        button="Save",
        done="Recorded who was informed.",
    )


# ---- the national panel's response, a national review, reopening -----------------------------------


@login_required
def panel_response(request: PersonRequest, pk: int) -> HttpResponse:
    review = queries.get_review_for_user(request.user, pk)
    blocked = _blocked(request, review, Action.NATIONAL_REVIEW_ACCEPTED)
    if blocked is not None:
        return blocked
    chosen = request.GET.get("response", "")
    initial = {"version": review.version, "response": chosen if chosen in PanelResponse.values else None}
    form = dforms.PanelResponseForm(data=request.POST or None, initial=initial)
    return versioned_step(
        request,
        review,
        form,
        lambda d: services.record_panel_response(
            actor=request.user,
            review=review,
            version=d["version"],
            response=d["response"],
            responded_on=d["responded_on"],
            panel_words=d["panel_words"],
            reason=d.get("reason", ""),
        ),
        title="Record the national panel's response",
        done="The national panel's response is recorded.",
        intro="The rapid review recommended a national review. Record what the national panel decided.",
    )


@login_required
def close_national_review(request: PersonRequest, pk: int) -> HttpResponse:
    review = queries.get_review_for_user(request.user, pk)
    blocked = _blocked(request, review, Action.NATIONAL_REVIEW_CLOSED)
    if blocked is not None:
        return blocked
    form = dforms.CloseNationalReviewForm(data=request.POST or None, initial={"version": review.version})
    return versioned_step(
        request,
        review,
        form,
        lambda d: services.close_national_review(
            actor=request.user,
            review=review,
            version=d["version"],
            published_on=d.get("published_on"),
            reason=d.get("reason", ""),
        ),
        title="Close the national review",
        done="The national review is closed.",
    )


@login_required
def reopen(request: PersonRequest, pk: int) -> HttpResponse:
    review = queries.get_review_for_user(request.user, pk)
    blocked = _blocked(request, review, Action.REOPENED)
    if blocked is not None:
        return blocked
    stage = workflow.reopen_stage(review)
    where = Stage(stage).label.lower() if stage else ""
    form = dforms.ReopenForm(data=request.POST or None, initial={"version": review.version})
    return versioned_step(
        request,
        review,
        form,
        lambda d: services.reopen_review(actor=request.user, review=review, version=d["version"], reason=d["reason"]),
        title="Reopen the review",
        done="The review is reopened.",
        intro=f"The review goes back to the {where} stage, the one it closed from.",
    )
