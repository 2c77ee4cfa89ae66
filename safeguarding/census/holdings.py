"""Reading what the Hub holds for the census: a children's social care agency's current entries about
each child, the other agencies' referrals and concerns about them, the agency's involvements, and the
child's own census fields; then the year's `ChildReturn`s."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from django.db.models import Q

from safeguarding.agencies.models import Agency
from safeguarding.census import codes, derive
from safeguarding.census.episodes import Entry, Holdings, build, segment
from safeguarding.census.models import CensusDetail
from safeguarding.census.records import ChildReturn
from safeguarding.census.years import CensusYear
from safeguarding.children.enums import CENSUS_SEX
from safeguarding.children.models import Child, Involvement
from safeguarding.chronology.models import EventChild
from safeguarding.core.restriction import restriction_q

# (agency id, role) pairs of the person exporting; None: an operator's command, which sees everything.
Memberships = Sequence[tuple[int, str]] | None

CENSUS_TYPES = (
    codes.REFERRAL,
    codes.REFERRAL_OUTCOME,
    codes.ASSESSMENT_STARTED,
    codes.ASSESSMENT_COMPLETED,
    codes.STRATEGY_DISCUSSION,
    codes.SECTION_47,
    codes.CONFERENCE,
    codes.PLAN_STARTED,
    codes.PLAN_ENDED,
    codes.CIN_CLOSED,
)


def candidate_children(agency: Agency, year: CensusYear, memberships: Memberships = None) -> list[int]:
    """Children the agency received a referral about by the year's end and was involved with in the
    year (the importer makes the involvement; the agency's own holdings are the census's source). A
    person's export leaves out what they may not see: restricted involvements and entries of roles they
    do not hold."""
    referred = EventChild.objects.filter(
        agency=agency,
        is_current=True,
        occurred_on__lte=year.reference_date,
        event__event_type__code__in=(codes.REFERRAL, codes.REFERRAL_OUTCOME),
    )
    if memberships is not None:
        referred = referred.filter(restriction_q(memberships, prefix="event__"))
    involved = Involvement.objects.filter(agency=agency, start__lte=year.reference_date).filter(
        Q(end__isnull=True) | Q(end__gte=year.collection_start)
    )
    if memberships is not None:
        involved = involved.filter(restriction_q(memberships))
    return sorted(set(involved.filter(child_id__in=referred.values("child_id")).values_list("child_id", flat=True)))


def _holdings(agency: Agency, child_ids: list[int], year: CensusYear, memberships: Memberships) -> dict[int, Holdings]:
    links = EventChild.objects.filter(
        child_id__in=child_ids, is_current=True, occurred_on__lte=year.reference_date
    ).filter(
        Q(agency=agency, event__event_type__code__in=CENSUS_TYPES)
        | Q(event__event_type__code__in=(codes.REFERRAL, *derive.SIGNAL_TYPES))
    )
    if memberships is not None:
        links = links.filter(restriction_q(memberships, prefix="event__"))
    rows = list(
        links.order_by("child_id", "occurred_on", "event_id").values_list(
            "child_id", "event_id", "occurred_on", "agency_id", "event__event_type__code", "event__category"
        )
    )
    details = {d.event_id: d for d in CensusDetail.objects.filter(event_id__in={r[1] for r in rows})}
    kinds = dict(Agency.objects.values_list("pk", "kind"))
    result = {child_id: Holdings(entries=[]) for child_id in child_ids}
    for child_id, event_id, day, agency_id, code, category in rows:
        held = result[child_id]
        if agency_id == agency.pk and code in CENSUS_TYPES:
            held.entries.append(Entry(day=day, code=code, category=category, detail=details.get(event_id)))
        elif code == codes.REFERRAL:
            held.referrals_in.append((day, kinds[agency_id]))
        if code in derive.SIGNAL_TYPES:
            held.signals.append(derive.Signal(day=day, type_code=code, category=category))
    spans: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    involvements = Involvement.objects.filter(agency=agency, child_id__in=child_ids)
    if memberships is not None:
        involvements = involvements.filter(restriction_q(memberships))
    for child_id, start, end in involvements.values_list("child_id", "start", "end"):
        spans[child_id].append((start, end))
    for child_id, held in result.items():
        held.involvements = spans[child_id]
    return result


def _child_return(child: Child, held: Holdings, year: CensusYear) -> ChildReturn | None:
    episodes = [e for raw in segment(held, year.reference_date) if (e := build(raw, held, year)) is not None]
    if not episodes:
        return None
    unborn = child.is_unborn
    return ChildReturn(
        la_child_id=child.la_child_id or f"HUB{child.pk}",
        sex="U" if unborn else CENSUS_SEX.get(child.sex, "U"),  # type: ignore[call-overload]
        upn=child.upn or "",
        former_upn=child.former_upn,
        upn_unknown=child.upn_unknown,
        date_of_birth=child.date_of_birth,
        expected_date_of_birth=child.expected_date_of_birth if unborn else None,
        date_of_death=child.date_of_death,
        ethnicity=child.ethnicity,
        disabilities=list(child.disabilities or []),
        episodes=episodes,
        child_id=child.pk,
    )


def census_returns(
    agency: Agency, year: CensusYear, *, memberships: Memberships = None, child_ids: Iterable[int] | None = None
) -> list[ChildReturn]:
    """The year's census records from the agency's holdings: every child with a CIN episode open at
    some time in the year, in LA child ID order."""
    ids = candidate_children(agency, year, memberships)
    if child_ids is not None:
        allowed = set(child_ids)
        ids = [i for i in ids if i in allowed]
    held = _holdings(agency, ids, year, memberships)
    children = Child.objects.in_bulk(ids)
    returns = [r for i in ids if (r := _child_return(children[i], held[i], year)) is not None]
    return sorted(returns, key=lambda r: r.la_child_id)
