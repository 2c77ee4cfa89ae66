"""What the learning app shows on the home page (upcoming events I am invited to, evaluations and
follow-up surveys I still owe) and on a review's page (its learning events and briefings)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import OuterRef, Subquery

from safeguarding.core.home import Panel
from safeguarding.core.sections import Section
from safeguarding.learning import queries
from safeguarding.learning.models import Registration
from safeguarding.learning.permissions import can_manage_learning, is_person

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


def my_learning(request: PersonRequest) -> Panel | None:
    user = request.user
    if not is_person(user):
        return None
    # Each event with the person's live registration ("place" or "waiting"; at most one, by constraint).
    live = Registration.objects.live().filter(user_id=user.pk, event_id=OuterRef("pk")).values("status")[:1]
    upcoming = list(
        queries.events_visible_to(user)
        .published()
        .upcoming()
        .filter(queries.invited_condition(user))
        .annotate(my_registration=Subquery(live))
        .order_by("starts_at", "pk")[:6]
    )
    owed = list(queries.evaluations_owed(user)[:10])
    follow_ups = list(queries.follow_ups_owed(user)[:10])
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
