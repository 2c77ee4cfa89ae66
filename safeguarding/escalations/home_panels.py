"""What the escalations app shows on the home page and on a child's record."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.urls import reverse

from safeguarding.core.home import Panel
from safeguarding.core.sections import Section
from safeguarding.escalations import queries
from safeguarding.escalations.enums import OPEN_STATUSES
from safeguarding.escalations.models import Escalation

if TYPE_CHECKING:
    from safeguarding.children.models import Child
    from safeguarding.core.types import PersonRequest


def awaiting_you(request: PersonRequest) -> Panel | None:
    user = request.user
    if not user.has_perm("escalations.use"):
        return None
    rows = queries.awaiting_action_by(user)
    return Panel(
        "escalations/panels/awaiting.html",
        {"rows": rows[:10], "total": len(rows)},
    )


def partnership(request: PersonRequest) -> Panel | None:
    if not request.user.has_perm("escalations.view_log"):
        return None
    return Panel(
        "escalations/panels/partnership.html",
        {"open_count": Escalation.objects.open().count(), "overdue_count": Escalation.objects.overdue().count()},
    )


def child_section(request: PersonRequest, child: Child) -> Section | None:
    """On a child's record: the open escalations about the child this person may see, and a link that
    starts a new one with the child chosen (the page checked the child is visible)."""
    user = request.user
    can_raise = user.has_perm("escalations.raise")
    rows = list(
        queries.with_related(queries.escalations_visible_to(user))
        .filter(children=child, status__in=OPEN_STATUSES)
        .order_by("stage_due_at")[:10]
    )
    if not rows and not can_raise:
        return None
    raise_url = f"{reverse('escalations:raise')}?{urlencode({'child': child.pk})}"
    return Section("escalations/sections/child.html", {"rows": rows, "raise_url": raise_url if can_raise else ""})
