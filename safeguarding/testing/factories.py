"""One plain factory per model, for tests. Every person here is synthetic."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from safeguarding.agencies.enums import AgencyKind, PartnerStatus, Role
from safeguarding.agencies.models import Agency, Membership, Team, User
from safeguarding.children.models import (
    AccessGrant,
    Adult,
    Child,
    Household,
    HouseholdMember,
    Involvement,
    Relationship,
)
from safeguarding.children.validators import nhs_check_digit

TEST_PASSWORD = "correct-horse-battery-staple"


def synthetic_nhs_number(n: int) -> str:
    """A valid NHS number in the 999 test range, unique for each n (below 90,000).

    Each n owns 11 consecutive candidates; two that differ only in their last digit cannot both
    lack a check digit, so one of them is always valid.
    """
    for candidate in range(11 * n, 11 * n + 11):
        first_nine = f"999{candidate % 1_000_000:06d}"
        check = nhs_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}"
    raise AssertionError("unreachable: one of 11 consecutive candidates has a check digit")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"AG{n:03d}")
    name = factory.Sequence(lambda n: f"Test agency {n}")
    kind = AgencyKind.HEALTH
    partner_status = PartnerStatus.RELEVANT


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    agency = factory.SubFactory(AgencyFactory)
    code = factory.Sequence(lambda n: f"T{n:03d}")
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"Testfirst{n}")
    last_name = factory.Sequence(lambda n: f"Testlast{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Role.PRACTITIONER


def member(agency: Agency, role: str = Role.PRACTITIONER, **user_fields: object) -> User:
    """A person holding `role` in `agency`."""
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, agency=agency, role=role)
    return user


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    first_name = factory.Sequence(lambda n: f"Childfirst{n}")
    last_name = factory.Sequence(lambda n: f"Childlast{n}")
    # 2013 to 2015, round again: never a date a report or plan of the tests' own time prints (a long
    # run's children were once born on an action's due date, and a committee report was refused as naming one),
    # and before every date the tests give entries (from 2016): an entry before the child's birth is refused.
    date_of_birth = factory.Sequence(lambda n: dt.date(2013, 1, 1) + dt.timedelta(days=n % 1095))
    nhs_number = factory.Sequence(synthetic_nhs_number)


class AdultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Adult

    first_name = factory.Sequence(lambda n: f"Adultfirst{n}")
    last_name = factory.Sequence(lambda n: f"Adultlast{n}")
    date_of_birth = dt.date(1990, 5, 17)


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    reference = factory.Sequence(lambda n: f"HH{n:05d}")
    address_line_1 = factory.Sequence(lambda n: f"{n} Test Street")
    town = "Northbridge"
    postcode = "NB1 1AA"


class HouseholdMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdMember

    household = factory.SubFactory(HouseholdFactory)


class RelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relationship

    child = factory.SubFactory(ChildFactory)
    adult = factory.SubFactory(AdultFactory)
    kind = "mother"
    parental_responsibility = True


class InvolvementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Involvement

    agency = factory.SubFactory(AgencyFactory)
    child = factory.SubFactory(ChildFactory)
    start = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=90))


class AccessGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessGrant

    user = factory.SubFactory(UserFactory)
    child = factory.SubFactory(ChildFactory)
    reason = "Checking history before a strategy discussion"
    granted_by = factory.SubFactory(UserFactory)
    starts_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
