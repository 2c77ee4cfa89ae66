"""OpenAPI descriptions of our authentication classes (loaded in ApiConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class AgencyTokenScheme(OpenApiAuthenticationExtension):
    target_class = "safeguarding.api.authentication.AgencyTokenAuthentication"
    name = "agencyToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "An agency system token, sent as `Authorization: Token <key>` (the word Token, a space, "
                "then the key). An administrator creates tokens at /api/tokens/; the key is shown once."
            ),
        }


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    target_class = "safeguarding.api.authentication.VerifiedSessionAuthentication"
    name = "verifiedSession"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": (
                "The session of a person signed in to the Safeguarding Hub with two-factor authentication. "
                "Requests that change data also need the CSRF token in the X-CSRFToken header."
            ),
        }
