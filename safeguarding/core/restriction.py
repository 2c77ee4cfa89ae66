"""Restricted entries: visible only to the recording agency and the roles it names.

Any model with `agency`, `confidentiality` and `restricted_to_roles` (see `Restrictable`) uses
`restriction_q()` for lists and `can_see_restricted()` for one object, so both agree.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.db.models import Q

from safeguarding.core.enums import Confidentiality


def encode_roles(roles: Iterable[str]) -> str:
    """Stored as ",role,role," so one role is found with a plain LIKE on every database."""
    cleaned = sorted({r.strip() for r in roles if r and r.strip()})
    return f",{','.join(cleaned)}," if cleaned else ""


def decode_roles(value: str) -> list[str]:
    return [r for r in (value or "").split(",") if r]


class Restrictable(models.Model):
    confidentiality = models.CharField(max_length=16, choices=Confidentiality.choices, default=Confidentiality.NORMAL)
    # When restricted: the roles in the recording agency that may see it (empty = every role there).
    restricted_to_roles = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        abstract = True

    @property
    def is_restricted(self) -> bool:
        return self.confidentiality == Confidentiality.RESTRICTED

    @property
    def restricted_roles(self) -> list[str]:
        return decode_roles(self.restricted_to_roles)


def restriction_q(memberships: Iterable[tuple[int, str]], prefix: str = "") -> Q:
    """Rows a person with these (agency id, role) memberships may see."""
    q = Q(**{f"{prefix}confidentiality": Confidentiality.NORMAL})
    for agency_id, role in memberships:
        q |= Q(**{f"{prefix}agency_id": agency_id, f"{prefix}confidentiality": Confidentiality.RESTRICTED}) & (
            Q(**{f"{prefix}restricted_to_roles": ""}) | Q(**{f"{prefix}restricted_to_roles__contains": f",{role},"})
        )
    return q


def can_see_restricted(memberships: Iterable[tuple[int, str]], entry: Restrictable) -> bool:
    if not entry.is_restricted:
        return True
    allowed = entry.restricted_roles
    agency_id = entry.agency_id  # type: ignore[attr-defined]
    return any(a == agency_id and (not allowed or role in allowed) for a, role in memberships)
