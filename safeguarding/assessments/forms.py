"""Forms for the assessment pages, rendered as GOV.UK components. They keep what was typed when
something is wrong; the grades form carries the assessment's `version`, so a form filled in against an
older version is refused, not applied."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from safeguarding.assessments.models import Assessment, AssessmentTemplate
from safeguarding.assessments.structure import Unit
from safeguarding.core.forms import GovUKForm
from safeguarding.reviews.forms import DateField


class ChildField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        born = f", born {obj.date_of_birth:%d/%m/%Y}" if obj.date_of_birth else ""
        return f"{obj.full_name}{born}"


class EventsField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.occurred_on:%d/%m/%Y}: {obj.event_type} ({obj.agency.name})"


class StartForm(GovUKForm):
    child = ChildField(queryset=None, label="Which child are you assessing?", empty_label="Choose a child")
    template = forms.ModelChoiceField(
        queryset=AssessmentTemplate.objects.none(),
        label="Which assessment?",
        help_text="You can choose only the assessments you are recorded as trained for.",
        widget=forms.RadioSelect,
        empty_label=None,
    )
    agency: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, label="Which agency are you assessing for?", empty_label=None
    )
    assessed_on = DateField(
        label="Date of the assessment", required=False, help_text="For example, 27/03/2026. Leave blank for today."
    )

    def __init__(
        self,
        *args: Any,
        children: QuerySet[Any],
        templates: list[AssessmentTemplate],
        agencies: QuerySet[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = children  # type: ignore[attr-defined]
        self.fields["template"].queryset = AssessmentTemplate.objects.filter(pk__in=[t.pk for t in templates])  # type: ignore[attr-defined]
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        if len(templates) == 1:
            self.fields["template"].initial = templates[0].pk
        if agencies.count() <= 1:
            self.fields["agency"].widget = forms.HiddenInput()
            self.fields["agency"].required = False


def _key(unit: Unit) -> str:
    return unit.key.replace("-", "_")


class GradesForm(GovUKForm):
    """One grade (radios), evidence and cited entries per unit, then the overall view and next steps."""

    # Everything may be left blank in a draft; completing says what is missing.
    govuk_mark_optional = False

    version = forms.IntegerField(widget=forms.HiddenInput)
    assessed_on = DateField(label="Date of the assessment")
    overall_view = forms.CharField(
        label="Your overall view",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the grades together say about the care the child receives. Needed to complete.",
    )
    next_steps = forms.CharField(
        label="Next steps agreed",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Who will do what, by when. Needed to complete.",
    )

    def __init__(
        self,
        *args: Any,
        assessment: Assessment,
        units: list[Unit],
        scale: list[tuple[int, str]],
        events: QuerySet[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.units = units
        choices = [(str(v), f"{v} – {label}") for v, label in scale]
        has_events = events.exists()
        for unit in units:
            k = _key(unit)
            self.fields[f"grade_{k}"] = forms.TypedChoiceField(
                label=f"Grade for {unit.title.lower()}",
                choices=choices,
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect,
            )
            self.fields[f"evidence_{k}"] = forms.CharField(
                label=f"Evidence for {unit.title.lower()}",
                required=False,
                max_length=20000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            if has_events:
                self.fields[f"events_{k}"] = EventsField(
                    queryset=events,
                    label=f"Chronology entries this evidence cites ({unit.title.lower()})",
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                )

    def unit_fields(self, unit: Unit) -> dict[str, Any]:
        k = _key(unit)
        return {
            "grade": self[f"grade_{k}"],
            "evidence": self[f"evidence_{k}"],
            "events": self[f"events_{k}"] if f"events_{k}" in self.fields else None,
        }

    def grade_inputs(self) -> dict[str, Any]:
        from safeguarding.assessments.services import GradeInput

        data = self.cleaned_data
        out = {}
        for unit in self.units:
            k = _key(unit)
            events = data.get(f"events_{k}") or []
            out[unit.key] = GradeInput(data.get(f"grade_{k}"), data.get(f"evidence_{k}", ""), [e.pk for e in events])
        return out

    def field_for_error(self, key: str) -> str | None:
        """The form field a service error about unit `key` belongs to."""
        for unit in self.units:
            if unit.key == key:
                return f"grade_{_key(unit)}"
        return key if key in self.fields else None


class CiteForm(GovUKForm):
    target = forms.ChoiceField(label="Where do you want to cite this assessment?", widget=forms.RadioSelect)
    note = forms.CharField(
        label="Why it matters there",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, what the change in grades shows.",
    )

    def __init__(self, *args: Any, escalations: list[Any], reviews: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_targets = bool(escalations or reviews)
        choices = [(f"escalation:{e.pk}", f"Escalation {e.reference}") for e in escalations]
        choices += [(f"review:{r.pk}", f"Case review {r.reference}: {r.title}") for r in reviews]
        self.fields["target"].choices = choices  # type: ignore[attr-defined]


class PersonField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        agencies = ", ".join(sorted({m.agency.name for m in obj.active_memberships}))
        return f"{obj.get_full_name() or obj.username} ({agencies})"


class TrainingForm(GovUKForm):
    user = PersonField(queryset=None, label="Who was trained?", empty_label="Choose a person")
    template = forms.ModelChoiceField(
        queryset=AssessmentTemplate.objects.none(), label="Trained for", empty_label=None, widget=forms.RadioSelect
    )
    trained_on = DateField(label="Date of the training")

    def __init__(
        self, *args: Any, people: QuerySet[Any], templates: QuerySet[AssessmentTemplate], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people  # type: ignore[attr-defined]
        self.fields["template"].queryset = templates  # type: ignore[attr-defined]
