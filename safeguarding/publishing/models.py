"""Committee reports: what the partnership takes to a council's overview and scrutiny committee about a
review and its action plan (domain.md §8 "Reporting").

- `CommitteeReport` holds the header block (committee, meeting, item, wards, key decision, report of,
  assistant director and director, public or exempt, author) for one review and its action plan. It
  carries a `version` that every change of the header checks.
- `ReportText` is one numbered version of the report's editable text (executive summary,
  recommendations, background, implications, …) as JSON. Editing writes a new version, never changes
  an old one; an edit made against an older version than the latest is refused (`services`).
- `GeneratedReport` is what was generated and sent: the text version used, the action plan version
  frozen for it (the committee's decision is recorded against that `ActionPlanVersion`), when the figures
  were taken, and the PDF and DOCX bytes, so the same documents can be downloaded again.

Every change goes through `services` (actor, activity log, transaction, version check).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from safeguarding.actionplans.models import ActionPlan, ActionPlanVersion
from safeguarding.publishing.enums import TEXT_KEYS, Access, GenerationStatus
from safeguarding.reviews.models import Review


class CommitteeReport(models.Model):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="committee_reports")
    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="committee_reports")
    title = models.CharField(max_length=300)
    committee = models.CharField(max_length=200)
    meeting_on = models.DateField()
    item_number = models.CharField(max_length=20, blank=True)
    wards = models.CharField(max_length=500, verbose_name="wards and communities affected")
    key_decision = models.BooleanField(default=False)
    report_of = models.CharField(max_length=200)
    assistant_director = models.CharField(max_length=200, verbose_name="accountable assistant director")
    director = models.CharField(max_length=200)
    access = models.CharField(max_length=8, choices=Access.choices, default=Access.PUBLIC)
    # Schedule 12A paragraph, e.g. "Paragraph 2 (information likely to reveal the identity of an individual)".
    exemption_paragraph = models.CharField(max_length=300, blank=True)
    author_name = models.CharField(max_length=200)
    author_title = models.CharField(max_length=200, blank=True)
    author_contact = models.CharField(max_length=300, help_text="Telephone and e-mail.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    HEADER_FIELDS = (
        "title",
        "committee",
        "meeting_on",
        "item_number",
        "wards",
        "key_decision",
        "report_of",
        "assistant_director",
        "director",
        "access",
        "exemption_paragraph",
        "author_name",
        "author_title",
        "author_contact",
    )

    class Meta:
        ordering = ["-meeting_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(access=Access.PUBLIC, exemption_paragraph="")
                | (Q(access=Access.EXEMPT) & ~Q(exemption_paragraph="")),
                name="committee_report_exempt_has_paragraph",
            ),
        ]
        indexes = [
            # The review page's "Committee report" section: a review's reports.
            models.Index(fields=["review", "meeting_on"], name="committee_report_review"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"CMR-{self.pk:04d}" if self.pk else "CMR-new"

    def latest_text(self) -> ReportText | None:
        return self.texts.order_by("-number").first()


class ReportText(models.Model):
    """One version of the report's editable text. Never changed once written."""

    report = models.ForeignKey(CommitteeReport, on_delete=models.CASCADE, related_name="texts")
    number = models.PositiveIntegerField()
    fields = models.JSONField()  # {key: text} for every key of enums.TEXT_FIELDS
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["report", "-number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="report_text_number_unique")]

    def __str__(self) -> str:
        return f"{self.report} text v{self.number}"

    def value(self, key: str) -> str:
        text: Any = (self.fields or {}).get(key, "")
        return text if isinstance(text, str) else ""

    def values(self) -> dict[str, str]:
        return {key: self.value(key) for key in TEXT_KEYS}


class GeneratedReport(models.Model):
    """A generation of the report: queued, then done (PDF and DOCX kept) or failed (with why)."""

    report = models.ForeignKey(CommitteeReport, on_delete=models.CASCADE, related_name="generated")
    text = models.ForeignKey(ReportText, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=8, choices=GenerationStatus.choices, default=GenerationStatus.QUEUED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    # Set when done: the plan as frozen for this report, and when its live figures were taken.
    plan_version = models.ForeignKey(
        ActionPlanVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="committee_reports"
    )
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    generated_at = models.DateTimeField(null=True, blank=True)
    pdf = models.BinaryField(editable=False, default=b"")
    docx = models.BinaryField(editable=False, default=b"")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["report", "-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=GenerationStatus.DONE)
                | Q(plan_version__isnull=False, generated_at__isnull=False, generated_by__isnull=False),
                name="generated_report_done_is_complete",
            ),
        ]

    def __str__(self) -> str:
        when = self.generated_at or self.requested_at
        return f"{self.report} generated {when:%d/%m/%Y %H:%M}"

    @property
    def is_done(self) -> bool:
        return self.status == GenerationStatus.DONE

    def filename(self, extension: str) -> str:
        """No names in file names: they end up in download folders and e-mail subjects."""
        when = self.generated_at or self.requested_at
        return f"committee-report-{self.report.reference.lower()}-{when:%Y-%m-%d-%H%M}.{extension}"
