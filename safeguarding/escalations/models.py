"""Resolving professional differences: configuration (reasons, stages) and the escalations themselves.

Status changes go through `workflow.apply_transition` only (called by `services`); each one writes an
`EscalationStep` history row. Several agencies edit the same escalation, so it carries a `version`
that every change checks (a stale form is refused, never silently overwritten).
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from safeguarding.agencies.models import Agency
from safeguarding.children.models import Child
from safeguarding.core.restriction import decode_roles
from safeguarding.escalations.enums import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    Action,
    EscalationStatus,
    LevelOfNeed,
    ResponseKind,
    Urgency,
)


class EscalationReasonQuerySet(models.QuerySet["EscalationReason"]):
    def active(self) -> EscalationReasonQuerySet:
        return self.filter(is_active=True)


class EscalationReason(models.Model):
    """A kind of decision or situation disputed (configuration: each partnership names its own)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    objects = EscalationReasonQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class EscalationStage(models.Model):
    """One stage of the partnership's procedure: who takes part on each side, and how long they have.

    Roles are stored as ",role,role," (see `core.restriction.encode_roles`) so "stages this role
    takes part in" is a plain LIKE on every database.
    """

    number = models.PositiveSmallIntegerField(unique=True, validators=[MinValueValidator(1)])
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    raising_roles = models.CharField(max_length=200, help_text="Roles in the raising agency that take part.")
    receiving_roles = models.CharField(max_length=200, help_text="Roles in the receiving agency that take part.")
    partnership_roles = models.CharField(
        max_length=200,
        blank=True,
        help_text="Roles in any agency that take part for the partnership (e.g. the business unit at stage 4).",
    )
    response_working_days = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1)], help_text="Time to respond to a standard escalation, in working days."
    )
    urgent_response_hours = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1)], help_text="Time to respond to an urgent escalation, in hours."
    )

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"Stage {self.number}: {self.name}"

    @property
    def raising_role_list(self) -> list[str]:
        return decode_roles(self.raising_roles)

    @property
    def receiving_role_list(self) -> list[str]:
        return decode_roles(self.receiving_roles)

    @property
    def partnership_role_list(self) -> list[str]:
        return decode_roles(self.partnership_roles)

    def next_stage(self) -> EscalationStage | None:
        if "_next_stage" in self.__dict__:  # set by know_next_stage() for a list of escalations
            return self.__dict__["_next_stage"]
        return EscalationStage.objects.filter(number__gt=self.number).order_by("number").first()

    def know_next_stage(self, stages: list[EscalationStage]) -> None:
        """Remember the next stage from `stages` (every stage, read once for a list) instead of asking
        the database each time a guard needs it."""
        self.__dict__["_next_stage"] = min(
            (s for s in stages if s.number > self.number), key=lambda s: s.number, default=None
        )


class EscalationQuerySet(models.QuerySet["Escalation"]):
    def open(self) -> EscalationQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def finished(self) -> EscalationQuerySet:
        return self.filter(status__in=FINISHED_STATUSES)

    def past_deadline(self, now: datetime | None = None) -> EscalationQuerySet:
        """Awaiting a response after the stage's deadline (whether or not already marked overdue)."""
        return self.filter(status=EscalationStatus.AWAITING_RESPONSE, stage_due_at__lt=now or timezone.now())

    def overdue(self) -> EscalationQuerySet:
        return self.filter(status=EscalationStatus.AWAITING_RESPONSE, stage_overdue_at__isnull=False)


