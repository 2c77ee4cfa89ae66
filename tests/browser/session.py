"""Signing a journey's people in without the sign-in pages.

The journeys are about what people do once signed in; how they sign in (password, then the
authenticator's code) is `test_sign_in_and_find_a_child.py`'s subject, driven there through the pages.
Elsewhere `sign_in` gives the browser a session as those pages would leave it: Django's `login()` (the
test client's `force_login`, with its signals), the device that passed the second factor in the
session (what `django_otp.login` keeps), and the two activity log events the pages write. That is
three page loads less a sign-in (the sign-in form, the security code form and their two posts).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page

from safeguarding.accounts import services


def sign_in(page: Page, base_url: str, username: str, device: TOTPDevice) -> None:
    """`username` is signed in with `device` as their second factor; the browser is on the home page
    (where the sign-in pages' redirect leaves it)."""
    user: Any = get_user_model().objects.get(username=username)
    assert device.user_id == user.pk, "the device must be the person's"
    assert device.confirmed, "the device must be confirmed"
    client = Client()
    client.force_login(user)
    services.record_sign_in_event(actor=user, action="user.signed_in_password")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    services.record_sign_in_event(actor=user, action="user.signed_in")
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": base_url}])
    page.goto(f"{base_url}/")
