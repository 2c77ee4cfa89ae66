"""The census export as a service: the rule checked, the file built from the agency's holdings, and
every child in it logged as an export of their record (`census.exported`), in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from safeguarding.agencies.models import Agency
from safeguarding.census import permissions
from safeguarding.census.holdings import census_returns
from safeguarding.census.xmlfile import write_census
from safeguarding.census.years import CensusYear
from safeguarding.children.models import Child
from safeguarding.core import kernel
from safeguarding.core.services import record_activity

if TYPE_CHECKING:
    from safeguarding.core.types import Person

EXPORTED = "census.exported"


@dataclass(frozen=True)
class CensusExport:
    content: bytes
    year: CensusYear
    agency: Agency
    children: int
    episodes: int

    @property
    def filename(self) -> str:
        return f"cin-census-{self.year}-{self.agency.code}.xml".lower()


@kernel.service
def export_cin_census(*, actor: Person | None, agency: Agency, year: CensusYear) -> CensusExport:
    """The year's CIN census XML from `agency`'s holdings. `actor` None: an operator's command (it
    sees everything); a person or agency system sees what the census rule and restrictions allow."""
    memberships = None
    if actor is not None:
        if not permissions.can_export_census(actor, agency):
            raise kernel.NotAllowed("Only children's social care can export its census.")
        memberships = [(m.agency_id, m.role) for m in actor.active_memberships]
    returns = census_returns(agency, year, memberships=memberships)
    content = write_census(returns, year=year, lea=settings.CIN_LA_CODE, produced_at=timezone.localtime())
    episodes = sum(len(r.episodes) for r in returns)
    record_activity(
        actor=actor,
        action="census.export",
        target=agency,
        changes={"year": str(year), "children": len(returns), "episodes": episodes},
    )
    children = Child.objects.in_bulk([r.child_id for r in returns if r.child_id is not None])
    for child in children.values():
        record_activity(actor=actor, action=EXPORTED, target=child, child_id=child.pk)
    return CensusExport(content=content, year=year, agency=agency, children=len(returns), episodes=episodes)
