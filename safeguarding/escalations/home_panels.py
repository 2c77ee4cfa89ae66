"""What the escalations app shows on the home page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from safeguarding.core.home import Panel
from safeguarding.escalations import queries
from safeguarding.escalations.models import Escalation

if TYPE_CHECKING:
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
