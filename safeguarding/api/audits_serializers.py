"""What the API shows of audits and what it accepts. Sampled children appear (by id and NHS number) only
to those who may open the cases now: the business unit and lead while the audit is open, auditors and
participating agency systems between the audit's start and end dates."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from safeguarding.audits.enums import Area, AuditType, CaseMethod, FindingKind, Status
from safeguarding.audits.models import Audit, AuditCase, AuditFinding, AuditResponse

STATUS_HELP = "One of: " + ", ".join(Status.values) + "."


class SampledChildSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    nhs_number = serializers.CharField(allow_blank=True)


class AuditCaseSerializer(serializers.ModelSerializer):
    method = serializers.ChoiceField(choices=CaseMethod.choices, read_only=True)
    child = serializers.SerializerMethodField(
        help_text="The sampled child; null unless the caller may open the audit's cases now (see the audit's dates)."
    )

    class Meta:
        model = AuditCase
        fields = ["id", "number", "method", "reason", "child"]
        read_only_fields = fields

    @extend_schema_field(SampledChildSerializer(allow_null=True))
    def get_child(self, case: AuditCase) -> dict[str, Any] | None:
        if not self.context.get("show_children"):
            return None
        return {"id": case.child_id, "nhs_number": case.child.nhs_number}


class AuditSampleSerializer(serializers.Serializer):
    criteria = serializers.DictField(
        help_text="The criteria of the last draw (empty when cases were only chosen by hand)."
    )
    size = serializers.IntegerField(allow_null=True)
    seed = serializers.IntegerField(allow_null=True, help_text="The same criteria, size and seed draw the same cases.")
    case_count = serializers.IntegerField()
    cases = AuditCaseSerializer(many=True, allow_null=True, help_text="Null for those who read summaries only.")


class AuditQuestionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    area = serializers.ChoiceField(choices=Area.choices)
    text = serializers.CharField()


class AuditGradeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class AuditToolSerializer(serializers.Serializer):
    name = serializers.CharField()
    scale = AuditGradeSerializer(many=True, help_text="Grades, best first.")
    questions = AuditQuestionSerializer(many=True)


class AuditSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    audit_type = serializers.ChoiceField(choices=AuditType.choices, read_only=True)
    status = serializers.ChoiceField(choices=Status.choices, read_only=True, help_text=STATUS_HELP)
    theme: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    lead = serializers.CharField(source="lead.get_full_name", read_only=True)
    agencies: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, help_text="Agency codes."
    )
    baseline: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The audit this re-audits."
    )
    tool = serializers.SerializerMethodField()
    sample = serializers.SerializerMethodField()

    class Meta:
        model = Audit
        fields = [
            "id",
            "reference",
            "title",
            "audit_type",
            "service_name",
            "theme",
            "question",
            "lead",
            "start_on",
            "end_on",
            "period_from",
            "period_to",
            "agencies",
            "status",
            "baseline",
            "tool",
            "sample",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(AuditToolSerializer)
    def get_tool(self, audit: Audit) -> dict[str, Any]:
        tool = audit.tool
        return {
            "name": tool.name,
            "scale": [{"code": c, "name": label} for c, label in tool.scale],
            "questions": [{"number": q.number, "area": q.area, "text": q.text} for q in tool.questions.all()],
        }

    @extend_schema_field(AuditSampleSerializer)
    def get_sample(self, audit: Audit) -> dict[str, Any]:
        see_cases = self.context.get("see_cases", {}).get(audit.pk, False)
        show = self.context.get("show_children", {}).get(audit.pk, False)
        cases = list(audit.cases.select_related("child")) if see_cases else None
        return {
            "criteria": audit.sample_criteria,
            "size": audit.sample_size,
            "seed": audit.sample_seed,
            "case_count": len(cases) if cases is not None else audit.cases.count(),
            "cases": AuditCaseSerializer(cases, many=True, context={"show_children": show}).data
            if cases is not None
            else None,
        }


class AuditResponseSerializer(serializers.ModelSerializer):
    case: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(read_only=True)
    case_number = serializers.IntegerField(source="case.number", read_only=True)
    agency: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)
    question = serializers.IntegerField(source="question.number", read_only=True)
    area = serializers.CharField(source="question.area", read_only=True)

    class Meta:
        model = AuditResponse
        fields = ["id", "case", "case_number", "agency", "question", "area", "grade", "narrative", "answered_at"]
        read_only_fields = fields


class AuditAnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField(min_value=1, help_text="The question's number in the audit's tool.")
    grade = serializers.CharField(max_length=40, help_text="A grade code of the tool's scale, e.g. 'good'.")
    narrative = serializers.CharField(max_length=20000, help_text="Why this grade.")


class AuditResponsesCreateSerializer(serializers.Serializer):
    case = serializers.IntegerField(min_value=1, help_text="The sampled case's id (from the audit's sample).")
    agency = serializers.CharField(
        max_length=32,
        required=False,
        help_text="The agency code to answer for; defaults to the caller's own agency on this audit.",
    )
    answers = AuditAnswerSerializer(many=True, allow_empty=False)


class AuditFindingSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=FindingKind.choices, read_only=True)
    themes: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, help_text="Theme codes."
    )
    actions = serializers.SerializerMethodField(help_text="References of the actions created from the finding.")

    class Meta:
        model = AuditFinding
        fields = ["id", "number", "kind", "text", "themes", "actions", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, finding: AuditFinding) -> list[str]:
        return [a.reference for a in finding.actions.select_related("plan")]