class Escalation(models.Model):
    """A professional difference one agency raises with another about a child (or siblings)."""

    children = models.ManyToManyField(Child, through="EscalationChild", related_name="escalations")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raising_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="escalations_raised")
    receiving_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="escalations_received")
    receiving_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.ForeignKey(EscalationReason, on_delete=models.PROTECT, related_name="escalations")
    # Chronology entries the raiser links as evidence: only entries the raiser may see (checked by the service).
    evidence = models.ManyToManyField("chronology.Event", blank=True, related_name="escalations")
    disputed_decision = models.TextField(help_text="The decision or situation the raiser disagrees with.")
    desired_outcome = models.TextField(help_text="What the raiser wants to happen.")
    raiser_level_of_need = models.PositiveSmallIntegerField(choices=LevelOfNeed.choices)
    receiver_level_of_need = models.PositiveSmallIntegerField(choices=LevelOfNeed.choices, null=True, blank=True)
    urgency = models.CharField(max_length=16, choices=Urgency.choices, default=Urgency.STANDARD)
    stage = models.ForeignKey(EscalationStage, on_delete=models.PROTECT, related_name="escalations")
    status = models.CharField(
        max_length=32, choices=EscalationStatus.choices, default=EscalationStatus.AWAITING_RESPONSE
    )
    raised_at = models.DateTimeField(default=timezone.now)
    stage_started_at = models.DateTimeField(default=timezone.now)
    stage_due_at = models.DateTimeField()
    # Set when the deadline check finds the stage unanswered after its deadline (and people were told).
    stage_overdue_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    flagged_for_learning = models.BooleanField(default=False)
    learning_note = models.TextField(blank=True)
    flagged_at = models.DateTimeField(null=True, blank=True)
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Incremented by every change; a change made against an older version is refused.
    version = models.PositiveIntegerField(default=1)

    objects = EscalationQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(raising_agency=models.F("receiving_agency")), name="escalation_between_two_agencies"
            ),
            models.CheckConstraint(
                condition=Q(raiser_level_of_need__gte=1, raiser_level_of_need__lte=4), name="esc_raiser_need_1_4"
            ),
            models.CheckConstraint(
                condition=Q(receiver_level_of_need__isnull=True)
                | Q(receiver_level_of_need__gte=1, receiver_level_of_need__lte=4),
                name="esc_receiver_need_1_4",
            ),
            models.CheckConstraint(
                condition=Q(status__in=sorted(FINISHED_STATUSES), finished_at__isnull=False)
                | Q(status__in=sorted(OPEN_STATUSES), finished_at__isnull=True),
                name="escalation_finished_at_matches_status",
            ),
        ]
        indexes = [
            # The deadline check: "awaiting a response, deadline passed".
            models.Index(fields=["status", "stage_due_at"], name="escalation_status_due"),
            # Inboxes: "open escalations my agency received / raised".
            models.Index(fields=["receiving_agency", "status"], name="escalation_receiving_status"),
            models.Index(fields=["raising_agency", "status"], name="escalation_raising_status"),
            # The partnership log and report filter by the period raised.
            models.Index(fields=["raised_at"], name="escalation_raised_at"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """The reference used in emails and the log: it names no child."""
        return f"ESC-{self.pk:05d}" if self.pk else "ESC-new"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.status == EscalationStatus.AWAITING_RESPONSE and self.stage_due_at < timezone.now()


class EscalationChild(models.Model):
    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="child_links")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="escalation_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["escalation", "child"], name="escalation_child_unique")]

    def __str__(self) -> str:
        return f"{self.escalation} about child {self.child_id}"


class StageVisit(models.Model):
    """One stage of one escalation: when it opened, its deadline, its response and outcome, how it ended.

    "Time taken at each stage" in the partnership report comes from these rows.
    """

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="visits")
    stage = models.ForeignKey(EscalationStage, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    went_overdue = models.BooleanField(default=False)
    outcome = models.TextField(blank=True, help_text="The outcome both sides recorded at this stage.")
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["escalation", "stage__number"]
        constraints = [models.UniqueConstraint(fields=["escalation", "stage"], name="stage_visit_once_per_stage")]

    def __str__(self) -> str:
        return f"{self.escalation} at stage {self.stage.number}"


class EscalationResponse(models.Model):
    """The receiving side's answer at a stage."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="responses")
    stage = models.ForeignKey(EscalationStage, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=ResponseKind.choices)
    reasons = models.TextField(help_text="Why the receiving side agrees or disagrees.")
    proposal = models.TextField(blank=True, help_text="What the receiving side proposes instead.")
    level_of_need = models.PositiveSmallIntegerField(choices=LevelOfNeed.choices, null=True, blank=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at stage {self.stage.number}"


class AgreedAction(models.Model):
    """An action both sides agreed at a stage: who does what by when."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="actions")
    stage = models.ForeignKey(EscalationStage, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=500)
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    owner_name = models.CharField(max_length=200, help_text="The person or role who will do it.")
    due_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    # Set once, by someone in the owning agency who takes part in the escalation (or the business unit).
    done_on = models.DateField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_note = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(done_on__isnull=True, done_by__isnull=True)
                | models.Q(done_on__isnull=False, done_by__isnull=False),
                name="agreed_action_done_with_who",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description[:40]} ({self.owner_name}, by {self.due_on:%d/%m/%Y})"

    def is_overdue(self, today: date) -> bool:
        return self.done_on is None and self.due_on < today


class EscalationStep(models.Model):
    """History: one row per transition (who, when, from, to, why). Never changed once written."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(max_length=32, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=32, choices=EscalationStatus.choices, blank=True)
    to_status = models.CharField(max_length=32, choices=EscalationStatus.choices)
    from_stage = models.PositiveSmallIntegerField(null=True, blank=True)
    to_stage = models.PositiveSmallIntegerField()
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            # "Escalations this person has acted on" (they keep seeing them after the stage moves on).
            models.Index(fields=["actor", "escalation"], name="escalation_step_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.escalation}: {self.get_action_display()}"
