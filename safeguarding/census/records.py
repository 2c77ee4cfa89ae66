"""The census's records as typed values: what one `<Child>` of a CIN census XML file holds (the DfE
specification's modules, in the order the file writes them). The exporter builds them from the Hub's
holdings (`census.holdings`) and `census.xmlfile` writes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class Assessment:
    start: date
    authorised: date | None = None
    internal_review: date | None = None
    factors: list[str] = field(default_factory=list)


@dataclass
class CINPlan:
    start: date
    end: date | None = None


@dataclass
class Section47:
    start: date
    icpc_target: date | None = None
    icpc: date | None = None
    icpc_not_required: bool = False


@dataclass
class CPPlan:
    start: date
    end: date | None = None
    initial_category: str = ""
    latest_category: str = ""
    previous_plans: int = 0
    reviews: list[date] = field(default_factory=list)


@dataclass
class Episode:
    """One CINdetails module: a referral to children's social care and what followed it."""

    referral: date
    source: str = ""
    primary_need: str = ""
    closure: date | None = None
    closure_reason: str = ""
    icpc_at_episode_level: date | None = None
    nfa: bool = False
    assessments: list[Assessment] = field(default_factory=list)
    cin_plans: list[CINPlan] = field(default_factory=list)
    section47s: list[Section47] = field(default_factory=list)
    cp_plans: list[CPPlan] = field(default_factory=list)


@dataclass
class ChildReturn:
    la_child_id: str
    sex: str  # F, M or U
    upn: str = ""
    former_upn: str = ""
    upn_unknown: str = ""
    date_of_birth: date | None = None
    expected_date_of_birth: date | None = None
    date_of_death: date | None = None
    ethnicity: str = ""
    disabilities: list[str] = field(default_factory=list)
    episodes: list[Episode] = field(default_factory=list)
    child_id: int | None = None  # the Hub's child, for the activity log (not written)
