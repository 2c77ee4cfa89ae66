"""What the reviews app shows on the home page: an agency safeguarding lead's open review requests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from safeguarding.core.home import Panel
from safeguarding.reviews import queries
from safeguarding.reviews.enums import RequestStatus
from safeguarding.reviews.permissions import is_business_unit, lead_agency_ids

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


def open_requests(request: PersonRequest) -> Panel | None:
    user = request.user
    if not user.is_authenticated or is_business_unit(user) or not lead_agency_ids(user):
        return None
    rows = (
        queries.requests_visible_to(user)
        .filter(status=RequestStatus.REQUESTED)
        .select_related("review", "agency")
        .order_by("due_on", "pk")
    )
    return Panel("reviews/panels/open_requests.html", {"review_requests": list(rows[:20])})


def monitoring(request: PersonRequest) -> Panel | None:
    """Those who monitor case reviews (the business unit, scrutineers): how many are late or at risk."""
    if not request.user.has_perm("reviews.monitor"):
        return None
    return Panel("reviews/panels/monitoring.html", {"summary": queries.monitoring_summary()})
