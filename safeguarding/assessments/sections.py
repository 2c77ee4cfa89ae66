"""What the assessments app adds to other apps' pages (core.sections): the latest completed assessment
on the child's record, and the assessments cited in an escalation or a case review. Each factory applies
this app's own access rules: it never shows more than the assessment pages would."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from safeguarding.assessments import queries
from safeguarding.assessments.compare import summary_of
from safeguarding.assessments.enums import AssessmentStatus
from safeguarding.core.sections import Section

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


def child_section(request: PersonRequest, child: Any) -> Section | None:
    user = request.user
    visible = queries.assessments_visible_to(user).filter(child=child)
    latest = queries.latest_completed(user, child)
    drafts = list(visible.filter(status=AssessmentStatus.DRAFT, assessor_id=user.pk).order_by("-updated_at")[:5])
    can_start = bool(queries.startable_templates(user)) and user.has_perm("assessments.start")
    if latest is None and not drafts and not can_start:
        return None
    return Section(
        "assessments/sections/child.html",
        {
            "child": child,
            "latest": latest,
            "summary": summary_of(latest) if latest else [],
            "completed_count": visible.filter(status=AssessmentStatus.COMPLETED).count(),
            "drafts": drafts,
            "can_start": can_start,
        },
    )


def escalation_section(request: PersonRequest, escalation: Any) -> Section | None:
    citations = queries.citations_for(request.user, escalation=escalation)
    if not citations:
        return None
    return Section("assessments/sections/citations.html", {"citations": citations, "where": "escalation"})


def review_section(request: PersonRequest, review: Any) -> Section | None:
    citations = queries.citations_for(request.user, review=review)
    if not citations:
        return None
    return Section("assessments/sections/citations.html", {"citations": citations, "where": "review"})


def child_summary_section(request: PersonRequest, child: Any) -> Section:
    """The latest completed assessment on the child's summary page."""
    latest = queries.latest_completed(request.user, child)
    return Section("assessments/sections/summary.html", {"latest": latest})
