"""Forms for the notification's copies and the partners informed, the national panel's response,
closing a national review and reopening a case (GOV.UK components; transition forms carry `version`)."""

from __future__ import annotations

from typing import Any

from django import forms

from safeguarding.agencies.models import Agency
from safeguarding.core.forms import GovUKForm
from safeguarding.reviews.enums import PanelResponse
from safeguarding.reviews.forms import DateField, VersionedForm, _text


class CopiesForm(GovUKForm):
    ofsted_sent_on = DateField(label="Date the copy was sent to Ofsted", required=False)
    secretary_of_state_sent_on = DateField(label="Date the copy was sent to the Secretary of State", required=False)


class PartnersInformedForm(GovUKForm):
    agencies = forms.ModelMultipleChoiceField(
        label="Which safeguarding partners were informed?",
        queryset=Agency.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    harm_area = forms.BooleanField(label="The area where the harm happened was informed", required=False)
    informed_on = DateField(label="Date they were informed", error_messages={"required": "Enter the date"})

    def __init__(self, *args: Any, agencies: Any, outside_england: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = agencies  # type: ignore[attr-defined]
        if not outside_england:
            del self.fields["harm_area"]


class PanelResponseForm(VersionedForm):
    response = forms.ChoiceField(
        label="What did the national panel decide?",
        choices=PanelResponse.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the national panel's response"},
    )
    responded_on = DateField(
        label="Date of the national panel's response", error_messages={"required": "Enter the date of the response"}
    )
    panel_words = _text("The national panel's response, in its own words", rows=6)
    reason = _text(
        "Reasons the case closes",
        required=False,
        rows=3,
        help_text="Required when the national panel decides no review.",
    )


class CloseNationalReviewForm(VersionedForm):
    published_on = DateField(label="Date the national review was published", required=False)
    reason = _text(
        "Reason for closing",
        required=False,
        rows=3,
        help_text="Required if you close it before the national review is published.",
    )


class ReopenForm(VersionedForm):
    reason = forms.CharField(
        label="Why is the review being reopened?",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the reason for reopening the review"},
    )
