"""Read side: lists of audits go through `audits_visible_to`, details through `get_audit_for_user`,
a sampled child's audit page through `get_case_for_user`. What the person may not see answers 404,
exactly like what does not exist.

What an auditor sees of a sampled child (decided here, once): the child's name, date of birth and age,
the participating agencies' involvements in the period audited, and the chronology entries that the
auditor's own agency recorded about the child in that period (restricted entries only as the
chronology's own rule allows). Not the rest of the child's record. The partnership's time-limited
access grants (children.AccessGrant) are not used: a grant opens the whole record, starts when it is
given and lasts at most ACCESS_GRANT_MAX_DAYS, while an audit needs a narrower view that opens on the
audit's start date and ends on its end date.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from safeguarding.agencies.enums import Role
from safeguarding.audits import workflow
from safeguarding.audits.models import Audit, AuditCase
from safeguarding.children.models import Involvement
from safeguarding.chronology.models import Event
from safeguarding.core.access import get_or_404, is_active_person
from safeguarding.core.restriction import restriction_q

if TYPE_CHECKING:
    from safeguarding.core.types import Person, Viewer


def audits_visible_to(user: Viewer) -> QuerySet[Audit]:
    """The business unit and scrutineers: every audit (scrutineers see summaries only); the lead and
    auditors: theirs; an agency system: audits its agency takes part in."""
    if not is_active_person(user):
        return Audit.objects.none()
    if user.is_system:
        return Audit.objects.filter(agencies__in=user.agency_ids_with_role({Role.AGENCY_SYSTEM})).distinct()
    if workflow.is_business_unit(user) or workflow.is_scrutineer(user):
        return Audit.objects.all()
    return Audit.objects.filter(Q(lead_id=user.pk) | Q(auditors__user_id=user.pk)).distinct()


def with_related(qs: QuerySet[Audit]) -> QuerySet[Audit]:
    return qs.select_related("programme", "lead", "theme", "tool", "baseline")


def get_audit_for_user(user: Viewer, pk: Any) -> Audit:
    return get_or_404(with_related(audits_visible_to(user)), pk)


def get_case_for_user(user: Viewer, audit: Audit, pk: Any) -> AuditCase:
    """A sampled case, for those who may see this audit's case-level data (404 for everyone else)."""
    if not workflow.can_see_case_data(user, audit):
        return get_or_404(AuditCase.objects.none(), pk)
    return get_or_404(audit.cases.select_related("child"), pk)


def case_involvements(audit: Audit, case: AuditCase) -> QuerySet[Involvement]:
    """The participating agencies' (unrestricted) involvements with the child in the period audited."""
    return (
        Involvement.objects.filter(
            Q(end__isnull=True) | Q(end__gte=audit.period_from),
            child_id=case.child_id,
            agency__in=audit.agencies.all(),
            start__lte=audit.period_to,
            confidentiality="normal",
        )
        .select_related("agency")
        .order_by("agency__name", "start")
    )


def case_events(user: Person, audit: Audit, case: AuditCase) -> QuerySet[Event]:
    """Chronology entries the audit needs: auditors see their own agency's; the lead and business unit
    every participating agency's; in the period audited, restricted entries only where the person may."""
    agency_ids = workflow.own_agency_ids(user, audit)
    memberships = [(m.agency_id, m.role) for m in user.active_memberships]
    return (
        Event.objects.filter(
            child_links__child_id=case.child_id,
            child_links__is_current=True,
            child_links__occurred_on__gte=audit.period_from,
            child_links__occurred_on__lte=audit.period_to,
            agency_id__in=agency_ids,
        )
        .filter(restriction_q(memberships))
        .select_related("agency", "event_type")
        .order_by("child_links__occurred_on", "pk")
    )
