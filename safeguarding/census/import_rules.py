"""Who may import a Children in Need census file: a children's social care agency's people with a
case-holding role (the role that imports its chronology files), or that agency's own system (its API
token). Declared once and asked by the page, the API and the importer's task alike."""

from __future__ import annotations

from typing import TYPE_CHECKING

import rules

from safeguarding.agencies.enums import AgencyKind
from safeguarding.agencies.models import Agency
from safeguarding.core.access import is_active_person

if TYPE_CHECKING:
    from safeguarding.core.types import Viewer


def census_import_agencies(user: Viewer) -> list[Agency]:
    """The children's social care agencies this person (or agency system) imports census files for."""
    if not is_active_person(user):
        return []
    ids = user.case_agency_ids
    agencies = {
        m.agency
        for m in user.active_memberships
        if m.agency_id in ids and m.agency.is_active and m.agency.kind == AgencyKind.CHILDRENS_SOCIAL_CARE
    }
    return sorted(agencies, key=lambda a: a.name)


def may_import_census_for(user: Viewer, agency: Agency | None) -> bool:
    return agency is not None and any(a.pk == agency.pk for a in census_import_agencies(user))


@rules.predicate
def can_import_census(user: Viewer) -> bool:
    return bool(census_import_agencies(user))


rules.add_perm("census.import_census", can_import_census)
