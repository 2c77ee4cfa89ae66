"""The two calls this app makes into the action plans app: freeze the plan for a report, and record
the committee's decision against the version it saw. Both belong to `safeguarding.actionplans.services`
(its rules, its activity log); this module only calls them, so publishing never writes plan rows.
Their refusals come back as `PublishingError`, so the pages show them like their own.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from safeguarding.actionplans import services as plan_services
from safeguarding.actionplans.models import ActionPlan, CommitteeDecision, PlanVersion
from safeguarding.actionplans.permissions import ActionPlanError
from safeguarding.publishing.errors import PublishingError


def freeze_plan(*, actor: Any, plan: ActionPlan, reason: str) -> PlanVersion:
    try:
        version: PlanVersion = plan_services.freeze_version(actor=actor, plan=plan, reason=reason)
    except ActionPlanError as exc:
        raise PublishingError(exc.message) from exc
    return version


def record_decision(
    *, actor: Any, plan_version: PlanVersion, committee: str, meeting_on: date, outcome: str, questions: str
) -> CommitteeDecision:
    try:
        decision: CommitteeDecision = plan_services.record_committee_decision(
            actor=actor,
            plan_version=plan_version,
            committee=committee,
            meeting_on=meeting_on,
            outcome=outcome,
            questions=questions,
        )
    except ActionPlanError as exc:
        raise PublishingError(exc.message) from exc
    return decision
