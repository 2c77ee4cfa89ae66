"""What the action plans app shows on the home page: a lead officer's own open actions (overdue
first), and for the business unit the overdue actions across every plan."""

from __future__ import annotations

from django.db.models import Case, IntegerField, When
from django.http import HttpRequest
from django.utils import timezone

from safeguarding.actionplans import permissions, queries
from safeguarding.actionplans.models import Action
from safeguarding.core.home import Panel


def your_actions(request: HttpRequest) -> Panel | None:
    user = request.user
    if not user.is_authenticated or user.is_system:
        return None
    today = timezone.localdate()
    rows = list(
        queries.with_related(Action.objects.open().filter(lead_officer_id=user.pk))
        .annotate(late=Case(When(due_on__lt=today, then=0), default=1, output_field=IntegerField()))
        .order_by("late", "due_on", "pk")[:50]
    )
    if not rows:
        return None
    for a in rows:
        a.flag_overdue = a.is_overdue(today)  # type: ignore[attr-defined]
    return Panel("actionplans/panels/your_actions.html", {"actions": rows})


def overdue_across_plans(request: HttpRequest) -> Panel | None:
    user = request.user
    if not permissions.is_manager(user):
        return None
    today = timezone.localdate()
    overdue = queries.with_related(Action.objects.overdue(today)).order_by("due_on", "pk")
    return Panel(
        "actionplans/panels/overdue.html", {"actions": list(overdue[:20]), "total": overdue.count(), "today": today}
    )
