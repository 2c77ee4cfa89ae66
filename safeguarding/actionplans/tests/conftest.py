"""The people and data an action plan test needs: a practice review with five recommendations (from the
reviews test cast), its plan chaired by a police senior manager, and two actions led by two personas:
`involved` (health practitioner) leads A1, `partner` (police practitioner) leads A2."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from safeguarding.actionplans import services
from safeguarding.actionplans.enums import ActionSource
from safeguarding.actionplans.models import Action, ActionPlan
from safeguarding.agencies.enums import Role
from safeguarding.reviews import services as review_services
from safeguarding.reviews.enums import MemberRole
from safeguarding.reviews.models import Review, ReviewRecommendation
from safeguarding.reviews.tests.conftest import ReviewCast, build_review_cast
from safeguarding.testing import factories as f

RECOMMENDATIONS = [
    "Issue neglect practice guidance.",
    "Treat repeated missed health appointments as a safeguarding concern.",
    "Schools share hunger concerns with the health visitor.",
    "Early help does not close for non-engagement without a discussion.",
    "Police tell schools after domestic abuse call-outs.",
]


@dataclass
class PlanCast:
    rc: ReviewCast
    review: Review
    recs: list[ReviewRecommendation]
    plan: ActionPlan
    chair: Any
    a1: Action
    a2: Action

    @property
    def business(self) -> Any:
        return self.rc.business

    @property
    def lead(self) -> Any:
        return self.rc.cast.involved

    @property
    def other_lead(self) -> Any:
        return self.rc.cast.partner

    @property
    def today(self) -> date:
        return timezone.localdate()

    def action(self, *, lead: Any = None, agency: Any = None, rec: int = 0, due_in: int = 20, **kwargs: Any) -> Action:
        values: dict[str, Any] = {
            "recommendation": self.recs[rec],
            "description": "Write the guidance.",
            "lead_agency": agency or self.rc.cast.agency,
            "lead_officer": lead or self.lead,
            "start_on": self.today - timedelta(days=30),
            "due_on": self.today + timedelta(days=due_in),
            "success_measure": "Audit finds it used.",
        }
        values.update(kwargs)
        return services.add_action(actor=self.business, plan=self.plan, **values)

    def update(self, action: Action, status: str, rag: str, *, by: Any = None, **kwargs: Any) -> Any:
        values: dict[str, Any] = {"written_on": self.today, "narrative": "Progress.", "status": status, "rag": rag}
        values.update(kwargs)
        return services.add_update(actor=by or action.lead_officer, action=action, **values)


def build_plan_cast() -> PlanCast:
    rc = build_review_cast()
    review = rc.to_in_progress(rc.notify())
    review_services.add_member(actor=rc.business, review=review, user=rc.reviewer, role=MemberRole.REVIEWER)
    recs = [review_services.add_recommendation(actor=rc.business, review=review, text=t) for t in RECOMMENDATIONS]
    chair = f.member(rc.cast.partner_agency, Role.SENIOR_MANAGER, username="chair", email="chair@example.org")
    plan = services.create_plan(
        actor=rc.business,
        title="Action plan: Child A and Child B",
        source=ActionSource.REVIEW,
        review=review,
        owner_group="Case review subgroup",
        chair=chair,
    )
    cast = PlanCast(rc, review, recs, plan, chair, a1=None, a2=None)  # type: ignore[arg-type]
    cast.a1 = cast.action(description="Health guidance on missed appointments.", rec=1)
    cast.a2 = cast.action(
        description="Police notifications to schools.", rec=4, lead=rc.cast.partner, agency=rc.cast.partner_agency
    )
    return cast


@pytest.fixture
def pc(db: None) -> PlanCast:
    return build_plan_cast()
