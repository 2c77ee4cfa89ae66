"""What the API shows of action plans and accepts for updates. The same services as the pages make
every change; access is decided (by `safeguarding.actionplans.queries`) before these run."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from safeguarding.actionplans.enums import ActionRag, ActionSource, ActionStatus, CommitteeOutcome
from safeguarding.actionplans.models import Action, ActionPlan, ActionPlanVersion, ActionUpdate, CommitteeDecision

STATUS_HELP = "One of: " + ", ".join(ActionStatus.values) + "."
RAG_HELP = "One of: " + ", ".join(ActionRag.values) + " (blue exactly when complete)."


@extend_schema_field(
    {"type": "string", "pattern": "^(" + "|".join(ActionStatus.values) + ")$", "description": STATUS_HELP}
)
class ActionStatusField(serializers.ChoiceField):
    """An action status. Documented as a pattern, not an enum: the schema's enum naming would collide with
    other apps' `status` choices (a settings-level ENUM_NAME_OVERRIDES entry would also do)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=ActionStatus.choices, **kwargs)


class CountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    complete = serializers.IntegerField()
    percent_complete = serializers.IntegerField()
    overdue = serializers.IntegerField(help_text="Past the due date and not complete (due today is not overdue).")
    recheck_due = serializers.IntegerField(
        help_text="Complete, the date to check the change held arrived (today counts), no re-check that held."
    )
    recheck_held = serializers.IntegerField(help_text="Complete and re-checked: the change held.")
    by_status = serializers.DictField(child=serializers.IntegerField(), help_text="Actions per status value.")
    by_rag = serializers.DictField(child=serializers.IntegerField(), help_text="Actions per RAG value.")


class RecommendationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    uid = serializers.UUIDField(help_text="The recommendation's stable identifier.")
    number = serializers.IntegerField()
    reference = serializers.CharField()


class ActionSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    plan_reference = serializers.CharField(source="plan.reference", read_only=True)
    recommendation = serializers.SerializerMethodField()
    lead_agency: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text="The lead agency's code."
    )
    lead_officer = serializers.CharField(source="lead_officer.get_full_name", read_only=True)
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    rag = serializers.CharField(read_only=True, help_text=RAG_HELP)
    signed_off = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    recheck_held = serializers.BooleanField(
        read_only=True,
        allow_null=True,
        help_text="The latest re-check: true the change held, false it did not (the action was reopened), "
        "null none recorded.",
    )
    recheck_due = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "id",
            "reference",
            "plan",
            "plan_reference",
            "number",
            "recommendation",
            "description",
            "lead_agency",
            "lead_officer",
            "start_on",
            "due_on",
            "success_measure",
            "status",
            "rag",
            "completed_on",
            "signed_off",
            "signed_off_at",
            "recheck_on",
            "rechecked_on",
            "recheck_held",
            "recheck_due",
            "overdue",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(RecommendationRefSerializer(allow_null=True))
    def get_recommendation(self, obj: Action) -> dict[str, Any] | None:
        rec = obj.recommendation
        if rec is None:
            return None
        return {"id": rec.pk, "uid": rec.uid, "number": rec.number, "reference": rec.reference}

    def get_signed_off(self, obj: Action) -> bool:
        return obj.signed_off_at is not None

    def get_overdue(self, obj: Action) -> bool:
        return obj.is_overdue(timezone.localdate())

    @extend_schema_field(
        serializers.BooleanField(
            help_text="Complete (signed off or not), `recheck_on` today or earlier, and no re-check that held."
        )
    )
    def get_recheck_due(self, obj: Action) -> bool:
        return obj.is_recheck_due(timezone.localdate())


class DecisionSerializer(serializers.ModelSerializer):
    outcome = serializers.ChoiceField(choices=CommitteeOutcome.choices, read_only=True)

    class Meta:
        model = CommitteeDecision
        fields = ["id", "committee", "meeting_on", "outcome", "questions", "recorded_at"]
        read_only_fields = fields


