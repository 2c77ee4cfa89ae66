"""What the dashboards app shows on the home page: the business unit's headline figures."""

from __future__ import annotations

from django.http import HttpRequest

from safeguarding.core.home import Panel
from safeguarding.dashboards import permissions
from safeguarding.dashboards.figures import headline


def headline_figures(request: HttpRequest) -> Panel | None:
    if not permissions.sees_headline_panel(request.user):
        return None
    return Panel("dashboards/panels/headline.html", {"headline": headline()})
