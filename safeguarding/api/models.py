"""Agency system tokens: how an agency's own case system calls the API.

A token acts as its agency through a service account (a system user with one `agency_system`
membership in that agency), so every access rule, which is by agency, applies unchanged. Only
a SHA-256 hash of the key is stored; the key itself is shown once, when the token is created.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q

from safeguarding.agencies.models import Agency

KEY_PREFIX = "sgh_"
# Characters of the random part kept in clear (`key_prefix`) to find the token and name it in lists.
PREFIX_LENGTH = 8


def hash_key(key: str) -> str:
    """SHA-256 hex digest: the key has 256 random bits, so a fast hash without salt is enough."""
    return hashlib.sha256(key.encode()).hexdigest()


def prefix_of(key: str) -> str:
    """The stored `key_prefix` of a key (or of a prefix typed by an operator, with or without `sgh_`)."""
    value = key.strip().rstrip("…").removeprefix(KEY_PREFIX)
    return value[:PREFIX_LENGTH]


class AgencyApiTokenQuerySet(models.QuerySet["AgencyApiToken"]):
    def active(self) -> AgencyApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class AgencyApiToken(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="Which system uses the token, like 'Police case system'.")
    key_prefix = models.CharField(max_length=PREFIX_LENGTH, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    service_user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_token", editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Written at most once a minute (see authentication.py), so reads do not each cost a write.
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )

    objects = AgencyApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["agency__name", "name", "-created_at"]
        verbose_name = "agency API token"
        constraints = [
            # Two live tokens of one agency with one name could not be told apart in lists.
            models.UniqueConstraint(
                fields=["agency", "name"], condition=Q(revoked_at__isnull=True), name="api_token_live_name_unique"
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=models.F("created_at")),
                name="api_token_revoked_after_created",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency.code}, {self.display_prefix})"

    @property
    def display_prefix(self) -> str:
        return f"{KEY_PREFIX}{self.key_prefix}…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def status(self) -> str:
        return "Active" if self.is_active else "Revoked"
