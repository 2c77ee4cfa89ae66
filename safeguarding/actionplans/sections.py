"""The action plan section on a review's page: the plan's progress and a link to it for those who may
see it, or, for the business unit, a link to start the plan. Nothing for anyone else."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from safeguarding.actionplans import queries
from safeguarding.actionplans.models import ActionPlan
from safeguarding.actionplans.progress import plan_progress
from safeguarding.core.sections import Section

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


def review_section(request: PersonRequest, review: Any) -> Section | None:
    user = request.user
    plan = queries.plans_visible_to(user).filter(review=review).first()
    if plan is not None:
        actions = list(queries.actions_visible_to(user).filter(plan=plan))
        progress = plan_progress(plan, timezone.localdate(), actions)
        uncovered = review.recommendations.exclude(pk__in=[a.recommendation_id for a in actions]).count()
        return Section("actionplans/sections/review.html", {"plan": plan, "progress": progress, "uncovered": uncovered})
    if user.has_perm("actionplans.manage") and not ActionPlan.objects.filter(review=review).exists():
        return Section("actionplans/sections/review.html", {"plan": None, "review": review})
    return None
