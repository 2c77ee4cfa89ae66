"""Shared care plans agreed with families (domain.md §5).

A `CarePlan` is about one child or a sibling group. Its content lives in numbered `PlanVersion`s:
a plan is drafted (version 1, draft), agreed at a meeting (`Agreement`), and from then on that
version never changes — the model refuses to save or delete it, and a database trigger refuses
UPDATE (and, on PostgreSQL, DELETE) of an agreed row and of its objectives. "Amend" copies the
latest agreed version into a new draft. Objectives carry a stable `uid` across versions, so
progress updates, overdue notices and citations follow the objective, not one version's row.

Review meetings (`PlanReview`) record each participant's 0–10 scaling score (`ScalingScore`) with
their reason; scores are never averaged. Several agencies edit a plan, so `CarePlan.version` is
checked by every change (a stale form is refused, never silently applied).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from safeguarding.agencies.models import Agency
from safeguarding.children.models import Child
from safeguarding.core import kernel
from safeguarding.plans.enums import (
    SCALE_MAX,
    SCALE_MIN,
    AgreementMethod,
    ObjectiveRag,
    ObjectiveStatus,
    PersonKind,
    PlanStatus,
    PlanType,
    VersionState,
)

AGREED_MESSAGE = "This version of the plan has been agreed and cannot be changed. Amend the plan to make a new draft."


# Any refusal of a plan service (kept for the modules that catch it by this name).
PlanError = kernel.ServiceError


class AgreedVersionLocked(kernel.ServiceError):
    """Raised when code tries to change or delete an agreed plan version or its objectives."""

    default_message = AGREED_MESSAGE


# The content of a version, in page order, with the label professionals see.
CONTENT_FIELDS: tuple[tuple[str, str], ...] = (
    ("harm", "Harm that has happened"),
    ("danger_statements", "Danger statements: what is likely to happen to the child if nothing changes"),
    ("complicating_factors", "Complicating factors"),
    ("strengths", "Strengths"),
    ("existing_safety", "Existing safety"),
    ("safety_goals", "Safety goals: what must be seen, and for how long, before agencies step back"),
    ("contingency", "Contingency: what will happen if the plan is not followed"),
    ("safety_network", "Safety network: family, friends and professionals who help keep the child safe"),
    ("family_words", "The family's own words"),
    ("child_views", "The child's views"),
    ("review_forum", "Review forum"),
    ("review_date", "Review date"),
)
CONTENT_FIELD_NAMES = tuple(name for name, _ in CONTENT_FIELDS)
OBJECTIVE_FIELDS: tuple[tuple[str, str], ...] = (
    ("action", "What will be done"),
    ("owner", "Who will do it"),
    ("due_on", "By when"),
    ("support_offered", "Support offered"),
    ("progress_measure", "How progress will be measured"),
)


class CarePlanQuerySet(models.QuerySet["CarePlan"]):
    def open(self) -> CarePlanQuerySet:
        return self.exclude(status=PlanStatus.ENDED)


class CarePlan(models.Model):
    """A multi-agency plan for a child or a sibling group, led by one professional in one agency."""

    children = models.ManyToManyField(Child, through="CarePlanChild", related_name="care_plans")
    plan_type = models.CharField(max_length=20, choices=PlanType.choices)
    lead_professional = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="led_care_plans")
    status = models.CharField(max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    started_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Incremented by every change to the plan, its draft or its objectives; a change made against
    # an older version is refused.
    version = models.PositiveIntegerField(default=1)

    objects = CarePlanQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=PlanStatus.ENDED, ended_on__isnull=False)
                | (~Q(status=PlanStatus.ENDED) & Q(ended_on__isnull=True)),
                name="careplan_ended_on_matches_status",
            ),
        ]
        indexes = [
            # "Plans this professional leads", open first.
            models.Index(fields=["lead_professional", "status"], name="careplan_lead_status"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """Names no child: used in emails and the activity log."""
        return f"PLAN-{self.pk:05d}" if self.pk else "PLAN-new"

    @property
    def is_ended(self) -> bool:
        return self.status == PlanStatus.ENDED

    def draft_version(self) -> PlanVersion | None:
        return self.versions.filter(state=VersionState.DRAFT).first()

    def agreed_version(self) -> PlanVersion | None:
        """The latest agreed version: the plan in force."""
        return self.versions.filter(state=VersionState.AGREED).order_by("-number").first()

    def current_version(self) -> PlanVersion:
        """The version people work to: the latest agreed one, or the first draft before any agreement."""
        return self.agreed_version() or self.versions.order_by("-number").first()  # type: ignore[return-value]

    def latest_version(self) -> PlanVersion:
        return self.versions.order_by("-number").first()  # type: ignore[return-value]


class CarePlanChild(models.Model):
    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="child_links")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="care_plan_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "child"], name="careplan_child_unique")]

    def __str__(self) -> str:
        return f"{self.plan} about child {self.child_id}"


class Participant(models.Model):
    """A person or agency in the plan: a professional (user and agency), a family or network member (by name)."""

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="participants")
    kind = models.CharField(max_length=16, choices=PersonKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    relationship = models.CharField(
        max_length=120, blank=True, help_text="Role (for a professional) or relationship to the child."
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=PersonKind.PROFESSIONAL) | Q(user__isnull=False, agency__isnull=False),
                name="participant_professional_has_user_agency",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="participant_has_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def description(self) -> str:
        where = f", {self.agency.name}" if self.agency_id and self.agency else ""
        role = f" ({self.relationship})" if self.relationship else ""
        return f"{self.name}{role}{where}"


class AgreedGuardQuerySet(models.QuerySet[Any]):
    """Bulk update() and delete() refuse rows of an agreed version (`agreed_lookup` finds them)."""

    agreed_lookup = "state"

    def _refuse_agreed(self) -> None:
        if self.filter(**{self.agreed_lookup: VersionState.AGREED}).exists():
            raise AgreedVersionLocked()

    def update(self, **kwargs: Any) -> int:
        self._refuse_agreed()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._refuse_agreed()
        return super().delete()


class PlanVersionQuerySet(AgreedGuardQuerySet):
    agreed_lookup = "state"


class PlanVersion(models.Model):
    """One numbered version of a plan's content. Once agreed, it never changes."""

    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    state = models.CharField(max_length=8, choices=VersionState.choices, default=VersionState.DRAFT)
    # Worries
    harm = models.TextField(blank=True)
    danger_statements = models.TextField(blank=True)
    complicating_factors = models.TextField(blank=True)
    # What is working well
    strengths = models.TextField(blank=True)
    existing_safety = models.TextField(blank=True)
    # What needs to happen
    safety_goals = models.TextField(blank=True)
    contingency = models.TextField(blank=True)
    safety_network = models.TextField(blank=True)
    family_words = models.TextField(blank=True)
    child_views = models.TextField(blank=True)
    review_date = models.DateField(null=True, blank=True)
    review_forum = models.CharField(max_length=200, blank=True, help_text="e.g. core group, child in need review")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    agreed_at = models.DateTimeField(null=True, blank=True)

    objects = PlanVersionQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="planversion_number_unique"),
            # One draft at a time: amending while a draft exists would fork the plan.
            models.UniqueConstraint(
                fields=["plan"], condition=Q(state=VersionState.DRAFT), name="planversion_one_draft"
            ),
            models.CheckConstraint(
                condition=Q(state=VersionState.AGREED, agreed_at__isnull=False)
                | Q(state=VersionState.DRAFT, agreed_at__isnull=True),
                name="planversion_agreed_at_matches_state",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} version {self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._stored_state() == VersionState.AGREED:
            raise AgreedVersionLocked()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self._stored_state() == VersionState.AGREED:
            raise AgreedVersionLocked()
        return super().delete(*args, **kwargs)

    def _stored_state(self) -> str | None:
        if self.pk is None or self._state.adding:
            return None
        return PlanVersion.objects.filter(pk=self.pk).values_list("state", flat=True).first()

    @property
    def is_agreed(self) -> bool:
        return self.state == VersionState.AGREED


class ObjectiveQuerySet(AgreedGuardQuerySet):
    agreed_lookup = "version__state"


class Objective(models.Model):
    """Who does what by when, in one version. `uid` is the same objective in every version."""

    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="objectives")
    uid = models.UUIDField(default=uuid.uuid4)
    order = models.PositiveSmallIntegerField(default=0)
    action = models.TextField(help_text="What will be done.")
    owner_kind = models.CharField(max_length=16, choices=PersonKind.choices)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # A family or network member's name and relationship (professionals: filled from the user).
    owner_name = models.CharField(max_length=200)
    owner_relationship = models.CharField(max_length=120, blank=True)
    due_on = models.DateField()
    support_offered = models.TextField(blank=True)
    progress_measure = models.TextField(help_text="How progress will be measured.")

    objects = ObjectiveQuerySet.as_manager()

    class Meta:
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "uid"], name="objective_uid_once_per_version"),
            models.CheckConstraint(
                condition=~Q(owner_kind=PersonKind.PROFESSIONAL)
                | Q(owner_user__isnull=False, owner_agency__isnull=False),
                name="objective_professional_owner_has_user_agency",
            ),
            models.CheckConstraint(condition=~Q(owner_name=""), name="objective_owner_named"),
        ]
        indexes = [
            # Progress, overdue notices and citations look objectives up by uid.
            models.Index(fields=["uid"], name="objective_uid"),
        ]

    def __str__(self) -> str:
        return self.action[:60]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._version_agreed():
            raise AgreedVersionLocked()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self._version_agreed():
            raise AgreedVersionLocked()
        return super().delete(*args, **kwargs)

    def _version_agreed(self) -> bool:
        if self.pk is not None and not self._state.adding:
            stored = Objective.objects.filter(pk=self.pk).values_list("version__state", flat=True).first()
            if stored == VersionState.AGREED:
                return True
        return PlanVersion.objects.filter(pk=self.version_id, state=VersionState.AGREED).exists()

    @property
    def owner_label(self) -> str:
        if self.owner_kind == PersonKind.PROFESSIONAL:
            agency = f", {self.owner_agency.name}" if self.owner_agency else ""
            return f"{self.owner_name}{agency}"
        relation = f" ({self.owner_relationship})" if self.owner_relationship else ""
        return f"{self.owner_name}{relation}"


