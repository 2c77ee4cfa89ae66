"""Forms for acting on alerts and editing rules. They keep what was typed; errors name the field."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from safeguarding.concerns.enums import NOTIFY_CHOICES, AlertStatus, Decision, RuleKind, Severity
from safeguarding.concerns.models import Rule
from safeguarding.core.forms import GovUKForm


class VersionForm(GovUKForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class AcknowledgeForm(VersionForm):
    pass


class DecideForm(VersionForm):
    decision = forms.ChoiceField(
        label="What did you decide?",
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what was decided"},
    )
    escalation: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Which escalation about this child?",
        queryset=None,  # set in __init__
        required=False,
        help_text="Only when the decision is to raise an escalation. Raise it first, then link it here.",
    )
    note = forms.CharField(
        label="Notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required when no action is needed: say why.",
    )

    def __init__(self, *args: Any, escalations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["escalation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = escalations
        field.empty_label = "No escalation linked"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == Decision.NO_ACTION and not (data.get("note") or "").strip():
            self.add_error("note", "Say why no action is needed")
        if data.get("escalation") is not None and data.get("decision") != Decision.ESCALATION:
            self.add_error("escalation", "Link an escalation only when the decision is to raise one")
        return data


class CloseForm(VersionForm):
    note = forms.CharField(label="Closing note", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AlertFilterForm(GovUKForm):
    govuk_mark_optional = False
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Open (new, acknowledged, decided)"), *AlertStatus.choices, ("all", "All")],
    )
    rule = forms.ModelChoiceField(
        label="Rule", required=False, queryset=Rule.objects.order_by("name"), empty_label="Any rule"
    )
    mine = forms.BooleanField(label="Only alerts put in front of me", required=False)


class RuleForm(GovUKForm):
    code = forms.SlugField(
        label="Code",
        max_length=64,
        help_text="Short, lower case, with hyphens, e.g. repeated-was-not-brought. Used by the API.",
        error_messages={"required": "Enter a code", "invalid": "Use only letters, numbers, hyphens and underscores"},
    )
    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter a name"})
    explanation = forms.CharField(
        label="Explanation",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the rule looks for and why it matters, in plain language. People acting on alerts read this.",
        error_messages={"required": "Enter an explanation"},
    )
    severity = forms.ChoiceField(label="Severity", choices=Severity.choices, widget=forms.RadioSelect)
    kind = forms.ChoiceField(
        label="Kind of rule",
        choices=RuleKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of rule"},
    )
    parameters = forms.CharField(
        label="Parameters (JSON)",
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text='For example {"types": ["was_not_brought"], "count": 3, "within_days": 365}. '
        "See the guide below for each kind.",
        error_messages={"required": "Enter the parameters"},
    )
    notifies = forms.MultipleChoiceField(
        label="Who does it notify?", choices=NOTIFY_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )
    is_active = forms.BooleanField(label="Switched on (raises alerts)", required=False)

    def clean_parameters(self) -> Any:
        text = self.cleaned_data["parameters"]
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"The parameters are not valid JSON: {exc.msg} (line {exc.lineno}).") from exc
        if not isinstance(value, dict):
            raise forms.ValidationError('The parameters must be a JSON object, starting with "{".')
        return value

    @classmethod
    def initial_for(cls, rule: Rule) -> dict[str, Any]:
        return {
            "code": rule.code,
            "name": rule.name,
            "explanation": rule.explanation,
            "severity": rule.severity,
            "kind": rule.kind,
            "parameters": json.dumps(rule.parameters, indent=2),
            "notifies": rule.notify_list,
            "is_active": rule.is_active,
        }
