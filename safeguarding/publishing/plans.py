"""The two calls this app makes into the action plans app: freeze the plan for a report, and record
the committee's decision against the version it saw. Both belong to `safeguarding.actionplans.services`
(its rules, its activity log); this module only calls them, so publishing never writes plan rows.
Their refusals are kernel ServiceErrors, so the pages show them like this app's own.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from safeguarding.actionplans import services as plan_services
from safeguarding.actionplans.models import ActionPlan, ActionPlanVersion, CommitteeDecision

if TYPE_CHECKING:
    from safeguarding.core.types import Person


def freeze_plan(*, actor: Person, plan: ActionPlan, reason: str) -> ActionPlanVersion:
    return plan_services.freeze_version(actor=actor, plan=plan, reason=reason)


def record_decision(
    *, actor: Person, plan_version: ActionPlanVersion, committee: str, meeting_on: date, outcome: str, questions: str
) -> CommitteeDecision:
    return plan_services.record_committee_decision(
        actor=actor,
        plan_version=plan_version,
        committee=committee,
        meeting_on=meeting_on,
        outcome=outcome,
        questions=questions,
    )
