from __future__ import annotations

import base64
from typing import TYPE_CHECKING

import segno
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding.accounts import services
from safeguarding.accounts.forms import SignInForm, TokenForm

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return reverse("core:home")


def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.user.is_verified():  # type: ignore[union-attr,attr-defined]
        return redirect(_next_url(request))
    form = SignInForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.user_cache
        login(request, user)
        services.record_sign_in_event(actor=user, action="user.signed_in_password")
        has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        target = "accounts:two-factor" if has_device else "accounts:two-factor-setup"
        # Encoded, so that a `next` with its own query string arrives whole at the second step.
        return redirect(f"{reverse(target)}?{urlencode({'next': _next_url(request)})}")
    return render(request, "accounts/sign_in.html", {"form": form, "next": _next_url(request)})


@login_required
def two_factor(request: PersonRequest) -> HttpResponse:
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return redirect("accounts:two-factor-setup")
    form = TokenForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            request.session.cycle_key()
            services.record_sign_in_event(actor=user, action="user.signed_in")
            return redirect(_next_url(request))
        form.add_error(
            "token",
            "The security code is not correct or has expired. Enter the code your app shows now."
            if allowed
            else "Too many wrong codes. Wait a minute, then enter the code your app shows now.",
        )
    return render(request, "accounts/two_factor.html", {"form": form, "next": _next_url(request)})


def _qr_data_uri(device: TOTPDevice) -> str:
    """The enrolment QR code as an image URI (an <img>, so the strict CSP needs no inline styles)."""
    svg = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#0b0c0c", light="#ffffff")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@login_required
def two_factor_setup(request: PersonRequest) -> HttpResponse:
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("accounts:two-factor")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    form = TokenForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            services.confirm_device(actor=user, device=device)
            otp_login(request, device)
            request.session.cycle_key()
            messages.success(request, "Two-factor authentication is set up.")
            return redirect(_next_url(request))
        form.add_error("token", "The security code is not correct. Enter the code your app shows now.")
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "qr": _qr_data_uri(device),
            "next": _next_url(request),
        },
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.record_sign_in_event(actor=request.user, action="user.signed_out")
    logout(request)
    messages.success(request, "You have signed out.")
    return redirect("accounts:sign-in")
