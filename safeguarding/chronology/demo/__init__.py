"""Demo chronologies (`manage.py seed_demo`, after the partnership and families exist).

The featured Whitlock brothers get the picture practice reviews describe, so every highlight
kind shows: health visiting, a run of "was not brought", school hygiene and neglect concerns,
police domestic abuse call-outs, two referrals closed with no further action within a year,
early help closed for non-engagement followed by more concerns, months with no contact, a
strategy discussion recorded by both police and social care (shown once), and a restricted
entry about the mother's mental health. Every other child with an agency involved gets a
lighter chronology from those agencies.

Written in bulk (the same rows `services.record_event` writes, without an activity row per demo
entry), from a generator seeded by `--seed` and today's date: the same seed gives the same
entries. The large demo gives lighter chronologies to the first children only, to stay quick.
"""

from __future__ import annotations

import random

from django.utils import timezone

from safeguarding.children.models import Child
from safeguarding.chronology.demo.others import DEFAULT_PATTERN, PATTERNS, Pattern, plan_others
from safeguarding.chronology.demo.whitlock import plan_whitlock
from safeguarding.chronology.demo.writer import CHUNK, Planned, Writer
from safeguarding.core.demo import DemoContext

__all__ = [
    "CHUNK",
    "DEFAULT_PATTERN",
    "FEATURED_SURNAME",
    "LARGE_INVOLVEMENT_LIMIT",
    "PATTERNS",
    "Pattern",
    "Planned",
    "Writer",
    "plan_others",
    "plan_whitlock",
    "seed_chronologies",
]

FEATURED_SURNAME = "Whitlock"
# The large demo (46,000 children) gives lighter chronologies to this many involvements only.
LARGE_INVOLVEMENT_LIMIT = 5_000


def seed_chronologies(ctx: DemoContext) -> None:
    today = timezone.localdate()
    writer = Writer(today)
    brothers = list(Child.objects.filter(last_name=FEATURED_SURNAME).order_by("date_of_birth"))
    if len(brothers) == 2:
        plan_whitlock(writer, today, tyler=brothers[0], mason=brothers[1])
    limit = None if ctx.size == "small" else LARGE_INVOLVEMENT_LIMIT
    rng = random.Random(f"{ctx.seed}:chronology")  # noqa: S311 - synthetic demo data, not security
    plan_others(writer, today, rng, exclude={c.pk for c in brothers}, limit=limit)
    writer.flush()
    ctx.log(f"  {writer.written:,} chronology entries written.")
    if limit is not None:
        ctx.log(f"  Lighter chronologies were given to the first {limit:,} involvements only, to keep the seed quick.")
