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


def child_summary_section(request: PersonRequest, child: Any) -> Section | None:
    """The open plan on the child's summary: its objectives with their latest status (Overdue by the overdue
    check's rule), and its next review and objectives' due dates for the "coming up" list."""
    from django.urls import reverse

    from safeguarding.core.sections import Upcoming
    from safeguarding.plans.enums import ObjectiveStatus, PlanType

    current = next((p for p in queries.plans_for_child(request.user, child)[:5] if p.status != "ended"), None)
    if current is None:
        return Section("plans/sections/summary.html", {"child": child, "current": None})
    version = current.current_version()
    latest = queries.latest_updates(current)
    overdue = queries.overdue_uids(current)
    objectives = [(o, latest.get(o.uid), o.uid in overdue) for o in queries.objectives_of(version)]
    review = current.reviews.order_by("-held_on").first()
    next_review = (review.next_review_on if review else None) or version.review_date
    url = reverse("plans:detail", args=[current.pk])
    meeting = "Review child protection conference" if current.plan_type == PlanType.CHILD_PROTECTION else "Plan review"
    upcoming = [Upcoming(next_review, f"{meeting} ({current.reference})", url)] if next_review else []
    upcoming += [
        Upcoming(o.due_on, f"Objective due: {o.action[:80]}", url)
        for o, update, late in objectives
        if not late and (update is None or update.status != ObjectiveStatus.ACHIEVED)
    ]
    return Section(
        "plans/sections/summary.html",
        {"child": child, "current": current, "version": version, "objectives": objectives, "upcoming": upcoming},
    )
