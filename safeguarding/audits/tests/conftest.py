"""The people and data an audit test needs.

The cast's health agency (`agency`, working with `child`) and police (`partner_agency`, working with
`other_child`) take part in the audit; housing (`unrelated_agency`) does not. The named auditors are the
cast's `involved` practitioner (health) and a police auditor; the cast's `partner` practitioner works
in a participating agency but is not named; `unrelated` has nothing to do with the audit. A business
unit member, a scrutineer and the audit's lead complete the roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from safeguarding.agencies.enums import AgencyKind, Role
from safeguarding.audits import services
from safeguarding.audits.enums import AuditType
from safeguarding.audits.models import Audit, AuditCase, AuditProgramme
from safeguarding.audits.sampling import Criteria
from safeguarding.children.models import Child
from safeguarding.testing import factories as f
from safeguarding.testing.personas import Cast, build_cast

# The moment the audit tests run at. Audits are planned around today, but the sampling pool's children
# are born on fixed days (1 March 2014 to 2021): the clock stands where the pool spans ages 5 to 12, so
# an age-range criterion finds some of them and leaves others out whatever day the suite runs.
AUDIT_MOMENT = datetime(2026, 11, 20, 14, 35, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _clock_while_the_pool_is_of_school_age(time_machine: Any) -> None:
    time_machine.move_to(AUDIT_MOMENT, tick=False)


@dataclass
class AuditCast:
    cast: Cast
    business: Any
    scrutineer: Any
    lead: Any
    police_auditor: Any
    programme: AuditProgramme
    pool: list[Child]

    def plan(self, **kwargs: Any) -> Audit:
        today = timezone.localdate()
        values: dict[str, Any] = {
            "actor": self.business,
            "programme": self.programme,
            "title": "Early help service audit",
            "audit_type": AuditType.SERVICE,
            "service_name": "Early help service",
            "question": "Has early-help quality been sustained since the inspection?",
            "lead": self.lead,
            "start_on": today - timedelta(days=5),
            "end_on": today + timedelta(days=30),
            "period_from": today - timedelta(days=365),
            "period_to": today,
            "agencies": [self.cast.agency, self.cast.partner_agency],
        }
        values.update(kwargs)
        return services.plan_audit(**values)

    def running(self, *, cases: int = 3, **kwargs: Any) -> Audit:
        """An audit in progress: auditors named, `cases` children drawn from the pool, plus `other_child` by hand."""
        audit = self.plan(**kwargs)
        services.name_auditor(actor=self.business, audit=audit, user=self.cast.involved, agency=self.cast.agency)
        services.name_auditor(
            actor=self.business, audit=audit, user=self.police_auditor, agency=self.cast.partner_agency
        )
        services.draw_sample(actor=self.business, audit=audit, criteria=self.criteria(audit), size=cases, seed=7)
        services.choose_case(
            actor=self.business, audit=audit, child=self.cast.other_child, reason="Known to police for missing episodes"
        )
        audit.refresh_from_db()
        services.move_audit(actor=self.business, audit=audit, version=audit.version)
        audit.refresh_from_db()
        return audit

    def criteria(self, audit: Audit, **kwargs: Any) -> Criteria:
        values: dict[str, Any] = {
            "period_from": audit.period_from,
            "period_to": audit.period_to,
            "agency_id": self.cast.agency.pk,
            "service": "early help",
        }
        values.update(kwargs)
        return Criteria(**values)

    def hand_picked(self, audit: Audit) -> AuditCase:
        return audit.cases.get(child=self.cast.other_child)


def set_dates(audit: Audit, start_on: date, end_on: date) -> None:
    Audit.objects.filter(pk=audit.pk).update(start_on=start_on, end_on=end_on)
    audit.refresh_from_db()


@pytest.fixture
def ac(db: None) -> AuditCast:
    cast = build_cast()
    bu_agency = f.AgencyFactory(code="BU", name="Test Business Unit", kind=AgencyKind.BUSINESS_UNIT)
    business = f.member(bu_agency, Role.BUSINESS_UNIT, username="business")
    today = timezone.localdate()
    pool = []
    for n in range(12):
        child = f.ChildFactory(first_name=f"Pool{n}", last_name="Sample", date_of_birth=date(2014 + n % 8, 3, 1))
        f.InvolvementFactory(agency=cast.agency, child=child, service="Early help: family support")
        pool.append(child)
    # Open to the same agency for another service: not an early-help case.
    f.InvolvementFactory(agency=cast.agency, child=f.ChildFactory(), service="Health visiting")
    programme = services.create_programme(actor=business, year=today.year, title="Quality assurance programme")
    return AuditCast(
        cast=cast,
        business=business,
        scrutineer=f.member(bu_agency, Role.SCRUTINEER, username="scrutineer"),
        lead=f.member(bu_agency, Role.BUSINESS_UNIT, username="audit.lead"),
        police_auditor=f.member(cast.partner_agency, Role.SAFEGUARDING_LEAD, username="police.auditor"),
        programme=programme,
        pool=pool,
    )
