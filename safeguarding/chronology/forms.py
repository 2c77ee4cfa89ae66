from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from safeguarding.agencies.models import Agency
from safeguarding.core.forms import GovUKForm

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
ACCEPTED_EXTENSIONS = (".csv", ".xlsx")


class ImportUploadForm(GovUKForm):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        label="Agency",
        empty_label=None,
        help_text="The agency whose records these are.",
        error_messages={"invalid_choice": "Choose an agency you work in."},
    )
    file = forms.FileField(
        label="Upload a chronology file",
        help_text=(
            "A CSV or Excel (.xlsx) file with a header row: date, child's name, date of birth, NHS number, "
            "your reference, event type, details, action taken and impact on the child."
        ),
        error_messages={"required": "Select a CSV or Excel file to import."},
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
        name = (upload.name or "").lower()
        if not name.endswith(ACCEPTED_EXTENSIONS):
            raise forms.ValidationError("The file must be a CSV (.csv) or Excel (.xlsx) file.")
        if upload.size and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file must be smaller than 50 MB. Split it into several files.")
        if not upload.size:
            raise forms.ValidationError("The selected file is empty. Choose the file with your entries.")
        return upload
