"""What the API shows of assessments and templates, and what it accepts. Children appear by id; a cited
chronology entry the caller may not see appears only as a restricted entry (no id). Templates come
without their licensed descriptor wording, which is shown only on the pages to trained people."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from safeguarding.agencies.models import Agency
from safeguarding.api.fields import CodeField
from safeguarding.assessments.enums import AssessmentStatus, GradeBy
from safeguarding.assessments.models import Area, Assessment, AssessmentTemplate, Item, ScalePoint, SubArea
from safeguarding.assessments.structure import grade_key
from safeguarding.children.queries import children_visible_to

STATUS_HELP = "One of: " + ", ".join(AssessmentStatus.values) + ". A completed assessment never changes."


class ScalePointSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScalePoint
        fields = ["value", "label"]
        read_only_fields = fields


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = ["code", "title", "guidance"]
        read_only_fields = fields


class SubAreaSerializer(serializers.ModelSerializer):
    items = ItemSerializer(many=True, read_only=True)

    class Meta:
        model = SubArea
        fields = ["code", "title", "guidance", "items"]
        read_only_fields = fields


class AreaSerializer(serializers.ModelSerializer):
    sub_areas = SubAreaSerializer(many=True, read_only=True)

    class Meta:
        model = Area
        fields = ["code", "title", "guidance", "sub_areas"]
        read_only_fields = fields


class TemplateSerializer(serializers.ModelSerializer):
    grade_by = serializers.ChoiceField(
        choices=GradeBy.choices, read_only=True, help_text="What is graded: each sub-area, or each item."
    )
    scale = ScalePointSerializer(many=True, read_only=True)
    areas = AreaSerializer(many=True, read_only=True)

    class Meta:
        model = AssessmentTemplate
        fields = [
            "id",
            "code",
            "name",
            "version",
            "description",
            "grade_by",
            "licence_note",
            "is_active",
            "scale",
            "areas",
        ]
        read_only_fields = fields


class CitedEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="The chronology entry's id; null when restricted.")
    restricted = serializers.BooleanField(help_text="True when you may not see the entry: only its existence is shown.")


class GradeOutSerializer(serializers.Serializer):
    unit = serializers.CharField(help_text="The graded sub-area's or item's code.")
    area = serializers.CharField(help_text="The area's code.")
    sub_area = serializers.CharField(help_text="The sub-area's code.")
    item = serializers.CharField(allow_null=True, help_text="The item's code, when the template grades items.")
    grade = serializers.IntegerField(allow_null=True, help_text="Null while a draft is not graded yet.")
    evidence = serializers.CharField()
    cited_entries = CitedEntrySerializer(many=True)


class AssessmentSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    child = serializers.IntegerField(source="child_id", read_only=True)
    template = serializers.CharField(source="template.code", read_only=True)
    template_version = serializers.IntegerField(source="template.version", read_only=True)
    agency: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)
    assessor = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "reference",
            "child",
            "template",
            "template_version",
            "agency",
            "assessor",
            "assessed_on",
            "status",
            "completed_at",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(help_text="The assessor's name (a person trained for the template)."))
    def get_assessor(self, obj: Assessment) -> str:
        return obj.assessor.get_full_name() or obj.assessor.username


class AssessmentDetailSerializer(AssessmentSerializer):
    grades = serializers.SerializerMethodField()

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "overall_view", "next_steps", "grades"]
        read_only_fields = fields

    @extend_schema_field(GradeOutSerializer(many=True))
    def get_grades(self, obj: Assessment) -> list[dict[str, Any]]:
        cited = self.context.get("cited", {})
        rows = obj.grades.select_related("sub_area__area", "item")
        return [
            {
                "unit": grade_key(g),
                "area": g.sub_area.area.code,
                "sub_area": g.sub_area.code,
                "item": g.item.code if g.item is not None else None,
                "grade": g.grade,
                "evidence": g.evidence,
                "cited_entries": [
                    {"id": None, "restricted": True} if e.hidden else {"id": e.event_id, "restricted": False}
                    for e in cited.get(g.pk, [])
                ],
            }
            for g in rows
        ]


class GradeInSerializer(serializers.Serializer):
    unit = serializers.CharField(max_length=60, help_text="The sub-area's or item's code, e.g. 'nutrition'.")
    grade = serializers.IntegerField(
        min_value=0, max_value=100, required=False, allow_null=True, default=None, help_text="A value on the scale."
    )
    evidence = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    entries = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        default=list,
        max_length=200,
        help_text="Ids of chronology entries about the child that you may see, cited as evidence.",
    )


class AssessmentContentSerializer(serializers.Serializer):
    grades = GradeInSerializer(many=True, required=False, default=list)
    overall_view = serializers.CharField(
        max_length=20000, required=False, allow_blank=True, allow_null=True, default=None
    )
    next_steps = serializers.CharField(
        max_length=20000, required=False, allow_blank=True, allow_null=True, default=None
    )
    assessed_on = serializers.DateField(required=False, allow_null=True, default=None)

    def validate_grades(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        units = [g["unit"] for g in value]
        if len(units) != len(set(units)):
            raise serializers.ValidationError("Give each unit once.")
        return value


@extend_schema_field(serializers.IntegerField(help_text="The child's id."))
class VisibleChildField(serializers.PrimaryKeyRelatedField):
    """A child the caller may see: one that does not exist and one they may not see get the same answer."""

    default_error_messages = {
        "required": "Choose a child your agency works with.",
        "does_not_exist": "Choose a child your agency works with.",
        "incorrect_type": "Choose a child your agency works with.",
    }

    def get_queryset(self) -> Any:
        return children_visible_to(self.context["request"].user)


class AssessmentCreateSerializer(AssessmentContentSerializer):
    child = VisibleChildField(help_text="A child your agency works with.")
    template = serializers.CharField(
        max_length=40, help_text="The template's code, e.g. 'neglect-profile' (its latest active version is used)."
    )
    agency = CodeField(
        slug_field="code",
        queryset=Agency.objects.active(),
        required=False,
        allow_null=True,
        default=None,
        help_text="The agency you assess for (default: one of yours working with the child).",
    )
    complete = serializers.BooleanField(
        default=False, help_text="Complete it now (every unit graded, overall view and next steps given)."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # A child the caller may not see answers exactly like one that does not exist.
            self.fields["child"].queryset = children_visible_to(request.user)  # type: ignore[attr-defined]

    def validate_template(self, value: str) -> AssessmentTemplate:
        latest = (
            AssessmentTemplate.objects.active().filter(code=value).order_by("-version").first()
            if "\x00" not in value
            else None
        )
        if latest is None:
            raise serializers.ValidationError("No template in use has this code. See /api/v1/assessment-templates/.")
        return latest


class AssessmentCompleteSerializer(AssessmentContentSerializer):
    version = serializers.IntegerField(
        min_value=1, help_text="The assessment's version you read; a change to an older version answers 409."
    )
