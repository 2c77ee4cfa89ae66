"""Writing the demo partnership: agencies and staff through `load_partnership` (so they are made
exactly as a real partnership file would make them), then the families in batches.

Families are written with `bulk_create` and without an activity-log row each: the demo holds
up to 46,000 children and the log would only say "the demo made this". One `demo.seeded` row
records what was made.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding.agencies.models import Agency, User
from safeguarding.agencies.services import LoadReport, load_partnership
from safeguarding.children.demo import DEMO_PASSWORD, DEMO_TOTP_DEVICE_NAME, DEMO_TOTP_KEY, words
from safeguarding.children.demo.census import apply_census_fields
from safeguarding.children.demo.families import SIZES, HouseholdPlan, PersonPlan, iter_households
from safeguarding.children.demo.partnership import DemoStaff, build_staff
from safeguarding.children.models import (
    AccessGrant,
    Adult,
    Child,
    Household,
    HouseholdMember,
    Involvement,
    Relationship,
    normalise_name,
)
from safeguarding.core.enums import Confidentiality
from safeguarding.core.restriction import encode_roles
from safeguarding.core.services import record_activity

PersonModel = TypeVar("PersonModel", Child, Adult)
# Called after each chunk with the households and children written so far.
Progress = Callable[[int, int], None]


@dataclass
class SeedResult:
    size: str
    seed: int
    partnership: LoadReport
    counts: dict[str, int]


def rng_for(seed: int, part: str) -> random.Random:
    """A generator per part, so adding a member of staff does not change every family."""
    return random.Random(f"{seed}:{part}")  # noqa: S311 - synthetic demo data, not security


def demo_staff(seed: int) -> DemoStaff:
    return build_staff(rng_for(seed, "staff"))


def demo_households(seed: int, size: str, staff: DemoStaff | None = None) -> Iterator[HouseholdPlan]:
    """The demo's households for this seed and size, built as they are consumed."""
    staff = staff or demo_staff(seed)
    return iter_households(rng_for(seed, "families"), staff, timezone.localdate(), SIZES[size])


def _ignore_progress(households: int, children: int) -> None:
    return None


@transaction.atomic
def seed_demo(*, size: str = "small", seed: int = 1, progress: Progress = _ignore_progress) -> SeedResult:
    """Create the demo partnership in the current database. The caller checks it is empty."""
    if size not in SIZES:
        raise ValueError(f"Choose a size from: {', '.join(SIZES)}.")
    staff = demo_staff(seed)
    report = load_partnership(actor=None, data=staff.data, filename="the demo partnership")
    _prepare_demo_accounts(staff.usernames)
    counts = write_households(demo_households(seed, size, staff), progress=progress)
    counts = {"agencies": Agency.objects.count(), "users": len(staff.usernames), **counts}
    record_activity(actor=None, action="demo.seeded", changes={"size": size, "seed": seed, **counts})
    return SeedResult(size=size, seed=seed, partnership=report, counts=counts)


def _prepare_demo_accounts(usernames: Sequence[str]) -> None:
    """The published password and authenticator key for every demo account. One Argon2 hash
    serves them all (the same password; hashing it per account would take most of a small seed's time)."""
    User.objects.filter(username__in=usernames).update(password=make_password(DEMO_PASSWORD))
    User.objects.filter(username="admin").update(is_staff=True, is_superuser=True)
    users = User.objects.filter(username__in=usernames).exclude(totpdevice__name=DEMO_TOTP_DEVICE_NAME)
    TOTPDevice.objects.bulk_create(
        TOTPDevice(user=user, name=DEMO_TOTP_DEVICE_NAME, confirmed=True, key=DEMO_TOTP_KEY) for user in users
    )


def _person(model: type[PersonModel], plan: PersonPlan) -> PersonModel:
    return model(
        first_name=plan.first_name,
        last_name=plan.last_name,
        sex=plan.sex,
        date_of_birth=plan.date_of_birth,
        nhs_number=plan.nhs_number,
        # bulk_create skips save(), which normally fills this in.
        normalised_name=normalise_name(plan.first_name, plan.last_name),
    )


