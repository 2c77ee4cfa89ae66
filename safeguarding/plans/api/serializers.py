"""What the API shows of care plans and what it accepts. The same services as the pages make every
change; agreed versions are read-only (a change answers 409)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from safeguarding.agencies.models import Agency
from safeguarding.api.fields import CodeField
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
from safeguarding.plans.models import (
    CONTENT_FIELD_NAMES,
    AgreementPerson,
    CarePlan,
    Objective,
    ObjectiveUpdate,
    PlanVersion,
    ScalingScore,
)

TEXT_CONTENT = [name for name in CONTENT_FIELD_NAMES if name != "review_date"]


def one_of(choices: type[Any], *, read_only: bool = False, **kwargs: Any) -> serializers.CharField:
    """A code from a fixed list, described in words (the services check it: an unknown code is a 400)."""
    help_text = "One of: " + ", ".join(f"`{value}` ({label})" for value, label in choices.choices) + "."
    if read_only:
        return serializers.CharField(read_only=True, help_text=help_text)
    return serializers.CharField(max_length=32, help_text=help_text, **kwargs)


class PlanObjectiveSerializer(serializers.ModelSerializer):
    owner_agency: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    version = serializers.IntegerField(source="version.number", read_only=True, help_text="The plan version number.")
    owner_kind = one_of(PersonKind, read_only=True)

    class Meta:
        model = Objective
        fields = [
            "uid",
            "version",
            "order",
            "action",
            "owner_kind",
            "owner_user",
            "owner_agency",
            "owner_name",
            "owner_relationship",
            "due_on",
            "support_offered",
            "progress_measure",
        ]
        read_only_fields = fields


class PlanAgreementPersonSerializer(serializers.ModelSerializer):
    kind = one_of(PersonKind, read_only=True)
    agency: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = AgreementPerson
        fields = ["kind", "name", "relationship", "user", "agency"]
        read_only_fields = fields


class PlanAgreementSerializer(serializers.Serializer):
    agreed_on = serializers.DateField(read_only=True)
    method = one_of(AgreementMethod, read_only=True)
    family_disputes = serializers.CharField(read_only=True, help_text="What the family disputes, in their words.")
    people = PlanAgreementPersonSerializer(many=True, read_only=True)


class CarePlanVersionSerializer(serializers.ModelSerializer):
    state = one_of(VersionState, read_only=True)
    agreement = serializers.SerializerMethodField()
    objectives = PlanObjectiveSerializer(many=True, read_only=True)

    class Meta:
        model = PlanVersion
        fields = ["number", "state", *CONTENT_FIELD_NAMES, "created_at", "agreed_at", "agreement", "objectives"]
        read_only_fields = fields

    @extend_schema_field(PlanAgreementSerializer(allow_null=True))
    def get_agreement(self, obj: PlanVersion) -> dict[str, Any] | None:
        agreement = getattr(obj, "agreement", None) if obj.is_agreed else None
        return dict(PlanAgreementSerializer(agreement).data) if agreement else None


class CarePlanSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    plan_type = one_of(PlanType, read_only=True)
    status = one_of(PlanStatus, read_only=True)
    children = serializers.SerializerMethodField()
    lead_agency: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = CarePlan
        fields = [
            "id",
            "reference",
            "plan_type",
            "status",
            "children",
            "lead_professional",
            "lead_agency",
            "started_on",
            "ended_on",
            "end_reason",
            "version",
        ]
        read_only_fields = fields

    def get_children(self, obj: CarePlan) -> list[int]:
        return sorted(c.pk for c in obj.children.all())


class CarePlanDetailSerializer(CarePlanSerializer):
    current_version = serializers.SerializerMethodField(help_text="The agreed version in force, or the first draft.")
    draft_version = serializers.SerializerMethodField(help_text="The draft being written, if there is one.")

    class Meta(CarePlanSerializer.Meta):
        fields = [*CarePlanSerializer.Meta.fields, "current_version", "draft_version"]
        read_only_fields = fields

    @extend_schema_field(CarePlanVersionSerializer)
    def get_current_version(self, obj: CarePlan) -> dict[str, Any]:
        return dict(CarePlanVersionSerializer(obj.current_version()).data)

    @extend_schema_field(CarePlanVersionSerializer(allow_null=True))
    def get_draft_version(self, obj: CarePlan) -> dict[str, Any] | None:
        draft = obj.draft_version()
        return dict(CarePlanVersionSerializer(draft).data) if draft else None


class PlanVersionedSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="The plan's `version` as you read it; a stale one answers 409."
    )


class PlanDraftUpdateSerializer(PlanVersionedSerializer):
    """A change to the draft: send `version` and only the fields that change."""

    review_date = serializers.DateField(required=False, allow_null=True)

    # Validated whole even for a PATCH, so the schema (which documents PATCH bodies as partial) and the
    # validation both say that `version` is required; every other field is optional anyway.
    @property
    def partial(self) -> bool:
        return False

    @partial.setter
    def partial(self, value: bool) -> None:
        pass

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in TEXT_CONTENT:
            self.fields[name] = serializers.CharField(required=False, allow_blank=True, max_length=20000)


class PlanObjectiveWriteSerializer(PlanVersionedSerializer):
    action = serializers.CharField(max_length=5000)
    owner_kind = one_of(PersonKind)
    owner_user = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**63 - 1, help_text="For a professional."
    )
    owner_agency = CodeField(
        slug_field="code",
        queryset=Agency.objects.all(),
        required=False,
        allow_null=True,
        help_text="For a professional.",
    )
    owner_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    owner_relationship = serializers.CharField(required=False, allow_blank=True, max_length=120)
    due_on = serializers.DateField()
    support_offered = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    progress_measure = serializers.CharField(max_length=5000)


class PlanObjectiveUpdateSerializer(serializers.ModelSerializer):
    status = one_of(ObjectiveStatus, read_only=True)
    rag = one_of(ObjectiveRag, read_only=True)
    agency: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = ObjectiveUpdate
        fields = ["id", "objective_uid", "status", "rag", "evidence", "recorded_by", "agency", "recorded_at"]
        read_only_fields = fields


class PlanObjectiveUpdateCreateSerializer(serializers.Serializer):
    status = one_of(ObjectiveStatus)
    rag = one_of(ObjectiveRag)
    evidence = serializers.CharField(max_length=10000)


class ScalingScoreSerializer(serializers.ModelSerializer):
    review = serializers.IntegerField(source="review_id", read_only=True)
    held_on = serializers.DateField(source="review.held_on", read_only=True)
    agency: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    person_key = serializers.CharField(read_only=True, help_text="The same person across reviews.")
    kind = one_of(PersonKind, read_only=True)

    class Meta:
        model = ScalingScore
        fields = ["review", "held_on", "person_key", "kind", "user", "agency", "name", "role", "score", "reason"]
        read_only_fields = fields


class ScalingScoreWriteSerializer(serializers.Serializer):
    kind = one_of(PersonKind)
    user = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)
    agency = CodeField(slug_field="code", queryset=Agency.objects.all(), required=False, allow_null=True)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    role = serializers.CharField(required=False, allow_blank=True, max_length=120)
    score = serializers.IntegerField(min_value=SCALE_MIN, max_value=SCALE_MAX)
    reason = serializers.CharField(max_length=5000)


class PlanReviewCreateSerializer(PlanVersionedSerializer):
    held_on = serializers.DateField()
    attendance = serializers.CharField(max_length=10000)
    decisions = serializers.CharField(max_length=20000)
    next_review_on = serializers.DateField(required=False, allow_null=True)
    scores = ScalingScoreWriteSerializer(many=True)
