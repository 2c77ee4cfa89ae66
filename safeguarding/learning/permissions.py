"""Who may do what with learning events and briefings, declared once (rules predicates) and asked by
pages, the API, templates and the services alike.

- The business unit and administrators manage events, invitations and briefings, and see everything.
- An event's organisers (the business unit, and the event's facilitator) see its registrations and
  waiting list, take people off them, and record attendance, walk-ins included.
- Practitioners (anyone else signed in) see published events they are invited to (or registered for),
  register (or join the waiting list when it is full), evaluate events they attended, and read
  published briefings.
- Scrutineers read the reports. Nobody else sees another person's registration or evaluation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeGuard

import rules
from django.core.exceptions import ValidationError

from safeguarding.agencies.enums import Role
from safeguarding.core import kernel
from safeguarding.core.access import is_active_person
from safeguarding.learning.enums import BriefingStatus, EventStatus
from safeguarding.learning.models import LearningEvent

if TYPE_CHECKING:
    from safeguarding.core.types import Person, Viewer

MANAGING_ROLES = frozenset({Role.BUSINESS_UNIT, Role.ADMINISTRATOR})


def _is_person(user: Viewer | None) -> TypeGuard[Person]:
    """Signed in as a person (not an agency system's token)."""
    return is_active_person(user) and not user.is_system


# The predicate (for rules and the navigation); the module's own predicates call `_is_person`, which
# narrows `user` for the type checker.
is_person = rules.predicate(_is_person, name="is_person")


@rules.predicate
def can_manage_learning(user: Viewer) -> bool:
    return _is_person(user) and bool(user.roles & MANAGING_ROLES)


@rules.predicate
def can_read_reports(user: Viewer) -> bool:
    return can_manage_learning(user) or (_is_person(user) and user.has_role(Role.SCRUTINEER))


@rules.predicate
def is_facilitator(user: Viewer, event: LearningEvent) -> bool:
    return _is_person(user) and event is not None and event.facilitator_id == user.pk


@rules.predicate
def can_organise(user: Viewer, event: LearningEvent) -> bool:
    """The event's organisers — the business unit, or the event's facilitator — once it is published (not
    cancelled): they record attendance and walk-ins, and take people off the register or the waiting list."""
    if event is None or event.status != EventStatus.PUBLISHED:
        return False
    return bool(can_manage_learning(user) or is_facilitator(user, event))


@rules.predicate
def can_see_registrations(user: Viewer, event: LearningEvent) -> bool:
    """Everyone's registrations and the waiting list: the business unit and the event's facilitator."""
    return event is not None and bool(can_manage_learning(user) or is_facilitator(user, event))


# Recording attendance (walk-ins included) is the organisers' job.
can_record_attendance = can_organise


def invitation_memberships(user: Viewer, event: LearningEvent) -> list[Any]:
    """The person's memberships that the event's invitations cover (the first is used to register)."""
    if not _is_person(user):
        return []
    invitations = list(event.invitations.all())
    return [m for m in user.active_memberships if any(i.covers(m.agency, m.role) for i in invitations)]


@rules.predicate
def is_invited(user: Viewer, event: LearningEvent) -> bool:
    return event is not None and bool(invitation_memberships(user, event))


rules.add_perm("learning.use", is_person)
rules.add_perm("learning.manage", can_manage_learning)
rules.add_perm("learning.see_registrations", can_see_registrations)
rules.add_perm("learning.read_reports", can_read_reports)
rules.add_perm("learning.record_attendance", can_record_attendance)
rules.add_perm("learning.organise", can_organise)
rules.add_perm("learning.register", is_invited)


# A briefing is written as a draft and published once (`briefings.publish_briefing`).
BRIEFING_WORKFLOW = kernel.Workflow(
    name="learning_briefing",
    noun="briefing",
    app_label="learning",
    transitions=[
        kernel.Transition(
            action="publish",
            label="Publish the briefing",
            sources=frozenset({BriefingStatus.DRAFT}),
            target=BriefingStatus.PUBLISHED,
            not_allowed="This briefing is already published.",
            who=lambda user, briefing: can_manage_learning(user),
        ),
    ],
)


# An event is drafted, published (invitees see it and register) and perhaps cancelled; the business unit
# may move it either way between the three (`services.update_event`).
EVENT_WORKFLOW = kernel.Workflow(
    name="learning_event",
    noun="event",
    transitions=[
        kernel.Transition(
            action=action,
            label=label,
            sources=frozenset(set(EventStatus) - {target}),
            target=target,
            not_allowed="Only the business unit can change learning events.",
            who=lambda user, event: can_manage_learning(user),
        )
        for action, label, target in (
            ("publish", "Publish the event", EventStatus.PUBLISHED),
            ("cancel", "Cancel the event", EventStatus.CANCELLED),
            ("return_to_draft", "Return the event to draft", EventStatus.DRAFT),
        )
    ],
)


def event_action(from_status: str, to_status: str) -> str:
    """The workflow action that moves an event from one status to another ('' for no move)."""
    if from_status == to_status:
        return ""
    for action in EVENT_WORKFLOW:
        transition = EVENT_WORKFLOW[action]
        if transition.target == to_status and from_status in transition.sources:
            return str(action)
    raise ValidationError({"status": "Choose draft, published or cancelled."})
