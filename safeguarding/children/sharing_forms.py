from __future__ import annotations

from django import forms

from safeguarding.children.enums import LawfulBasis
from safeguarding.children.sharing import DECISION_DECLINE, DECISION_INVOLVE
from safeguarding.core.forms import GovUKForm


class SharingDecisionForm(GovUKForm):
    decision = forms.ChoiceField(
        label="Should this agency become involved with the child?",
        choices=[
            (DECISION_INVOLVE, "Yes: it works with the child and sees the child's record"),
            (DECISION_DECLINE, "No: its entries stay on the record, but it does not see the child"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the agency becomes involved with the child."},
    )
    lawful_basis = forms.ChoiceField(
        label="Lawful basis for sharing (if involved)",
        choices=LawfulBasis.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    service = forms.CharField(
        label="The agency's service or reason (if involved)",
        required=False,
        max_length=200,
        help_text="For example, housing officer for the family's tenancy.",
    )
    reason = forms.CharField(
        label="Reason (needed if not involved)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    govuk_mark_optional = False
