"""What the dashboards app shows on the home page: the business unit's headline figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from safeguarding.core.home import Panel
from safeguarding.dashboards import permissions
from safeguarding.dashboards.figures import headline

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


def headline_figures(request: PersonRequest) -> Panel | None:
    if not permissions.sees_headline_panel(request.user):
        return None
    return Panel("dashboards/panels/headline.html", {"headline": headline()})
