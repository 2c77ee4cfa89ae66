"""Forms for the audit pages, rendered as GOV.UK components; they keep what was typed. Forms that
change the audit carry its `version`, so a form filled in against an older version is refused."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q

from safeguarding.agencies.models import Agency
from safeguarding.audits.enums import AuditType, FindingKind
from safeguarding.audits.models import Audit, AuditProgramme, AuditTool
from safeguarding.audits.sampling import LEVEL_NAMES
from safeguarding.chronology.models import EventType
from safeguarding.core.forms import GovUKForm
from safeguarding.reviews.forms import DateField
from safeguarding.reviews.models import Theme


def _text(label: str, *, required: bool = True, rows: int = 4, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": f"Enter {label[0].lower() + label[1:]}"},
    )


class PersonField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        agencies = ", ".join(sorted({m.agency.name for m in obj.active_memberships}))
        return f"{obj.get_full_name() or obj.username} ({agencies})" if agencies else str(obj)


def people() -> Any:
    return (
        get_user_model()
        .objects.filter(is_active=True, is_system=False, memberships__is_active=True)
        .distinct()
        .order_by("last_name", "first_name")
    )


class VersionedForm(GovUKForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ProgrammeForm(GovUKForm):
    year = forms.IntegerField(label="Year the programme starts", min_value=2000, max_value=2100)
    title = forms.CharField(
        label="Title", max_length=200, help_text="For example, Quality assurance programme 2026 to 2027"
    )


class AuditForm(GovUKForm):
    programme = forms.ModelChoiceField(label="Audit programme", queryset=AuditProgramme.objects.all(), empty_label=None)
    title = forms.CharField(label="Title", max_length=200)
    audit_type = forms.ChoiceField(label="Type of audit", choices=AuditType.choices, widget=forms.RadioSelect)
    service_name = forms.CharField(
        label="Service audited",
        max_length=200,
        required=False,
        help_text="For a service audit, e.g. Early help service",
    )
    theme = forms.ModelChoiceField(
        label="Theme", queryset=Theme.objects.filter(is_active=True), required=False, empty_label="No theme"
    )
    question = _text(
        "The question the audit answers",
        help_text="For example, has early-help quality been sustained since the inspection?",
    )
    lead = PersonField(
        label="Audit lead", queryset=None, empty_label="Choose the lead", help_text="The lead moderates the grades."
    )
    start_on = DateField(label="Audit starts")
    end_on = DateField(
        label="Audit ends", help_text="Auditors see the sampled children only from the start to the end date."
    )
    period_from = DateField(label="Practice period from", help_text="The period of practice the audit looks at.")
    period_to = DateField(label="Practice period to")
    agencies = forms.ModelMultipleChoiceField(
        label="Participating agencies", queryset=Agency.objects.active(), widget=forms.CheckboxSelectMultiple
    )
    tool = forms.ModelChoiceField(
        label="Audit tool", queryset=AuditTool.objects.filter(is_active=True), empty_label=None
    )
    baseline = forms.ModelChoiceField(
        label="Baseline audit (for a re-audit)",
        queryset=Audit.objects.all(),
        required=False,
        empty_label="Not a re-audit",
        help_text="A re-audit's grades are compared side by side with its baseline's.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = people()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("audit_type") == AuditType.SERVICE and not data.get("service_name", "").strip():
            self.add_error("service_name", "Enter the name of the service audited")
        return data


class AuditEditForm(AuditForm):
    """The plan as it stands, to change; carries the version read, so an edit made since is refused."""

    # Not required: a form without it is treated as stale by the view (refused with the stale message).
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, audit: Audit, **kwargs: Any) -> None:
        kwargs.setdefault("initial", plan_initial(audit))
        super().__init__(*args, **kwargs)
        # What the audit uses now stays choosable even if it has since been retired (an inactive agency,
        # theme or tool; a lead who has left), so changing something else does not force a change here.
        self.fields["agencies"].queryset = Agency.objects.filter(  # type: ignore[attr-defined]
            Q(is_active=True) | Q(pk__in=audit.agencies.values("pk"))
        ).order_by("name")
        self.fields["theme"].queryset = Theme.objects.filter(  # type: ignore[attr-defined]
            Q(is_active=True) | Q(pk=audit.theme_id)
        )
        self.fields["tool"].queryset = AuditTool.objects.filter(  # type: ignore[attr-defined]
            Q(is_active=True) | Q(pk=audit.tool_id)
        )
        self.fields["lead"].queryset = (  # type: ignore[attr-defined]
            get_user_model()
            .objects.filter(Q(pk__in=people().values("pk")) | Q(pk=audit.lead_id))
            .order_by("last_name", "first_name")
        )
        self.fields["baseline"].queryset = Audit.objects.exclude(pk=audit.pk)  # type: ignore[attr-defined]


def plan_initial(audit: Audit) -> dict[str, Any]:
    """The form's starting values: the audit's plan, dates typed day first as people type them."""
    return {
        "programme": audit.programme_id,
        "title": audit.title,
        "audit_type": audit.audit_type,
        "service_name": audit.service_name,
        "theme": audit.theme_id,
        "question": audit.question,
        "lead": audit.lead_id,
        "start_on": f"{audit.start_on:%d/%m/%Y}",
        "end_on": f"{audit.end_on:%d/%m/%Y}",
        "period_from": f"{audit.period_from:%d/%m/%Y}",
        "period_to": f"{audit.period_to:%d/%m/%Y}",
        "agencies": list(audit.agencies.values_list("pk", flat=True)),
        "tool": audit.tool_id,
        "baseline": audit.baseline_id,
        "version": audit.version,
    }


class RemoveAuditorForm(GovUKForm):
    reason = _text(
        "Why this person is no longer an auditor",
        rows=3,
        help_text="For example, moved to another team. The reason is kept in the audit's history.",
    )


class AuditorForm(GovUKForm):
    agency: forms.ModelChoiceField = forms.ModelChoiceField(  # type: ignore[type-arg]
        label="Auditing for", queryset=None, empty_label="Choose an agency"
    )
    user = PersonField(label="Auditor", queryset=None, empty_label="Choose a person")

    def __init__(self, *args: Any, audit: Audit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = audit.agencies.all()  # type: ignore[attr-defined]
        self.fields["user"].queryset = people().filter(memberships__agency__in=audit.agencies.all())  # type: ignore[attr-defined]


class SampleForm(VersionedForm):
    agency = forms.ModelChoiceField(
        label="Open to agency", queryset=Agency.objects.active(), required=False, empty_label="Any agency"
    )
    service = forms.CharField(
        label="Service contains",
        max_length=200,
        required=False,
        help_text="Words in the involvement's service, e.g. early help",
    )
    event_type = forms.ModelChoiceField(
        label="With this chronology event in the period",
        queryset=EventType.objects.filter(is_active=True),
        required=False,
        empty_label="Any or none",
    )
    age_min = forms.IntegerField(
        label="Youngest age", min_value=0, max_value=25, required=False, help_text="Age on the last day of the period"
    )
    age_max = forms.IntegerField(label="Oldest age", min_value=0, max_value=25, required=False)
    levels = forms.TypedMultipleChoiceField(
        label="Level of need",
        choices=list(LEVEL_NAMES.items()),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Recorded in the period by an escalation or a referral outcome. Leave empty for any.",
    )
    size = forms.IntegerField(label="Sample size", min_value=1, max_value=500)
    seed = forms.IntegerField(
        label="Random seed",
        min_value=0,
        max_value=2**53,
        help_text="Keep it to draw the same sample again; change it for a different sample.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("age_min"), data.get("age_max")
        if low is not None and high is not None and high < low:
            self.add_error("age_max", "The oldest age must be the same as or more than the youngest")
        return data

    @staticmethod
    def new_seed() -> int:
        return secrets.randbelow(1_000_000)


class ChooseCaseForm(GovUKForm):
    nhs_number = forms.CharField(
        label="Child's NHS number", max_length=12, help_text="10 digits, for example 999 000 0018"
    )
    reason = _text("Why this case was chosen")

    def clean_nhs_number(self) -> str:
        digits = "".join(ch for ch in self.cleaned_data["nhs_number"] if ch.isdigit())
        if len(digits) != 10:
            raise ValidationError("Enter the NHS number as 10 digits")
        return digits


class ResponseForm(GovUKForm):
    """One agency's part for one case: a grade and a narrative per question of the tool."""

    def __init__(self, *args: Any, audit: Audit, initial_answers: dict[int, tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(audit.tool.questions.all())
        choices = [("", "Choose a grade"), *[(c, label) for c, label in audit.tool.scale]]
        for q in self.questions:
            grade, narrative = initial_answers.get(q.pk, ("", ""))
            self.fields[f"q{q.number}_grade"] = forms.ChoiceField(
                label=f"{q.number}. {q.text}",
                help_text=q.get_area_display(),
                choices=choices,
                initial=grade,
                error_messages={"required": f"Choose a grade for question {q.number}"},
            )
            self.fields[f"q{q.number}_narrative"] = forms.CharField(
                label=f"Why this grade (question {q.number})",
                initial=narrative,
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={"required": f"Explain the grade for question {q.number}"},
            )

    def answers(self) -> list[tuple[Any, str, str]]:
        return [
            (q, self.cleaned_data[f"q{q.number}_grade"], self.cleaned_data[f"q{q.number}_narrative"])
            for q in self.questions
        ]


class ModerateForm(GovUKForm):
    final_grade = forms.ChoiceField(label="Agreed grade", choices=(), widget=forms.RadioSelect)
    rationale = _text(
        "How the grade was agreed", help_text="Record what each agency said and why this grade was agreed."
    )

    def __init__(self, *args: Any, audit: Audit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["final_grade"].choices = list(audit.tool.scale)  # type: ignore[attr-defined]


class FindingForm(GovUKForm):
    kind = forms.ChoiceField(label="Kind of finding", choices=FindingKind.choices, widget=forms.RadioSelect)
    text = _text("Finding", rows=5)
    themes = forms.ModelMultipleChoiceField(
        label="Themes",
        queryset=Theme.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ActionForm(GovUKForm):
    description = _text("What will be done")
    lead_agency = forms.ModelChoiceField(
        label="Lead agency", queryset=Agency.objects.active(), empty_label="Choose an agency"
    )
    lead_officer = PersonField(label="Lead officer", queryset=None, empty_label="Choose a person")
    due_on = DateField(label="Due by")
    success_measure = _text("How we will know it worked")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_officer"].queryset = people()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        agency, officer = data.get("lead_agency"), data.get("lead_officer")
        if agency and officer and agency.pk not in {m.agency_id for m in officer.active_memberships}:
            self.add_error("lead_officer", "Choose a lead officer who works in the lead agency")
        return data
