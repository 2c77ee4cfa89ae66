"""Read side: lists of reviews go through `reviews_visible_to`, details through `get_review_for_user`;
an agency's requests through `requests_visible_to` / `get_request_for_user`. What the person may not
see answers 404, exactly like what does not exist.

The monitoring page (`monitoring_rows`) shows every review's stage, next due date and timeliness, and
no review material, so scrutineers may see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from safeguarding.core.access import get_or_404, is_active_person, parse_id
from safeguarding.reviews import publication
from safeguarding.reviews.clocks import Clock, timeliness
from safeguarding.reviews.enums import Action, Stage, Timeliness
from safeguarding.reviews.models import AgencyRequest, Document, PracticeReview, ReportDraft, Review, Submission
from safeguarding.reviews.permissions import is_business_unit, lead_agency_ids

if TYPE_CHECKING:
    from safeguarding.core.types import Viewer


def _pk(value: Any) -> int:
    number = parse_id(value)
    if number is None:
        raise Http404("Not found")
    return number


def reviews_visible_to(user: Viewer | None) -> QuerySet[Review]:
    """Review material: the business unit sees every review; panel members, reviewers and chairs theirs."""
    if not is_active_person(user) or user.is_system:
        return Review.objects.none()
    if is_business_unit(user):
        return Review.objects.all()
    return Review.objects.filter(members__user_id=user.pk).distinct()


def with_related(qs: QuerySet[Review]) -> QuerySet[Review]:
    return qs.select_related("notification", "rapid_review", "practice_review", "created_by")


def get_review_for_user(user: Viewer, pk: Any) -> Review:
    return get_or_404(with_related(reviews_visible_to(user)), pk)


def requests_visible_to(user: Viewer) -> QuerySet[AgencyRequest]:
    """An agency's own requests, for its safeguarding lead (or its system); all of them for the business unit."""
    if not is_active_person(user):
        return AgencyRequest.objects.none()
    if is_business_unit(user):
        return AgencyRequest.objects.all()
    return AgencyRequest.objects.filter(agency_id__in=lead_agency_ids(user))


def get_request_for_user(user: Viewer, pk: Any) -> AgencyRequest:
    return get_or_404(requests_visible_to(user).select_related("review", "agency"), pk)


def get_document_for_user(user: Viewer, pk: Any) -> Document:
    """A stored document, for those who may see what it belongs to: an agency's submission (its lead,
    or those who may see the review) or a report draft (those who may see the review). 404 otherwise."""
    doc = get_or_404(Document.objects.all(), pk)
    submission = Submission.objects.filter(document=doc).select_related("request").first()
    draft = ReportDraft.objects.filter(document=doc).select_related("practice_review").first()
    if submission is not None:
        allowed = requests_visible_to(user).filter(pk=submission.request_id).exists() or (
            reviews_visible_to(user).filter(pk=submission.request.review_id).exists()
        )
    elif draft is not None:
        allowed = reviews_visible_to(user).filter(pk=draft.practice_review.review_id).exists()
    else:
        allowed = False
    if not allowed:
        raise Http404("Not found")
    return doc


def practice_or_none(review: Review) -> PracticeReview | None:
    try:
        return review.practice_review
    except PracticeReview.DoesNotExist:
        return None


def notification_clock(review: Review) -> Clock | None:
    """5 working days from the day of awareness, met when sent to the national panel."""
    if not hasattr(review, "notification"):
        return None
    n = review.notification
    return Clock("Notification to the national panel", n.aware_on, n.due_on, n.sent_to_panel_on)


def rapid_review_clock(review: Review) -> Clock | None:
    """15 working days from the day its clock starts (its `rule` says which), met when sent."""
    if not hasattr(review, "rapid_review"):
        return None
    r = review.rapid_review
    return Clock("Rapid review", r.opened_on, r.due_on, r.sent_to_panel_on)


def publication_clock(review: Review) -> Clock | None:
    practice = practice_or_none(review)
    # Another learning review has no statutory publication target, a serious case review a completion target
    # instead (`publication.py`).
    if practice is None or not publication.publication_clock_applies(practice):
        return None
    return Clock("Publication", practice.decided_on, practice.target_publication_on, practice.published_on)


def completed_on(review: Review) -> date | None:
    """The day the final report was received (the review moved to the final report stage; the latest time)."""
    change = review.stage_changes.filter(action=Action.FINALISED).order_by("-at", "-id").first()
    return timezone.localdate(change.at) if change else None


def completion_clock(review: Review) -> Clock | None:
    """A serious case review's clock: completed (the final report received) within 6 months of the decision to
    hold it (Working Together 2015, chapter 4). `target_publication_on` holds that target for it."""
    practice = practice_or_none(review)
    if practice is None or not publication.completion_clock_applies(practice):
        return None
    return Clock("Completion", practice.decided_on, practice.target_publication_on, completed_on(review))


def current_clock(review: Review) -> Clock | None:
    """The clock that matters at the review's stage (None when closed without a publication). Its timeliness is always
    `clocks.timeliness(clock, today)`: a met clock keeps the answer it was met with."""
    if review.stage == Stage.NOTIFIED:
        return notification_clock(review)
    if review.stage in (Stage.RAPID_REVIEW, Stage.DECISION):
        return rapid_review_clock(review)
    target = publication_clock(review) or completion_clock(review)
    if target is not None and (review.stage != Stage.CLOSED or target.met_on is not None):
        return target  # running, or met (published, completed): a closed review keeps the answer it was met with
    return None


def clock_timeliness(review: Review, clock: Clock, today: date) -> Timeliness:
    """The clock's timeliness; a deferred publication shows as deferred, not late."""
    computed = timeliness(clock, today)
    practice = practice_or_none(review)
    if clock.label == "Publication" and practice is not None:
        return publication.publication_timeliness(practice, computed)
    return computed


@dataclass(frozen=True)
class MonitoringRow:
    review: Review
    kind: str
    clock: Clock | None
    timeliness: Timeliness | None
    published_on: date | None


def monitoring_rows(today: date | None = None) -> list[MonitoringRow]:
    today = today or timezone.localdate()
    rows = []
    # With each practice review's publication (its deferral decides "deferred"): one query, not one a review.
    reviews = with_related(Review.objects.all()).select_related("practice_review__publication")
    for review in reviews.order_by("-created_at", "-pk")[:1000]:
        clock = current_clock(review)
        practice = practice_or_none(review)
        rows.append(
            MonitoringRow(
                review=review,
                kind=practice.get_kind_display() if practice else "Rapid review",
                clock=clock,
                timeliness=clock_timeliness(review, clock, today) if clock else None,
                published_on=practice.published_on if practice else None,
            )
        )
    return rows


@dataclass(frozen=True)
class MonitoringSummary:
    total: int
    late: int
    at_risk: int


def monitoring_summary(today: date | None = None) -> MonitoringSummary:
    """How many reviews the monitoring page lists, and how many of them are late or at risk."""
    rows = monitoring_rows(today)
    return MonitoringSummary(
        total=len(rows),
        late=sum(1 for r in rows if r.timeliness == Timeliness.LATE),
        at_risk=sum(1 for r in rows if r.timeliness == Timeliness.AT_RISK),
    )
