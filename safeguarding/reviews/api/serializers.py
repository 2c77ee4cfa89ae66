"""What the API shows of case reviews and what it accepts. Children appear only by pseudonym; the same
services as the pages make every change."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from safeguarding.agencies.models import Agency
from safeguarding.api.fields import CodeField
from safeguarding.reviews import clocks, publication, queries, regime, timeline
from safeguarding.reviews.enums import (
    Harm,
    PanelResponse,
    Recommendation,
    RecommendationStatus,
    RequestKind,
    RequestStatus,
    ReviewKind,
    Stage,
)
from safeguarding.reviews.models import (
    AgencyRequest,
    Finding,
    Review,
    ReviewRecommendation,
    Submission,
    Theme,
)

STAGE_HELP = "One of: " + ", ".join(Stage.values) + "."
TIMELINESS_HELP = (
    "One of: on_time, at_risk, late (a clock met keeps the answer it was met with: late when sent after its due "
    "date); null when there is no such clock."
)


def _timeliness(clock: clocks.Clock | None) -> str | None:
    return None if clock is None else str(clocks.timeliness(clock, timezone.localdate()))


class FindingSerializer(serializers.ModelSerializer):
    themes: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, help_text="Theme codes, e.g. 'neglect'."
    )

    class Meta:
        model = Finding
        fields = ["id", "number", "title", "text", "themes", "created_at"]
        read_only_fields = fields


class FindingCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    text = serializers.CharField(max_length=20000)
    themes = CodeField(
        slug_field="code",
        many=True,
        queryset=Theme.objects.filter(is_active=True),
        required=False,
        default=list,  # type: ignore[arg-type]
    )


class RecommendationSerializer(serializers.ModelSerializer):
    uid = serializers.UUIDField(read_only=True, help_text="Stable identifier: never changes (action plans use it).")
    reference = serializers.CharField(read_only=True)
    addressee: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="An agency code, or null for the partnership."
    )

    status = serializers.CharField(read_only=True, help_text="One of: " + ", ".join(RecommendationStatus.values) + ".")

    class Meta:
        model = ReviewRecommendation
        fields = ["id", "uid", "reference", "number", "text", "addressee", "status", "created_at"]
        read_only_fields = fields


class RecommendationCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=20000)
    addressee = CodeField(
        slug_field="code", queryset=Agency.objects.active(), required=False, allow_null=True, default=None
    )
    status = serializers.ChoiceField(choices=RecommendationStatus.choices, default=RecommendationStatus.DRAFT)


class RegimeSerializer(serializers.Serializer):
    """The statutory regime of the review's decision (docs/reviews.md "Regime by date")."""

    regime = serializers.ChoiceField(choices=regime.Regime.choices)
    kind = serializers.CharField()
    decided_on = serializers.DateField()
    decided_by = serializers.CharField(help_text="The LSCB, or the safeguarding partners.")
    legal_basis = serializers.CharField()
    guidance = serializers.CharField(help_text="The edition of Working Together in force on the decision date.")


class ReviewSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    stage = serializers.CharField(read_only=True, help_text=STAGE_HELP)
    children = serializers.SerializerMethodField()
    notification_due_on = serializers.DateField(source="notification.due_on", read_only=True, allow_null=True)
    notification_sent_on = serializers.DateField(
        source="notification.sent_to_panel_on", read_only=True, allow_null=True
    )
    notification_timeliness = serializers.SerializerMethodField(help_text=TIMELINESS_HELP)
    rapid_review_due_on = serializers.DateField(source="rapid_review.due_on", read_only=True, allow_null=True)
    rapid_review_timeliness = serializers.SerializerMethodField(help_text=TIMELINESS_HELP)
    rapid_review_clock_from = serializers.CharField(
        source="rapid_review.clock_from",
        read_only=True,
        allow_null=True,
        help_text="Where the rapid review's 15 working days were counted from: awareness or notification.",
    )
    rapid_review_rule = serializers.CharField(
        source="rapid_review.rule",
        read_only=True,
        allow_null=True,
        help_text="The rule that set the rapid review's due date, in words, with its source.",
    )
    target_publication_on = serializers.SerializerMethodField(
        help_text="An LCSPR's publication target (6 months after the decision); null for a serious case review, "
        "whose 6 months are a completion target (`target_completion_on`)."
    )
    target_completion_on = serializers.SerializerMethodField(
        help_text="A serious case review's completion target: the final report within 6 months of the decision to "
        "hold it (Working Together 2015, chapter 4); null for other reviews."
    )
    completed_on = serializers.SerializerMethodField(
        help_text="A serious case review: the day its final report was received (it moved to the final stage)."
    )
    completion_timeliness = serializers.SerializerMethodField(help_text=TIMELINESS_HELP)
    published_on = serializers.DateField(source="practice_review.published_on", read_only=True, allow_null=True)
    # What the notification records (Children Act 2004 s.16C; Working Together 2023, ch. 5).
    abuse_or_neglect = serializers.BooleanField(
        source="notification.abuse_or_neglect",
        read_only=True,
        allow_null=True,
        help_text="Abuse or neglect known or suspected (needed for a serious child safeguarding case).",
    )
    looked_after = serializers.BooleanField(source="notification.looked_after", read_only=True, allow_null=True)
    harm_outside_england = serializers.BooleanField(
        source="notification.harm_outside_england", read_only=True, allow_null=True
    )
    harm_location = serializers.CharField(source="notification.harm_location", read_only=True, allow_null=True)
    harm_area_informed_on = serializers.DateField(
        source="notification.harm_area_informed_on", read_only=True, allow_null=True
    )
    ofsted_sent_on = serializers.DateField(source="notification.ofsted_sent_on", read_only=True, allow_null=True)
    secretary_of_state_sent_on = serializers.DateField(
        source="notification.secretary_of_state_sent_on", read_only=True, allow_null=True
    )
    panel_response = serializers.CharField(
        source="rapid_review.panel_response",
        read_only=True,
        allow_null=True,
        help_text="The national panel's response to a recommended national review: '' (none yet), "
        + ", ".join(PanelResponse.values)
        + ".",
    )
    panel_responded_on = serializers.DateField(
        source="rapid_review.panel_responded_on", read_only=True, allow_null=True
    )
    panel_response_words = serializers.CharField(
        source="rapid_review.panel_response_words", read_only=True, allow_null=True
    )
    national_published_on = serializers.DateField(
        source="rapid_review.national_published_on", read_only=True, allow_null=True
    )
    regime = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "reference",
            "title",
            "stage",
            "children",
            "notification_due_on",
            "notification_sent_on",
            "notification_timeliness",
            "rapid_review_due_on",
            "rapid_review_timeliness",
            "rapid_review_clock_from",
            "rapid_review_rule",
            "target_publication_on",
            "target_completion_on",
            "completed_on",
            "completion_timeliness",
            "published_on",
            "abuse_or_neglect",
            "looked_after",
            "harm_outside_england",
            "harm_location",
            "harm_area_informed_on",
            "ofsted_sent_on",
            "secretary_of_state_sent_on",
            "panel_response",
            "panel_responded_on",
            "panel_response_words",
            "national_published_on",
            "regime",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True, help_text=TIMELINESS_HELP))
    def get_notification_timeliness(self, obj: Review) -> str | None:
        return _timeliness(queries.notification_clock(obj))

    @extend_schema_field(serializers.CharField(allow_null=True, help_text=TIMELINESS_HELP))
    def get_rapid_review_timeliness(self, obj: Review) -> str | None:
        return _timeliness(queries.rapid_review_clock(obj))

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_target_publication_on(self, obj: Review) -> date | None:
        practice = queries.practice_or_none(obj)
        return practice.target_publication_on if practice and publication.publication_clock_applies(practice) else None

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_target_completion_on(self, obj: Review) -> date | None:
        clock = queries.completion_clock(obj)
        return clock.due_on if clock else None

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_completed_on(self, obj: Review) -> date | None:
        clock = queries.completion_clock(obj)
        return clock.met_on if clock else None

    @extend_schema_field(serializers.CharField(allow_null=True, help_text=TIMELINESS_HELP))
    def get_completion_timeliness(self, obj: Review) -> str | None:
        return _timeliness(queries.completion_clock(obj))

    @extend_schema_field(RegimeSerializer(allow_null=True))
    def get_regime(self, obj: Review) -> dict[str, str] | None:
        found = regime.of_review(obj)
        if found is None:
            return None
        return {
            "regime": str(found.regime),
            "kind": found.kind,
            "decided_on": found.decided_on.isoformat(),
            "decided_by": found.decider,
            "legal_basis": found.rules.legal_short,
            "guidance": found.guidance_sentence,
        }

    @extend_schema_field(serializers.ListField(child=serializers.CharField(), help_text="The children's pseudonyms."))
    def get_children(self, obj: Review) -> list[str]:
        return [link.pseudonym for link in obj.child_links.all()]

    def to_representation(self, instance: Review) -> dict[str, Any]:
        # A legacy review has no notification or rapid review: those fields are null.
        data: dict[str, Any] = {}
        for name, field in self.fields.items():
            try:
                attribute = field.get_attribute(instance)
            except ObjectDoesNotExist:  # the related row does not exist
                data[name] = None
                continue
            data[name] = None if attribute is None else field.to_representation(attribute)
        return data


