"""Swagger UI for the API, served from our own static files under the site's strict CSP.

drf-spectacular's page has an inline <style> and an inline <script>. Ours moves the style to a
static file and marks the script with the request's CSP nonce, so no policy is relaxed.
"""

from __future__ import annotations

import json
from typing import Any

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework.request import Request
from rest_framework.response import Response


class ApiDocsView(SpectacularSwaggerView):
    template_name = "api/swagger_ui.html"
    title = "Safeguarding Hub API"

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().get(request, *args, **kwargs)
        response.data["settings"] = self._local_settings(response.data["settings"])
        # drf-spectacular relaxes this for OAuth2 pop-ups, which we do not use: keep the site's
        # own policy (SecurityMiddleware sets it when the response has none).
        response.headers.pop("Cross-Origin-Opener-Policy", None)
        return response

    @staticmethod
    def _local_settings(dumped: str) -> str:
        """Switch off the online validator badge (an image from validator.swagger.io), the saving of
        the token in the browser's local storage, and deep links (each operation's link sits inside its
        expand button: a control inside a control, which screen readers may not announce)."""
        try:
            settings = json.loads(dumped)
        except ValueError:  # settings given as JavaScript text: leave them as they are
            return dumped
        if not isinstance(settings, dict):
            return dumped
        settings.update({"validatorUrl": None, "persistAuthorization": False, "deepLinking": False})
        return json.dumps(settings, indent=2)
