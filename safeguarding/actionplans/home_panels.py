"""What the action plans app shows on the home page: a lead officer's own open actions and complete
ones with a re-check due (overdue first, then re-checks due), and for the business unit the overdue
actions across every plan."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Case, IntegerField, Q, When
from django.utils import timezone

from safeguarding.actionplans import queries
from safeguarding.actionplans.enums import COMPLETE_STATUSES
from safeguarding.actionplans.models import Action
from safeguarding.core import facts
from safeguarding.core.home import Panel

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


def your_actions(request: PersonRequest) -> Panel | None:
    user = request.user
    if not user.is_authenticated or user.is_system or not facts.holds(user, "actionplans.leads_an_action"):
        return None
    today = timezone.localdate()
    mine = Action.objects.filter(lead_officer_id=user.pk)
    complete = sorted(s.value for s in COMPLETE_STATUSES)
    rows = list(
        queries.with_related(mine.open() | mine.recheck_due(today))
        .annotate(
            late=Case(
                When(Q(due_on__lt=today) & ~Q(status__in=complete), then=0),  # overdue
                When(status__in=complete, then=1),  # a re-check due (the only complete ones here)
                default=2,
                output_field=IntegerField(),
            )
        )
        .order_by("late", "due_on", "pk")[:50]
    )
    if not rows:
        return None
    for a in rows:
        a.flag_overdue = a.is_overdue(today)  # type: ignore[attr-defined]
        a.flag_recheck_due = a.is_recheck_due(today)  # type: ignore[attr-defined]
    return Panel("actionplans/panels/your_actions.html", {"actions": rows})


# Whether the person leads any action at all, asked with the home page's other facts (one query): most
# people lead none, and then the panel's own query is not built.
facts.register(
    "actionplans.leads_an_action", lambda user: Action.objects.filter(lead_officer_id=user.pk), group=facts.HOME
)


def overdue_across_plans(request: PersonRequest) -> Panel | None:
    user = request.user
    if not user.has_perm("actionplans.read_every_plan"):
        return None
    today = timezone.localdate()
    overdue = queries.with_related(Action.objects.overdue(today)).order_by("due_on", "pk")
    return Panel(
        "actionplans/panels/overdue.html", {"actions": list(overdue[:20]), "total": overdue.count(), "today": today}
    )
