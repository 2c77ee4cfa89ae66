"""Forms for the case review pages, rendered as GOV.UK components. Transition forms carry the review's
`version`, so a form filled in against an older version is refused, not applied."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from safeguarding.agencies.models import Agency
from safeguarding.children.models import Child
from safeguarding.children.validators import normalise_nhs_number
from safeguarding.core.dates import parse_date
from safeguarding.core.forms import GovUKForm
from safeguarding.reviews.enums import (
    Harm,
    MemberRole,
    Recommendation,
    RecommendationStatus,
    RequestKind,
    ReviewKind,
)
from safeguarding.reviews.models import Theme

DATE_HINT = "For example, 27/03/2026"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class DateField(forms.CharField):
    """A day-first date typed as text (GOV.UK style), never guessed."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", DATE_HINT)
        kwargs.setdefault("widget", forms.TextInput(attrs={"class": "govuk-input--width-10", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = super().to_python(value)
        return parse_date(text) if text else None


def _text(label: str, *, required: bool = True, rows: int = 5, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": f"Enter {label[0].lower()}{label[1:]}".rstrip("?")},
    )


class VersionedForm(GovUKForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


def yes_no(label: str, *, help_text: str = "", required_message: str) -> forms.TypedChoiceField:
    """A yes/no question as GOV.UK radios, answered True or False."""
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": required_message},
    )


class NotifyForm(GovUKForm):
    incident_on = DateField(label="Date of the incident")
    aware_on = DateField(label="Date the local authority became aware")
    harm = forms.ChoiceField(label="What happened to the child?", choices=Harm.choices, widget=forms.RadioSelect)
    abuse_or_neglect = yes_no(
        "Is abuse or neglect known or suspected?",
        help_text="A serious child safeguarding case is notified when abuse or neglect is known or suspected "
        "(Children Act 2004 s.16C(1)). If not, it is not a notifiable incident, unless the child was looked "
        "after and died.",
        required_message="Say whether abuse or neglect is known or suspected",
    )
    looked_after = yes_no(
        "Was the child looked after by the local authority?",
        help_text="If a looked-after child died, the local authority also notifies the Secretary of State and "
        "Ofsted, whatever the cause (Children Act 2004 s.16C(2)).",
        required_message="Say whether the child was looked after",
    )
    harm_outside_england = yes_no(
        "Did the death or harm happen outside England?",
        help_text="A child who normally lives in this area is still notified here; the partnership then "
        "informs the area where it happened.",
        required_message="Say whether it happened outside England",
    )
    harm_location = forms.CharField(
        label="If outside England, where did it happen?",
        max_length=200,
        required=False,
        help_text="For example, Cardiff, Wales.",
    )
    summary = _text("Summary of the incident", help_text="What happened, what is known about abuse or neglect.")
    child_1_nhs = forms.CharField(label="First child: NHS number", max_length=12)
    child_1_pseudonym = forms.CharField(
        label="First child: pseudonym", max_length=60, help_text="The name the review will use, e.g. Child A."
    )
    child_2_nhs = forms.CharField(label="Second child: NHS number", max_length=12, required=False)
    child_2_pseudonym = forms.CharField(label="Second child: pseudonym", max_length=60, required=False)
    child_3_nhs = forms.CharField(label="Third child: NHS number", max_length=12, required=False)
    child_3_pseudonym = forms.CharField(label="Third child: pseudonym", max_length=60, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        pairs = []
        for n in (1, 2, 3):
            nhs = normalise_nhs_number(data.get(f"child_{n}_nhs") or "")
            pseudonym = (data.get(f"child_{n}_pseudonym") or "").strip()
            if not nhs and not pseudonym:
                continue
            child = Child.objects.filter(nhs_number=nhs).first() if nhs else None
            if child is None:
                self.add_error(f"child_{n}_nhs", "No child with this NHS number was found. Check the number.")
            elif not pseudonym:
                self.add_error(f"child_{n}_pseudonym", "Enter the pseudonym the review will use for this child.")
            else:
                pairs.append((child, pseudonym))
        data["children"] = pairs
        return data


class SentForm(VersionedForm):
    sent_on = DateField(label="Date sent to the national panel")


class NotificationSentForm(SentForm):
    ofsted_sent_on = DateField(
        label="Date the copy was sent to Ofsted",
        required=False,
        help_text="Required if a looked-after child died. For example, 27/03/2026",
    )
    secretary_of_state_sent_on = DateField(
        label="Date the copy was sent to the Secretary of State",
        required=False,
        help_text="Required if a looked-after child died. For example, 27/03/2026",
    )


class DecideForm(VersionedForm):
    kind = forms.ChoiceField(
        label="What kind of review?",
        choices=[
            (ReviewKind.LCSPR.value, ReviewKind.LCSPR.label),
            (ReviewKind.OTHER_LEARNING.value, ReviewKind.OTHER_LEARNING.label),
        ],
        widget=forms.RadioSelect,
    )
    decided_on = DateField(label="Date of the decision")


class CloseAtDecisionForm(VersionedForm):
    decision = forms.ChoiceField(
        label="What did the partners decide?",
        # A national review is referred to the national panel instead ("Decide: refer for a national review").
        choices=[(Recommendation.NO_FURTHER_REVIEW.value, Recommendation.NO_FURTHER_REVIEW.label)],
        widget=forms.RadioSelect,
    )
    reason = _text("Reasons for the decision")


class ConfirmForm(VersionedForm):
    pass


class PublishForm(VersionedForm):
    published_on = DateField(label="Date of publication")
    may_come_down_on = DateField(
        label="Date the report may come down",
        required=False,
        help_text="At least 12 months after publication. Leave blank for exactly 12 months.",
    )


class CloseForm(VersionedForm):
    reason = _text("Why is the review closing?", required=False, rows=3)


class ReferForm(VersionedForm):
    reason = _text("Note for the history", required=False, rows=3)


class PanelForm(GovUKForm):
    met_on = DateField(label="Date of the panel meeting")
    attendance = _text("Who attended", rows=3)
    summary = _text("Summary agreed by the panel")
    recommendation = forms.ChoiceField(
        label="The panel's recommendation", choices=Recommendation.choices, widget=forms.RadioSelect
    )
    reasons = _text("Reasons for the recommendation", required=False, rows=3)
    notes = _text("Other notes of the meeting", required=False, rows=3)


class SignOffForm(GovUKForm):
    agency = forms.ModelChoiceField(label="Statutory partner", queryset=Agency.objects.none(), empty_label=None)
    signed_by_name = forms.CharField(label="Name of the partner who signed off", max_length=200)
    signed_on = DateField(label="Date signed off")

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]


class RequestForm(GovUKForm):
    agency = forms.ModelChoiceField(
        label="Agency", queryset=Agency.objects.active().order_by("name"), empty_label="Choose an agency"
    )
    kind = forms.ChoiceField(label="What is asked for?", choices=RequestKind.choices, widget=forms.RadioSelect)
    due_on = DateField(
        label="Due date", required=False, help_text="Leave blank for the default (an agency summary: day 10)."
    )
    note = _text("What the review needs from the agency", required=False, rows=3)


class MemberForm(GovUKForm):
    user: forms.ModelChoiceField = forms.ModelChoiceField(  # type: ignore[type-arg]
        label="Person", queryset=None, empty_label="Choose a person"
    )
    role = forms.ChoiceField(label="Role on this review", choices=MemberRole.choices, widget=forms.RadioSelect)

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people  # type: ignore[attr-defined]


class TermsForm(GovUKForm):
    terms_of_reference = _text("Terms of reference", rows=8)
    key_lines_of_enquiry = _text("Key lines of enquiry", required=False, rows=6)


class PractitionerEventForm(GovUKForm):
    held_on = DateField(label="Date of the event")
    attendance = _text("Agencies and roles that took part", rows=3)
    notes = _text("Notes", required=False, rows=4)


class FamilyContactForm(GovUKForm):
    who = forms.CharField(label="Who", max_length=200, help_text="By relationship, e.g. Mother of Child A.")
    met_on = DateField(label="Date met", required=False)
    report_shared_on = DateField(label="Date the report was shared with them", required=False)
    notes = _text("Notes", required=False, rows=3)


def _check_file(upload: Any) -> Any:
    if upload is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError("The file is larger than 20 MB. Reduce its size or split it.")
    return upload


class DraftForm(GovUKForm):
    document = forms.FileField(label="Report draft")
    note = forms.CharField(label="What changed in this version", max_length=500, required=False)

    def clean_document(self) -> Any:
        return _check_file(self.cleaned_data.get("document"))


class SentDatesForm(GovUKForm):
    """The two copies of the full report, labelled by the review's regime (`publication.copy_rule`): the
    Panel and the Secretary of State, or, for a serious case review, Ofsted and the Department for Education."""

    sent_to_panel_on = DateField(label="Date sent to the Child Safeguarding Practice Review Panel")
    sent_to_secretary_of_state_on = DateField(label="Date sent to the Secretary of State")

    def __init__(self, *args: Any, recipients: tuple[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if recipients is not None:
            self.fields["sent_to_panel_on"].label = f"Date sent to {recipients[0]}"
            self.fields["sent_to_secretary_of_state_on"].label = f"Date sent to {recipients[1]}"


class FindingForm(GovUKForm):
    title = forms.CharField(label="Finding", max_length=300, help_text="The learning in one sentence.")
    text = _text("Detail and evidence")
    themes = forms.ModelMultipleChoiceField(
        label="Themes",
        queryset=Theme.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class RecommendationForm(GovUKForm):
    text = _text("Recommendation", rows=4)
    addressee = forms.ModelChoiceField(
        label="Addressed to",
        queryset=Agency.objects.active().order_by("name"),
        required=False,
        empty_label="The partnership",
    )
    status = forms.ChoiceField(label="Status", choices=RecommendationStatus.choices, initial=RecommendationStatus.DRAFT)


class RecommendationStatusForm(GovUKForm):
    status = forms.ChoiceField(
        label="Status",
        choices=RecommendationStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the recommendation's status."},
    )


class SubmissionForm(GovUKForm):
    involvement = _text("Your agency's involvement with the child and family")
    analysis = _text("What went well, and what could have been done differently", required=False)
    learning = _text("Learning your agency has identified", required=False, rows=3)
    immediate_actions = _text("Actions already taken", required=False, rows=3)
    document = forms.FileField(
        label="Document",
        required=False,
        help_text="Required for a chronology (CSV or Excel, in the chronology import format) or an agency report.",
    )

    def clean_document(self) -> Any:
        return _check_file(self.cleaned_data.get("document"))
