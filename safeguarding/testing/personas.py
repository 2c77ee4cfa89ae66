"""The three personas every access test uses, with data present that could leak.

- `involved`: a practitioner in the agency working with the child;
- `partner`: a practitioner in another statutory partner agency that is NOT involved with the child;
- `unrelated`: a practitioner in an agency with no link to the child, but with a child of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from safeguarding.agencies.enums import AgencyKind, PartnerStatus, Role
from safeguarding.agencies.models import Agency, User
from safeguarding.children.models import Child
from safeguarding.testing import factories as f


@dataclass
class Cast:
    agency: Agency
    partner_agency: Agency
    unrelated_agency: Agency
    involved: User
    partner: User
    unrelated: User
    child: Child
    other_child: Child


def build_cast() -> Cast:
    agency = f.AgencyFactory(code="HV", name="Test Community Health", kind=AgencyKind.HEALTH)
    partner_agency = f.AgencyFactory(
        code="POL", name="Test Police", kind=AgencyKind.POLICE, partner_status=PartnerStatus.STATUTORY
    )
    unrelated_agency = f.AgencyFactory(code="HSG", name="Test Housing", kind=AgencyKind.HOUSING)
    child = f.ChildFactory(first_name="Ellis", last_name="Marsh")
    other_child = f.ChildFactory(first_name="Robin", last_name="Marsh")
    f.InvolvementFactory(agency=agency, child=child)
    # Data that could leak: the partner and unrelated agencies work with other children.
    f.InvolvementFactory(agency=partner_agency, child=other_child)
    f.InvolvementFactory(agency=unrelated_agency, child=f.ChildFactory())
    return Cast(
        agency=agency,
        partner_agency=partner_agency,
        unrelated_agency=unrelated_agency,
        involved=f.member(agency, Role.PRACTITIONER, username="involved"),
        partner=f.member(partner_agency, Role.PRACTITIONER, username="partner"),
        unrelated=f.member(unrelated_agency, Role.PRACTITIONER, username="unrelated"),
        child=child,
        other_child=other_child,
    )
