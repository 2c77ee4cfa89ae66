"""Forms for the plan pages, rendered as GOV.UK components. Forms that change a plan carry its
`version`, so one filled in against an older version is refused, not applied; what was typed is kept."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from safeguarding.core.dates import parse_date
from safeguarding.core.forms import GovUKForm
from safeguarding.plans.enums import (
    SCALE_MAX,
    SCALE_MIN,
    AgreementMethod,
    ObjectiveRag,
    ObjectiveStatus,
    PersonKind,
    PlanType,
)
from safeguarding.plans.models import CONTENT_FIELDS

DATE_HINT = "For example, 27/03/2027"


class DayFirstDateField(forms.CharField):
    """A date typed day first (27/03/2027) or as ISO; the text typed is shown back with any error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", DATE_HINT)
        kwargs.setdefault("widget", forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "numeric"}))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        return f"{value:%d/%m/%Y}" if isinstance(value, date) else value

    def clean(self, value: Any) -> date | None:  # type: ignore[override]
        text = (super().clean(value) or "").strip()
        return parse_date(text) if text else None


class VersionedForm(GovUKForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ProfessionalChoiceMixin:
    """A form with a `professional` select of (\"user:agency\", label) choices given by the view."""

    fields: dict[str, forms.Field]

    def set_professionals(self, name: str, professionals: list[tuple[str, str]], *, blank: bool = True) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose a professional"), *professionals] if blank else professionals


def professional_value(user_id: int, agency_id: int) -> str:
    return f"{user_id}:{agency_id}"


class ChildChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        born = f", born {obj.date_of_birth:%d/%m/%Y}" if obj.date_of_birth else ""
        return f"{obj.full_name}{born}"


class NewPlanForm(GovUKForm):
    children = ChildChoiceField(
        label="Which children is the plan for?",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose brothers and sisters together for one plan for the sibling group.",
        error_messages={"required": "Choose at least one child"},
    )
    plan_type = forms.ChoiceField(
        label="What type of plan is it?",
        choices=PlanType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the type of plan"},
    )
    lead = forms.ChoiceField(
        label="Who is the lead professional?",
        choices=(),
        help_text="People in agencies that work with every child chosen.",
        error_messages={"required": "Choose the lead professional"},
    )
    started_on = DayFirstDateField(label="When did the plan start?", required=False)

    def __init__(self, *args: Any, children: Any, leads: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["children"]
        assert isinstance(field, ChildChoiceField)
        field.queryset = children
        lead_field = self.fields["lead"]
        assert isinstance(lead_field, forms.ChoiceField)
        lead_field.choices = [("", "Choose a person"), *leads]


class ContentForm(VersionedForm):
    """The draft's content: worries, what is working well, what needs to happen, and the review."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in CONTENT_FIELDS:
            if name == "review_date":
                self.fields[name] = DayFirstDateField(label=label, required=False)
            elif name == "review_forum":
                self.fields[name] = forms.CharField(
                    label=label,
                    required=False,
                    max_length=200,
                    help_text="For example, core group or child in need review.",
                )
            else:
                self.fields[name] = forms.CharField(
                    label=label, required=False, widget=forms.Textarea(attrs={"rows": 4})
                )


class ObjectiveForm(ProfessionalChoiceMixin, VersionedForm):
    action = forms.CharField(
        label="What will be done?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="In plain words the family will understand.",
        error_messages={"required": "Say what will be done"},
    )
    owner_kind = forms.ChoiceField(
        label="Who will do it?",
        choices=PersonKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who will do it"},
    )
    professional = forms.ChoiceField(
        label="Which professional? (if a professional)", required=False, choices=(), help_text="People in the plan."
    )
    owner_name = forms.CharField(label="Their name (if a family or network member)", required=False, max_length=200)
    owner_relationship = forms.CharField(
        label="Their relationship to the child (if a family or network member)", required=False, max_length=120
    )
    due_on = DayFirstDateField(label="By when?", error_messages={"required": "Enter the date by when it will be done"})
    support_offered = forms.CharField(
        label="What support is offered?", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    progress_measure = forms.CharField(
        label="How will progress be measured?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say how progress will be measured"},
    )

    def __init__(self, *args: Any, professionals: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_professionals("professional", professionals)


class ParticipantForm(ProfessionalChoiceMixin, VersionedForm):
    kind = forms.ChoiceField(
        label="Who are you adding?",
        choices=PersonKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who you are adding"},
    )
    professional = forms.ChoiceField(label="Which professional? (if a professional)", required=False, choices=())
    name = forms.CharField(label="Their name (if a family or network member)", required=False, max_length=200)
    relationship = forms.CharField(
        label="Their role, or relationship to the child",
        required=False,
        max_length=120,
        help_text="For example, Mother",
    )

    def __init__(self, *args: Any, professionals: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_professionals("professional", professionals)


class AgreeForm(ProfessionalChoiceMixin, VersionedForm):
    agreed_on = DayFirstDateField(label="When was the plan agreed?", error_messages={"required": "Enter the date"})
    method = forms.ChoiceField(
        label="How was it agreed?",
        choices=AgreementMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the plan was agreed"},
    )
    professionals = forms.MultipleChoiceField(
        label="Which professionals agreed it?",
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one professional"},
    )
    family_disputes = forms.CharField(
        label="Is there anything the family does not agree with? (in their words)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, professionals: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_professionals("professionals", professionals, blank=False)


class FamilyMemberForm(GovUKForm):
    name = forms.CharField(label="Name", required=False, max_length=200)
    relationship = forms.CharField(label="Relationship to the child", required=False, max_length=120)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("name") and not cleaned.get("relationship"):
            self.add_error("relationship", "Enter their relationship to the child")
        if cleaned.get("relationship") and not cleaned.get("name"):
            self.add_error("name", "Enter their name")
        return cleaned


FamilyMemberFormSet = forms.formset_factory(FamilyMemberForm, extra=3, max_num=10)


class UpdateForm(GovUKForm):
    status = forms.ChoiceField(
        label="Status",
        choices=ObjectiveStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the status"},
    )
    rag = forms.ChoiceField(
        label="Rating (red, amber or green)",
        choices=ObjectiveRag.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose red, amber or green"},
    )
    evidence = forms.CharField(
        label="Evidence",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What was seen or done that shows this.",
        error_messages={"required": "Describe the evidence"},
    )


class ReviewForm(VersionedForm):
    held_on = DayFirstDateField(label="When was the review meeting?", error_messages={"required": "Enter the date"})
    attendance = forms.CharField(
        label="Who attended?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One person per line, with their role or relationship.",
        error_messages={"required": "List who attended"},
    )
    decisions = forms.CharField(
        label="What was decided?",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Record the decisions"},
    )
    next_review_on = DayFirstDateField(label="When is the next review?", required=False)


OTHER_PERSON = "other"


class ScoreForm(GovUKForm):
    """One person's answer to the scaling question. A row left blank is ignored."""

    govuk_mark_optional = False

    person = forms.ChoiceField(label="Person", required=False, choices=())
    name = forms.CharField(label="Name (if not listed)", required=False, max_length=200)
    role = forms.CharField(label="Role or relationship (if not listed)", required=False, max_length=120)
    score = forms.IntegerField(
        label=f"Score ({SCALE_MIN} to {SCALE_MAX})",
        required=False,
        min_value=SCALE_MIN,
        max_value=SCALE_MAX,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-2"}),
        error_messages={
            "min_value": f"Enter a score from {SCALE_MIN} to {SCALE_MAX}",
            "max_value": f"Enter a score from {SCALE_MIN} to {SCALE_MAX}",
            "invalid": f"Enter a whole number from {SCALE_MIN} to {SCALE_MAX}",
        },
    )
    reason = forms.CharField(label="Their reason", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, people: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose a person"), *people, (OTHER_PERSON, "Someone else (type their name)")]

    @property
    def is_blank(self) -> bool:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not any(data.get(k) not in (None, "") for k in ("person", "name", "score", "reason"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.is_blank:
            return cleaned
        person = cleaned.get("person")
        if not person:
            self.add_error("person", "Choose the person, or someone else")
        elif person == OTHER_PERSON and not (cleaned.get("name") or "").strip():
            self.add_error("name", "Enter the person's name")
        if cleaned.get("score") is None and "score" not in self.errors:
            self.add_error("score", f"Enter a score from {SCALE_MIN} to {SCALE_MAX}")
        if not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Give their reason for the score")
        return cleaned


class BaseScoreFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        if all(f.is_blank for f in self.forms):
            raise ValidationError("Record at least one person's scaling score and reason.")


ScoreFormSet = forms.formset_factory(ScoreForm, formset=BaseScoreFormSet, extra=6, max_num=20)


class EndForm(VersionedForm):
    ended_on = DayFirstDateField(label="When did the plan end?", error_messages={"required": "Enter the date"})
    reason = forms.CharField(
        label="Why is it ending?", widget=forms.Textarea(attrs={"rows": 4}), error_messages={"required": "Say why"}
    )


class CiteForm(GovUKForm):
    target = forms.ChoiceField(
        label="Where do you want to cite it?",
        choices=(),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose an escalation or a review"},
    )
    note = forms.CharField(
        label="Why are you citing this objective?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why you are citing it"},
    )

    def __init__(self, *args: Any, targets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["target"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = targets
