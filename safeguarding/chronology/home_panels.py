"""What the chronology app shows on the home page: imports, for the people who may import."""

from __future__ import annotations

from typing import TYPE_CHECKING

from safeguarding.chronology import permissions, queries
from safeguarding.core.home import Panel

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


def imports(request: PersonRequest) -> Panel | None:
    if not permissions.can_import(request.user):
        return None
    latest = list(queries.batches_visible_to(request.user).order_by("-created_at", "-id")[:3])
    return Panel("chronology/panels/imports.html", {"latest": latest})
