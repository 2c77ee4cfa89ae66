"""Demo data for linking: the housing association's tenancy file arrives, as agencies' files do, with
names spelt its own way, a date of birth with day and month swapped and a tenancy reference shared by
siblings. Imported through the real importer, it leaves a few realistic possible matches in the data
stewards' queue (and, for the records it links for certain, nothing to decide)."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from safeguarding.agencies.models import Agency
from safeguarding.children.models import Child
from safeguarding.core.demo import DemoContext
from safeguarding.linking.models import PossibleMatch

HOUSING = "NBH"
HEADER = ["Date", "Child name", "DOB", "Tenancy ref", "Event type", "Details", "Action taken"]


def _swapped(day: date) -> date | None:
    if day.day > 12 or day.day == day.month:
        return None
    return day.replace(month=day.day, day=day.month)


def _misspelt(surname: str, rng: random.Random) -> str:
    """A surname as another agency's clerk might type it: one letter dropped or doubled."""
    position = rng.randrange(1, len(surname) - 1)
    if rng.random() < 0.5:
        return surname[:position] + surname[position + 1 :]
    return surname[:position] + surname[position] + surname[position:]


def tenancy_rows(today: date, rng: random.Random) -> list[list[str]]:
    rows: list[list[str]] = []
    when = (today - timedelta(days=21)).strftime("%d/%m/%Y")
    children = list(Child.objects.filter(is_verified=True, date_of_birth__isnull=False).order_by("pk")[:400])
    rng.shuffle(children)
    swapped = [c for c in children if c.date_of_birth and _swapped(c.date_of_birth)][:2]
    misspelt = [c for c in children if c not in swapped and len(c.last_name) > 4][:2]
    for n, child in enumerate(swapped):
        dob = _swapped(child.date_of_birth)  # type: ignore[arg-type]
        assert dob is not None
        rows.append(
            [
                when,
                child.full_name,
                dob.strftime("%d/%m/%Y"),
                f"TEN-{5100 + n}",
                "Housing complaint",
                "Tenant reported damp and mould in the children's bedroom.",
                "Repair raised.",
            ]
        )
    for n, child in enumerate(misspelt):
        assert child.date_of_birth is not None
        rows.append(
            [
                when,
                f"{child.first_name} {_misspelt(child.last_name, rng)}",
                child.date_of_birth.strftime("%d/%m/%Y"),
                f"TEN-{5200 + n}",
                "Housing complaint",
                "Rent arrears letter; family at risk of eviction.",
                "Referred to the tenancy sustainment team.",
            ]
        )
    return rows


def seed_linking(ctx: DemoContext) -> None:
    from safeguarding.chronology.importer import create_batch, run_batch

    agency = Agency.objects.filter(code=HOUSING).first()
    officer = get_user_model().objects.filter(username="practitioner.housing").first()
    if agency is None or officer is None:
        return
    rng = random.Random(f"{ctx.seed}:linking")  # noqa: S311 - synthetic demo data, not security
    rows = tenancy_rows(timezone.localdate(), rng)
    if not rows:
        return
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    batch = create_batch(actor=officer, agency=agency, filename="tenancy-concerns.csv", content=out.getvalue().encode())
    result = run_batch(batch)
    ctx.log(
        f"  Housing's tenancy file: {result.events_created} entries; "
        f"{PossibleMatch.objects.pending().count()} possible matches for the data steward."
    )
