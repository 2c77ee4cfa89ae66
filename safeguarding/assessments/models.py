"""Structured assessments from configurable templates (domain.md §6).

A template is data: an `AssessmentTemplate` (code + version) with its grade `ScalePoint`s and its
`Area` → `SubArea` → `Item` structure, loaded from a file (`load_assessment_template`). A template
grades either each sub-area or each item (`grade_by`); the thing graded is a "unit". Licensed wording
(`Descriptor`) is loaded separately by a partnership that holds the licence and is shown only to the
people recorded as trained for that template (`TrainedAssessor`): the shipped neglect profile has the
Graded Care Profile 2 *structure* only, never its descriptors.

An `Assessment` of one child by one trained assessor (for their agency) holds a `Grade` per unit, with
evidence notes that may cite chronology entries (`GradeCitation`, the entry's id). A draft is changed
only by its assessor, each change checked against `version`; a completed assessment never changes.
An `AssessmentCitation` links a completed assessment to an escalation or a case review.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from safeguarding.agencies.models import Agency
from safeguarding.assessments.enums import AssessmentStatus, GradeBy
from safeguarding.children.models import Child


class AssessmentTemplateQuerySet(models.QuerySet["AssessmentTemplate"]):
    def active(self) -> AssessmentTemplateQuerySet:
        return self.filter(is_active=True)


class AssessmentTemplate(models.Model):
    """One version of an assessment framework. A changed structure is loaded as a new version, so
    assessments made with an older version keep the structure they were made with."""

    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=200)
    version = models.PositiveIntegerField(default=1)
    description = models.TextField(blank=True)
    grade_by = models.CharField(max_length=16, choices=GradeBy.choices, default=GradeBy.SUB_AREA)
    # Who holds the rights to the framework, and what the licence allows (shown on the template page).
    licence_note = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = AssessmentTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["name", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="assessment_template_code_version")]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"


class ScalePoint(models.Model):
    """One grade on the template's scale, e.g. 1 "All needs met, child first"."""

    template = models.ForeignKey(AssessmentTemplate, on_delete=models.CASCADE, related_name="scale")
    value = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=200)

    class Meta:
        ordering = ["template", "value"]
        constraints = [models.UniqueConstraint(fields=["template", "value"], name="scale_point_unique")]

    def __str__(self) -> str:
        return f"{self.value}: {self.label}"


class TemplatePart(models.Model):
    """An area, sub-area or item: a code (unique in the template), a title, its order and optional guidance."""

    code = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    guidance = models.TextField(blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title


class Area(TemplatePart):
    template = models.ForeignKey(AssessmentTemplate, on_delete=models.CASCADE, related_name="areas")

    class Meta:
        ordering = ["template", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="area_code_unique")]


class SubArea(TemplatePart):
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="sub_areas")

    class Meta:
        ordering = ["area__order", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["area", "code"], name="sub_area_code_unique")]


class Item(TemplatePart):
    sub_area = models.ForeignKey(SubArea, on_delete=models.CASCADE, related_name="items")

    class Meta:
        ordering = ["sub_area__area__order", "sub_area__order", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["sub_area", "code"], name="item_code_unique")]


class Descriptor(models.Model):
    """Licensed wording for one grade of one unit (a sub-area, or an item when `item` is set).

    Loaded only by a partnership that holds the licence (`load_assessment_descriptors`); shown only to
    people trained for the template. Never shipped with the product.
    """

    sub_area = models.ForeignKey(SubArea, on_delete=models.CASCADE, related_name="descriptors")
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.CASCADE, related_name="descriptors")
    grade = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["sub_area", "item", "grade"]
        constraints = [
            models.UniqueConstraint(
                fields=["sub_area", "grade"], condition=Q(item__isnull=True), name="descriptor_sub_area_grade"
            ),
            models.UniqueConstraint(
                fields=["item", "grade"], condition=Q(item__isnull=False), name="descriptor_item_grade"
            ),
        ]

    def __str__(self) -> str:
        return f"Descriptor for grade {self.grade}"


class TrainedAssessorQuerySet(models.QuerySet["TrainedAssessor"]):
    def current(self) -> TrainedAssessorQuerySet:
        return self.filter(revoked_at__isnull=True)


