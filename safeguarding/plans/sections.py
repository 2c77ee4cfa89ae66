"""What the plans app adds to other pages (registered in apps.py): the current plan on a child's
record, and the objectives cited in an escalation or a review. Each applies the plan access rule:
only plans whose every child the person may see."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from safeguarding.core.sections import Section
from safeguarding.plans import queries
from safeguarding.plans.models import Citation

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


def child_section(request: PersonRequest, child: Any) -> Section | None:
    plans = list(queries.plans_for_child(request.user, child)[:5])
    current = next((p for p in plans if p.status != "ended"), None)
    latest_review = current.reviews.order_by("-held_on").first() if current else None
    version = current.current_version() if current else None
    overdue = len(queries.overdue_uids(current)) if current else 0
    return Section(
        "plans/sections/child.html",
        {
            "child": child,
            "current": current,
            "version": version,
            "latest_review": latest_review,
            "overdue": overdue,
            "others": [p for p in plans if p is not current],
        },
    )


def _citations(request: PersonRequest, **where: Any) -> Section | None:
    rows = list(
        Citation.objects.filter(plan__in=queries.plans_visible_to(request.user), **where)
        .select_related("objective", "plan", "cited_by")
        .order_by("-cited_at")
    )
    if not rows:
        return None
    latest = {}
    for c in rows:
        latest[c.pk] = c.plan.objective_updates.filter(objective_uid=c.objective_uid).order_by("-recorded_at").first()
    return Section("plans/sections/citations.html", {"rows": [(c, latest[c.pk]) for c in rows]})


def escalation_section(request: PersonRequest, escalation: Any) -> Section | None:
    return _citations(request, escalation=escalation)


def review_section(request: PersonRequest, review: Any) -> Section | None:
    return _citations(request, review=review)
