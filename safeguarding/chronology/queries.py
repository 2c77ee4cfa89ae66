"""Read-side access to chronology entries and import batches.

Lists go through `events_for_child` / `batches_visible_to`; details through
`get_batch_for_user`, which answers 404 for what the user may not see.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import Http404

from safeguarding.children.models import Child
from safeguarding.children.queries import children_visible_to
from safeguarding.chronology.models import Event, EventType, ImportBatch
from safeguarding.core.access import get_or_404
from safeguarding.core.restriction import restriction_q

if TYPE_CHECKING:
    from safeguarding.core.types import Person, Viewer


def memberships(user: Person) -> list[tuple[int, str]]:
    return [(m.agency_id, m.role) for m in user.active_memberships]


def events_for_child(user: Person, child: Child) -> QuerySet[Event]:
    """Current entries about `child` that `user` may see, in date order.

    The caller has already checked the child is visible (`get_child_for_user`); restricted
    entries show only to the recording agency's named roles. Served by the partial index
    `eventchild_child_current_date`.
    """
    return (
        Event.objects.filter(child_links__child=child, child_links__is_current=True)
        .filter(restriction_q(memberships(user)))
        .select_related("agency", "event_type")
        # Ordered by the link's copy of the date so the index gives the order too.
        .order_by("child_links__occurred_on", "child_links__event_id")
    )


def event_versions(event: Event) -> QuerySet[Event]:
    return Event.objects.filter(lineage=event.lineage).order_by("version")


def active_event_types() -> QuerySet[EventType]:
    return EventType.objects.active().order_by("label")


def batches_visible_to(user: Viewer) -> QuerySet[ImportBatch]:
    if user is None or not user.is_authenticated or not user.is_active:
        return ImportBatch.objects.none()
    return (
        ImportBatch.objects.filter(agency_id__in=user.case_agency_ids)
        .select_related("agency", "uploaded_by")
        .defer("content")
    )


def get_batch_for_user(user: Viewer, pk: Any) -> ImportBatch:
    return get_or_404(batches_visible_to(user), pk)


def get_event_for_user(user: Person, pk: int) -> tuple[Event, list[Child]]:
    """An entry (any version) the user may see: not restricted from them, about a child they see.

    404 otherwise — the same answer as for an id that does not exist.
    """
    event = (
        Event.objects.filter(pk=pk)
        .filter(restriction_q(memberships(user)))
        .select_related("agency", "event_type", "author", "import_batch", "entered_in_error_by")
        .first()
    )
    if event is None:
        raise Http404("No entry found")
    children = list(children_visible_to(user).filter(event_links__event=event).order_by("date_of_birth", "pk"))
    # Sharing in is not seeing: an agency sees its own entries about a child it is not involved
    # with, and nothing more of the child (the page names only the children it may see).
    if not children and not user.has_perm("chronology.record_event", event.agency):
        raise Http404("No entry found")
    return event, children
