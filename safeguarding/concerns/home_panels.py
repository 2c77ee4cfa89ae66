"""What the concerns app shows on the home page and on a child's record."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from safeguarding.concerns import queries
from safeguarding.concerns.enums import OPEN_STATUSES
from safeguarding.core.home import Panel
from safeguarding.core.sections import Section

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


def new_alerts(request: PersonRequest) -> Panel | None:
    """Open alerts for the children this person is lead professional or safeguarding lead for."""
    user = request.user
    if not user.has_perm("concerns.use_alerts") or getattr(user, "is_system", False):
        return None
    rows = list(queries.responsible_alerts(user)[:11])
    if not rows:
        return None
    return Panel("concerns/panels/home.html", {"rows": rows[:10], "more": len(rows) > 10})


def child_section(request: PersonRequest, child: Any) -> Section | None:
    """The child's alerts, for anyone who may see the child's record (the page checked that)."""
    user = request.user
    alerts = list(queries.alerts_visible_to(user).filter(child_id=child.pk).order_by("-raised_at", "-pk")[:20])
    if not alerts:
        return None
    return Section(
        "concerns/sections/child.html",
        {
            "child": child,
            "open": [a for a in alerts if a.status in OPEN_STATUSES],
            "closed": [a for a in alerts if a.status not in OPEN_STATUSES],
        },
    )


def child_summary_section(request: PersonRequest, child: Any) -> Section:
    """The child's open alerts on the summary page (the alerts this person may see)."""
    alerts = queries.alerts_visible_to(request.user).filter(child_id=child.pk, status__in=list(OPEN_STATUSES))
    return Section("concerns/sections/summary.html", {"open": list(alerts.order_by("-raised_at", "-pk")[:20])})
