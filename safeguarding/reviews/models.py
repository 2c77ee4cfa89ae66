"""Case reviews: a `Review` is the case from the serious incident notification to publication and
closure. Its `Notification`, `RapidReview` and `PracticeReview` hang off it one-to-one; requests to
agencies, their submissions, the review chronology, findings and recommendations hang off the review.

The stage changes only through `workflow.apply_transition` (called by `services`), which writes a
`StageChange` history row; the review carries a `version` that every change checks. Uploaded
documents are stored in the database (no local files hold state, so any app process can serve them).
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from safeguarding.agencies.models import Agency
from safeguarding.children.models import Child
from safeguarding.reviews.enums import (
    OPEN_STAGES,
    Action,
    Harm,
    MemberRole,
    PanelResponse,
    Recommendation,
    RecommendationStatus,
    RequestKind,
    RequestStatus,
    ReviewKind,
    Stage,
)


class ReviewQuerySet(models.QuerySet["Review"]):
    def open(self) -> ReviewQuerySet:
        return self.filter(stage__in=OPEN_STAGES)


class Review(models.Model):
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.NOTIFIED)
    # An anonymised working title, e.g. "Child A and Child B": it names no child.
    title = models.CharField(max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    stage_changed_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The monitoring page: reviews by stage.
            models.Index(fields=["stage", "created_at"], name="review_stage_created"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"CR-{self.pk:04d}" if self.pk else "CR-new"


class ReviewChild(models.Model):
    """A child the review is about, with the pseudonym the review (and its report) uses."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="child_links")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="review_links")
    pseudonym = models.CharField(max_length=60)

    class Meta:
        ordering = ["review", "pseudonym"]
        constraints = [
            models.UniqueConstraint(fields=["review", "child"], name="review_child_unique"),
            models.UniqueConstraint(fields=["review", "pseudonym"], name="review_pseudonym_unique"),
        ]

    def __str__(self) -> str:
        return self.pseudonym


class ReviewMember(models.Model):
    """A panel member, independent reviewer or chair: sees this review's material (only this review's)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_memberships")
    role = models.CharField(max_length=16, choices=MemberRole.choices)
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["review", "role", "id"]
        constraints = [models.UniqueConstraint(fields=["review", "user", "role"], name="review_member_unique")]
        indexes = [
            # "Reviews this person is named on" (their list and every access check).
            models.Index(fields=["user", "review"], name="review_member_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) on {self.review}"


class StageChange(models.Model):
    """History: one row per transition. Never changed once written."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="stage_changes")
    action = models.CharField(max_length=32, choices=Action.choices)
    from_stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=16, choices=Stage.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.review}: {self.get_action_display()}"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def overdue(self, today: date | None = None) -> NotificationQuerySet:
        """Not yet sent to the national panel, and past the 5-working-day deadline."""
        return self.filter(sent_to_panel_on__isnull=True, due_on__lt=today or timezone.localdate())


class Notification(models.Model):
    """The local authority's serious incident notification to the national panel."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="notification")
    incident_on = models.DateField()
    # "Within 5 working days of becoming aware" (Working Together 2023, ch. 5): the clock starts here.
    aware_on = models.DateField()
    harm = models.CharField(max_length=16, choices=Harm.choices)
    summary = models.TextField()
    # Children Act 2004 s.16C(1): a serious child safeguarding case needs abuse or neglect known or suspected.
    abuse_or_neglect = models.BooleanField()
    # s.16C(2): the death of a looked-after child is notified to the Secretary of State and Ofsted
    # whatever the cause (Working Together 2023, ch. 5).
    looked_after = models.BooleanField(default=False)
    # s.16C(1)(b): harm outside England to a child normally resident here is still notified here.
    harm_outside_england = models.BooleanField(default=False)
    harm_location = models.CharField(max_length=200, blank=True, help_text="Where the harm happened, outside England.")
    harm_area_informed_on = models.DateField(null=True, blank=True)
    ofsted_sent_on = models.DateField(null=True, blank=True)
    secretary_of_state_sent_on = models.DateField(null=True, blank=True)
    due_on = models.DateField()
    sent_to_panel_on = models.DateField(null=True, blank=True)
    notified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = NotificationQuerySet.as_manager()

    MASKED_FIELDS = ("summary",)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(aware_on__gte=models.F("incident_on")), name="notification_aware_after"),
            models.CheckConstraint(condition=Q(due_on__gt=models.F("aware_on")), name="notification_due_after"),
            # Only a serious child safeguarding case, or the death of a looked-after child, is notified.
            models.CheckConstraint(
                condition=Q(abuse_or_neglect=True) | Q(looked_after=True, harm=Harm.DEATH),
                name="notification_is_notifiable",
            ),
            models.CheckConstraint(
                condition=Q(harm_outside_england=False) | ~Q(harm_location=""), name="notification_outside_where"
            ),
        ]

    def __str__(self) -> str:
        return f"Notification for {self.review}"

    def is_overdue(self, today: date | None = None) -> bool:
        """Not sent by its due date (sent late counts too: the flag stays on the record)."""
        sent_or_today = self.sent_to_panel_on or today or timezone.localdate()
        return sent_or_today > self.due_on

    @property
    def looked_after_death(self) -> bool:
        """The death of a looked-after child: the Secretary of State and Ofsted must be told (s.16C(2))."""
        return self.looked_after and self.harm == Harm.DEATH


class PartnerInformed(models.Model):
    """The date a statutory safeguarding partner was told of the incident (Working Together 2023, ch. 5:
    the local authority reports it to the safeguarding partners within 5 working days)."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="partners_informed")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    informed_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["informed_on", "agency__name"]
        constraints = [models.UniqueConstraint(fields=["notification", "agency"], name="partner_informed_once")]

    def __str__(self) -> str:
        return f"{self.agency} informed of {self.notification.review}"


