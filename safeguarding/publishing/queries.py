"""Read side: lists of committee reports go through `reports_visible_to`, details through
`get_report_for_user` / `get_generated_for_user`. What the person may not see answers 404, exactly
like what does not exist."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from safeguarding.actionplans.models import ActionPlan
from safeguarding.core.access import get_or_404
from safeguarding.publishing.models import CommitteeReport, GeneratedReport
from safeguarding.publishing.permissions import can_read_reports, can_write_reports
from safeguarding.reviews.models import Review

if TYPE_CHECKING:
    from safeguarding.core.types import Viewer


def reports_visible_to(user: Viewer) -> QuerySet[CommitteeReport]:
    if not can_read_reports(user):
        return CommitteeReport.objects.none()
    return CommitteeReport.objects.select_related("review", "plan")


def get_report_for_user(user: Viewer, pk: Any) -> CommitteeReport:
    return get_or_404(reports_visible_to(user), pk)


def get_report_for_writer(user: Viewer, pk: Any) -> CommitteeReport:
    """The report, for someone who may change it; 404 for everyone else (readers included)."""
    qs = reports_visible_to(user) if can_write_reports(user) else CommitteeReport.objects.none()
    return get_or_404(qs, pk)


def generated_visible_to(user: Viewer) -> QuerySet[GeneratedReport]:
    if not can_read_reports(user):
        return GeneratedReport.objects.none()
    return GeneratedReport.objects.select_related("report", "plan_version", "text")


def get_generated_for_user(user: Viewer, pk: Any) -> GeneratedReport:
    return get_or_404(generated_visible_to(user), pk)


def reviews_for_new_report(user: Viewer) -> QuerySet[Review]:
    """Reviews with an action plan, for which a writer may start a committee report."""
    if not can_write_reports(user):
        return Review.objects.none()
    return Review.objects.filter(action_plan__isnull=False).select_related("action_plan").order_by("-created_at")


def get_review_for_new_report(user: Viewer, pk: Any) -> Review:
    return get_or_404(reviews_for_new_report(user), pk)


def plan_of(review: Review) -> ActionPlan | None:
    """The review's action plan (one per review), if it has one yet."""
    return ActionPlan.objects.filter(review_id=review.pk).first()
