"""The people an assessment test needs: the three personas (the cast's `involved` is trained for the
neglect profile), a second agency working with the child (children's social care) with its own
trained social worker, an untrained colleague, the agency's safeguarding lead, an administrator,
the business unit and a scrutineer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from safeguarding.agencies.enums import AgencyKind, Role
from safeguarding.assessments import services
from safeguarding.assessments.defaults import NEGLECT_PROFILE_CODE
from safeguarding.assessments.demo import CODES
from safeguarding.assessments.models import Assessment, AssessmentTemplate
from safeguarding.testing import factories as f
from safeguarding.testing.personas import Cast, build_cast


@dataclass
class AsmCast:
    cast: Cast
    template: AssessmentTemplate
    csc_agency: Any
    csc: Any  # trained social worker in a second agency working with the child
    untrained: Any  # a colleague of `involved`, not trained
    lead: Any  # safeguarding lead of the cast's agency
    admin: Any
    business: Any
    scrutineer: Any

    @property
    def involved(self) -> Any:
        return self.cast.involved

    def grades(self, values: list[int] | int = 3, **overrides: int) -> dict[str, services.GradeInput]:
        numbers = values if isinstance(values, list) else [values] * len(CODES)
        out = {code: services.GradeInput(n, f"Evidence for {code}.") for code, n in zip(CODES, numbers, strict=True)}
        for key, value in overrides.items():
            out[key.replace("_", "-")] = services.GradeInput(value, "Changed.")
        return out

    def completed(
        self, user: Any = None, *, days_ago: int = 10, values: list[int] | int = 3, **overrides: int
    ) -> Assessment:
        user = user or self.involved
        day = timezone.localdate() - dt.timedelta(days=days_ago)
        assessment = services.start_assessment(
            actor=user, child=self.cast.child, template=self.template, assessed_on=day
        )
        return services.complete_assessment(
            actor=user,
            assessment=assessment,
            version=assessment.version,
            grades=self.grades(values, **overrides),
            overall_view="Overall, needs are partly met.",
            next_steps="Health visitor to visit weekly.",
        )

    def draft(self, user: Any = None) -> Assessment:
        return services.start_assessment(actor=user or self.involved, child=self.cast.child, template=self.template)


def build_asm_cast() -> AsmCast:
    cast = build_cast()
    template = AssessmentTemplate.objects.get(code=NEGLECT_PROFILE_CODE, version=1)
    csc_agency = f.AgencyFactory(code="CSC", name="Test Children's Social Care", kind=AgencyKind.CHILDRENS_SOCIAL_CARE)
    f.InvolvementFactory(agency=csc_agency, child=cast.child)
    csc = f.member(csc_agency, Role.PRACTITIONER, username="csc", first_name="Sam", last_name="Social")
    bu_agency = f.AgencyFactory(code="BU", name="Test Business Unit", kind=AgencyKind.BUSINESS_UNIT)
    trained_on = timezone.localdate() - dt.timedelta(days=100)
    for user in (cast.involved, csc):
        services.mark_trained(actor=None, user=user, template=template, trained_on=trained_on, check_actor=False)
    return AsmCast(
        cast=cast,
        template=template,
        csc_agency=csc_agency,
        csc=csc,
        untrained=f.member(cast.agency, Role.PRACTITIONER, username="untrained"),
        lead=f.member(cast.agency, Role.SAFEGUARDING_LEAD, username="lead"),
        admin=f.member(bu_agency, Role.ADMINISTRATOR, username="admin.user"),
        business=f.member(bu_agency, Role.BUSINESS_UNIT, username="business"),
        scrutineer=f.member(bu_agency, Role.SCRUTINEER, username="scrutineer"),
    )


@pytest.fixture
def asm(db: None) -> AsmCast:
    return build_asm_cast()


def _event(asm: AsmCast, agency: Any, author: Any, **kwargs: Any) -> Any:
    from safeguarding.chronology.models import EventType
    from safeguarding.chronology.services import record_event

    return record_event(
        actor=author,
        agency=agency,
        children=[asm.cast.child],
        event_type=EventType.objects.active().order_by("pk").first(),
        occurred_on=timezone.localdate() - dt.timedelta(days=20),
        summary=kwargs.pop("summary", "Home visit: the kitchen had no food."),
        **kwargs,
    )


@pytest.fixture
def normal_event(asm: AsmCast) -> Any:
    return _event(asm, asm.cast.agency, asm.involved)


@pytest.fixture
def restricted_event(asm: AsmCast) -> Any:
    """An entry restricted to the health agency (the involved persona's): the CSC worker may not see it."""
    from safeguarding.core.enums import Confidentiality

    return _event(
        asm,
        asm.cast.agency,
        asm.involved,
        summary="Disclosure by the mother about her partner.",
        confidentiality=Confidentiality.RESTRICTED,
    )