class Agreement(models.Model):
    """How and when a version was agreed, who agreed it, and anything the family disputes (their words)."""

    version = models.OneToOneField(PlanVersion, on_delete=models.PROTECT, related_name="agreement")
    agreed_on = models.DateField()
    method = models.CharField(max_length=12, choices=AgreementMethod.choices)
    family_disputes = models.TextField(blank=True, help_text="Anything the family does not agree with, in their words.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Agreement of {self.version}"


class AgreementPerson(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="people")
    kind = models.CharField(max_length=16, choices=PersonKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return self.name


class ObjectiveUpdate(models.Model):
    """Progress on an objective (found by uid, so updates follow it into later versions)."""

    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="objective_updates")
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="updates")
    objective_uid = models.UUIDField()
    status = models.CharField(max_length=16, choices=ObjectiveStatus.choices)
    rag = models.CharField(max_length=8, choices=ObjectiveRag.choices)
    evidence = models.TextField(help_text="What was seen or done that shows this.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [
            # An objective's history, newest first (the overdue check reads the latest one).
            models.Index(fields=["objective_uid", "-recorded_at"], name="objupdate_uid_recorded"),
        ]

    def __str__(self) -> str:
        return f"Update on {self.objective_uid}: {self.status}"


class OverdueNotice(models.Model):
    """An objective found past its date without being achieved: people are told once per due date."""

    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="overdue_notices")
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="+")
    objective_uid = models.UUIDField()
    due_on = models.DateField()
    notified_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-notified_at"]
        constraints = [
            models.UniqueConstraint(fields=["objective_uid", "due_on"], name="plan_overdue_once_per_due_date")
        ]

    def __str__(self) -> str:
        return f"Overdue {self.objective_uid} (due {self.due_on})"


