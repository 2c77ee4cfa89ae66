from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator

from safeguarding.children.validators import normalise_nhs_number, validate_nhs_number
from safeguarding.core.date_input import GovUKDateField
from safeguarding.core.forms import GovUKForm


class ChildSearchForm(GovUKForm):
    name = forms.CharField(label="Name", required=False, max_length=200, help_text="First name, last name or both.")
    date_of_birth = GovUKDateField(
        label="Date of birth", required=False, past_only=True, help_text="For example, 27 3 2019"
    )
    nhs_number = forms.CharField(
        label="NHS number",
        required=False,
        max_length=14,
        help_text="10 digits, for example 943 476 5919",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "numeric", "spellcheck": "false"}),
    )

    def clean_nhs_number(self) -> str:
        value = self.cleaned_data.get("nhs_number", "")
        if value:
            validate_nhs_number(value)
            return normalise_nhs_number(value)
        return ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not any(cleaned.get(f) for f in ("name", "date_of_birth", "nhs_number")):
            raise ValidationError("Enter a name, a date of birth or an NHS number to search.", code="empty")
        return cleaned


class PersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name()} ({obj.username})"


class GrantAccessForm(GovUKForm):
    user = PersonChoiceField(
        label="Who needs access",
        queryset=None,  # set in __init__: the people this granter may give access to
        empty_label="Choose a person",
        error_messages={"required": "Choose who needs access", "invalid_choice": "Choose a person from the list"},
    )
    child_reference = forms.CharField(
        label="Child's NHS number or Hub ID",
        max_length=14,
        help_text="Access is given to one child's record. Use the NHS number, or the Hub ID shown on the record.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
        error_messages={"required": "Enter the child's NHS number or Hub ID"},
    )
    # Asked with the number, and matched with it: a number alone would confirm that a child with that
    # NHS number exists. A wrong date of birth is answered exactly like a number nobody has.
    child_date_of_birth = GovUKDateField(
        label="Child's date of birth",
        past_only=True,
        help_text="For example, 27 3 2019. It must match the record.",
        error_messages={"required": "Enter the child's date of birth"},
    )
    reason = forms.CharField(
        label="Reason for access",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Say why this person needs to see the record. The reason is recorded and shown to the "
        "child's lead professional and your agency's safeguarding lead.",
        error_messages={"required": "Enter the reason for access"},
    )
    days = forms.IntegerField(
        label="How many days",
        min_value=1,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages={
            "required": "Enter how many days access should last",
            "invalid": "Enter a whole number of days",
        },
    )

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(PersonChoiceField, self.fields["user"]).queryset = users
        max_days = settings.ACCESS_GRANT_MAX_DAYS
        days = self.fields["days"]
        days.help_text = f"From 1 to {max_days} days. Access ends by itself after that."
        days.validators.append(MaxValueValidator(max_days, message=f"Access can last at most {max_days} days"))
        days.error_messages["min_value"] = "Access must last at least 1 day"

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < 10:
            raise ValidationError("Enter the reason for access, in at least 10 characters.")
        return reason
