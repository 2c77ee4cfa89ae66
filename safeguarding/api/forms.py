from __future__ import annotations

from django import forms

from safeguarding.agencies.models import Agency
from safeguarding.core.forms import GovUKForm


class ApiTokenForm(GovUKForm):
    agency = forms.ModelChoiceField(
        label="Agency",
        help_text="The token sees exactly what this agency's staff see: the children the agency works with.",
        queryset=Agency.objects.active().order_by("name"),
        empty_label="Choose an agency",
        error_messages={
            "required": "Select the agency whose system will use the token",
            "invalid_choice": "Select an agency from the list",
        },
    )
    name = forms.CharField(
        label="Name",
        help_text="The system that will use the token, like 'Police case system'.",
        max_length=100,
        error_messages={
            "required": "Enter a name for the token",
            "max_length": "The name must be 100 characters or fewer",
        },
    )