class VersionSerializer(serializers.ModelSerializer):
    decisions = DecisionSerializer(many=True, read_only=True)

    class Meta:
        model = ActionPlanVersion
        fields = ["id", "number", "reason", "created_at", "decisions"]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    # The metaclass collects declared fields, so this does not replace Field.source at run time.
    source = serializers.ChoiceField(choices=ActionSource.choices, read_only=True)  # type: ignore[assignment]
    review: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The case review's id."
    )
    chair = serializers.CharField(source="chair.get_full_name", read_only=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = ActionPlan
        fields = [
            "id",
            "reference",
            "title",
            "source",
            "source_reference",
            "review",
            "owner_group",
            "chair",
            "created_at",
            "progress",
        ]
        read_only_fields = fields

    @extend_schema_field(CountsSerializer)
    def get_progress(self, obj: ActionPlan) -> dict[str, Any]:
        return dict(self.context["progress"][obj.pk].as_dict())


class RecommendationProgressSerializer(serializers.Serializer):
    recommendation = RecommendationRefSerializer(allow_null=True, help_text="Null: actions tied to none.")
    text = serializers.CharField(allow_blank=True, help_text="The recommendation, quoted in full.")
    actions = serializers.ListField(child=serializers.IntegerField(), help_text="Ids of its actions.")
    progress = CountsSerializer()


class PlanDetailSerializer(PlanSerializer):
    actions = serializers.SerializerMethodField()
    recommendations = serializers.SerializerMethodField()
    versions = VersionSerializer(many=True, read_only=True)

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "actions", "recommendations", "versions"]
        read_only_fields = fields

    @extend_schema_field(RecommendationProgressSerializer(many=True))
    def get_recommendations(self, obj: ActionPlan) -> list[dict[str, Any]]:
        """Per recommendation of the plan's review (with none yet too), then actions tied to none."""
        rows = []
        for group in self.context["groups"]:
            rec = group.recommendation
            rows.append(
                {
                    "recommendation": {"id": rec.pk, "uid": rec.uid, "number": rec.number, "reference": rec.reference}
                    if rec is not None
                    else None,
                    "text": rec.text if rec is not None else "",
                    "actions": [a.pk for a in group.actions],
                    "progress": group.progress.as_dict(),
                }
            )
        return rows

    @extend_schema_field(ActionSerializer(many=True))
    def get_actions(self, obj: ActionPlan) -> Any:
        return ActionSerializer(self.context["actions"], many=True).data


class EvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    filename = serializers.CharField()
    size = serializers.IntegerField(help_text="Bytes.")


class UpdateSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.get_full_name", read_only=True)
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    rag = serializers.CharField(read_only=True, help_text=RAG_HELP)
    evidence = EvidenceSerializer(many=True, read_only=True)
    recheck_held = serializers.BooleanField(
        read_only=True,
        allow_null=True,
        help_text="Set when the update records a re-check: true the change held, false it did not; null for a "
        "progress update.",
    )

    class Meta:
        model = ActionUpdate
        fields = ["id", "written_on", "narrative", "status", "rag", "recheck_held", "author", "evidence", "created_at"]
        read_only_fields = fields


class UpdateCreateSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1,
        help_text="The action's `version` as you read it: if the action changed since (another update), nothing "
        "is saved and the answer is 409, so no update silently overwrites another.",
    )
    written_on = serializers.DateField(
        input_formats=["iso-8601"],
        help_text="YYYY-MM-DD: today or earlier, and no earlier than the action's latest update.",
    )
    narrative = serializers.CharField(max_length=20000, help_text="Progress since the last update.")
    status = ActionStatusField()
    rag = serializers.ChoiceField(
        choices=ActionRag.choices,
        help_text="On track is green, at risk amber, off track red, complete blue; not started green, amber or red.",
    )


class UpdateUploadSerializer(UpdateCreateSerializer):
    evidence = serializers.ListField(
        child=serializers.FileField(max_length=255, allow_empty_file=False),
        required=False,
        default=list,
        help_text="Evidence files (up to 20 MB each); required to set complete_with_impact unless an earlier "
        "update has one.",
    )


class RecheckCreateSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="The action's `version` as you read it; a stale one answers 409."
    )
    rechecked_on = serializers.DateField(
        input_formats=["iso-8601"],
        help_text="YYYY-MM-DD: the date of the re-check; today or earlier, and no earlier than the action's "
        "latest update.",
    )
    held = serializers.BooleanField(
        help_text="true: the change held (kept on the action); false: it did not hold (the action reopens as "
        "at_risk, amber, its sign-off cleared)."
    )
    narrative = serializers.CharField(max_length=20000, help_text="What the re-check found.")
    due_on = serializers.DateField(
        input_formats=["iso-8601"],
        required=False,
        allow_null=True,
        default=None,
        help_text="YYYY-MM-DD, in the future: the reopened action's new due date. Required when held is false; "
        "ignored when it is true.",
    )
    recheck_on = serializers.DateField(
        input_formats=["iso-8601"],
        required=False,
        allow_null=True,
        default=None,
        help_text="YYYY-MM-DD, after the new due date: when to check the change held again (held false only). "
        "Omitted, the re-check date is cleared for the business unit to agree later.",
    )


class RecheckUploadSerializer(RecheckCreateSerializer):
    evidence = serializers.ListField(
        child=serializers.FileField(max_length=255, allow_empty_file=False),
        required=False,
        default=list,
        help_text="Evidence files (up to 10, 20 MB each), e.g. the re-audit's summary.",
    )


class ActionFilterSerializer(serializers.Serializer):
    plan = serializers.IntegerField(required=False, min_value=1, help_text="Only this plan's actions.")
    lead_agency = serializers.CharField(required=False, max_length=32, help_text="A lead agency's code.")
    status = ActionStatusField(required=False)
    overdue = serializers.ChoiceField(
        choices=["true", "false"], required=False, help_text="true: only overdue; false: only not overdue."
    )
    recheck_due = serializers.ChoiceField(
        choices=["true", "false"],
        required=False,
        help_text="true: only actions with a re-check due; false: only the others.",
    )
