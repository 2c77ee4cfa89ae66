"""Learning events and learning briefings (domain.md §8).

A `LearningEvent` (workshop, briefing session, conference, group or joint supervision) has themes (the
reviews' `Theme` taxonomy), an optional linked review or an anonymised case study, and `Invitation`s by
agency (one agency, or every agency of a kind) and role. Invited people `Register`; the number of
places taken is kept on the event (`places_taken`) and raised by one conditional UPDATE that a database
constraint backs (`places_taken <= capacity`), so two people taking the last place at once can never
both get it, on SQLite or PostgreSQL. The facilitator or the business unit records `Attendance`;
attendees give one `Evaluation` (confidence before and after, 1–5) and, after the event's follow-up
period, one `FollowUpResponse` to the survey they are emailed once (`FollowUpRequest`).

When every place is taken, registering puts the person on the event's waiting list: a `Registration`
with status "waiting", in the order they asked (`registered_at`, then id). When a place comes free (a
cancellation, the organiser taking someone off, more places) the first waiting person is moved into it
(`services.promote_from_waiting_list`). People who come without registering are recorded as walk-ins:
an `Attendance` with no registration, for a person with an account or, by hand, a name with an agency
and role.

A `LearningBriefing` turns a review's findings into a one-page briefing for practitioners: drafts are
the business unit's; published briefings are read by everyone signed in to the partnership.

Case study and briefing text never holds a child's real name (`anonymise.py`, checked by the services).
Events and briefings carry a `version` that every change checks: a stale form is refused, never applied.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from safeguarding.agencies.enums import AgencyKind, Role
from safeguarding.agencies.models import Agency
from safeguarding.learning.enums import (
    BriefingStatus,
    Confidence,
    Delivery,
    EventKind,
    EventStatus,
    PracticeChanged,
    RegistrationStatus,
)
from safeguarding.reviews.models import Finding, Review, Theme

# Longest text of each briefing section: four sections this long still fit on one A4 page.
BRIEFING_SECTION_MAX = 900
BRIEFING_TITLE_MAX = 150


class LearningEventQuerySet(models.QuerySet["LearningEvent"]):
    def published(self) -> LearningEventQuerySet:
        return self.filter(status=EventStatus.PUBLISHED)

    def upcoming(self) -> LearningEventQuerySet:
        return self.filter(ends_at__gte=timezone.now())

    def past(self) -> LearningEventQuerySet:
        return self.filter(ends_at__lt=timezone.now())


class LearningEvent(models.Model):
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="What the event covers and who it is for.")
    themes = models.ManyToManyField(Theme, blank=True, related_name="learning_events")
    review = models.ForeignKey(Review, null=True, blank=True, on_delete=models.PROTECT, related_name="learning_events")
    # Anonymised: the review's pseudonyms and title only (checked by the services, see anonymise.py).
    case_study = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    delivery = models.CharField(max_length=16, choices=Delivery.choices, default=Delivery.IN_PERSON)
    venue = models.CharField(max_length=300, blank=True, help_text="The address, or how to join online.")
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="facilitated_events"
    )
    facilitator_name = models.CharField(
        max_length=200, blank=True, help_text="An external facilitator, when nobody in the partnership leads it."
    )
    capacity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    # Registrations not cancelled. Changed only by one conditional UPDATE (services.register_for_event).
    places_taken = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=EventStatus.choices, default=EventStatus.DRAFT)
    follow_up_after_days = models.PositiveSmallIntegerField(
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
        help_text="Days after the event when attendees are asked whether their practice changed.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = LearningEventQuerySet.as_manager()

    MASKED_FIELDS = ("case_study",)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="learning_event_capacity_positive"),
            # The backstop against overbooking: the database refuses more places than the capacity.
            models.CheckConstraint(condition=Q(places_taken__lte=F("capacity")), name="learning_event_not_overbooked"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="learning_event_ends_after_start"),
            models.CheckConstraint(
                condition=Q(follow_up_after_days__gte=1), name="learning_event_follow_up_after_a_day"
            ),
        ]
        indexes = [
            # The events list (upcoming / past by status) and the reports' period filter.
            models.Index(fields=["status", "starts_at"], name="learning_event_status_start"),
            # The follow-up scan: published events that ended before a date.
            models.Index(fields=["status", "ends_at"], name="learning_event_status_end"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def reference(self) -> str:
        return f"LE-{self.pk:05d}" if self.pk else "LE-new"

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.places_taken, 0)

    @property
    def is_full(self) -> bool:
        return self.places_taken >= self.capacity

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def has_ended(self) -> bool:
        return self.ends_at < timezone.now()

    @property
    def facilitator_label(self) -> str:
        if self.facilitator_id:
            return str(self.facilitator)
        return self.facilitator_name or "Not yet named"

    def follow_up_due_on(self) -> date:
        """The day the follow-up survey goes: `follow_up_after_days` after the day the event ended."""
        return timezone.localdate(self.ends_at) + timedelta(days=self.follow_up_after_days)


class Invitation(models.Model):
    """Who is invited: one agency or every agency of a kind, and one role or every role (`role` blank)."""

    event = models.ForeignKey(LearningEvent, on_delete=models.CASCADE, related_name="invitations")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    agency_kind = models.CharField(max_length=32, choices=AgencyKind.choices, blank=True)
    role = models.CharField(max_length=32, choices=Role.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["event", "agency_kind", "agency__name", "role"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(agency__isnull=False) & Q(agency_kind="")) | (Q(agency__isnull=True) & ~Q(agency_kind="")),
                name="invitation_agency_or_kind",
            ),
            models.UniqueConstraint(
                fields=["event", "agency", "role"], condition=Q(agency__isnull=False), name="invitation_agency_once"
            ),
            models.UniqueConstraint(
                fields=["event", "agency_kind", "role"], condition=Q(agency__isnull=True), name="invitation_kind_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.who} ({self.role_label})"

    @property
    def who(self) -> str:
        if self.agency_id:
            return str(self.agency)
        return f"Every {AgencyKind(self.agency_kind).label.lower()} agency"

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else "Every role"

    def covers(self, agency: Agency, role: str) -> bool:
        """Whether someone with `role` in `agency` is invited by this row (an agency system, for any role)."""
        where = self.agency_id == agency.pk if self.agency_id else self.agency_kind == agency.kind
        return where and (not self.role or self.role == role or role == Role.AGENCY_SYSTEM)


class RegistrationQuerySet(models.QuerySet["Registration"]):
    def live(self) -> RegistrationQuerySet:
        """Not cancelled: a place or a place on the waiting list."""
        return self.filter(cancelled_at__isnull=True)

    def with_place(self) -> RegistrationQuerySet:
        return self.live().filter(status=RegistrationStatus.PLACE)

    def waiting(self) -> RegistrationQuerySet:
        """The waiting list, first in the queue first."""
        return self.live().filter(status=RegistrationStatus.WAITING).order_by("registered_at", "id")


class Registration(models.Model):
    """A place on an event, or a place in its waiting list (`status`); `agency` and `role` are the
    person's at the time of registering. `registered_at` is when they asked (for a waiting person, their
    place in the queue); `promoted_at` when they were moved from the waiting list into a place."""

    event = models.ForeignKey(LearningEvent, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="learning_registrations")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=32, choices=Role.choices)
    status = models.CharField(max_length=16, choices=RegistrationStatus.choices, default=RegistrationStatus.PLACE)
    registered_at = models.DateTimeField(default=timezone.now)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["event", "registered_at", "id"]
        constraints = [
            # One live registration per person and event: a place or a place in the queue, never both.
            models.UniqueConstraint(
                fields=["event", "user"], condition=Q(cancelled_at__isnull=True), name="registration_once_per_person"
            ),
            models.CheckConstraint(
                condition=Q(promoted_at__isnull=True) | Q(status=RegistrationStatus.PLACE),
                name="registration_promoted_has_place",
            ),
        ]
        indexes = [
            # "Events I am registered for" (home panel, events list).
            models.Index(fields=["user", "event"], name="registration_user_event"),
            # The waiting list in order, and the first in it when a place comes free.
            models.Index(
                fields=["event", "status", "registered_at", "id"],
                condition=Q(cancelled_at__isnull=True),
                name="registration_event_queue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.event}"

    @property
    def is_active(self) -> bool:
        return self.cancelled_at is None

    @property
    def has_place(self) -> bool:
        return self.cancelled_at is None and self.status == RegistrationStatus.PLACE

    @property
    def is_waiting(self) -> bool:
        return self.cancelled_at is None and self.status == RegistrationStatus.WAITING


class Attendance(models.Model):
    """Whether someone came, recorded by the facilitator or the business unit.

    For a registered person: their registration, attended yes or no. For a walk-in (`walk_in`, someone
    who came without registering, so always attended): no registration, and either a person with an
    account (`user`) or, for someone without one, their `name`; with the agency and role they came for.
    """

    event = models.ForeignKey(LearningEvent, on_delete=models.CASCADE, related_name="attendance")
    registration = models.OneToOneField(
        Registration, null=True, blank=True, on_delete=models.CASCADE, related_name="attendance"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=200, blank=True, help_text="A walk-in without an account.")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=32, choices=Role.choices)
    attended = models.BooleanField()
    walk_in = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["event", "agency__name", "user__last_name", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="attendance_once_per_person"),
            # The same walk-in without an account is recorded once (their name, any case, and agency).
            models.UniqueConstraint(
                F("event"),
                F("agency"),
                Lower("name"),
                condition=Q(user__isnull=True),
                name="attendance_walk_in_name_once",
            ),
            models.CheckConstraint(
                condition=Q(walk_in=False, registration__isnull=False, user__isnull=False, name="")
                | Q(walk_in=True, registration__isnull=True, user__isnull=False, name="", attended=True)
                | (Q(walk_in=True, registration__isnull=True, user__isnull=True, attended=True) & ~Q(name="")),
                name="attendance_registered_or_walk_in",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.who} {'attended' if self.attended else 'did not attend'} {self.event}"

    @property
    def who(self) -> str:
        return str(self.user) if self.user_id else self.name


class Evaluation(models.Model):
    """An attendee's evaluation: one per attendee, only after attending."""

    event = models.ForeignKey(LearningEvent, on_delete=models.CASCADE, related_name="evaluations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    confidence_before = models.PositiveSmallIntegerField(choices=Confidence.choices)
    confidence_after = models.PositiveSmallIntegerField(choices=Confidence.choices)
    practice_change = models.TextField(help_text="What will change in your practice.")
    comments = models.TextField(blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["event", "submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="evaluation_once_per_attendee"),
            models.CheckConstraint(
                condition=Q(confidence_before__gte=1, confidence_before__lte=5), name="evaluation_before_1_5"
            ),
            models.CheckConstraint(
                condition=Q(confidence_after__gte=1, confidence_after__lte=5), name="evaluation_after_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"Evaluation of {self.event} by {self.user}"

    @property
    def change(self) -> int:
        return self.confidence_after - self.confidence_before


class FollowUpRequest(models.Model):
    """The follow-up survey email sent to one attendee: written once, so nobody is asked twice."""

    event = models.ForeignKey(LearningEvent, on_delete=models.CASCADE, related_name="follow_up_requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["event", "sent_at", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="follow_up_request_once")]

    def __str__(self) -> str:
        return f"Follow-up of {self.event} sent to {self.user}"


class FollowUpResponse(models.Model):
    event = models.ForeignKey(LearningEvent, on_delete=models.CASCADE, related_name="follow_up_responses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    practice_changed = models.CharField(max_length=8, choices=PracticeChanged.choices)
    example = models.TextField(blank=True, help_text="An example of what you now do differently.")
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["event", "submitted_at", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="follow_up_response_once")]

    def __str__(self) -> str:
        return f"Follow-up of {self.event} from {self.user}"


class LearningBriefingQuerySet(models.QuerySet["LearningBriefing"]):
    def published(self) -> LearningBriefingQuerySet:
        return self.filter(status=BriefingStatus.PUBLISHED)


class LearningBriefing(models.Model):
    """A one-page briefing from a review's findings, in the four sections practitioners expect."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="learning_briefings")
    title = models.CharField(max_length=BRIEFING_TITLE_MAX)
    what_happened = models.TextField(help_text="What happened, in brief.")
    what_we_learned = models.TextField()
    do_differently = models.TextField(help_text="What to do differently.")
    supervision_questions = models.TextField(help_text="Questions to take to supervision.")
    findings = models.ManyToManyField(Finding, blank=True, related_name="learning_briefings")
    status = models.CharField(max_length=16, choices=BriefingStatus.choices, default=BriefingStatus.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = LearningBriefingQuerySet.as_manager()

    SECTIONS = ("what_happened", "what_we_learned", "do_differently", "supervision_questions")

    class Meta:
        ordering = ["-published_at", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=BriefingStatus.DRAFT, published_at__isnull=True)
                | Q(status=BriefingStatus.PUBLISHED, published_at__isnull=False, published_by__isnull=False),
                name="briefing_published_at_matches_status",
            ),
        ]
        indexes = [
            # The practitioners' list: published briefings, newest first.
            models.Index(fields=["status", "published_at"], name="briefing_status_published"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == BriefingStatus.PUBLISHED


class ReasonTheme(models.Model):
    """Configuration: the theme an escalation reason counts under when it is flagged for learning.

    Escalations carry a reason, not a theme; the themes report counts a learning flag under the themes
    its reason maps to here, and under any theme its learning note names (see reports.flag_themes).
    """

    reason = models.ForeignKey("escalations.EscalationReason", on_delete=models.CASCADE, related_name="+")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["reason", "theme"]
        constraints = [models.UniqueConstraint(fields=["reason", "theme"], name="reason_theme_unique")]

    def __str__(self) -> str:
        return f"{self.reason} → {self.theme}"
