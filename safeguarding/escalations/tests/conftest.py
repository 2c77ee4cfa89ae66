"""The people an escalation test needs: a raising agency (the cast's `agency`, working with the child),
a receiving agency (the cast's `partner_agency`, not working with the child), an unrelated agency,
and managers, senior managers, the business unit and a scrutineer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from safeguarding.agencies.enums import AgencyKind, Role
from safeguarding.escalations import services
from safeguarding.escalations.models import Escalation, EscalationReason
from safeguarding.testing import factories as f
from safeguarding.testing.personas import Cast, build_cast


@dataclass
class EscCast:
    cast: Cast
    raiser: Any
    raising_manager: Any
    raising_senior: Any
    receiver: Any
    receiving_manager: Any
    receiving_senior: Any
    unrelated: Any
    business: Any
    scrutineer: Any

    def raise_one(self, **kwargs: Any) -> Escalation:
        values = {
            "actor": self.raiser,
            "children": [self.cast.child],
            "raising_agency": self.cast.agency,
            "receiving_agency": self.cast.partner_agency,
            "reason": EscalationReason.objects.get(code="threshold"),
            "disputed_decision": "The referral was closed with no further action.",
            "desired_outcome": "A strategy discussion.",
            "raiser_level_of_need": 4,
        }
        values.update(kwargs)
        return services.raise_escalation(**values)


def build_esc_cast() -> EscCast:
    cast = build_cast()
    bu_agency = f.AgencyFactory(code="BU", name="Test Business Unit", kind=AgencyKind.BUSINESS_UNIT)
    return EscCast(
        cast=cast,
        raiser=cast.involved,
        raising_manager=f.member(cast.agency, Role.MANAGER, username="raising.manager"),
        raising_senior=f.member(cast.agency, Role.SENIOR_MANAGER, username="raising.senior"),
        receiver=cast.partner,
        receiving_manager=f.member(cast.partner_agency, Role.MANAGER, username="receiving.manager"),
        receiving_senior=f.member(cast.partner_agency, Role.SENIOR_MANAGER, username="receiving.senior"),
        unrelated=cast.unrelated,
        business=f.member(bu_agency, Role.BUSINESS_UNIT, username="business"),
        scrutineer=f.member(bu_agency, Role.SCRUTINEER, username="scrutineer"),
    )


@pytest.fixture
def esc_cast(db: None) -> EscCast:
    return build_esc_cast()
