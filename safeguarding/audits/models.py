"""Multi-agency audits (domain.md §8).

- `AuditProgramme`: the partnership's plan of audits for a year.
- `Audit`: one audit in the programme: type, theme, lead, dates, participating agencies, the question it
  answers, its status (planned → sampling → in progress → moderation → findings → closed; changed only
  through `workflow.AUDIT_WORKFLOW`) and, for a re-audit, the `baseline` audit it is compared with.
  The sample's criteria, seed and size are stored on the audit, so the same sample can be drawn again.
- `AuditAuditor`: a person named to audit for one participating agency. Auditors see only the sampled
  children, only between the audit's start and end dates (see `workflow.can_view_case`). Removing an
  auditor deletes the row (`services.take_auditor_off`), which ends their access at once; the activity log
  keeps who they were, for which agency, since when and why they were removed.
- `AuditCase`: a sampled child (drawn by criteria, or chosen by hand with a reason).
- `AuditTool` / `ToolQuestion`: a template of questions grouped by area, with a grading scale.
- `AuditResponse`: an agency's grade and narrative for one question on one case.
- `ModeratedGrade`: the final grade for a case and area where the agencies' grades differed, with both
  agencies' grades and the moderator's rationale.
- `AuditFinding`: a strength or area for development, with themes, linked to the actions it led to.
- `AuditTransition`: the audit's history, one row per status change (who, for which agency, from, to,
  why, when), written by `workflow.AUDIT_WORKFLOW.apply` and never changed once written.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from safeguarding.actionplans.models import Action
from safeguarding.agencies.models import Agency
from safeguarding.audits.enums import DEFAULT_SCALE, Area, AuditStatus, AuditType, CaseMethod, FindingKind
from safeguarding.children.models import Child
from safeguarding.reviews.models import Theme


def default_scale() -> list[list[str]]:
    return [list(pair) for pair in DEFAULT_SCALE]


class AuditProgramme(models.Model):
    year = models.PositiveSmallIntegerField(unique=True, help_text="The year the programme starts, e.g. 2026.")
    title = models.CharField(max_length=200)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"


class AuditTool(models.Model):
    """A template: questions grouped by area, each graded on `scale` ([[code, label], ...], best first)."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    scale = models.JSONField(default=default_scale)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def grade_codes(self) -> list[str]:
        return [code for code, _ in self.scale]

    def grade_label(self, code: str) -> str:
        return next((label for c, label in self.scale if c == code), code)

    def rank(self, code: str) -> int:
        """0 for the best grade; a larger number is a worse grade."""
        return self.grade_codes.index(code)


class ToolQuestion(models.Model):
    tool = models.ForeignKey(AuditTool, on_delete=models.CASCADE, related_name="questions")
    area = models.CharField(max_length=16, choices=Area.choices)
    number = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["tool", "number"]
        constraints = [models.UniqueConstraint(fields=["tool", "number"], name="tool_question_number_unique")]

    def __str__(self) -> str:
        return f"Q{self.number}: {self.text[:60]}"


