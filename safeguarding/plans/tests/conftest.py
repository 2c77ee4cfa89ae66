"""Plan fixtures: the three personas' cast, a lead professional's manager, and helpers that draft and
agree a plan through the services (so tests start from states the pages can reach)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from safeguarding.agencies.enums import Role
from safeguarding.plans import services
from safeguarding.plans.enums import AgreementMethod, PersonKind, PlanType
from safeguarding.plans.models import CarePlan
from safeguarding.testing import factories as f
from safeguarding.testing.personas import Cast


@dataclass
class PlanCast:
    cast: Cast
    manager: Any

    @property
    def lead(self) -> Any:
        return self.cast.involved


def today() -> date:
    return timezone.localdate()


def objective(action: str = "Take Ellis to the dentist", days: int = 30, **kw: Any) -> services.ObjectiveInput:
    values: dict[str, Any] = {
        "action": action,
        "owner_kind": PersonKind.FAMILY,
        "owner_name": "Jo Marsh",
        "owner_relationship": "Mother",
        "due_on": today() + timedelta(days=days),
        "progress_measure": "Dentist confirms the appointment was kept",
        "support_offered": "Health visitor books the appointment",
    }
    values.update(kw)
    return services.ObjectiveInput(**values)


def draft_plan(
    lead: Any, child: Any, agency: Any, objectives: int = 3, plan_type: str = PlanType.CHILD_IN_NEED, **content: Any
) -> CarePlan:
    plan = services.create_plan(
        actor=lead,
        children=[child],
        plan_type=plan_type,
        lead_professional=lead,
        lead_agency=agency,
        started_on=today() - timedelta(days=10),
        content={
            "harm": "Ellis has had untreated tooth decay for a year.",
            "danger_statements": "Ellis will be in pain and miss school if nothing changes.",
            "contingency": "A strategy discussion will be held.",
            "family_words": "We want Ellis to be healthy.",
            "review_forum": "Child in need review",
            "review_date": today() + timedelta(days=60),
            **content,
        },
    )
    for n in range(objectives):
        services.add_objective(actor=lead, plan=plan, version=plan.version, data=objective(f"Objective {n + 1}"))
    return plan


def agree(plan: CarePlan, actor: Any, on: date | None = None) -> CarePlan:
    services.agree_version(
        actor=actor,
        plan=plan,
        version=plan.version,
        agreed_on=on or today() - timedelta(days=5),
        method=AgreementMethod.IN_PERSON,
        people=[
            services.PersonInput(PersonKind.FAMILY, name="Jo Marsh", relationship="Mother"),
            services.PersonInput(PersonKind.PROFESSIONAL, user=actor, agency=plan.lead_agency),
        ],
    )
    return plan


@pytest.fixture
def pc(cast: Cast) -> PlanCast:
    return PlanCast(cast=cast, manager=f.member(cast.agency, Role.MANAGER, username="hv.manager"))


@pytest.fixture
def plan(pc: PlanCast) -> CarePlan:
    return draft_plan(pc.lead, pc.cast.child, pc.cast.agency)


@pytest.fixture
def agreed_plan(pc: PlanCast) -> CarePlan:
    return agree(draft_plan(pc.lead, pc.cast.child, pc.cast.agency), pc.lead)
