"""What the escalations app adds to other apps' pages (core.sections): the escalations about a child on
the child's summary page, those this person may see (the escalation pages' own rule)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import timezone

from safeguarding.core.sections import Section, Upcoming
from safeguarding.escalations import queries

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


def child_summary_section(request: PersonRequest, child: Any) -> Section:
    rows = list(
        queries.escalations_visible_to(request.user)
        .filter(child_links__child_id=child.pk)
        .select_related("stage", "raising_agency", "receiving_agency")
        .distinct()
        .order_by("-pk")[:20]
    )
    upcoming = [
        Upcoming(
            timezone.localdate(e.stage_due_at),
            f"Response due: escalation {e.reference}",
            reverse("escalations:detail", args=[e.pk]),
        )
        for e in rows
        if e.is_open and not e.is_overdue
    ]
    return Section("escalations/sections/summary.html", {"rows": rows, "upcoming": upcoming})