class Audit(models.Model):
    programme = models.ForeignKey(AuditProgramme, on_delete=models.PROTECT, related_name="audits")
    title = models.CharField(max_length=200)
    audit_type = models.CharField(max_length=20, choices=AuditType.choices)
    # For a service audit: the named service, e.g. "Early help service".
    service_name = models.CharField(max_length=200, blank=True)
    theme = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.PROTECT, related_name="audits")
    question = models.TextField(help_text="The question the audit answers.")
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_audits")
    # While the audit runs: auditors see the sampled children only between these dates (inclusive).
    start_on = models.DateField()
    end_on = models.DateField()
    # The period of practice looked at (sampling "open in the period", the chronology auditors see).
    period_from = models.DateField()
    period_to = models.DateField()
    agencies = models.ManyToManyField(Agency, related_name="audits")
    tool = models.ForeignKey(AuditTool, on_delete=models.PROTECT, related_name="audits")
    baseline = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="re_audits")
    status = models.CharField(max_length=16, choices=AuditStatus.choices, default=AuditStatus.PLANNED)
    # The last sample drawn by criteria: what, how many and the seed (so it can be drawn again).
    sample_criteria = models.JSONField(default=dict, blank=True)
    sample_size = models.PositiveIntegerField(null=True, blank=True)
    sample_seed = models.BigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-start_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_on__gte=models.F("start_on")), name="audit_end_after_start"),
            models.CheckConstraint(condition=Q(period_to__gte=models.F("period_from")), name="audit_period_order"),
            models.CheckConstraint(condition=~Q(baseline=models.F("pk")), name="audit_not_own_baseline"),
        ]
        indexes = [
            # The programme page: audits by status.
            models.Index(fields=["status", "start_on"], name="audit_status_start"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    @property
    def reference(self) -> str:
        return f"AUD-{self.pk:04d}" if self.pk else "AUD-new"


class AuditAuditor(models.Model):
    """A person named to audit for one participating agency."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="auditors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audit_roles")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["audit", "agency__name", "id"]
        constraints = [models.UniqueConstraint(fields=["audit", "user"], name="audit_auditor_once")]
        indexes = [
            # Every access check: "is this person an auditor on this audit".
            models.Index(fields=["user", "audit"], name="audit_auditor_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} for {self.agency} on {self.audit.reference}"


class AuditCase(models.Model):
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="cases")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="audit_cases")
    number = models.PositiveIntegerField()  # "Case 3": how reports and summaries name it
    method = models.CharField(max_length=8, choices=CaseMethod.choices)
    reason = models.TextField(blank=True, help_text="Why this case was chosen by hand.")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["audit", "number"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "child"], name="audit_case_child_once"),
            models.UniqueConstraint(fields=["audit", "number"], name="audit_case_number_unique"),
            models.CheckConstraint(
                condition=Q(method=CaseMethod.DRAWN) | ~Q(reason=""), name="audit_case_chosen_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"Case {self.number}"


class AuditResponse(models.Model):
    """One agency's grade and narrative for one question on one case."""

    case = models.ForeignKey(AuditCase, on_delete=models.CASCADE, related_name="responses")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    question = models.ForeignKey(ToolQuestion, on_delete=models.PROTECT, related_name="responses")
    grade = models.CharField(max_length=40)
    narrative = models.TextField()
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    MASKED_FIELDS = ("narrative",)

    class Meta:
        ordering = ["case", "question__number", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["case", "agency", "question"], name="audit_response_once"),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.question} ({self.agency})"


class ModeratedGrade(models.Model):
    """The agreed grade for a case and area where agencies' grades differed; keeps every agency's grade."""

    case = models.ForeignKey(AuditCase, on_delete=models.CASCADE, related_name="moderated_grades")
    area = models.CharField(max_length=16, choices=Area.choices)
    # {agency id (as text): grade code} as they stood when moderated.
    agency_grades = models.JSONField()
    final_grade = models.CharField(max_length=40)
    rationale = models.TextField()
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    moderated_at = models.DateTimeField()

    class Meta:
        ordering = ["case", "area"]
        constraints = [models.UniqueConstraint(fields=["case", "area"], name="moderated_grade_once")]

    def __str__(self) -> str:
        return f"{self.case} {self.get_area_display()}: {self.final_grade}"


class AuditFinding(models.Model):
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="findings")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=FindingKind.choices)
    text = models.TextField()
    themes = models.ManyToManyField(Theme, blank=True, related_name="audit_findings")
    actions = models.ManyToManyField(Action, blank=True, related_name="audit_findings")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["audit", "number"]
        constraints = [models.UniqueConstraint(fields=["audit", "number"], name="audit_finding_number_unique")]

    def __str__(self) -> str:
        return f"Finding {self.number} ({self.get_kind_display()})"

    def as_dict(self) -> dict[str, Any]:
        return {"number": self.number, "kind": self.kind, "text": self.text}


class AuditTransition(models.Model):
    """History: one row per status change of an audit. Append-only: never changed once written."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=AuditStatus.choices)
    to_status = models.CharField(max_length=16, choices=AuditStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        # The audit page lists its history in order: the foreign key's index serves it.
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.audit}: {self.get_from_status_display()} to {self.get_to_status_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("An audit's history is never changed once written.")
        super().save(*args, **kwargs)