class TrainedAssessor(models.Model):
    """A person trained to use a template (for every version of it: training follows the template's code).

    Recorded by their agency's safeguarding lead or an administrator; a record made by mistake is
    revoked (kept, with who revoked it), never deleted.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessor_training")
    template = models.ForeignKey(AssessmentTemplate, on_delete=models.PROTECT, related_name="trained_assessors")
    trained_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = TrainedAssessorQuerySet.as_manager()

    class Meta:
        ordering = ["user__last_name", "user__first_name", "id"]
        constraints = [
            # One current record per person and template; revoked ones stay as history.
            models.UniqueConstraint(
                fields=["user", "template"], condition=Q(revoked_at__isnull=True), name="trained_assessor_current"
            )
        ]
        indexes = [
            # The guard on every change: "is this person trained for this template?"
            models.Index(fields=["user", "template"], name="trained_assessor_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} trained for {self.template.name} on {self.trained_on:%d/%m/%Y}"


class AssessmentQuerySet(models.QuerySet["Assessment"]):
    def completed(self) -> AssessmentQuerySet:
        return self.filter(status=AssessmentStatus.COMPLETED)

    def drafts(self) -> AssessmentQuerySet:
        return self.filter(status=AssessmentStatus.DRAFT)


class Assessment(models.Model):
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="assessments")
    template = models.ForeignKey(AssessmentTemplate, on_delete=models.PROTECT, related_name="assessments")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="assessments")
    assessed_on = models.DateField()
    status = models.CharField(max_length=16, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT)
    overall_view = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Incremented by every change; a change made against an older version is refused.
    version = models.PositiveIntegerField(default=1)

    objects = AssessmentQuerySet.as_manager()

    MASKED_FIELDS = ("overall_view", "next_steps")

    class Meta:
        ordering = ["-assessed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=AssessmentStatus.COMPLETED, completed_at__isnull=False)
                | Q(status=AssessmentStatus.DRAFT, completed_at__isnull=True),
                name="assessment_completed_at_matches_status",
            ),
        ]
        indexes = [
            # A child's assessments over time (the comparison page and the child's record).
            models.Index(fields=["child", "status", "assessed_on"], name="assessment_child_status_date"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """A reference that names no child."""
        return f"ASM-{self.pk:05d}" if self.pk else "ASM-new"

    @property
    def is_completed(self) -> bool:
        return self.status == AssessmentStatus.COMPLETED


class Grade(models.Model):
    """The grade of one unit (a sub-area, or an item when `item` is set), with the evidence for it."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="grades")
    sub_area = models.ForeignKey(SubArea, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Empty while a draft is unfinished; every unit has one once the assessment is completed.
    grade = models.PositiveSmallIntegerField(null=True, blank=True)
    evidence = models.TextField(blank=True)

    class Meta:
        ordering = ["sub_area__area__order", "sub_area__order", "item__order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "sub_area"], condition=Q(item__isnull=True), name="grade_sub_area_once"
            ),
            models.UniqueConstraint(
                fields=["assessment", "item"], condition=Q(item__isnull=False), name="grade_item_once"
            ),
        ]

    def __str__(self) -> str:
        return f"Grade {self.grade or '–'}"


class GradeCitation(models.Model):
    """A chronology entry the evidence for a grade cites (the entry's id; shown only to those who may see it)."""

    grade = models.ForeignKey(Grade, on_delete=models.CASCADE, related_name="citations")
    event = models.ForeignKey("chronology.Event", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["grade", "event_id"]
        constraints = [models.UniqueConstraint(fields=["grade", "event"], name="grade_citation_unique")]

    def __str__(self) -> str:
        return f"Entry {self.event_id}"


class AssessmentCitation(models.Model):
    """A completed assessment cited in an escalation or a case review (exactly one of them)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="citations")
    escalation = models.ForeignKey(
        "escalations.Escalation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review = models.ForeignKey("reviews.Review", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    cited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cited_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(escalation__isnull=False, review__isnull=True)
                | Q(escalation__isnull=True, review__isnull=False),
                name="assessment_citation_one_target",
            ),
            models.UniqueConstraint(
                fields=["assessment", "escalation"], condition=Q(escalation__isnull=False), name="citation_once_per_esc"
            ),
            models.UniqueConstraint(
                fields=["assessment", "review"], condition=Q(review__isnull=False), name="citation_once_per_review"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} cited"
