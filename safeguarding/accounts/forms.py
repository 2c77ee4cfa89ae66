from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest

from safeguarding.core.forms import GovUKForm


class SignInForm(GovUKForm):
    username = forms.CharField(
        label="Username",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    @staticmethod
    def invalid_login_message() -> str:
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        return (
            f"Enter a correct username and password. After {settings.AXES_FAILURE_LIMIT} failed attempts "
            f"sign-in is locked for {minutes} minutes."
        )

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user_cache: Any = None
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        username, password = cleaned.get("username"), cleaned.get("password")
        if username and password:
            # django-axes needs the request to count failures per username and IP address.
            user = authenticate(self.request, username=username, password=password)
            if user is None or getattr(user, "is_system", False) or not user.is_active:
                raise forms.ValidationError(self.invalid_login_message(), code="invalid_login")
            self.user_cache = user
        return cleaned


class TokenForm(GovUKForm):
    token = forms.CharField(
        label="Security code",
        help_text="The 6-digit code shown in your authenticator app.",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "class": "govuk-input--width-5",
                "spellcheck": "false",
            }
        ),
        error_messages={
            "required": "Enter the 6-digit security code from your authenticator app",
            "min_length": "Enter the security code in 6 digits",
            "max_length": "Enter the security code in 6 digits",
        },
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError("The security code must be 6 digits, like 123456.")
        return token
