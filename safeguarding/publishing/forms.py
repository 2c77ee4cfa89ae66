"""Forms for the committee report pages, rendered as GOV.UK components. They keep what was typed when
something is wrong; the text form carries the version it was started from, so a stale edit is refused."""

from __future__ import annotations

from typing import Any

from django import forms

from safeguarding.actionplans.enums import CommitteeOutcome
from safeguarding.core.forms import GovUKForm
from safeguarding.publishing.enums import TEXT_FIELDS, Access
from safeguarding.publishing.services import Header
from safeguarding.reviews.forms import DateField as ReviewDateField


class DateField(ReviewDateField):
    """The reviews app's day-first date field, showing a date it was given as 27/03/2026."""

    def prepare_value(self, value: Any) -> Any:
        return f"{value:%d/%m/%Y}" if hasattr(value, "strftime") else value


def _char(label: str, *, required: bool = True, help_text: str = "", max_length: int = 200) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=max_length,
        error_messages={"required": f"Enter {label[0].lower()}{label[1:]}"},
    )


class ReportForm(GovUKForm):
    """The header block of the report."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = _char("Title of the report", max_length=300)
    committee = _char("Committee")
    meeting_on = DateField(label="Meeting date", error_messages={"required": "Enter the meeting date"})
    item_number = _char("Item number", required=False, max_length=20)
    wards = _char("Wards and communities affected", help_text="For example, All wards.", max_length=500)
    key_decision = forms.TypedChoiceField(
        label="Is this a key decision?",
        choices=[("no", "No"), ("yes", "Yes")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether this is a key decision"},
    )
    report_of = _char("Report of", help_text="Who presents the report, for example the independent scrutineer.")
    assistant_director = _char("Accountable assistant director")
    director = _char("Accountable director")
    access = forms.ChoiceField(
        label="Public or exempt?",
        choices=Access.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose public or exempt"},
    )
    exemption_paragraph = _char(
        "Exemption paragraph",
        required=False,
        max_length=300,
        help_text="Only for an exempt report: the paragraph of Schedule 12A, Local Government Act 1972.",
    )
    author_name = _char("Report author")
    author_title = _char("Author's job title", required=False)
    author_contact = _char("Author's telephone and e-mail", max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        initial = kwargs.get("initial") or {}
        if "key_decision" in initial and isinstance(initial["key_decision"], bool):
            initial = {**initial, "key_decision": "yes" if initial["key_decision"] else "no"}
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)

    def header(self) -> Header:
        data = self.cleaned_data
        return Header(**{name: data[name] for name in Header.__dataclass_fields__})


class TextForm(GovUKForm):
    """Every editable text field of the report, and the version the edit started from."""

    govuk_mark_optional = False
    base_number = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for spec in TEXT_FIELDS:
            widget: forms.Widget = (
                forms.TextInput(attrs={"class": "govuk-!-width-two-thirds"})
                if spec.short
                else forms.Textarea(attrs={"rows": spec.rows})
            )
            self.fields[spec.key] = forms.CharField(
                label=spec.label, help_text=spec.hint, required=False, max_length=20000, widget=widget
            )

    def text_fields(self) -> dict[str, str]:
        return {spec.key: self.cleaned_data.get(spec.key) or "" for spec in TEXT_FIELDS}


class DecisionForm(GovUKForm):
    outcome = forms.ChoiceField(
        label="What did the committee decide?",
        choices=CommitteeOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the committee decided"},
    )
    meeting_on = DateField(label="Date of the meeting", error_messages={"required": "Enter the date of the meeting"})
    questions = forms.CharField(
        label="The committee's questions or conditions",
        help_text="Needed when the committee referred the plan back.",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == CommitteeOutcome.REFERRED_BACK and not (data.get("questions") or "").strip():
            self.add_error("questions", "Enter the committee's questions: it referred the plan back")
        return data


class GenerateForm(GovUKForm):
    """Generate, confirming (when the text says things the figures contradict) that it was checked."""

    govuk_mark_optional = False
    confirm = forms.BooleanField(
        label="I have checked each of these statements: the text is right as it is",
        required=False,
    )


class InsertSentencesForm(GovUKForm):
    """Insert the sentences the figures give at the end of one text field (a new text version)."""

    govuk_mark_optional = False
    base_number = forms.IntegerField(widget=forms.HiddenInput)
    field = forms.ChoiceField(
        label="Add them to",
        choices=[(spec.key, spec.label) for spec in TEXT_FIELDS if not spec.short],
        initial="risks",
        error_messages={"required": "Choose the part of the text to add the sentences to"},
    )
