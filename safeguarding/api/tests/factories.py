"""API-specific test helpers. People, agencies and children come from `safeguarding.testing.factories`."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from safeguarding.agencies.models import Agency
from safeguarding.api.models import AgencyApiToken
from safeguarding.api.services import create_api_token


def make_token(agency: Agency, name: str | None = None) -> tuple[AgencyApiToken, str]:
    """A live token for `agency` and its plain key (created as a management command would)."""
    return create_api_token(actor=None, agency=agency, name=name or f"{agency.code} case system", system=True)


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def signed_in_client(user: Any, *, verified: bool) -> Client:
    """A browser-like client signed in as `user`, with or without the second factor passed.

    Passing two-factor is what django_otp.login() does: it keeps the device's persistent id in the
    session, which OTPMiddleware checks on every request.
    """
    client = Client()
    client.force_login(user)
    if verified:
        device = TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
