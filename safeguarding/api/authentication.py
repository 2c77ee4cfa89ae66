"""How callers prove who they are to the API.

- Agency systems send `Authorization: Token <key>`; the token acts as its agency's service account.
- People in a browser use their session, but only once they have passed two-factor sign-in:
  the page middleware that enforces two-factor leaves `/api/` to these classes.
"""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from safeguarding.api.models import KEY_PREFIX, PREFIX_LENGTH, AgencyApiToken, hash_key

if TYPE_CHECKING:
    from safeguarding.core.types import Person

INVALID_TOKEN = "Invalid or revoked token."
# `last_used_at` is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class AgencyTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[Person, AgencyApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Invalid token header. Send 'Authorization: Token <key>' with the key and no spaces in it."
            )
        try:
            key = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN) from exc
        return self.authenticate_credentials(key)

    def authenticate_credentials(self, key: str) -> tuple[Person, AgencyApiToken]:
        if not key.startswith(KEY_PREFIX) or len(key) <= len(KEY_PREFIX) + PREFIX_LENGTH:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        prefix = key[len(KEY_PREFIX) : len(KEY_PREFIX) + PREFIX_LENGTH]
        token = (
            AgencyApiToken.objects.select_related("agency", "service_user")
            .filter(key_prefix=prefix, revoked_at__isnull=True)
            .first()
        )
        if token is None or not hmac.compare_digest(token.key_hash, hash_key(key)):
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        user = token.service_user
        if not (user.is_active and user.is_system and token.agency.is_active):
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        self._touch(token)
        return user, token

    @staticmethod
    def _touch(token: AgencyApiToken) -> None:
        now = timezone.now()
        if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
            return
        # A conditional UPDATE, so parallel requests in several processes write at most once.
        AgencyApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
        token.last_used_at = now

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """The browser session of a person who has passed two-factor sign-in (django-otp)."""

    def authenticate(self, request: Request) -> tuple[Person, None] | None:
        user = getattr(request._request, "user", None)
        if not user or not user.is_active or getattr(user, "is_system", False):
            return None
        is_verified = getattr(user, "is_verified", None)
        if not callable(is_verified) or not is_verified():
            return None
        self.enforce_csrf(request)
        return user, None