class PartnerInformedSerializer(serializers.Serializer):
    agency = serializers.CharField(help_text="The statutory partner's agency code.")
    informed_on = serializers.DateField()


class RecordEntrySerializer(serializers.Serializer):
    on = serializers.DateField()
    text = serializers.CharField()
    detail = serializers.CharField(help_text="The reason or the national panel's words, if any.")


class ReviewDetailSerializer(ReviewSerializer):
    """One review: also the partners informed and not yet informed, and the case's dated record."""

    partners_informed = serializers.SerializerMethodField()
    partners_not_informed = serializers.SerializerMethodField()
    record = serializers.SerializerMethodField()

    class Meta(ReviewSerializer.Meta):
        fields = [*ReviewSerializer.Meta.fields, "partners_informed", "partners_not_informed", "record"]
        read_only_fields = fields

    @extend_schema_field(PartnerInformedSerializer(many=True))
    def get_partners_informed(self, obj: Review) -> list[dict[str, Any]]:
        return [{"agency": row.agency.code, "informed_on": row.informed_on} for row in timeline.partners_informed(obj)]

    @extend_schema_field(
        serializers.ListField(child=serializers.CharField(), help_text="Codes of the partners not yet informed.")
    )
    def get_partners_not_informed(self, obj: Review) -> list[str]:
        return [agency.code for agency in timeline.partners_not_informed(obj)]

    @extend_schema_field(RecordEntrySerializer(many=True))
    def get_record(self, obj: Review) -> list[dict[str, Any]]:
        return [{"on": e.on, "text": e.text, "detail": e.detail} for e in timeline.case_record(obj)]


class ChildPseudonymSerializer(serializers.Serializer):
    nhs_number = serializers.RegexField(r"^\d{10}$", help_text="The child's NHS number, 10 digits.")
    pseudonym = serializers.CharField(max_length=60, help_text="The name the review will use, e.g. 'Child A'.")


class NotifySerializer(serializers.Serializer):
    incident_on = serializers.DateField()
    aware_on = serializers.DateField(help_text="The date the local authority became aware.")
    harm = serializers.ChoiceField(choices=Harm.choices)
    summary = serializers.CharField(max_length=20000)
    children = ChildPseudonymSerializer(many=True, allow_empty=False)
    abuse_or_neglect = serializers.BooleanField(
        help_text="Abuse or neglect known or suspected. Required: false is accepted only for the death of a "
        "looked-after child (Children Act 2004 s.16C)."
    )
    looked_after = serializers.BooleanField(required=False, default=False, help_text="The child was looked after.")
    harm_outside_england = serializers.BooleanField(
        required=False, default=False, help_text="The death or harm happened outside England."
    )
    harm_location = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="Where, when outside England."
    )


