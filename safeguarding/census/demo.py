"""Demo step (after every other): what the census needs that the demo's families and chronologies do
not say (docs/cin-census.md, "The demo").

- Census fields for children made by later demo steps (the household children get theirs when they
  are written, `children.demo.census`).
- The source of each demo referral to children's social care (the category of its `referral_to_csc`
  entry), drawn with England's proportions, when the entry does not say.
- The factors identified at each demo assessment that nothing else in the child's chronology explains,
  and the category of abuse of each demo child protection plan (from the involvement's service when it
  names one), as the census details an assessment and a plan would carry in a case-management system.

Deterministic: a generator seeded by `--seed` and each entry's place."""

from __future__ import annotations

import random

from django.utils import timezone

from safeguarding.agencies.enums import AgencyKind
from safeguarding.census import codes
from safeguarding.census.models import CensusDetail
from safeguarding.children.demo.census import apply_census_fields
from safeguarding.children.models import Child, Involvement
from safeguarding.chronology.models import Event
from safeguarding.core.demo import DemoContext

# Referral sources, England 2024-25 (roughly): police the most, then schools, health, the local authority.
_SOURCES = [("6", 29), ("2A", 20), ("3F", 6), ("3B", 3), ("3A", 3), ("3E", 3), ("5A", 6), ("5D", 4), ("1B", 5)]
_SOURCES += [("1A", 3), ("4", 2), ("7", 2), ("8", 5), ("9", 1), ("2B", 2), ("5C", 2)]
# The factors assessments most often identify.
_FACTORS = [("3B", 30), ("4B", 26), ("16A", 20), ("17A", 12), ("2B", 10), ("1B", 8), ("4A", 8), ("6B", 4)]
_CATEGORY_WORDS = {"neglect": "NEG", "physical": "PHY", "emotional": "EMO", "sexual": "SAB"}


def _choose(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def _children_census_fields() -> None:
    # Numbered after every child the household seeding numbered (1 to the number of children then).
    start = Child.all_records.count() + 1
    missing = list(Child.objects.filter(la_child_id__isnull=True).order_by("pk"))
    for number, child in enumerate(missing, start=start):
        apply_census_fields(child, number, timezone.localdate())
    Child.objects.bulk_update(
        missing, ["la_child_id", "upn", "upn_unknown", "ethnicity", "disabilities"], batch_size=1000
    )


def _referral_sources(rng: random.Random) -> int:
    referrals = list(
        Event.objects.filter(
            agency__kind=AgencyKind.CHILDRENS_SOCIAL_CARE,
            event_type__code=codes.REFERRAL,
            is_current=True,
            category="",
        ).order_by("pk")
    )
    for event in referrals:
        event.category = _choose(rng, _SOURCES)
    Event.objects.bulk_update(referrals, ["category"], batch_size=1000)
    return len(referrals)


def _plan_category(service: str) -> str:
    words = service.lower()
    return next((code for word, code in _CATEGORY_WORDS.items() if word in words), "")


def _details(rng: random.Random) -> int:
    csc = Event.objects.filter(agency__kind=AgencyKind.CHILDRENS_SOCIAL_CARE, is_current=True)
    details = []
    for event in csc.filter(event_type__code=codes.ASSESSMENT_COMPLETED, census_detail__isnull=True).order_by("pk"):
        factors = sorted({_choose(rng, _FACTORS) for _ in range(rng.randint(1, 3))})
        details.append(CensusDetail(event=event, factors=factors))
    services: dict[tuple[int, int], list[str]] = {}
    for agency_id, child_id, service in Involvement.objects.filter(
        agency__kind=AgencyKind.CHILDRENS_SOCIAL_CARE
    ).values_list("agency_id", "child_id", "service"):
        services.setdefault((agency_id, child_id), []).append(service)
    plans = csc.filter(
        event_type__code=codes.PLAN_STARTED, category=codes.CHILD_PROTECTION, census_detail__isnull=True
    ).prefetch_related("child_links")
    for event in plans.order_by("pk"):
        named = [s for link in event.child_links.all() for s in services.get((event.agency_id, link.child_id), [])]
        category = next((c for s in named if (c := _plan_category(s))), "") or _choose(
            rng, [("NEG", 50), ("EMO", 35), ("PHY", 10), ("SAB", 5)]
        )
        details.append(CensusDetail(event=event, initial_category=category, latest_category=category))
    CensusDetail.objects.bulk_create(details, batch_size=1000)
    return len(details)


def seed_census(ctx: DemoContext) -> None:
    rng = random.Random(f"{ctx.seed}:census")  # noqa: S311 - synthetic demo data, not security
    _children_census_fields()
    sources = _referral_sources(rng)
    details = _details(rng)
    ctx.log(f"  Census: {sources:,} referral sources and {details:,} assessment and plan details.")
