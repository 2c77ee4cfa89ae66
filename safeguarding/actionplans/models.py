"""Action plans: what the partnership will do about a review's recommendations, an audit's findings,
an inspection or a partnership priority, tracked by an owner group (a subgroup) to completion and
checked later that the change held.

- `ActionPlan` has a `source`; a review's plan is one per review, its actions point at the review's
  recommendations (one or more actions per recommendation).
- `Action` is owned by a lead agency and a lead officer; its status and RAG move through
  `ActionUpdate`s; completion is signed off by the plan's owner group chair (or its deputy chair, who
  signs off the actions the chair leads: nobody signs off their own action).
- A complete action is re-checked on its `recheck_on` date (a re-audit that the change held): the
  result is an `ActionUpdate` marked as a re-check; "held" is kept on the action (`rechecked_on`,
  `recheck_held`), "did not hold" reopens it.
- `ActionPlanVersion` freezes the plan (its actions, as JSON) when it goes to a committee; a
  `CommitteeDecision` is recorded against the version the committee saw, so what was accepted stays
  as accepted and later changes show against it.

Every change goes through `services` (actor, activity log, transaction, version check).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from safeguarding.actionplans.enums import COMPLETE_STATUSES, ActionRag, ActionSource, ActionStatus, CommitteeOutcome
from safeguarding.agencies.models import Agency
from safeguarding.reviews.models import Document, Review, ReviewRecommendation


class ActionPlan(models.Model):
    title = models.CharField(max_length=200)
    source = models.CharField(max_length=16, choices=ActionSource.choices)
    # Set when source == review: one plan per review.
    review = models.OneToOneField(Review, null=True, blank=True, on_delete=models.PROTECT, related_name="action_plan")
    # For other sources: what it answers, e.g. "Ofsted ILACS inspection, March 2026".
    source_reference = models.CharField(max_length=300, blank=True)
    # The subgroup that tracks it, e.g. "Case review subgroup", and its chair (who signs off completion).
    owner_group = models.CharField(max_length=200)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="chaired_action_plans")
    # Signs off completion instead of the chair when the chair leads the action themselves (nobody signs
    # off their own work); may also sign off in the chair's absence.
    deputy_chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deputy_chaired_action_plans",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source=ActionSource.REVIEW, review__isnull=False)
                | (~Q(source=ActionSource.REVIEW) & Q(review__isnull=True)),
                name="actionplan_review_iff_review_source",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"AP-{self.pk:04d}" if self.pk else "AP-new"


class ActionQuerySet(models.QuerySet["Action"]):
    def open(self) -> ActionQuerySet:
        """Not complete (either complete status)."""
        return self.exclude(status__in=[s.value for s in COMPLETE_STATUSES])

    def overdue(self, today: date | None = None) -> ActionQuerySet:
        """Not complete and past its due date (due today is not overdue yet)."""
        return self.open().filter(due_on__lt=today or timezone.localdate())

    def recheck_due(self, today: date | None = None) -> ActionQuerySet:
        """Complete (signed off or not), its re-check date arrived (due today is due), and no re-check
        that held recorded (a re-check that did not hold reopened the action)."""
        return self.filter(
            status__in=[s.value for s in COMPLETE_STATUSES],
            recheck_on__lte=today or timezone.localdate(),
        ).filter(Q(recheck_held__isnull=True) | Q(recheck_held=False))


class Action(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="actions")
    # Set for a review's plan: the recommendation this action answers.
    recommendation = models.ForeignKey(
        ReviewRecommendation, null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    number = models.PositiveIntegerField()  # 1, 2, … within the plan
    description = models.TextField()  # what will be done
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="lead_actions")
    lead_officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lead_actions")
    start_on = models.DateField()
    due_on = models.DateField()
    success_measure = models.TextField()  # how we will know it worked
    status = models.CharField(max_length=24, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED)
    rag = models.CharField(max_length=8, choices=ActionRag.choices, default=ActionRag.GREEN)
    completed_on = models.DateField(null=True, blank=True)
    # Completion is signed off by the plan's owner group chair.
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    # When to check that the change held (re-audit).
    recheck_on = models.DateField(null=True, blank=True)
    # The latest re-check: its date and whether the change held (None: none recorded since the action
    # was last reopened; False: it did not hold, and the action was reopened).
    rechecked_on = models.DateField(null=True, blank=True)
    recheck_held = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="action_number_unique"),
            models.CheckConstraint(condition=Q(due_on__gte=models.F("start_on")), name="action_due_after_start"),
            models.CheckConstraint(
                # Sorted: a frozenset's order changes between processes, which made makemigrations
                # see a "changed" constraint on every other run.
                condition=Q(signed_off_at__isnull=True) | Q(status__in=sorted(s.value for s in COMPLETE_STATUSES)),
                name="action_signed_off_only_when_complete",
            ),
            # A re-check is recorded with its date and result together.
            models.CheckConstraint(
                condition=Q(rechecked_on__isnull=True, recheck_held__isnull=True)
                | Q(rechecked_on__isnull=False, recheck_held__isnull=False),
                name="action_recheck_date_with_result",
            ),
            # "The change held" stands only on a complete action: reopening clears it.
            models.CheckConstraint(
                condition=~Q(recheck_held=True) | Q(status__in=sorted(s.value for s in COMPLETE_STATUSES)),
                name="action_held_only_when_complete",
            ),
        ]
        indexes = [
            # Overdue detection and "my actions".
            models.Index(fields=["status", "due_on"], name="action_status_due"),
            models.Index(fields=["lead_officer", "status"], name="action_lead_officer"),
            # The daily re-check scan (`recheck_due`): complete actions by re-check date.
            models.Index(fields=["status", "recheck_on"], name="action_status_recheck"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"{self.plan.reference}-A{self.number}"

    @property
    def is_complete(self) -> bool:
        return self.status in COMPLETE_STATUSES

    def is_overdue(self, today: date) -> bool:
        return not self.is_complete and self.due_on < today

    def is_recheck_due(self, today: date) -> bool:
        """The same rule as `Action.objects.recheck_due`."""
        return (
            self.is_complete
            and self.recheck_on is not None
            and self.recheck_on <= today
            and self.recheck_held is not True
        )


class ActionUpdate(models.Model):
    """A dated progress note on an action, with the status and RAG it sets, and evidence files."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    written_on = models.DateField()
    narrative = models.TextField()
    status = models.CharField(max_length=24, choices=ActionStatus.choices)
    rag = models.CharField(max_length=8, choices=ActionRag.choices)
    evidence = models.ManyToManyField(Document, blank=True, related_name="+")
    # Set when the update records a re-check: True the change held, False it did not (and reopened the
    # action); None for an ordinary progress update.
    recheck_held = models.BooleanField(null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["action", "-written_on", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.written_on:%d/%m/%Y}"


class OverdueNotice(models.Model):
    """That the lead officer and the business unit were told an action is overdue (once per due date)."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="overdue_notices")
    due_on = models.DateField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["action", "due_on"], name="overdue_notice_once_per_due_date")]

    def __str__(self) -> str:
        return f"{self.action} overdue since {self.due_on:%d/%m/%Y}"


class RecheckNotice(models.Model):
    """That the lead officer and the business unit were told an action's re-check is due (once per
    re-check date: a new date is told again when it arrives)."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="recheck_notices")
    recheck_on = models.DateField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["action", "recheck_on"], name="recheck_notice_once_per_recheck_date")
        ]

    def __str__(self) -> str:
        return f"{self.action} re-check due on {self.recheck_on:%d/%m/%Y}"


class ActionPlanVersion(models.Model):
    """The plan frozen as it stood when it went to a committee (`snapshot`: plan and actions as JSON).

    Never changed after it is made; the committee's decision is recorded against it.
    """

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    reason = models.CharField(max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_unique")]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"


class CommitteeDecision(models.Model):
    """What a council's overview and scrutiny committee decided about the plan version it saw."""

    plan_version = models.ForeignKey(ActionPlanVersion, on_delete=models.PROTECT, related_name="decisions")
    committee = models.CharField(max_length=200)
    meeting_on = models.DateField()
    outcome = models.CharField(max_length=16, choices=CommitteeOutcome.choices)
    # The committee's questions or conditions (required when referred back).
    questions = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-meeting_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome=CommitteeOutcome.REFERRED_BACK) | ~Q(questions=""),
                name="committee_referral_has_questions",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.committee} {self.meeting_on:%d/%m/%Y}: {self.get_outcome_display()}"
