"""Read side: every list of events goes through `events_visible_to`, every event through
`get_event_for_user`; briefings through `briefings_visible_to` / `get_briefing_for_user`. What the person
may not see answers 404, exactly like what does not exist. Registrations (the waiting list included) and
evaluations are listed only to the people who manage or facilitate the event (`registrations_visible_to`);
anyone else sees their own only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet

from safeguarding.agencies.enums import Role
from safeguarding.agencies.models import Agency, Membership
from safeguarding.core.access import get_or_404, is_active_person
from safeguarding.learning.enums import EventStatus
from safeguarding.learning.models import (
    Attendance,
    Evaluation,
    Invitation,
    LearningBriefing,
    LearningEvent,
    LearningEventQuerySet,
    Registration,
    RegistrationQuerySet,
)
from safeguarding.learning.permissions import (
    can_manage_learning,
    can_read_reports,
    can_see_registrations,
    invitation_memberships,
)

if TYPE_CHECKING:
    from safeguarding.core.types import Person, Viewer


def invited_condition(user: Person) -> Q:
    """Events whose invitations cover one of the person's memberships (agency or kind, role or any)."""
    q = Q(pk__in=[])
    for m in user.active_memberships:
        roles = [""] if m.role == Role.AGENCY_SYSTEM else ["", m.role]
        where = Q(agency_id=m.agency_id) | Q(agency__isnull=True, agency_kind=m.agency.kind)
        if m.role == Role.AGENCY_SYSTEM:
            # An agency's system acts for the whole agency: any invitation of its agency counts.
            q |= Q(Exists(Invitation.objects.filter(where, event_id=OuterRef("pk"))))
        else:
            q |= Q(Exists(Invitation.objects.filter(where, event_id=OuterRef("pk"), role__in=roles)))
    return q


def events_visible_to(user: Viewer) -> LearningEventQuerySet:
    """The business unit: all. Others: published events they are invited to, registered for or facilitate."""
    if not is_active_person(user):
        return LearningEvent.objects.none()
    if can_manage_learning(user):
        return LearningEvent.objects.all()
    registered = Registration.objects.filter(event_id=OuterRef("pk"), user_id=user.pk)
    visible = invited_condition(user) | Q(Exists(registered)) | Q(facilitator_id=user.pk)
    return LearningEvent.objects.filter(visible).exclude(status=EventStatus.DRAFT)


def upcoming_invitations(user: Person) -> LearningEventQuerySet:
    """Published events not yet over that the person is invited to. The same rows as
    `events_visible_to(user).published().upcoming().filter(invited_condition(user))` (an invitation
    makes a published event visible to anyone), without asking the other ways of seeing one."""
    return LearningEvent.objects.published().upcoming().filter(invited_condition(user))


def with_related(qs: LearningEventQuerySet) -> LearningEventQuerySet:
    return qs.select_related("facilitator", "review", "created_by").prefetch_related("themes", "invitations__agency")


def get_event_for_user(user: Viewer, pk: Any) -> LearningEvent:
    return get_or_404(with_related(events_visible_to(user)), pk)


def registrations_visible_to(user: Person, event: LearningEvent) -> RegistrationQuerySet:
    """Everyone's registrations for the business unit and the facilitator; only one's own for others."""
    qs = Registration.objects.filter(event=event).select_related("user", "agency")
    return qs if can_see_registrations(user, event) else qs.filter(user_id=user.pk)


def attendance_visible_to(user: Person, event: LearningEvent) -> QuerySet[Attendance]:
    qs = Attendance.objects.filter(event=event).select_related("user", "agency", "recorded_by")
    return qs if can_see_registrations(user, event) else qs.filter(user_id=user.pk)


def evaluations_visible_to(user: Viewer) -> QuerySet[Evaluation]:
    """Evaluations feed the reports (business unit, scrutineers); a practitioner sees their own only."""
    if not is_active_person(user):
        return Evaluation.objects.none()
    if can_read_reports(user):
        return Evaluation.objects.all()
    return Evaluation.objects.filter(user_id=user.pk)


def active_registration(user: Person, event: LearningEvent) -> Registration | None:
    """The person's live registration: a place, or a place on the waiting list (see its `status`)."""
    return Registration.objects.live().filter(event=event, user_id=user.pk).first()


