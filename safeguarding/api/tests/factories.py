"""API-specific test helpers. People, agencies and children come from `safeguarding.testing.factories`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from safeguarding.agencies.models import Agency
from safeguarding.api.models import AgencyApiToken
from safeguarding.api.services import create_api_token
from safeguarding.testing.personas import Cast, build_cast


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


@dataclass
class ApiCast:
    """The three personas as agency systems: a token for each agency of `cast`."""

    cast: Cast
    involved_token: AgencyApiToken
    involved_key: str
    partner_key: str
    unrelated_key: str

    def client(self, persona: str) -> APIClient:
        return token_client(getattr(self, f"{persona}_key"))


def build_api_cast() -> ApiCast:
    """The personas of `build_cast()` with a token for each of their agencies (the `api_cast` fixture)."""
    cast = build_cast()
    involved_token, involved_key = make_token(cast.agency)
    _, partner_key = make_token(cast.partner_agency)
    _, unrelated_key = make_token(cast.unrelated_agency)
    return ApiCast(cast, involved_token, involved_key, partner_key, unrelated_key)
