from __future__ import annotations

from functools import cached_property

import rules
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Upper

from safeguarding.agencies.enums import CASE_ROLES, AgencyKind, PartnerStatus, Role

code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9_-]{1,31}$",
    "Use 2 to 32 capital letters, digits, hyphens or underscores, starting with a letter or digit.",
)
PHONE_MESSAGE = "Enter a UK telephone number, like 01632 960 123 or 07700 900 123 (digits and spaces)."
# A UK number as people write it: 0 and 9 or 10 more digits, or +44 and 9 or 10, in groups.
phone_validator = RegexValidator(r"^(?:0|\+44 ?(?:\(0\) ?)?)(?:\d[ -]?){8,9}\d$", PHONE_MESSAGE)


class AgencyQuerySet(models.QuerySet["Agency"]):
    def active(self) -> AgencyQuerySet:
        return self.filter(is_active=True)


class Agency(models.Model):
    code = models.CharField(max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=AgencyKind.choices)
    partner_status = models.CharField(max_length=16, choices=PartnerStatus.choices, default=PartnerStatus.RELEVANT)
    is_active = models.BooleanField(default=True)
    # How the agency's file columns of references are read: {"Tenancy ref": "household", "Client ID": "child"}.
    # A "household" column (a tenancy, family or incident reference shared by several children) is
    # kept on each entry and never used to decide which child a row is about.
    import_columns = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [models.UniqueConstraint(Upper("name"), name="agency_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    code = models.CharField(max_length=32, validators=[code_validator])
    name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    # The partnership's front door (MASH): told when an agency shares information about a child
    # who has no lead professional, and decides whether that agency becomes involved.
    is_front_door = models.BooleanField(default=False)
    # The team's (or the front door's) number, for a family whose worker has no work number recorded.
    phone = models.CharField(max_length=20, blank=True, validators=[phone_validator])

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "code"], name="team_code_unique_in_agency")]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency.code})"


class User(AbstractUser):
    """A person who signs in, or the service account behind an agency system's API token."""

    is_system = models.BooleanField(
        default=False, help_text="An agency system's API account: it cannot sign in to pages."
    )
    job_title = models.CharField(max_length=200, blank=True)
    # Shown to families (the family PDF: "You can contact … on …"): a work number only, never a personal one.
    work_phone = models.CharField(
        max_length=20,
        blank=True,
        validators=[phone_validator],
        help_text="A work telephone number families and colleagues may ring. Never a personal number.",
    )
    # A trained Graded-Care-Profile-style assessor etc. is recorded later by the assessments app.

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def active_memberships(self) -> list[Membership]:
        return list(self.memberships.filter(is_active=True, agency__is_active=True).select_related("agency", "team"))

    @cached_property
    def roles(self) -> frozenset[str]:
        return frozenset(m.role for m in self.active_memberships)

    def has_perm(self, perm: str, obj: models.Model | None = None) -> bool:
        """The Hub's own rules (registered with django-rules) decide alone: being a superuser, which is
        for Django's admin site, grants nothing in them. Other permissions as Django decides."""
        if rules.perm_exists(perm):
            return self.is_active and rules.has_perm(perm, self, obj)
        return super().has_perm(perm, obj)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    def agency_ids_with_role(self, roles: frozenset[str] | set[str]) -> set[int]:
        return {m.agency_id for m in self.active_memberships if m.role in roles}

    @cached_property
    def case_agency_ids(self) -> set[int]:
        """Agencies whose children this person sees (through a case-holding role)."""
        return self.agency_ids_with_role(CASE_ROLES)

    @cached_property
    def primary_agency(self) -> Agency | None:
        memberships = self.active_memberships
        return memberships[0].agency if memberships else None

    @property
    def acting_agency_code(self) -> str:
        agency = self.primary_agency
        return agency.code if agency else ""

    def refresh_access_cache(self) -> None:
        for name in ("active_memberships", "roles", "case_agency_ids", "primary_agency"):
            self.__dict__.pop(name, None)


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(is_active=True, agency__is_active=True)


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["agency__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="membership_unique_role_in_agency"),
        ]
        indexes = [
            # "Who in this agency holds this role" (notifications, granting, listings)
            models.Index(fields=["agency", "role", "is_active"], name="membership_agency_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}, {self.agency.code}"