def waiting_list(event: LearningEvent) -> QuerySet[Registration]:
    """The people waiting for a place, first in the queue first (the organisers' view: check
    `can_see_registrations` before showing it)."""
    return Registration.objects.waiting().filter(event=event).select_related("user", "agency")


def waiting_position(registration: Registration) -> int | None:
    """Where a waiting person is in the queue (1 = next to get a place); None when not waiting."""
    if not registration.is_waiting:
        return None
    ahead = Q(registered_at__lt=registration.registered_at) | Q(
        registered_at=registration.registered_at, pk__lt=registration.pk
    )
    return Registration.objects.waiting().filter(ahead, event_id=registration.event_id).count() + 1


def waiting_count(event: LearningEvent) -> int:
    return Registration.objects.waiting().filter(event=event).count()


def invited_agencies(event: LearningEvent) -> QuerySet[Agency]:
    """The active agencies the event's invitations cover (one agency, or each of a kind), whatever the role."""
    invitations = list(event.invitations.all())
    ids = [i.agency_id for i in invitations if i.agency_id]
    kinds = [i.agency_kind for i in invitations if not i.agency_id]
    return Agency.objects.filter(Q(pk__in=ids) | Q(kind__in=kinds), is_active=True).order_by("name")


def walk_in_membership(user: Person, event: LearningEvent) -> Membership | None:
    """The agency and role a walk-in with an account came for: a membership the invitations cover, else
    any of theirs in an invited agency (someone whose role was not invited may still come)."""
    covered = invitation_memberships(user, event)
    if covered:
        return covered[0]
    agencies = set(invited_agencies(event).values_list("pk", flat=True))
    return next((m for m in user.active_memberships if m.agency_id in agencies and m.role != Role.AGENCY_SYSTEM), None)


def walk_in_candidates(event: LearningEvent) -> QuerySet[Any]:
    """People with an account who could be recorded as walk-ins: active people in an invited agency,
    without a place on the event and without attendance recorded for it."""
    User = get_user_model()
    with_place = Registration.objects.with_place().filter(event=event).values("user_id")
    recorded = Attendance.objects.filter(event=event, user__isnull=False).values("user_id")
    return (
        User.objects.filter(
            is_active=True,
            is_system=False,
            memberships__is_active=True,
            memberships__agency__in=invited_agencies(event),
        )
        .exclude(pk__in=with_place)
        .exclude(pk__in=recorded)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def briefings_visible_to(user: Viewer) -> QuerySet[LearningBriefing]:
    """Published briefings for everyone signed in to the partnership; drafts for the business unit."""
    if not is_active_person(user):
        return LearningBriefing.objects.none()
    if can_manage_learning(user):
        return LearningBriefing.objects.all()
    return LearningBriefing.objects.published()


def get_briefing_for_user(user: Viewer, pk: Any) -> LearningBriefing:
    return get_or_404(
        briefings_visible_to(user).select_related("review", "published_by").prefetch_related("findings__themes"), pk
    )


def evaluations_owed(user: Viewer) -> LearningEventQuerySet:
    """Events the person attended (attendance is recorded once an event has started) without their evaluation."""
    if not is_active_person(user) or user.is_system:
        return LearningEvent.objects.none()
    attended = Attendance.objects.filter(event_id=OuterRef("pk"), user_id=user.pk, attended=True)
    evaluated = Evaluation.objects.filter(event_id=OuterRef("pk"), user_id=user.pk)
    return LearningEvent.objects.filter(Exists(attended)).exclude(Exists(evaluated)).order_by("-ends_at")


def follow_ups_owed(user: Viewer) -> LearningEventQuerySet:
    """Events whose follow-up survey the person was sent and has not answered."""
    from safeguarding.learning.models import FollowUpRequest, FollowUpResponse

    if not is_active_person(user) or user.is_system:
        return LearningEvent.objects.none()
    sent = FollowUpRequest.objects.filter(event_id=OuterRef("pk"), user_id=user.pk)
    answered = FollowUpResponse.objects.filter(event_id=OuterRef("pk"), user_id=user.pk)
    return LearningEvent.objects.filter(Exists(sent)).exclude(Exists(answered)).order_by("-ends_at")
