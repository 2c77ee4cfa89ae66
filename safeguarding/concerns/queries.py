"""Read-side access to alerts: every list goes through `alerts_visible_to`, every detail through
`get_alert_for_user` (404 for what the person may not see — the same answer as for no alert)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from safeguarding.agencies.enums import Role
from safeguarding.children.models import Involvement
from safeguarding.children.queries import visible_child_condition
from safeguarding.chronology.models import Event
from safeguarding.concerns.enums import LEAD_PROFESSIONAL, OPEN_STATUSES
from safeguarding.concerns.models import Alert
from safeguarding.core.access import get_or_404
from safeguarding.core.restriction import can_see_restricted

if TYPE_CHECKING:
    from safeguarding.core.types import Person, Viewer


def alerts_visible_to(user: Viewer) -> QuerySet[Alert]:
    """Alerts about children whose record this person may see."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Alert.objects.none()
    return Alert.objects.filter(visible_child_condition(user, "child_id")).select_related("rule", "child")


def get_alert_for_user(user: Viewer, pk: Any) -> Alert:
    return get_or_404(alerts_visible_to(user), pk)


def responsible_condition(user: Person) -> Q:
    """Open alerts put in front of this person: they are a lead professional for the child, a
    safeguarding lead of an agency involved with the child, or hold a role the rule notifies there.

    Each test is a correlated EXISTS on the alert's child (the involvement indexes on child and on
    agency and child), not `child_id IN (…)`: SQLite builds an IN list of every child the agency works
    with (20,000 for a health trust in the large demo) before reading the first alert."""
    today = timezone.localdate()
    active = Involvement.objects.active_on(today).filter(child_id=OuterRef("child_id"))
    q = Q(Exists(active.filter(lead_professional=user)))
    for membership in user.active_memberships:
        involved = Exists(active.filter(agency_id=membership.agency_id))
        if membership.role == Role.SAFEGUARDING_LEAD:
            q |= Q(involved)
        else:
            q |= Q(involved, rule__notifies__contains=f",{membership.role},")
    return q


def responsible_alerts(user: Person) -> QuerySet[Alert]:
    return (
        alerts_visible_to(user)
        .filter(status__in=OPEN_STATUSES)
        .filter(responsible_condition(user))
        .order_by("status", "-raised_at", "-pk")
    )


def recipients(alert: Alert) -> list[Any]:
    """The people a new alert is emailed to, per its rule's `notifies`."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    notifies = set(alert.rule.notify_list)
    active = Involvement.objects.active_on(timezone.localdate()).filter(child_id=alert.child_id)
    q = Q(pk__in=[])
    if LEAD_PROFESSIONAL in notifies:
        q |= Q(pk__in=active.exclude(lead_professional=None).values("lead_professional_id"))
    roles = sorted(notifies - {LEAD_PROFESSIONAL})
    if roles:
        q |= Q(
            memberships__agency_id__in=active.values("agency_id"),
            memberships__role__in=roles,
            memberships__is_active=True,
        )
    people = User.objects.filter(q, is_active=True, is_system=False).exclude(email="").distinct()
    # Only people who may see the child's record (a restricted involvement hides it from others).
    return [p for p in people if alerts_visible_to(p).filter(pk=alert.pk).exists()]


@dataclass(frozen=True)
class EvidenceRow:
    event: Event | None  # None: restricted, not shown to this person
    event_id: int
    is_current: bool
    current_id: int | None


def evidence_shown_to(user: Person, alert: Alert) -> tuple[list[EvidenceRow], int]:
    """The alert's evidence this person may read, in date order, and how many restricted entries
    they may not (they see that those exist, not what they say)."""
    memberships = [(m.agency_id, m.role) for m in user.active_memberships]
    events = list(
        Event.objects.filter(pk__in=alert.evidence.values("event_id"))
        .select_related("agency", "event_type")
        .order_by("occurred_on", "pk")
    )
    superseded = [e.lineage for e in events if not e.is_current]
    current = (
        dict(Event.objects.filter(lineage__in=superseded, is_current=True).values_list("lineage", "pk"))
        if superseded
        else {}
    )
    rows, hidden = [], 0
    for event in events:
        if not can_see_restricted(memberships, event):
            hidden += 1
            continue
        rows.append(EvidenceRow(event, event.pk, event.is_current, current.get(event.lineage)))
    return rows, hidden


def evidence_ids(alert: Alert) -> list[int]:
    return list(alert.evidence.order_by("event_id").values_list("event_id", flat=True))