class RapidReview(models.Model):
    """Opened with each notification; completed within 15 working days of the day the partners became
    aware of the incident (or of the notification, where RAPID_REVIEW_CLOCK_FROM says so)."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="rapid_review")
    # The day its clock starts (`clocks.rapid_review_start`): the day of awareness, or the notification's.
    opened_on = models.DateField()
    # Stored when the clock starts (the dashboard counts with it in SQL) and kept with the rule that
    # set it, so a later change of RAPID_REVIEW_CLOCK_FROM never moves a date already given.
    due_on = models.DateField()
    clock_from = models.CharField(
        max_length=16,
        choices=[("awareness", "The day the partners became aware"), ("notification", "The notification")],
        default="awareness",
    )
    panel_met_on = models.DateField(null=True, blank=True)
    panel_attendance = models.TextField(blank=True, help_text="Who attended, by agency and role.")
    panel_notes = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    recommendation = models.CharField(max_length=20, choices=Recommendation.choices, blank=True)
    recommendation_reasons = models.TextField(blank=True)
    sent_to_panel_on = models.DateField(null=True, blank=True)
    # The national panel's response to a recommended national review: its date and its own words.
    panel_response = models.CharField(max_length=16, choices=PanelResponse.choices, blank=True)
    panel_responded_on = models.DateField(null=True, blank=True)
    panel_response_words = models.TextField(blank=True)
    national_published_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(due_on__gt=models.F("opened_on")), name="rapid_due_after"),
            models.CheckConstraint(
                condition=Q(panel_response="", panel_responded_on__isnull=True)
                | (~Q(panel_response="") & Q(panel_responded_on__isnull=False)),
                name="rapid_panel_response_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"Rapid review for {self.review}"

    @property
    def rule(self) -> str:
        """The rule that set `due_on`, in words."""
        from safeguarding.reviews.clocks import rapid_review_rule

        return rapid_review_rule(self.clock_from)


class SignOff(models.Model):
    """A statutory safeguarding partner's sign-off of the rapid review (all three are needed)."""

    rapid_review = models.ForeignKey(RapidReview, on_delete=models.CASCADE, related_name="sign_offs")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    signed_by_name = models.CharField(max_length=200, help_text="The lead or delegated safeguarding partner.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_on = models.DateField()

    class Meta:
        ordering = ["agency__name"]
        constraints = [models.UniqueConstraint(fields=["rapid_review", "agency"], name="sign_off_once_per_partner")]

    def __str__(self) -> str:
        return f"{self.agency} signed off {self.rapid_review.review}"


class PracticeReview(models.Model):
    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="practice_review")
    kind = models.CharField(max_length=16, choices=ReviewKind.choices)
    decided_on = models.DateField()
    # Publication "within 6 months of the decision" (Working Together 2023, ch. 5).
    target_publication_on = models.DateField()
    terms_of_reference = models.TextField(blank=True)
    key_lines_of_enquiry = models.TextField(blank=True)
    sent_to_panel_on = models.DateField(null=True, blank=True)
    sent_to_secretary_of_state_on = models.DateField(null=True, blank=True)
    published_on = models.DateField(null=True, blank=True)
    # Published reports stay online for at least 12 months (checked by the publish service).
    may_come_down_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(target_publication_on__gt=models.F("decided_on")), name="practice_target_after_decision"
            ),
            models.CheckConstraint(
                condition=Q(published_on__isnull=True, may_come_down_on__isnull=True)
                | Q(published_on__isnull=False, may_come_down_on__gt=models.F("published_on")),
                name="practice_takedown_after_publication",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.review}"


class PractitionerEvent(models.Model):
    practice_review = models.ForeignKey(PracticeReview, on_delete=models.CASCADE, related_name="practitioner_events")
    held_on = models.DateField()
    attendance = models.TextField(help_text="Agencies and roles that took part.")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"Practitioner event {self.held_on:%d/%m/%Y}"


class FamilyContact(models.Model):
    """Family engagement: who was met and when, and when the report was shared with them."""

    practice_review = models.ForeignKey(PracticeReview, on_delete=models.CASCADE, related_name="family_contacts")
    who = models.CharField(max_length=200, help_text="By relationship, e.g. 'Mother of Child A'.")
    met_on = models.DateField(null=True, blank=True)
    report_shared_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.who


