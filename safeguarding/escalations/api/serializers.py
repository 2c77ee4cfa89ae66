"""What the API shows of escalations and what it accepts. Children appear by id only to callers who may
see them; the same services as the pages make every change."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from safeguarding.agencies.models import Agency
from safeguarding.api.fields import CodeField
from safeguarding.children.models import Child
from safeguarding.children.queries import children_visible_to
from safeguarding.chronology.models import Event
from safeguarding.chronology.queries import events_for_child
from safeguarding.escalations.enums import EscalationStatus, ResponseKind, Urgency
from safeguarding.escalations.models import AgreedAction, Escalation, EscalationReason, EscalationStep
from safeguarding.escalations.services import EVIDENCE_NOT_VISIBLE

STATUS_HELP = "One of: " + ", ".join(EscalationStatus.values) + "."
NEED_HELP = "The level of need, 1 (universal) to 4 (specialist or statutory)."


class EscalationStepSerializer(serializers.ModelSerializer):
    from_status = serializers.CharField(
        read_only=True, help_text="Empty when the escalation was raised. " + STATUS_HELP
    )
    to_status = serializers.CharField(read_only=True, help_text=STATUS_HELP)

    class Meta:
        model = EscalationStep
        fields = ["action", "actor_agency", "from_status", "to_status", "from_stage", "to_stage", "reason", "at"]
        read_only_fields = fields


class EscalationSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    raiser_level_of_need = serializers.IntegerField(read_only=True, help_text=NEED_HELP)
    receiver_level_of_need = serializers.IntegerField(read_only=True, allow_null=True, help_text=NEED_HELP)
    stage = serializers.IntegerField(source="stage.number", read_only=True)
    reason: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)
    raising_agency: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)
    receiving_agency: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)
    children = serializers.SerializerMethodField()
    children_not_shown = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()
    history = EscalationStepSerializer(many=True, source="steps", read_only=True)

    class Meta:
        model = Escalation
        fields = [
            "id",
            "reference",
            "status",
            "stage",
            "urgency",
            "reason",
            "raising_agency",
            "receiving_agency",
            "children",
            "children_not_shown",
            "disputed_decision",
            "desired_outcome",
            "raiser_level_of_need",
            "receiver_level_of_need",
            "raised_at",
            "stage_due_at",
            "stage_overdue_at",
            "finished_at",
            "flagged_for_learning",
            "version",
            "allowed_actions",
            "history",
        ]
        read_only_fields = fields

    def _visible(self, obj: Escalation) -> set[int]:
        return set(self.context.get("visible_child_ids", {}).get(obj.pk, []))

    @extend_schema_field(
        serializers.ListField(child=serializers.IntegerField(), help_text="Ids of children you may see.")
    )
    def get_children(self, obj: Escalation) -> list[int]:
        return sorted(self._visible(obj))

    @extend_schema_field(
        serializers.IntegerField(help_text="Children on the escalation your agency does not work with.")
    )
    def get_children_not_shown(self, obj: Escalation) -> int:
        total = len(self.context.get("all_child_ids", {}).get(obj.pk, []))
        return total - len(self._visible(obj))

    @extend_schema_field(serializers.ListField(child=serializers.CharField(), help_text="What the caller may do now."))
    def get_allowed_actions(self, obj: Escalation) -> list[str]:
        from safeguarding.escalations.workflow import allowed_actions

        return allowed_actions(self.context["request"].user, obj)


class IdList(serializers.ListField):
    """A list of ids whose errors are one list of messages (the documented error shape), not a
    mapping by position as a ListField gives."""

    child = serializers.IntegerField(min_value=1)

    def to_internal_value(self, data: Any) -> list[int]:
        try:
            return super().to_internal_value(data)  # type: ignore[no-any-return]
        except serializers.ValidationError as exc:
            detail = exc.detail
            messages = (
                sorted({str(m) for msgs in detail.values() for m in msgs})  # type: ignore[union-attr]
                if isinstance(detail, dict)
                else detail
            )
            raise serializers.ValidationError(messages) from exc


class EscalationCreateSerializer(serializers.Serializer):
    children = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Child.objects.all(), help_text="Ids of children your agency works with."
    )
    receiving_agency = CodeField(
        slug_field="code", queryset=Agency.objects.active(), help_text="The code of the agency you disagree with."
    )
    reason = CodeField(
        slug_field="code", queryset=EscalationReason.objects.active(), help_text="A reason code, e.g. 'threshold'."
    )
    evidence = IdList(
        required=False,
        default=list,
        help_text="Ids of chronology entries about these children that your agency may see.",
    )
    disputed_decision = serializers.CharField(max_length=10000)
    desired_outcome = serializers.CharField(max_length=10000)
    raiser_level_of_need = serializers.IntegerField(min_value=1, max_value=4, help_text=NEED_HELP)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.STANDARD)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Ids of children or entries the caller may not see answer exactly like ids that do not
            # exist, so the API cannot be used to probe for them.
            user = request.user
            self.fields["children"].child_relation.queryset = children_visible_to(user)  # type: ignore[attr-defined]

    def validate_children(self, value: list[Child]) -> list[Child]:
        if not value:
            raise serializers.ValidationError("Give at least one child's id.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Evidence ids become entries only where they are about these children and visible to the
        caller; any other id (missing, another child's, restricted) gets the one message."""
        ids = set(attrs.get("evidence") or [])
        if not ids:
            attrs["evidence"] = []
            return attrs
        user = self.context["request"].user
        found: dict[int, Event] = {}
        for child in attrs["children"]:
            found.update({e.pk: e for e in events_for_child(user, child).filter(pk__in=ids)})
        if set(found) != ids:
            raise serializers.ValidationError({"evidence": [EVIDENCE_NOT_VISIBLE]})
        attrs["evidence"] = [found[pk] for pk in sorted(ids)]
        return attrs


class VersionedSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text="The escalation's version you read; a change to an older version answers 409."
    )


class RespondSerializer(VersionedSerializer):
    kind = serializers.ChoiceField(choices=ResponseKind.choices)
    reasons = serializers.CharField(max_length=10000)
    proposal = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")
    level_of_need = serializers.IntegerField(
        min_value=1, max_value=4, required=False, allow_null=True, default=None, help_text=NEED_HELP
    )


class AgreedActionSerializer(serializers.ModelSerializer):
    owner_agency = CodeField(slug_field="code", queryset=Agency.objects.all())

    class Meta:
        model = AgreedAction
        fields = ["description", "owner_agency", "owner_name", "due_on"]


class OutcomeSerializer(VersionedSerializer):
    outcome = serializers.CharField(max_length=10000)
    actions = AgreedActionSerializer(many=True, required=False, default=list)


class ReasonSerializer(VersionedSerializer):
    reason = serializers.CharField(max_length=10000)


class ResolveSerializer(VersionedSerializer):
    how = serializers.ChoiceField(
        choices=[("accepted", "The raising side accepts the outcome"), ("referral", "Resolved by referral")],
        default="accepted",
    )
    reason = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["how"] == "referral" and not attrs["reason"].strip():
            raise serializers.ValidationError({"reason": ["Say how the child's safety was dealt with (the referral)."]})
        return attrs
