"""The "Committee report" section of the review page: links to the review's committee reports (and to
start one) for those who may see them; nothing for anyone else."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from safeguarding.core.sections import Section
from safeguarding.publishing import queries
from safeguarding.publishing.permissions import can_read_reports, can_write_reports


def review_section(request: HttpRequest, review: Any) -> Section | None:
    user = request.user
    if not can_read_reports(user):
        return None
    reports = list(queries.reports_visible_to(user).filter(review=review).order_by("-meeting_on", "-pk"))
    can_create = can_write_reports(user) and queries.plan_of(review) is not None
    return Section(
        "publishing/includes/review_section.html",
        {"review": review, "reports": reports, "can_create": can_create},
    )
