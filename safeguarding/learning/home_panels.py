"""What the learning app shows on the home page (upcoming events I am invited to, evaluations and
follow-up surveys I still owe) and on a review's page (its learning events and briefings)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import OuterRef, Subquery

from safeguarding.core import facts
from safeguarding.core.home import Panel
from safeguarding.core.sections import Section
from safeguarding.learning import queries
from safeguarding.learning.models import Attendance, FollowUpRequest, Registration
from safeguarding.learning.permissions import can_manage_learning, is_person

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


def my_learning(request: PersonRequest) -> Panel | None:
    user = request.user
    if not is_person(user):
        return None
    # Each event with the person's live registration ("place" or "waiting"; at most one, by constraint).
    live = Registration.objects.live().filter(user_id=user.pk, event_id=OuterRef("pk")).order_by().values("status")[:1]
    upcoming = list(
        queries.upcoming_invitations(user).annotate(my_registration=Subquery(live)).order_by("starts_at", "pk")[:6]
    )
    # Only for those who attended an event or were sent a follow-up survey (the home page's facts).
    owed = list(queries.evaluations_owed(user)[:10]) if facts.holds(user, "learning.attended") else []
    follow_ups = list(queries.follow_ups_owed(user)[:10]) if facts.holds(user, "learning.sent_a_follow_up") else []
    if not (upcoming or owed or follow_ups) and not can_manage_learning(user):
        return None
    return Panel(
        "learning/panels/home.html",
        {
            "upcoming": [(e, e.my_registration) for e in upcoming],  # type: ignore[attr-defined]
            "owed": owed,
            "follow_ups": follow_ups,
        },
    )


# Asked with the home page's other facts (one query): most people owe no evaluation or survey, and then
# those two queries are not built.
facts.register(
    "learning.attended", lambda user: Attendance.objects.filter(user_id=user.pk, attended=True), group=facts.HOME
)
facts.register(
    "learning.sent_a_follow_up", lambda user: FollowUpRequest.objects.filter(user_id=user.pk), group=facts.HOME
)


def review_section(request: PersonRequest, review: Any) -> Section | None:
    """On a review's page, for the business unit: its learning events and briefings, and links to add them."""
    user = request.user
    if not can_manage_learning(user):
        return None
    return Section(
        "learning/sections/review.html",
        {
            "review": review,
            "events": list(review.learning_events.order_by("-starts_at")[:20]),
            "briefings": list(review.learning_briefings.order_by("-created_at")[:20]),
        },
    )
