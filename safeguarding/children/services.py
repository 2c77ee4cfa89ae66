"""State changes for children and who may see them. Each takes a keyword-only `actor`, checks
the rule, writes, and logs the activity in one transaction."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from safeguarding.agencies.models import Agency
from safeguarding.children import permissions
from safeguarding.children.models import AccessGrant, Adult, Child, Involvement
from safeguarding.core import kernel
from safeguarding.core.enums import Confidentiality
from safeguarding.core.restriction import encode_roles
from safeguarding.core.services import created_diff, diff, record_activity, snapshot

if TYPE_CHECKING:
    from safeguarding.core.types import Person

CHILD_FIELDS = ("first_name", "last_name", "other_names", "date_of_birth", "sex", "nhs_number", "is_verified")
INVOLVEMENT_FIELDS = (
    "agency",
    "child",
    "start",
    "end",
    "service",
    "lead_professional",
    "lawful_basis",
    "confidentiality",
    "restricted_to_roles",
)


@kernel.service
def create_child(*, actor: Person, **fields: Any) -> Child:
    child = Child(**fields)
    child.full_clean()
    child.save()
    record_activity(
        actor=actor,
        action="child.created",
        target=child,
        child_id=child.pk,
        changes=created_diff(child, CHILD_FIELDS, Child.MASKED_FIELDS),
    )
    return child


@kernel.service
def create_adult(*, actor: Person, **fields: Any) -> Adult:
    adult = Adult(**fields)
    adult.full_clean()
    adult.save()
    record_activity(
        actor=actor,
        action="adult.created",
        target=adult,
        changes=created_diff(adult, CHILD_FIELDS[:-1], Adult.MASKED_FIELDS),
    )
    return adult


@kernel.service
def add_involvement(
    *,
    actor: Person,
    agency: Agency,
    child: Child,
    start: date,
    end: date | None = None,
    service: str = "",
    lead_professional: Person | None = None,
    lawful_basis: str | None = None,
    confidentiality: str = Confidentiality.NORMAL,
    restricted_to_roles: list[str] | None = None,
) -> Involvement:
    involvement = Involvement(
        agency=agency,
        child=child,
        start=start,
        end=end,
        service=service,
        lead_professional=lead_professional,
        confidentiality=confidentiality,
        restricted_to_roles=encode_roles(restricted_to_roles or []),
    )
    if lawful_basis:
        involvement.lawful_basis = lawful_basis
    involvement.full_clean()
    involvement.save()
    record_activity(
        actor=actor,
        action="involvement.started",
        target=involvement,
        child_id=child.pk,
        changes=created_diff(involvement, INVOLVEMENT_FIELDS),
    )
    return involvement


@kernel.service
def end_involvement(*, actor: Person, involvement: Involvement, end: date) -> Involvement:
    if end < involvement.start:
        raise ValidationError({"end": "The end date must be on or after the start date."})
    before = snapshot(involvement, ["end"])
    involvement.end = end
    involvement.save(update_fields=["end"])
    record_activity(
        actor=actor,
        action="involvement.ended",
        target=involvement,
        child_id=involvement.child_id,
        changes=diff(before, snapshot(involvement, ["end"])),
    )
    return involvement


def record_child_view(*, actor: Person, child: Child, action: str = "child.viewed") -> None:
    """Every view or export of a child's record is logged (called after the access check). Not a
    kernel service: a log row alone, written on every page of a record, needs no transaction of
    its own (and inside a service it is that service's log)."""
    record_activity(actor=actor, action=action, target=child, child_id=child.pk)


@kernel.service
def record_search(*, actor: Person, results: int) -> None:
    """A search shows names: logged with how much it returned, not what was typed."""
    record_activity(actor=actor, action="children.searched", changes={"results": results})


@kernel.service
def grant_access(*, actor: Person, user: Person, child: Child, reason: str, days: int) -> AccessGrant:
    if not permissions.can_give_access_to(actor, user):
        raise PermissionDenied("You cannot give this person access.")
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError({"reason": "Enter the reason for access, in at least 10 characters."})
    max_days = settings.ACCESS_GRANT_MAX_DAYS
    if not 1 <= days <= max_days:
        raise ValidationError({"days": f"Access can last from 1 to {max_days} days."})
    now = timezone.now()
    grant = AccessGrant.objects.create(
        user=user, child=child, reason=reason, granted_by=actor, starts_at=now, expires_at=now + timedelta(days=days)
    )
    record_activity(
        actor=actor,
        action="access_grant.created",
        target=grant,
        child_id=child.pk,
        changes=created_diff(grant, ["user", "child", "reason", "starts_at", "expires_at"]),
    )
    return grant


@kernel.service
def revoke_grant(*, actor: Person, grant: AccessGrant) -> AccessGrant:
    grant = kernel.lock(AccessGrant.objects.select_related("user"), grant.pk)
    if grant.revoked_at is not None:
        kernel.unchanged()
        return grant
    if not permissions.can_end_grant(actor, grant):
        raise PermissionDenied("You cannot end this access.")
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor
    grant.save(update_fields=["revoked_at", "revoked_by"])
    record_activity(
        actor=actor,
        action="access_grant.revoked",
        target=grant,
        child_id=grant.child_id,
        changes={"revoked_at": [None, grant.revoked_at.isoformat()]},
    )
    return grant
