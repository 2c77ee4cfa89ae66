"""State changes for agency API tokens. Each checks the rule, writes and logs in one transaction.

`actor` is the administrator doing it. Each is a `kernel.service` (one transaction, a logged change).
Management commands pass `actor=None, system=True`: the operator who runs them already controls the
server, and the activity log records via=command.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from safeguarding.agencies.enums import Role
from safeguarding.agencies.models import Agency, Membership, User
from safeguarding.api.models import KEY_PREFIX, PREFIX_LENGTH, AgencyApiToken, hash_key
from safeguarding.core import kernel
from safeguarding.core.services import created_diff, record_activity

if TYPE_CHECKING:
    from safeguarding.core.types import Person

# Fields written to the activity log when a token is created: never the key or its hash.
LOGGED_FIELDS = ("agency", "name", "key_prefix", "service_user")


def _check_actor(actor: Person | None, *, system: bool) -> None:
    if actor is None:
        if system:
            return
        raise PermissionDenied("Only an administrator can manage API tokens.")
    if not (
        getattr(actor, "is_authenticated", False)
        and actor.is_active
        and not actor.is_system
        and actor.has_role(Role.ADMINISTRATOR)
    ):
        raise PermissionDenied("Only an administrator can manage API tokens.")


def generate_key() -> str:
    return f"{KEY_PREFIX}{secrets.token_urlsafe(32)}"


def _unused_key() -> str:
    # The prefix is unique so a token is found by one indexed lookup; 48 random bits make a clash
    # very rare, and we draw again if one happens. A prefix starting with "-" would read as an option
    # when an operator types it bare (`revoke_api_token -AbC…`), so those are drawn again too.
    for _ in range(20):
        key = generate_key()
        prefix = key[len(KEY_PREFIX) : len(KEY_PREFIX) + PREFIX_LENGTH]
        if prefix.startswith("-"):
            continue
        if not AgencyApiToken.objects.filter(key_prefix=prefix).exists():
            return key
    raise RuntimeError("Could not draw an unused API key prefix.")  # pragma: no cover


@kernel.service
def create_api_token(
    *, actor: Person | None, agency: Agency, name: str, system: bool = False
) -> tuple[AgencyApiToken, str]:
    """Create a token and its service account; returns the token and the plain key, shown only once."""
    _check_actor(actor, system=system)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Enter a name for the token, like 'Police case system'."})
    if len(name) > 100:
        raise ValidationError({"name": "The name must be 100 characters or fewer."})
    if not agency.is_active:
        raise ValidationError({"agency": "This agency is not active. Choose an active agency."})
    if AgencyApiToken.objects.active().filter(agency=agency, name__iexact=name).exists():
        raise ValidationError(
            {"name": "This agency already has a live token with this name. Choose another name or revoke that one."}
        )

    key = _unused_key()
    prefix = key[len(KEY_PREFIX) : len(KEY_PREFIX) + PREFIX_LENGTH]
    service_user = User(
        username=f"api-{agency.code.lower()}-{prefix}",
        last_name=f"{name} (API)"[:150],
        is_system=True,
        is_staff=False,
        is_superuser=False,
    )
    service_user.set_unusable_password()
    service_user.save()
    Membership.objects.create(user=service_user, agency=agency, role=Role.AGENCY_SYSTEM)
    try:
        with transaction.atomic():
            token = AgencyApiToken.objects.create(
                agency=agency,
                name=name,
                key_prefix=prefix,
                key_hash=hash_key(key),
                service_user=service_user,
                created_by=actor,
            )
    except IntegrityError as exc:  # a concurrent create with the same name won the race
        raise ValidationError(
            {"name": "This agency already has a live token with this name. Choose another name or revoke that one."}
        ) from exc
    record_activity(actor=actor, action="api_token.created", target=token, changes=created_diff(token, LOGGED_FIELDS))
    return token, key


@kernel.service
def revoke_api_token(*, actor: Person | None, token: AgencyApiToken, system: bool = False) -> AgencyApiToken:
    """Revoke a token at once: its key stops working and its service account is switched off."""
    _check_actor(actor, system=system)
    token = kernel.lock(AgencyApiToken, token.pk)
    if token.revoked_at is not None:
        kernel.unchanged()  # revoked already: nothing to do
        return token
    token.revoked_at = timezone.now()
    token.revoked_by = actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    Membership.objects.filter(user_id=token.service_user_id).update(is_active=False)
    User.objects.filter(pk=token.service_user_id).update(is_active=False)
    record_activity(
        actor=actor,
        action="api_token.revoked",
        target=token,
        changes={"revoked_at": [None, token.revoked_at.isoformat()]},
    )
    return token
