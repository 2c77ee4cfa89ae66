from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

# Paths a signed-in person who has not yet passed two-factor authentication may reach. The API
# endpoints and their documentation are left to the API's authentication classes (which accept
# only sessions that passed two-factor); every other page, /api/tokens/ included, needs it here.
_OPEN_PREFIXES = ("/sign-in", "/sign-out", "/static/", "/healthz", "/api/v1/", "/api/schema/", "/api/docs/")


class RequireTwoFactorMiddleware:
    """Every page needs a second factor: a person signed in with a password only is sent to
    enter (or set up) their authenticator app code before anything else.

    The API is left to its own authentication classes, which accept only verified sessions.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not user.is_verified() and not request.path.startswith(_OPEN_PREFIXES):  # type: ignore[union-attr,attr-defined]
            from django_otp.plugins.otp_totp.models import TOTPDevice

            has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
            target = reverse("accounts:two-factor" if has_device else "accounts:two-factor-setup")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
