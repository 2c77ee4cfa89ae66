"""State changes of signing in: enrolling an authenticator app, and the sign-in events the activity
log keeps. Each is a kernel service (keyword-only actor, one transaction, logged)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.db.models import Model
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding.core import kernel
from safeguarding.core.services import record_activity

if TYPE_CHECKING:
    from safeguarding.core.types import Person


@kernel.service
def record_sign_in_event(*, actor: Person, action: str) -> None:
    """`user.signed_in_password`, `user.signed_in` or `user.signed_out`, against the person."""
    record_activity(actor=actor, action=action, target=cast(Model, actor))


@kernel.service
def confirm_device(*, actor: Person, device: TOTPDevice) -> TOTPDevice:
    """The authenticator app answered with a right code: it is the person's second factor from now on."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record_activity(actor=actor, action="user.two_factor_enrolled", target=cast(Model, actor))
    return device
