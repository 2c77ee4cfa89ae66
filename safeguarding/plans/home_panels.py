"""What the plans app shows on the home page: the plans you lead, with reviews due and objectives overdue."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from safeguarding.core import facts
from safeguarding.core.home import Panel
from safeguarding.plans import queries
from safeguarding.plans.enums import PlanStatus

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


def plans_you_lead(request: PersonRequest) -> Panel | None:
    user = request.user
    if not user.has_perm("plans.create") or not facts.holds(user, "plans.leads_a_plan"):
        return None
    plans = list(
        queries.plans_visible_to(user)
        .filter(lead_professional_id=user.pk)
        .exclude(status=PlanStatus.ENDED)
        .order_by("-started_on")[:50]
    )
    if not plans:
        return None
    # Overdue now (the same rule as the Overdue tag and the overdue check), not "ever flagged".
    overdue = sum(len(rows) for rows in queries.overdue_by_plan(plans).values())
    return Panel(
        "plans/panels/led.html",
        {"plans": plans[:10], "total": len(plans), "overdue": overdue, "today": timezone.localdate()},
    )


def _led_plans(user: Any) -> Any:
    from safeguarding.plans.models import CarePlan

    return CarePlan.objects.filter(lead_professional_id=user.pk).exclude(status=PlanStatus.ENDED)


# Whether the person leads any plan that has not ended (asked with the home page's other facts, one
# query): most people lead none, and then the panel's own query is not built.
facts.register("plans.leads_a_plan", _led_plans, group=facts.HOME)
