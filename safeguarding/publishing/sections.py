"""The "Committee report" section of the review page: links to the review's committee reports (and to
start one) for those who may see them; nothing for anyone else."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from safeguarding.core.sections import Section
from safeguarding.publishing import queries

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


def review_section(request: PersonRequest, review: Any) -> Section | None:
    user = request.user
    if not user.has_perm("publishing.read"):
        return None
    reports = list(queries.reports_visible_to(user).filter(review=review).order_by("-meeting_on", "-pk"))
    can_create = user.has_perm("publishing.write") and queries.plan_of(review) is not None
    return Section(
        "publishing/includes/review_section.html",
        {"review": review, "reports": reports, "can_create": can_create},
    )