class SubmissionSerializer(serializers.ModelSerializer):
    document_name = serializers.CharField(source="document.filename", read_only=True, allow_null=True)

    class Meta:
        model = Submission
        fields = ["submitted_at", "involvement", "analysis", "learning", "immediate_actions", "document_name"]
        read_only_fields = fields


class AgencyRequestSerializer(serializers.ModelSerializer):
    review = serializers.CharField(source="review.reference", read_only=True)
    agency: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)
    kind = serializers.CharField(read_only=True, help_text="One of: " + ", ".join(RequestKind.values) + ".")
    status = serializers.CharField(read_only=True, help_text="One of: " + ", ".join(RequestStatus.values) + ".")
    submission = serializers.SerializerMethodField()

    class Meta:
        model = AgencyRequest
        fields = ["id", "review", "agency", "kind", "status", "note", "due_on", "requested_at", "submission"]
        read_only_fields = fields

    @extend_schema_field(SubmissionSerializer(allow_null=True))
    def get_submission(self, obj: AgencyRequest) -> dict[str, Any] | None:
        submission = Submission.objects.filter(request=obj).select_related("document").first()
        return SubmissionSerializer(submission).data if submission else None


class SubmitSerializer(serializers.Serializer):
    involvement = serializers.CharField(max_length=20000)
    analysis = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    learning = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    immediate_actions = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    document_name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    document_base64 = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The document, base64-encoded (at most 20 MB). A chronology is CSV or XLSX in the import format.",
    )


@extend_schema_field(
    {
        "type": "string",
        "pattern": "^(" + "|".join(RecommendationStatus.values) + ")$",
        "description": "One of: " + ", ".join(RecommendationStatus.values) + ".",
    }
)
class RecommendationStatusField(serializers.ChoiceField):
    """Documented by a pattern, not an enum: a second component with a `status` enum of these choices
    would make drf-spectacular's enum naming collide (a schema warning) without a project setting."""


class RecommendationStatusSerializer(serializers.Serializer):
    status = RecommendationStatusField(choices=RecommendationStatus.choices)


class ReviewTransitionSerializer(serializers.Serializer):
    """One stage change. Which fields are needed depends on the step (see the operation's description)."""

    to_stage = serializers.ChoiceField(
        choices=Stage.choices, help_text="The stage to move to, from the review's current stage. " + STAGE_HELP
    )
    version = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text="The review's version you read; a change to an older version answers 409.",
    )
    reason = serializers.CharField(
        max_length=10000,
        required=False,
        allow_blank=True,
        default="",
        help_text="A note kept in the stage history; the reasons for the decision when closing at decision.",
    )
    sent_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="rapid_review and decision: the date sent to the national panel.",
    )
    kind = serializers.ChoiceField(
        choices=[
            (ReviewKind.LCSPR.value, ReviewKind.LCSPR.label),
            (ReviewKind.OTHER_LEARNING.value, ReviewKind.OTHER_LEARNING.label),
        ],
        required=False,
        allow_blank=True,
        default="",
        help_text="in_progress: the kind of review decided on.",
    )
    decided_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="in_progress: the date of the decision."
    )
    decision = serializers.ChoiceField(
        choices=[
            (Recommendation.NO_FURTHER_REVIEW.value, Recommendation.NO_FURTHER_REVIEW.label),
            (Recommendation.NATIONAL_REVIEW.value, Recommendation.NATIONAL_REVIEW.label),
        ],
        required=False,
        allow_blank=True,
        default="",
        help_text="closed from the decision stage: what the partners decided.",
    )
    published_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="published: the date of publication."
    )
    may_come_down_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="published: the date the report may come down (at least 12 months later; default exactly 12).",
    )
    ofsted_sent_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="rapid_review: the date the copy went to Ofsted (required for the death of a looked-after child).",
    )
    secretary_of_state_sent_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="rapid_review: the date the copy went to the Secretary of State (required for the death of a "
        "looked-after child).",
    )
