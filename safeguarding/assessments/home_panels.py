"""What the assessments app shows on the home page: the person's own drafts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from safeguarding.assessments import queries
from safeguarding.assessments.enums import AssessmentStatus
from safeguarding.core import facts
from safeguarding.core.home import Panel

if TYPE_CHECKING:
    from safeguarding.core.types import PersonRequest


def my_drafts(request: PersonRequest) -> Panel | None:
    user = request.user
    if not user.has_perm("assessments.assess") or not facts.holds(user, "assessments.has_a_draft"):
        return None
    drafts = list(
        queries.with_related(queries.assessments_visible_to(user))
        .filter(status=AssessmentStatus.DRAFT, assessor_id=user.pk)
        .order_by("-updated_at")[:10]
    )
    if not drafts:
        return None
    return Panel("assessments/panels/drafts.html", {"drafts": drafts})


def _own_drafts(user: Any) -> Any:
    from safeguarding.assessments.models import Assessment

    return Assessment.objects.filter(status=AssessmentStatus.DRAFT, assessor_id=user.pk)


# Whether the person has any draft as assessor (asked with the home page's other facts, one query).
facts.register("assessments.has_a_draft", _own_drafts, group=facts.HOME)
