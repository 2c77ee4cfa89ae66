"""What a practice review found and recommends: numbered findings (with themes) and recommendations,
and a recommendation's status (moved by the business unit or the chair, or following its action plan)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Max

from safeguarding.agencies.models import Agency
from safeguarding.core import kernel
from safeguarding.core.services import record_activity
from safeguarding.reviews.enums import RecommendationStatus
from safeguarding.reviews.models import Finding, Review, ReviewRecommendation, Theme
from safeguarding.reviews.permissions import at_writing_stage, can_run_review, can_write_review
from safeguarding.reviews.services.common import locked, required_text

if TYPE_CHECKING:
    from safeguarding.core.types import Person


def _writing(actor: Person, review: Review) -> Review:
    """The review locked, so the next number is taken once; refused unless `can_write_findings`."""
    current = locked(review)
    kernel.require(
        can_write_review(actor, current),
        "Only the business unit, the chair or the review's independent reviewer can do this.",
    )
    kernel.require(
        at_writing_stage(current), "Findings and recommendations are written while the practice review is in progress."
    )
    return current


@kernel.service
def add_finding(
    *, actor: Person, review: Review, title: str, text: str, themes: Sequence[Theme] = (), at: datetime | None = None
) -> Finding:
    current = _writing(actor, review)
    errors: dict[str, str] = {}
    title = required_text(errors, "title", title, "Enter the finding in a sentence.")
    text = required_text(errors, "text", text, "Describe the finding and the evidence for it.")
    if errors:
        raise ValidationError(errors)
    number = (current.findings.aggregate(n=Max("number"))["n"] or 0) + 1
    finding = Finding.objects.create(review=current, number=number, title=title, text=text, created_at=kernel.now(at))
    finding.themes.set(themes)
    record_activity(actor=actor, action="review.finding_added", target=finding)
    return finding


@kernel.service
def add_recommendation(
    *,
    actor: Person,
    review: Review,
    text: str,
    addressee: Agency | None = None,
    status: str = RecommendationStatus.DRAFT,
    at: datetime | None = None,
) -> ReviewRecommendation:
    """Numbered in order; addressed to the partnership (no agency) or to one agency."""
    current = _writing(actor, review)
    if not text.strip():
        raise ValidationError({"text": "Enter the recommendation."})
    number = (current.recommendations.aggregate(n=Max("number"))["n"] or 0) + 1
    recommendation = ReviewRecommendation.objects.create(
        review=current, number=number, text=text.strip(), addressee=addressee, status=status, created_at=kernel.now(at)
    )
    record_activity(actor=actor, action="review.recommendation_added", target=recommendation)
    return recommendation


def _locked_status(recommendation: ReviewRecommendation) -> str:
    """The recommendation's status as stored now, its row locked for the service's transaction."""
    return kernel.lock(ReviewRecommendation, recommendation.pk, noun="recommendation").status


@kernel.service
def follow_actions(*, actor: Person, recommendation: ReviewRecommendation, status: str) -> bool:
    """Move a recommendation to the status its action plan's actions give it (in an action plan, or
    complete once every action is signed off). Called by the action-plan services, which have checked
    that `actor` may change the plan; logged as the person's change. True if the status changed."""
    before = _locked_status(recommendation)
    recommendation.status = status
    if before == status:
        kernel.unchanged()
        return False
    ReviewRecommendation.objects.filter(pk=recommendation.pk).update(status=status)
    record_activity(
        actor=actor,
        action="review.recommendation_status",
        target=recommendation,
        changes={"status": [before, status], "because": [None, "action plan"]},
    )
    return True


@kernel.service
def set_recommendation_status(
    *, actor: Person, recommendation: ReviewRecommendation, status: str
) -> ReviewRecommendation:
    """The business unit or the chair moves a recommendation on (draft, agreed, in an action plan, complete).
    The row is locked in the service's transaction (under autocommit on PostgreSQL too)."""
    kernel.require(can_run_review(actor, recommendation.review), "Only the business unit or the chair can change this.")
    if status not in RecommendationStatus.values:
        raise ValidationError({"status": "Choose one of: " + ", ".join(RecommendationStatus.values) + "."})
    before = _locked_status(recommendation)
    ReviewRecommendation.objects.filter(pk=recommendation.pk).update(status=status)
    recommendation.status = status
    record_activity(
        actor=actor, action="review.recommendation_status", target=recommendation, changes={"status": [before, status]}
    )
    return recommendation