class Document(models.Model):
    """An uploaded file, stored in the database."""

    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField(editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.filename


class ReportDraft(models.Model):
    """A version of the review report (versions are numbered and never replaced)."""

    practice_review = models.ForeignKey(PracticeReview, on_delete=models.CASCADE, related_name="drafts")
    number = models.PositiveIntegerField()
    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["practice_review", "number"]
        constraints = [models.UniqueConstraint(fields=["practice_review", "number"], name="report_draft_number")]

    def __str__(self) -> str:
        return f"Draft {self.number}"


class AgencyRequest(models.Model):
    """A request to an agency's safeguarding lead: a rapid-review summary, a chronology or an agency report."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="requests")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="review_requests")
    kind = models.CharField(max_length=16, choices=RequestKind.choices)
    status = models.CharField(max_length=16, choices=RequestStatus.choices, default=RequestStatus.REQUESTED)
    note = models.TextField(blank=True, help_text="What the review needs from the agency.")
    due_on = models.DateField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    last_reminded_on = models.DateField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "agency", "kind"],
                condition=~Q(status=RequestStatus.WITHDRAWN),
                name="request_once_per_agency_and_kind",
            ),
        ]
        indexes = [
            # An agency's inbox: its open requests, soonest first; and the reminder scan.
            models.Index(fields=["agency", "status", "due_on"], name="request_agency_status_due"),
            models.Index(fields=["status", "due_on"], name="request_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.agency} for {self.review}"


class Submission(models.Model):
    """An agency's answer to a request: structured fields plus an uploaded document."""

    request = models.OneToOneField(AgencyRequest, on_delete=models.PROTECT, related_name="submission")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    involvement = models.TextField(help_text="The agency's involvement with the child and family.")
    analysis = models.TextField(blank=True, help_text="What went well, what could have been done differently.")
    learning = models.TextField(blank=True, help_text="Learning the agency has identified.")
    immediate_actions = models.TextField(blank=True, help_text="Actions already taken.")
    document = models.OneToOneField(Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    MASKED_FIELDS = ("involvement", "analysis", "learning", "immediate_actions")

    def __str__(self) -> str:
        return f"Submission to {self.request}"


class ChronologyEntry(models.Model):
    """One row of the review chronology, imported from an agency's chronology file; keeps its source."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="chronology")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="chronology_entries")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    review_child = models.ForeignKey(ReviewChild, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_row = models.PositiveIntegerField()
    occurred_on = models.DateField()
    precision = models.CharField(max_length=8, default="day")
    approximate = models.BooleanField(default=False)
    event_type = models.CharField(max_length=200)
    summary = models.TextField()
    impact = models.TextField(blank=True)
    action_taken = models.TextField(blank=True)

    class Meta:
        ordering = ["occurred_on", "agency__name", "source_row"]
        indexes = [
            # The merged review chronology, in date order.
            models.Index(fields=["review", "occurred_on"], name="review_chronology_date"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on:%d/%m/%Y} {self.event_type}"


class Theme(models.Model):
    """A learning theme (configuration): neglect, information sharing, escalation, …"""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Finding(models.Model):
    """A learning point of the review, tagged with themes."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="findings")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    text = models.TextField()
    themes = models.ManyToManyField(Theme, blank=True, related_name="findings")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["review", "number"]
        constraints = [models.UniqueConstraint(fields=["review", "number"], name="finding_number_unique")]

    def __str__(self) -> str:
        return f"Finding {self.number}: {self.title}"


class ReviewRecommendation(models.Model):
    """A numbered recommendation, addressed to the partnership (no agency) or to one agency.

    `uid` never changes, so the action plans of the next issue can refer to it.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="recommendations")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.PositiveIntegerField()
    text = models.TextField()
    addressee = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="review_recommendations"
    )
    status = models.CharField(max_length=16, choices=RecommendationStatus.choices, default=RecommendationStatus.DRAFT)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["review", "number"]
        constraints = [models.UniqueConstraint(fields=["review", "number"], name="recommendation_number_unique")]
        indexes = [
            # "Recommendations addressed to this agency" (the action plans to come).
            models.Index(fields=["addressee", "status"], name="recommendation_addressee"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"{self.review.reference}-R{self.number}"

    @property
    def addressee_name(self) -> str:
        return self.addressee.name if self.addressee else "The partnership"


# The publication stage's models live in their own module; imported here so Django finds them.
from safeguarding.reviews.models_publication import (  # noqa: E402
    IdentifierHit,
    Publication,
    PublicationDeferral,
    PublicationReport,
)

__all__ = [
    "AgencyRequest",
    "ChronologyEntry",
    "Document",
    "FamilyContact",
    "Finding",
    "IdentifierHit",
    "Notification",
    "PracticeReview",
    "PractitionerEvent",
    "Publication",
    "PublicationDeferral",
    "PublicationReport",
    "RapidReview",
    "ReportDraft",
    "Review",
    "ReviewChild",
    "ReviewMember",
    "ReviewRecommendation",
    "SignOff",
    "StageChange",
    "Theme",
]
