"""Read-side access to assessments. Lists go through `assessments_visible_to`, details through
`get_assessment_for_user`, which answers 404 for what the person may not see — the same answer as
for an assessment that does not exist.

An assessment is visible to whoever may see its child (children.queries): completed ones to all of
them, whatever agency made it; a draft only to its assessor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from safeguarding.assessments.enums import AssessmentStatus
from safeguarding.assessments.models import (
    Assessment,
    AssessmentCitation,
    AssessmentTemplate,
    Descriptor,
    GradeCitation,
    TrainedAssessor,
)
from safeguarding.assessments.permissions import is_administrator, is_trained, lead_agency_ids
from safeguarding.children.models import Child
from safeguarding.children.queries import children_visible_to, visible_child_condition
from safeguarding.core.access import get_or_404, is_active_person
from safeguarding.core.restriction import restriction_q

if TYPE_CHECKING:
    from safeguarding.core.types import Person, Viewer


def memberships(user: Person) -> list[tuple[int, str]]:
    return [(m.agency_id, m.role) for m in user.active_memberships]


def assessments_visible_to(user: Viewer) -> QuerySet[Assessment]:
    if not is_active_person(user):
        return Assessment.objects.none()
    return Assessment.objects.filter(visible_child_condition(user, "child_id")).filter(
        Q(status=AssessmentStatus.COMPLETED) | Q(assessor_id=user.pk)
    )


def with_related(qs: QuerySet[Assessment]) -> QuerySet[Assessment]:
    return qs.select_related("child", "template", "assessor", "agency")


def get_assessment_for_user(user: Viewer, pk: Any) -> Assessment:
    return get_or_404(with_related(assessments_visible_to(user)), pk)


def assessments_for_child(user: Viewer, child: Child) -> QuerySet[Assessment]:
    """The child's assessments this person may see, oldest first (the caller checked the child)."""
    return with_related(assessments_visible_to(user).filter(child=child)).order_by("assessed_on", "id")


def latest_completed(user: Viewer, child: Child) -> Assessment | None:
    return (
        with_related(assessments_visible_to(user).filter(child=child, status=AssessmentStatus.COMPLETED))
        .order_by("-assessed_on", "-completed_at", "-id")
        .first()
    )


def templates_visible_to(user: Viewer) -> QuerySet[AssessmentTemplate]:
    if not is_active_person(user):
        return AssessmentTemplate.objects.none()
    return AssessmentTemplate.objects.all().order_by("name", "-version")


def startable_templates(user: Viewer) -> list[AssessmentTemplate]:
    """Active templates (latest version of each code) this person is trained for."""
    latest: dict[str, AssessmentTemplate] = {}
    for template in AssessmentTemplate.objects.active().order_by("code", "-version"):
        latest.setdefault(template.code, template)
    return [t for t in latest.values() if is_trained(user, t)]


def descriptors_for(user: Viewer, template: AssessmentTemplate) -> dict[tuple[str, int], str]:
    """Licensed descriptor wording by (unit key, grade): only for people trained for the template."""
    if not is_trained(user, template):
        return {}
    rows = Descriptor.objects.filter(sub_area__area__template=template).select_related("sub_area", "item")
    return {(d.item.code if d.item_id else d.sub_area.code, d.grade): d.text for d in rows}  # type: ignore[union-attr]


def training_visible_to(user: Viewer) -> QuerySet[TrainedAssessor]:
    """Training records an administrator (all) or a safeguarding lead (their agencies' people) keeps."""
    qs = TrainedAssessor.objects.select_related("user", "template", "recorded_by", "revoked_by")
    if is_administrator(user):
        return qs
    leads = lead_agency_ids(user)
    if not leads:
        return qs.none()
    return qs.filter(user__memberships__agency_id__in=leads, user__memberships__is_active=True).distinct()


@dataclass(frozen=True)
class CitedEntry:
    """A chronology entry cited as evidence; `event` is None when this person may not see it."""

    event_id: int
    event: Any

    @property
    def hidden(self) -> bool:
        return self.event is None


def cited_entries(user: Person, assessment: Assessment) -> dict[int, list[CitedEntry]]:
    """Per grade id, the entries its evidence cites: restricted entries this person may not see are
    shown only as "restricted entry" (never their type, date, agency or words)."""
    from safeguarding.chronology.models import Event

    links = list(GradeCitation.objects.filter(grade__assessment=assessment).order_by("grade_id", "event_id"))
    ids = {link.event_id for link in links}
    visible = {
        e.pk: e
        for e in Event.objects.filter(pk__in=ids)
        .filter(restriction_q(memberships(user)))
        .select_related("agency", "event_type")
    }
    out: dict[int, list[CitedEntry]] = {}
    for link in links:
        out.setdefault(link.grade_id, []).append(CitedEntry(link.event_id, visible.get(link.event_id)))
    return out


def citations_for(user: Viewer, *, escalation: Any = None, review: Any = None) -> list[AssessmentCitation]:
    """Assessments cited in this escalation or review that this person may see (their child included)."""
    qs = AssessmentCitation.objects.filter(assessment__in=assessments_visible_to(user)).select_related(
        "assessment__child", "assessment__template", "assessment__agency", "assessment__assessor", "cited_by"
    )
    if escalation is not None:
        qs = qs.filter(escalation=escalation)
    elif review is not None:
        qs = qs.filter(review=review)
    else:
        return []
    return list(qs.order_by("cited_at", "id"))


def citable_escalations(user: Viewer, assessment: Assessment) -> QuerySet[Any]:
    from safeguarding.escalations.queries import escalations_visible_to

    return escalations_visible_to(user).filter(child_links__child=assessment.child).distinct().order_by("-raised_at")


def citable_reviews(user: Viewer, assessment: Assessment) -> QuerySet[Any]:
    from safeguarding.reviews.queries import reviews_visible_to

    return reviews_visible_to(user).filter(child_links__child=assessment.child).distinct().order_by("-created_at")


def children_to_assess(user: Viewer) -> QuerySet[Child]:
    return children_visible_to(user).order_by("last_name", "first_name", "id")
