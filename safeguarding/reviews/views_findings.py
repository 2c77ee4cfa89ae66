"""Findings, recommendations and the review chronology pages. Those who may see the review see
these; writing is for the review's writers while the report is drafted, a recommendation's status
for the business unit and the chair, children's names for the business unit (logged per child)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from safeguarding.core.access import get_or_404
from safeguarding.core.services import record_activity
from safeguarding.reviews import chronology, forms, queries, services
from safeguarding.reviews.views import form_flow, review_for

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


@login_required
def findings(request: PersonRequest, pk: int) -> HttpResponse:
    review = queries.get_review_for_user(request.user, pk)
    record_activity(actor=request.user, action="review.findings_viewed", target=review)
    return render(
        request,
        "reviews/findings.html",
        {
            "review": review,
            "findings": review.findings.prefetch_related("themes"),
            "recommendations": review.recommendations.select_related("addressee"),
        },
    )


@login_required
def add_finding(request: PersonRequest, pk: int) -> HttpResponse:
    review = review_for(request, pk, "reviews.write_review")
    form = forms.FindingForm(data=request.POST or None)
    return form_flow(
        request,
        review,
        form,
        lambda d: services.add_finding(
            actor=request.user, review=review, title=d["title"], text=d["text"], themes=list(d["themes"])
        ),
        title="Add a finding",
        button="Add the finding",
        done="Finding added.",
        to="reviews:findings",
    )


@login_required
def add_recommendation(request: PersonRequest, pk: int) -> HttpResponse:
    review = review_for(request, pk, "reviews.write_review")
    form = forms.RecommendationForm(data=request.POST or None)
    return form_flow(
        request,
        review,
        form,
        lambda d: services.add_recommendation(
            actor=request.user, review=review, text=d["text"], addressee=d.get("addressee"), status=d["status"]
        ),
        title="Add a recommendation",
        button="Add the recommendation",
        done="Recommendation added.",
        to="reviews:findings",
    )


@login_required
def recommendation_status(request: PersonRequest, pk: int, rec_pk: int) -> HttpResponse:
    """The business unit or the chair moves a recommendation on (404 for anyone else, as other recording pages)."""
    review = review_for(request, pk, "reviews.run_review")
    recommendation = get_or_404(review.recommendations.all(), rec_pk)
    form = forms.RecommendationStatusForm(data=request.POST or None, initial={"status": recommendation.status})
    return form_flow(
        request,
        review,
        form,
        lambda d: services.set_recommendation_status(
            actor=request.user, recommendation=recommendation, status=d["status"]
        ),
        title=f"Status of recommendation {recommendation.reference}",
        button="Save the status",
        done=f"Status of {recommendation.reference} saved.",
        to="reviews:findings",
    )


@login_required
def review_chronology(request: PersonRequest, pk: int) -> HttpResponse:
    review = queries.get_review_for_user(request.user, pk)
    # Names are shown only to the business unit, and only when asked for; the default is anonymised.
    named = request.GET.get("names") == "shown" and request.user.has_perm("reviews.show_names", review)
    record_activity(
        actor=request.user, action="review.chronology_viewed", target=review, changes={"anonymised": [None, not named]}
    )
    if named:
        # With names shown this is a view of each child's record: log it where "who has looked" finds it.
        for child_id in review.child_links.values_list("child_id", flat=True):
            record_activity(
                actor=request.user, action="review.chronology_viewed_named", target=review, child_id=child_id
            )
    return render(
        request,
        "reviews/chronology.html",
        {"review": review, "rows": chronology.review_chronology(review, anonymised=not named), "named": named},
    )
