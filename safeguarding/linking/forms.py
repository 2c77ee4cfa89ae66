from __future__ import annotations

from django import forms

from safeguarding.core.forms import GovUKForm

ACCEPT, REJECT = "accept", "reject"


class DecideMatchForm(GovUKForm):
    decision = forms.ChoiceField(
        label="Are these records the same child?",
        choices=[
            (ACCEPT, "Yes, one child: merge the two records"),
            (REJECT, "No, two different children: keep them apart and never suggest this pair again"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether these records are the same child."},
    )
    note = forms.CharField(
        label="What you checked",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, the agency you asked, or the detail that differs. Do not write about the child's care.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class UnmergeForm(GovUKForm):
    reason = forms.CharField(
        label="Why are these two different children?",
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Say why the records are two children.",
            "min_length": "Say why the records are two children, in at least 10 characters.",
        },
    )
