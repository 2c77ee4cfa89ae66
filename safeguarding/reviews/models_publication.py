"""The publication stage of a practice review (imported by `models`): what will be published (the
report in full, or the learning only with the reasons), deferrals of publication, the report files
uploaded for publication and the residual identifiers their scan found, and the copy sent to the
NSPCC national case review repository.

The dates the full report was sent before publication (the Panel and the Secretary of State; for a
serious case review, Ofsted and the Department for Education), the publication date and the
take-down date stay on `PracticeReview`. Files are kept in Django's default storage (object storage in
production), never on a local disk that only one process can see.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from safeguarding.reviews.enums import DeferralReason, PublicationScope


class Publication(models.Model):
    """One per practice review, made when the first publication decision is recorded."""

    practice_review = models.OneToOneField(
        "reviews.PracticeReview", on_delete=models.CASCADE, related_name="publication"
    )
    scope = models.CharField(max_length=16, choices=PublicationScope.choices, default=PublicationScope.FULL)
    # SI 2018/789 reg. 15: where the report is not published in full, the reasons, and what is published instead.
    learning_only_reasons = models.TextField(blank=True)
    learning_summary = models.TextField(blank=True)
    # The national case review repository (NSPCC), after publication.
    sent_to_nspcc_on = models.DateField(null=True, blank=True)
    published_report = models.OneToOneField(
        "reviews.PublicationReport", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    MASKED_FIELDS = ("learning_only_reasons", "learning_summary")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(scope=PublicationScope.FULL) | (~Q(learning_only_reasons="") & ~Q(learning_summary="")),
                name="publication_learning_only_has_reasons",
            ),
        ]

    def __str__(self) -> str:
        return f"Publication of {self.practice_review}"


class PublicationDeferral(models.Model):
    """Publication put off (e.g. during criminal proceedings) until resumed; the publication target is
    moved on by the days it was deferred."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="deferrals")
    reason_kind = models.CharField(max_length=24, choices=DeferralReason.choices)
    reason = models.TextField()
    deferred_on = models.DateField()
    review_by = models.DateField(help_text="When the partners look at the deferral again.")
    deferred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    target_before = models.DateField(null=True, blank=True)
    resumed_on = models.DateField(null=True, blank=True)
    resumed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_after = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["deferred_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication"], condition=Q(resumed_on__isnull=True), name="publication_one_open_deferral"
            ),
            models.CheckConstraint(condition=Q(review_by__gt=models.F("deferred_on")), name="deferral_review_after"),
            models.CheckConstraint(
                condition=Q(resumed_on__isnull=True) | Q(resumed_on__gte=models.F("deferred_on")),
                name="deferral_resumed_after",
            ),
        ]

    def __str__(self) -> str:
        return f"Publication deferred {self.deferred_on:%d/%m/%Y}"

    @property
    def is_open(self) -> bool:
        return self.resumed_on is None


def report_path(instance: PublicationReport, filename: str) -> str:
    """Where the file is stored: by review and number, never by its (possibly identifying) name."""
    review_id = instance.publication.practice_review.review_id
    return f"reviews/{review_id}/publication/report-{instance.number}.{instance.format}"


class PublicationReport(models.Model):
    """A file uploaded for publication (the final report, or the learning summary), with its scan."""

    FORMATS = (("pdf", "PDF"), ("docx", "Word (DOCX)"))

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="reports")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to=report_path, max_length=300)
    filename = models.CharField(max_length=255)
    format = models.CharField(max_length=8, choices=FORMATS)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()
    text_length = models.PositiveIntegerField(default=0, help_text="Characters of text the scan read.")

    class Meta:
        ordering = ["publication", "number"]
        constraints = [models.UniqueConstraint(fields=["publication", "number"], name="publication_report_number")]

    def __str__(self) -> str:
        return f"Report for publication {self.number}"


class IdentifierHit(models.Model):
    """Something in a report that may identify a child or family; blocks publication until a person
    marks it as intended, with a reason."""

    report = models.ForeignKey(PublicationReport, on_delete=models.CASCADE, related_name="hits")
    kind = models.CharField(max_length=24)
    label = models.CharField(max_length=60)
    from_records = models.BooleanField(help_text="Taken from the review's own records (not a pattern).")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    found = models.CharField(max_length=300)
    preview = models.TextField(help_text="The words around it, with every identifier redacted.")
    intended = models.BooleanField(default=False)
    intended_reason = models.TextField(blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField(null=True, blank=True)

    MASKED_FIELDS = ("found",)

    class Meta:
        ordering = ["report", "start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(intended=False) | (~Q(intended_reason="") & Q(marked_by__isnull=False)),
                name="identifier_hit_intended_has_reason",
            ),
        ]
        indexes = [
            # "Does the current report still have unmarked hits" (the publish check and the page).
            models.Index(fields=["report", "intended"], name="identifier_hit_open"),
        ]

    def __str__(self) -> str:
        return f"{self.label} at {self.start}"
