"""Drawing an audit's sample from the platform's own data.

Criteria (all optional, combined with AND), over the audit's period of practice (`period_from` ..
`period_to`):
- open to an agency (and, optionally, a named service): a `children.Involvement` with that agency whose
  `service` contains the words given, open at any time in the period;
- a chronology event type in the period (`chronology.EventChild`, current entries only);
- age range: the child's age on the last day of the period;
- levels of need. The platform records no single "level of need" per child, so a child is at a level
  when, in the period, an escalation about them recorded it (the raiser's or the receiver's view), or
  a chronology "referral outcome" entry had a category that implies it (`OUTCOME_LEVELS`).
Restricted involvements and entries are never used to choose cases.

Drawing is deterministic: the candidates are ordered by id, then `random.Random(seed).sample(ids, size)`
picks the sample, so the same criteria, seed and size give the same cases on any machine.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from safeguarding.children.models import Child, Involvement
from safeguarding.chronology.models import EventChild
from safeguarding.core.enums import Confidentiality

# Referral outcome categories (chronology vocabulary) and the level of need each implies (domain.md §2).
OUTCOME_LEVELS: dict[str, int] = {"early_help": 2, "assessment": 3, "strategy_discussion": 4, "s47_enquiry": 4}
LEVEL_NAMES: dict[int, str] = {
    1: "1 – Universal",
    2: "2 – Early help",
    3: "3 – Targeted, multi-agency support",
    4: "4 – Specialist or statutory",
}


@dataclass(frozen=True)
class Criteria:
    period_from: date
    period_to: date
    agency_id: int | None = None
    service: str = ""
    event_type_id: int | None = None
    age_min: int | None = None
    age_max: int | None = None
    levels: tuple[int, ...] = ()

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["period_from"] = self.period_from.isoformat()
        data["period_to"] = self.period_to.isoformat()
        data["levels"] = list(self.levels)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Criteria:
        return cls(
            period_from=date.fromisoformat(data["period_from"]),
            period_to=date.fromisoformat(data["period_to"]),
            agency_id=data.get("agency_id"),
            service=data.get("service", ""),
            event_type_id=data.get("event_type_id"),
            age_min=data.get("age_min"),
            age_max=data.get("age_max"),
            levels=tuple(data.get("levels") or ()),
        )


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def _level_q(criteria: Criteria) -> Q:
    levels = set(criteria.levels)
    in_period = Q(
        escalations__raised_at__date__gte=criteria.period_from, escalations__raised_at__date__lte=criteria.period_to
    )
    escalated = in_period & (
        Q(escalations__raiser_level_of_need__in=levels) | Q(escalations__receiver_level_of_need__in=levels)
    )
    categories = [code for code, level in OUTCOME_LEVELS.items() if level in levels]
    outcome_children = EventChild.objects.filter(
        is_current=True,
        occurred_on__gte=criteria.period_from,
        occurred_on__lte=criteria.period_to,
        event__event_type__code="referral_outcome",
        event__category__in=categories,
        event__confidentiality=Confidentiality.NORMAL,
    ).values("child_id")
    return escalated | Q(pk__in=outcome_children)


def candidates(criteria: Criteria) -> QuerySet[Child]:
    """The children who meet the criteria, ordered by id."""
    qs = Child.objects.all()
    if criteria.agency_id is not None or criteria.service:
        involvements = Involvement.objects.filter(
            Q(end__isnull=True) | Q(end__gte=criteria.period_from),
            start__lte=criteria.period_to,
            confidentiality=Confidentiality.NORMAL,
        )
        if criteria.agency_id is not None:
            involvements = involvements.filter(agency_id=criteria.agency_id)
        if criteria.service:
            involvements = involvements.filter(service__icontains=criteria.service.strip())
        qs = qs.filter(pk__in=involvements.values("child_id"))
    if criteria.event_type_id is not None:
        qs = qs.filter(
            pk__in=EventChild.objects.filter(
                is_current=True,
                occurred_on__gte=criteria.period_from,
                occurred_on__lte=criteria.period_to,
                event__event_type_id=criteria.event_type_id,
                event__confidentiality=Confidentiality.NORMAL,
            ).values("child_id")
        )
    if criteria.age_min is not None:
        qs = qs.filter(date_of_birth__lte=years_before(criteria.period_to, criteria.age_min))
    if criteria.age_max is not None:
        qs = qs.filter(date_of_birth__gt=years_before(criteria.period_to, criteria.age_max + 1))
    if criteria.levels:
        qs = qs.filter(pk__in=Child.objects.filter(_level_q(criteria)).values("pk"))
    return qs.order_by("pk")


def draw(candidate_ids: list[int], size: int, seed: int) -> list[int]:
    """`size` ids from `candidate_ids` (all of them when there are fewer), the same every time for a seed."""
    ordered = sorted(candidate_ids)
    if size >= len(ordered):
        return ordered
    return random.Random(seed).sample(ordered, size)  # noqa: S311 - reproducible sampling, not security
