from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from safeguarding.agencies.models import Agency
from safeguarding.census.years import RULESETS, CensusYear
from safeguarding.core.forms import GovUKForm

ACTIONS = (("download", "Download the XML file"), ("check", "Check it with the validator first"))


class ExportForm(GovUKForm):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        label="Children's social care agency",
        empty_label=None,
        error_messages={"invalid_choice": "Choose a children's social care agency you work in."},
    )
    year = forms.ChoiceField(
        label="Census year",
        widget=forms.RadioSelect,
        help_text="From 1 April to 31 March, the census's reference date.",
        error_messages={"required": "Choose the census year.", "invalid_choice": "Choose a census year listed."},
    )
    action = forms.ChoiceField(
        label="What do you want to do?",
        widget=forms.RadioSelect,
        choices=ACTIONS,
        initial="download",
        error_messages={"required": "Choose whether to download the file or check it first."},
    )

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies]).order_by("name")
        if len(agencies) == 1:
            field.initial = agencies[0].pk
            field.widget = forms.HiddenInput()
        years = [str(CensusYear(start)) for start in sorted(RULESETS, reverse=True)]
        year_field = self.fields["year"]
        assert isinstance(year_field, forms.ChoiceField)
        year_field.choices = [(y, y) for y in years]

    def clean_year(self) -> CensusYear:
        try:
            return CensusYear.parse(self.cleaned_data["year"])
        except ValidationError as exc:
            raise ValidationError(exc.messages[0]) from exc