def write_households(households: Iterable[HouseholdPlan], *, progress: Progress = _ignore_progress) -> dict[str, int]:
    """Write planned households in chunks (each chunk a handful of bulk inserts), so memory stays
    flat however many there are."""
    counts = dict.fromkeys(COUNTED, 0)
    agencies = {a.code: a for a in Agency.objects.all()}
    users = {u.username: u for u in User.objects.filter(is_system=False)}
    chunk: list[HouseholdPlan] = []
    for household in households:
        chunk.append(household)
        if len(chunk) == HOUSEHOLDS_PER_CHUNK:
            _write_chunk(chunk, agencies, users, counts)
            progress(counts["households"], counts["children"])
            chunk = []
    if chunk:
        _write_chunk(chunk, agencies, users, counts)
        progress(counts["households"], counts["children"])
    return counts


COUNTED = (
    "households",
    "adults",
    "children",
    "household_members",
    "relationships",
    "involvements",
    "restricted_involvements",
    "access_grants",
)
HOUSEHOLDS_PER_CHUNK = 1000


def _write_chunk(
    plans: list[HouseholdPlan], agencies: dict[str, Agency], users: dict[str, User], counts: dict[str, int]
) -> None:
    now = timezone.now()
    households = [
        Household(reference=h.reference, address_line_1=h.address_line_1, town=words.TOWN, postcode=h.postcode)
        for h in plans
    ]
    adults = [[_person(Adult, a) for a in h.adults] for h in plans]
    children = [[_person(Child, c) for c in h.children] for h in plans]
    for number, child in enumerate((c for row in children for c in row), start=counts["children"] + 1):
        apply_census_fields(child, number, timezone.localdate())
    Household.objects.bulk_create(households)
    Adult.objects.bulk_create([a for row in adults for a in row])
    Child.objects.bulk_create([c for row in children for c in row])

    members: list[HouseholdMember] = []
    links: list[Relationship] = []
    involvements: list[Involvement] = []
    grants: list[AccessGrant] = []
    for plan, household, household_adults, household_children in zip(plans, households, adults, children, strict=True):
        for a in plan.resident_adults:
            members.append(HouseholdMember(household=household, adult=household_adults[a], moved_in=plan.moved_in))
        for child_plan, child in zip(plan.children, household_children, strict=True):
            moved_in = max(child_plan.date_of_birth, plan.moved_in)
            members.append(HouseholdMember(household=household, child=child, moved_in=moved_in))
        for link in plan.links:
            links.append(
                Relationship(
                    child=household_children[link.child],
                    adult=household_adults[link.adult] if link.adult is not None else None,
                    other_child=household_children[link.other_child] if link.other_child is not None else None,
                    kind=link.kind,
                    parental_responsibility=link.parental_responsibility,
                    lives_with_child=link.lives_with_child,
                    notes=link.notes,
                )
            )
        for inv in plan.involvements:
            involvements.append(
                Involvement(
                    agency=agencies[inv.agency],
                    child=household_children[inv.child],
                    start=inv.start,
                    end=inv.end,
                    service=inv.service,
                    lead_professional=users[inv.lead] if inv.lead else None,
                    lawful_basis=inv.lawful_basis,
                    confidentiality=Confidentiality.RESTRICTED if inv.restricted_to else Confidentiality.NORMAL,
                    restricted_to_roles=encode_roles(inv.restricted_to),
                )
            )
        for g in plan.grants:
            starts_at = now - timedelta(days=g.started_days_ago)
            grants.append(
                AccessGrant(
                    user=users[g.user],
                    child=household_children[g.child],
                    reason=g.reason,
                    granted_by=users[g.granted_by],
                    starts_at=starts_at,
                    expires_at=starts_at + timedelta(days=g.lasts_days),
                )
            )
    HouseholdMember.objects.bulk_create(members)
    Relationship.objects.bulk_create(links)
    Involvement.objects.bulk_create(involvements)
    AccessGrant.objects.bulk_create(grants)

    counts["households"] += len(households)
    counts["adults"] += sum(len(row) for row in adults)
    counts["children"] += sum(len(row) for row in children)
    counts["household_members"] += len(members)
    counts["relationships"] += len(links)
    counts["involvements"] += len(involvements)
    counts["restricted_involvements"] += sum(1 for i in involvements if i.confidentiality == Confidentiality.RESTRICTED)
    counts["access_grants"] += len(grants)
