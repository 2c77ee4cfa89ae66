"""Who may see and do what with action plans, declared once. Pages, the API, templates (through the
`rules` permissions registered below) and the services ask these same predicates.

- The business unit and administrators create and manage plans and actions, freeze versions and
  record committee decisions ("managers").
- The plan's chair signs off completed actions (the deputy chair too); nobody signs off an action
  they lead themselves.
- A lead officer sees the plans they lead actions in, and adds updates to their own actions only.
- The re-check that a complete action's change held is recorded by its lead officer or the business
  unit (not by an agency system, not by scrutineers).
- Scrutineers read every plan and change nothing.
- People named on a review (panel, reviewer, chair) read that review's plan.
- An agency system (API token) reads plans with actions its agency leads, sees those actions, and
  posts updates on them.
Anything else answers 404, exactly as for what does not exist (see `queries`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeGuard

import rules

from safeguarding.actionplans.models import Action, ActionPlan
from safeguarding.agencies.enums import Role
from safeguarding.core import facts, kernel
from safeguarding.core.access import is_active_person

if TYPE_CHECKING:
    from safeguarding.core.types import Person, Viewer

# The refusals are the kernel's (the API answers 403 and 409); the names stay for importers.
ActionPlanError = kernel.ServiceError
NotAllowed = kernel.NotAllowed
StaleVersion = kernel.StaleVersion
STALE_MESSAGE = kernel.stale_message("action")

MANAGING_ROLES = frozenset({Role.BUSINESS_UNIT, Role.ADMINISTRATOR})


def _person(user: Viewer | None) -> TypeGuard[Person]:
    return is_active_person(user) and not user.is_system


def is_manager(user: Viewer) -> bool:
    """Business unit or administrator: creates and manages plans and actions."""
    return _person(user) and bool(user.roles & MANAGING_ROLES)


def is_scrutineer(user: Viewer) -> bool:
    return _person(user) and user.has_role(Role.SCRUTINEER)


def reads_every_plan(user: Viewer) -> bool:
    return is_manager(user) or is_scrutineer(user)


def system_agency_ids(user: Viewer) -> set[int]:
    """The agencies an agency system (API token) acts for."""
    if not is_active_person(user) or not user.is_system:
        return set()
    return set(user.agency_ids_with_role({Role.AGENCY_SYSTEM}))


def can_manage_plan(user: Viewer, plan: ActionPlan | None = None) -> bool:
    return is_manager(user)


def can_update_action(user: Viewer, action: Action) -> bool:
    """Add an update: the action's lead officer, the business unit, or the lead agency's system."""
    if not is_active_person(user):
        return False
    if user.is_system:
        return action.lead_agency_id in system_agency_ids(user)
    return is_manager(user) or action.lead_officer_id == user.pk


def can_record_recheck(user: Viewer, action: Action) -> bool:
    """Who records a re-check: the action's lead officer or the business unit (people, not systems)."""
    return _person(user) and (is_manager(user) or action.lead_officer_id == user.pk)


def recheck_blocker(user: Viewer, action: Action) -> str | None:
    """Why `user` may not record the re-check of `action` now (None when they may)."""
    if not can_record_recheck(user, action):
        return "Only the action's lead officer or the business unit can record the re-check."
    if not action.is_complete:
        return (
            "Only a complete action's change can be re-checked. Its lead officer records completion in an update first."
        )
    if action.recheck_held is True:
        return f"The re-check is already recorded: the change held on {action.rechecked_on:%d/%m/%Y}."
    return None


def sign_off_blocker(user: Viewer, action: Action) -> str | None:
    """Why `user` may not sign off `action` now (None when they may)."""
    if not chairs_plan(user, action.plan):
        return "Only the plan's chair (or deputy chair) can sign off an action's completion."
    if action.lead_officer_id == user.pk:
        return "You lead this action, so you cannot sign off its completion: the plan's other chair signs it off."
    if not action.is_complete:
        return "Only a complete action can be signed off. Its lead officer records completion in an update first."
    if action.signed_off_at is not None:
        return "This action's completion is already signed off."
    return None


def can_sign_off(user: Viewer, action: Action) -> bool:
    return sign_off_blocker(user, action) is None


def can_use_actionplans(user: Viewer) -> bool:
    """Whether "Action plans" appears in the navigation: someone who can see at least one plan."""
    if not _person(user):
        return False
    if reads_every_plan(user):
        return True
    return facts.holds(user, "actionplans.sees_a_plan")


def _plans_seen(user: Viewer) -> Any:
    from safeguarding.actionplans.queries import plans_visible_to

    return plans_visible_to(user)


# Sees at least one plan: asked with the navigation's other facts, one query a page.
facts.register("actionplans.sees_a_plan", _plans_seen)


def chairs_plan(user: Viewer, plan: ActionPlan) -> bool:
    """The plan's chair or deputy chair (who sign off its actions' completion)."""
    return _person(user) and user.pk in {plan.chair_id, plan.deputy_chair_id}


# Permissions for pages (`require_perm`, `user.has_perm`) and templates (`{% has_perm %}`): the same
# predicates the services ask. The self-grant exclusion (nobody signs off an action they lead) is in
# `sign_off_blocker`, so it holds wherever the permission is asked.
def _on_action(check: Any) -> Any:
    return rules.predicate(lambda u, a: isinstance(a, Action) and bool(check(u, a)))


rules.add_perm("actionplans.use", rules.predicate(lambda u, obj=None: can_use_actionplans(u)))
rules.add_perm("actionplans.manage", rules.predicate(lambda u, obj=None: can_manage_plan(u)))
# Every plan and action, to read: the business unit, administrators and scrutineers (the home panel of
# overdue actions across plans asks this, like the lists and the API's `plans_visible_to`).
rules.add_perm("actionplans.read_every_plan", rules.predicate(lambda u, obj=None: reads_every_plan(u)))
rules.add_perm("actionplans.update_action", _on_action(can_update_action))
# Who records an action's re-checks (`recheck`), and whether they may record one now (`record_recheck`).
rules.add_perm("actionplans.recheck", _on_action(can_record_recheck))
rules.add_perm("actionplans.record_recheck", _on_action(lambda u, a: recheck_blocker(u, a) is None))
rules.add_perm("actionplans.sign_off", _on_action(can_sign_off))
