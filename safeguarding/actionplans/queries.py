"""Read side: every list of plans goes through `plans_visible_to`, of actions through
`actions_visible_to`; details through `get_plan_for_user` / `get_action_for_user`, which answer 404 for
what the person may not see, exactly like what does not exist. The rules are in `permissions`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from safeguarding.actionplans.models import Action, ActionPlan, ActionPlanVersion, ActionQuerySet
from safeguarding.actionplans.permissions import reads_every_plan, system_agency_ids
from safeguarding.core.access import get_or_404, is_active_person
from safeguarding.reviews.queries import reviews_visible_to

if TYPE_CHECKING:
    from safeguarding.core.types import Viewer


def plans_visible_to(user: Viewer) -> QuerySet[ActionPlan]:
    if not is_active_person(user):
        return ActionPlan.objects.none()
    if reads_every_plan(user):
        return ActionPlan.objects.all()
    if user.is_system:
        led = Action.objects.filter(lead_agency_id__in=system_agency_ids(user)).values("plan_id")
        return ActionPlan.objects.filter(pk__in=led)
    led = Action.objects.filter(lead_officer_id=user.pk).values("plan_id")
    # Panel members, reviewers and chairs of a review read its plan (the reviews app's own rule).
    reviews = reviews_visible_to(user).values("pk")
    return ActionPlan.objects.filter(
        Q(chair_id=user.pk) | Q(deputy_chair_id=user.pk) | Q(pk__in=led) | Q(review_id__in=reviews)
    )


def actions_visible_to(user: Viewer) -> ActionQuerySet:
    """People see every action of the plans they see; an agency system only its agency's actions."""
    if not is_active_person(user):
        return Action.objects.none()
    if reads_every_plan(user):
        return Action.objects.all()
    if user.is_system:
        return Action.objects.filter(lead_agency_id__in=system_agency_ids(user))
    return Action.objects.filter(plan__in=plans_visible_to(user).values("pk"))


def with_related(qs: QuerySet[Action]) -> QuerySet[Action]:
    return qs.select_related(
        "plan",
        "plan__chair",
        "plan__deputy_chair",
        "recommendation__review",
        "lead_agency",
        "lead_officer",
        "signed_off_by",
    )


def get_plan_for_user(user: Viewer, pk: Any) -> ActionPlan:
    return get_or_404(
        plans_visible_to(user).select_related("review", "chair", "deputy_chair", "created_by"),
        pk,
    )


def get_action_for_user(user: Viewer, pk: Any) -> Action:
    return get_or_404(with_related(actions_visible_to(user)), pk)


def get_version_for_user(user: Viewer, pk: Any) -> ActionPlanVersion:
    return get_or_404(
        ActionPlanVersion.objects.filter(plan__in=plans_visible_to(user).values("pk")).select_related(
            "plan", "created_by"
        ),
        pk,
    )


def plan_actions(user: Viewer, plan: ActionPlan) -> QuerySet[Action]:
    """The plan's actions this person sees, in number order."""
    return with_related(actions_visible_to(user).filter(plan=plan)).order_by("number")
