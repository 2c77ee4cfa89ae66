"""Who may do what with a care plan — declared once, used by pages, the API, sections and the PDF.

- See a plan: only people who may see EVERY child in it (`queries.plans_visible_to`); anyone else gets
  404. The business unit and scrutineers have no access to family plans unless they hold access to
  the children (an involvement of their agency or a time-limited grant).
- Edit a draft (content, objectives, participants): the lead professional, and practitioners and
  managers of the agencies in the plan (the lead agency and the professional participants' agencies).
- Record the agreement, a review, or the end of the plan: the lead professional or a manager in the
  lead agency (their manager).
- Record progress on an objective: anyone who may edit drafts (and the agency systems of those agencies).

A plan's status moves only through `PLAN_WORKFLOW` (draft → agreed → ended): the table plus these guards.
Each rule is a `rules` permission (`plans.edit_draft`, `plans.agree`, …): pages ask `user.has_perm`,
templates `{% has_perm %}`, and services the same predicates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import rules

from safeguarding.agencies.enums import Role
from safeguarding.core import kernel
from safeguarding.core.access import is_active_person
from safeguarding.plans.enums import PersonKind, PlanStatus

if TYPE_CHECKING:
    from safeguarding.core.types import Viewer

EDIT_ROLES = frozenset({Role.PRACTITIONER, Role.MANAGER, Role.SENIOR_MANAGER, Role.SAFEGUARDING_LEAD})
UPDATE_ROLES = EDIT_ROLES | {Role.AGENCY_SYSTEM}
MEETING_ROLES = frozenset({Role.MANAGER, Role.SENIOR_MANAGER})


def plan_agency_ids(plan: Any) -> set[int]:
    ids = {plan.lead_agency_id}
    ids |= {
        agency_id
        for agency_id in plan.participants.filter(kind=PersonKind.PROFESSIONAL).values_list("agency_id", flat=True)
        if agency_id
    }
    return ids


def _sees(user: Viewer, plan: Any) -> bool:
    from safeguarding.plans.queries import plans_visible_to

    return plans_visible_to(user).filter(pk=plan.pk).exists()


@rules.predicate
def can_create_plan(user: Viewer) -> bool:
    return is_active_person(user) and not user.is_system and bool(user.roles & EDIT_ROLES)


@rules.predicate
def can_edit_draft(user: Viewer, plan: Any) -> bool:
    if plan is None or not is_active_person(user) or user.is_system or plan.status == PlanStatus.ENDED:
        return False
    if user.pk == plan.lead_professional_id:
        return _sees(user, plan)
    return bool(user.agency_ids_with_role(EDIT_ROLES) & plan_agency_ids(plan)) and _sees(user, plan)


@rules.predicate
def can_record_update(user: Viewer, plan: Any) -> bool:
    if plan is None or not is_active_person(user) or plan.status != PlanStatus.AGREED:
        return False
    if user.pk == plan.lead_professional_id:
        return _sees(user, plan)
    return bool(user.agency_ids_with_role(UPDATE_ROLES) & plan_agency_ids(plan)) and _sees(user, plan)


@rules.predicate
def can_hold_meeting(user: Viewer, plan: Any) -> bool:
    """Agree a version, record a review, end the plan: the lead professional or their manager."""
    if plan is None or not is_active_person(user) or user.is_system or plan.status == PlanStatus.ENDED:
        return False
    is_lead = user.pk == plan.lead_professional_id
    is_manager = plan.lead_agency_id in user.agency_ids_with_role(MEETING_ROLES)
    return (is_lead or is_manager) and _sees(user, plan)


@rules.predicate
def can_cite(user: Viewer, plan: Any) -> bool:
    """Cite an objective: anyone who may see the plan and holds a case role (the target is checked too)."""
    return is_active_person(user) and not user.is_system and plan is not None and _sees(user, plan)


@rules.predicate
def can_record_review(user: Viewer, plan: Any) -> bool:
    """A review meeting is of the agreed plan in force, recorded by the lead professional or their manager."""
    return plan is not None and plan.status == PlanStatus.AGREED and can_hold_meeting(user, plan)


MEETING_MESSAGE = "Only the lead professional or their manager can {what}."
OPEN = frozenset({PlanStatus.DRAFT, PlanStatus.AGREED})

# The plan's status lifecycle: agreeing a draft (the first time, or after an amendment), ending the plan.
PLAN_WORKFLOW = kernel.Workflow(
    name="care_plan",
    noun="plan",
    app_label="plans",
    transitions=[
        kernel.Transition(
            "agree",
            "Record the agreement",
            OPEN,
            PlanStatus.AGREED,
            MEETING_MESSAGE.format(what="record the agreement"),
            who=can_hold_meeting,
        ),
        kernel.Transition(
            "end",
            "End the plan",
            OPEN,
            PlanStatus.ENDED,
            MEETING_MESSAGE.format(what="end the plan"),
            who=can_hold_meeting,
        ),
    ],
)

rules.add_perm("plans.create", can_create_plan)
rules.add_perm("plans.edit_draft", can_edit_draft)
rules.add_perm("plans.record_update", can_record_update)
rules.add_perm("plans.hold_meeting", can_hold_meeting)
rules.add_perm("plans.cite", can_cite)
rules.add_perm("plans.record_review", can_record_review)
