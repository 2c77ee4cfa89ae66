"""The census import page's form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from safeguarding.agencies.models import Agency
from safeguarding.census.reading import MAX_FILE_BYTES
from safeguarding.core.forms import GovUKForm


class CensusImportForm(GovUKForm):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        label="Children's social care agency",
        empty_label=None,
        help_text="The agency whose census return this is.",
        error_messages={"invalid_choice": "Choose a children's social care agency you work in."},
    )
    file = forms.FileField(
        label="Upload a Children in Need census file",
        help_text="The census XML file your case-management system produced (2025 to 2026 or 2026 to 2027).",
        error_messages={"required": "Select the census XML file to import."},
    )
    dry_run = forms.BooleanField(label="Check the file only: do not save anything", required=False)

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies]).order_by("name")
        if len(agencies) == 1:
            field.initial = agencies[0].pk

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith(".xml"):
            raise forms.ValidationError("The file must be the census XML file (.xml).")
        if not upload.size:
            raise forms.ValidationError("The selected file is empty. Choose the census XML file.")
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError("The file must be smaller than 50 MB. Check it is the census XML file.")
        return upload
