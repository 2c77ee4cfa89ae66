"""What the API shows of audits and what it accepts. Sampled children appear (by id and NHS number) only
to those who may open the cases now: the business unit and lead while the audit is open, auditors and
participating agency systems between the audit's start and end dates.

A change to the plan (`AuditPlanUpdateSerializer`) names things as the audit shows them: agencies and the
theme by code, the programme by year, the tool by name, the lead by person id, the baseline by audit id;
each is looked up here and an unknown one is a 400 on its field."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from safeguarding.agencies.models import Agency
from safeguarding.audits.enums import Area, AuditStatus, AuditType, CaseMethod, FindingKind
from safeguarding.audits.models import (
    Audit,
    AuditAuditor,
    AuditCase,
    AuditFinding,
    AuditProgramme,
    AuditResponse,
    AuditTool,
)
from safeguarding.audits.queries import audits_visible_to
from safeguarding.reviews.models import Theme

STATUS_HELP = "One of: " + ", ".join(AuditStatus.values) + "."


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
    status = serializers.ChoiceField(choices=AuditStatus.choices, read_only=True, help_text=STATUS_HELP)
    theme: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    lead = serializers.CharField(source="lead.get_full_name", read_only=True)
    lead_id = serializers.IntegerField(read_only=True, help_text="The lead's person id (send it to change the lead).")
    programme = serializers.IntegerField(source="programme.year", read_only=True, help_text="The programme's year.")
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
            "programme",
            "title",
            "audit_type",
            "service_name",
            "theme",
            "question",
            "lead",
            "lead_id",
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


MAX_ID = 2**63 - 1


class AuditPlanUpdateSerializer(serializers.Serializer):
    """A change to the audit's plan: send `version` and only the fields that change."""

    # Validated whole even for a PATCH, so the schema (which documents PATCH bodies as partial) and the
    # validation both say that `version` is required; every other field is optional anyway.
    @property
    def partial(self) -> bool:
        return False

    @partial.setter
    def partial(self, value: bool) -> None:
        pass

    version = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text="The audit's `version` as you read it; if the audit changed since, the change answers 409.",
    )
    programme = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text="The year of the programme to move the audit to."
    )
    title = serializers.CharField(required=False, max_length=200)
    audit_type = serializers.ChoiceField(required=False, choices=AuditType.choices)
    service_name = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Required for a service audit."
    )
    theme = serializers.CharField(
        required=False, allow_null=True, max_length=32, help_text="A theme code, or null for no theme."
    )
    question = serializers.CharField(required=False, max_length=20000)
    lead_id = serializers.IntegerField(
        required=False, help_text="The new lead's person id.", min_value=1, max_value=MAX_ID
    )
    start_on = serializers.DateField(
        required=False,
        help_text="Auditors can open the sampled cases from this date (fixed once it has passed "
        "and auditing has started).",
    )
    end_on = serializers.DateField(
        required=False, help_text="…until this date (inclusive); while in progress, not before today."
    )
    period_from = serializers.DateField(required=False, help_text="Fixed once auditing has started.")
    period_to = serializers.DateField(required=False, help_text="Fixed once auditing has started.")
    agencies = serializers.ListField(
        child=serializers.CharField(max_length=32),
        required=False,
        max_length=200,
        help_text="Every participating agency's code (the whole list). An agency that has recorded responses, or "
        "still has named auditors, cannot be left out.",
    )
    tool = serializers.CharField(
        required=False, max_length=200, help_text="The audit tool's name (fixed once auditing has started)."
    )
    baseline = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="The id of the audit this re-audits, or null.",
        min_value=1,
        max_value=MAX_ID,
    )

    def validate_programme(self, value: int) -> AuditProgramme:
        programme = AuditProgramme.objects.filter(year=value).first()
        if programme is None:
            raise serializers.ValidationError("There is no audit programme for this year.")
        return programme

    def validate_theme(self, value: str | None) -> Theme | None:
        if value is None:
            return None
        theme = Theme.objects.filter(code=value).first()
        if theme is None:
            raise serializers.ValidationError("No theme has this code.")
        return theme

    def validate_lead_id(self, value: int) -> object:
        person = get_user_model().objects.filter(pk=value, is_active=True, is_system=False).first()
        if person is None:
            raise serializers.ValidationError("No person with this id can lead the audit.")
        return person

    def validate_agencies(self, value: list[str]) -> list[Agency]:
        codes = list(dict.fromkeys(value))
        found = {a.code: a for a in Agency.objects.filter(code__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise serializers.ValidationError(f"No agency has the code {', '.join(unknown)}.")
        return [found[code] for code in codes]

    def validate_tool(self, value: str) -> AuditTool:
        tool = AuditTool.objects.filter(name=value).first()
        if tool is None:
            raise serializers.ValidationError("No audit tool has this name.")
        return tool

    def validate_baseline(self, value: int | None) -> Audit | None:
        if value is None:
            return None
        # Only an audit the caller can see: any other id answers as if it did not exist.
        baseline = audits_visible_to(self.context["user"]).filter(pk=value).first()
        if baseline is None:
            raise serializers.ValidationError("No audit you can see has this id.")
        return baseline


class AuditAuditorSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(read_only=True, help_text="The auditor's person id.")
    name = serializers.CharField(source="user.get_full_name", read_only=True)
    agency: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text="The agency they audit for."
    )

    class Meta:
        model = AuditAuditor
        fields = ["id", "user_id", "name", "agency", "added_at"]
        read_only_fields = fields


class AuditAuditorRemoveSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=5000, help_text="Why this person is no longer an auditor (at least 10 characters); it is logged."
    )