class PlanReview(models.Model):
    """A review meeting (core group, child in need review…): attendance, decisions, next review."""

    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="reviews")
    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="reviews")
    held_on = models.DateField()
    attendance = models.TextField(help_text="Who attended, one per line.")
    decisions = models.TextField()
    next_review_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"Review of {self.plan} on {self.held_on:%d/%m/%Y}"

    @property
    def spread(self) -> int | None:
        """Highest score minus lowest: how far apart people were (disagreement is shown, never averaged)."""
        values = [s.score for s in self.scores.all()]
        return max(values) - min(values) if values else None


class ScalingScore(models.Model):
    """One person's 0–10 answer to the scaling question at a review, with their reason.

    0: the child cannot safely stay at home; 10: safe enough to close.
    """

    review = models.ForeignKey(PlanReview, on_delete=models.CASCADE, related_name="scores")
    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="scaling_scores")
    kind = models.CharField(max_length=16, choices=PersonKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=120, blank=True, help_text="Role, or relationship to the child.")
    score = models.PositiveSmallIntegerField()
    reason = models.TextField()

    class Meta:
        ordering = ["review", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=SCALE_MIN, score__lte=SCALE_MAX), name="scaling_score_0_to_10"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="scaling_score_reason_required"),
            models.CheckConstraint(
                condition=~Q(kind=PersonKind.PROFESSIONAL) | Q(user__isnull=False),
                name="scaling_score_professional_has_user",
            ),
        ]
        indexes = [
            # The scaling chart: every score of a plan.
            models.Index(fields=["plan", "review"], name="scaling_plan_review"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.score}"

    @property
    def person_key(self) -> str:
        """Who this is across reviews: the user for a professional, else the name and relationship."""
        if self.user_id:
            return f"user:{self.user_id}"
        return f"name:{' '.join(self.name.lower().split())}|{' '.join(self.role.lower().split())}"

    @property
    def person_label(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name


class Citation(models.Model):
    """An objective cited in an escalation or a review (as evidence of drift, or of good practice)."""

    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="citations")
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="citations")
    objective_uid = models.UUIDField()
    escalation = models.ForeignKey(
        "escalations.Escalation", null=True, blank=True, on_delete=models.PROTECT, related_name="plan_citations"
    )
    review = models.ForeignKey(
        "reviews.Review", null=True, blank=True, on_delete=models.PROTECT, related_name="plan_citations"
    )
    note = models.TextField()
    cited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-cited_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(escalation__isnull=False, review__isnull=True)
                | Q(escalation__isnull=True, review__isnull=False),
                name="plan_citation_esc_or_review",
            ),
            models.UniqueConstraint(
                fields=["objective", "escalation"],
                condition=Q(escalation__isnull=False),
                name="plan_citation_once_per_esc",
            ),
            models.UniqueConstraint(
                fields=["objective", "review"], condition=Q(review__isnull=False), name="plan_citation_once_per_review"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.objective_uid} cited"
