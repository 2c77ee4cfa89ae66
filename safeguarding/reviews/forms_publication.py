"""Forms of the publication pages (rendered as GOV.UK components). Decisions that change how the review
is published carry the review's `version`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from safeguarding.core.forms import GovUKForm
from safeguarding.reviews.enums import DeferralReason
from safeguarding.reviews.forms import MAX_UPLOAD_BYTES, DateField, VersionedForm, _text


class DeferForm(VersionedForm):
    reason_kind = forms.ChoiceField(
        label="Why is publication deferred?",
        choices=DeferralReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why publication is deferred."},
    )
    reason = _text("Details of the reasons", rows=4)
    review_by = DateField(
        label="Review the deferral by",
        help_text="The date the partners will look at the deferral again. For example, 27/03/2027",
        error_messages={"required": "Enter the date the partners will look at the deferral again."},
    )


class LearningOnlyForm(VersionedForm):
    reasons = _text(
        "Reasons for not publishing the report in full",
        help_text="Why publishing the full report would be inappropriate.",
    )
    learning_summary = _text(
        "The learning to be published",
        rows=8,
        help_text="Information about the improvements to be made following the review. Use the pseudonyms.",
    )


class ReportUploadForm(GovUKForm):
    document = forms.FileField(
        label="Report to be published",
        help_text="A PDF or Word (.docx) file, up to 20 MB. It is checked for identifying details at once.",
        error_messages={"required": "Choose the report file to upload."},
    )

    def clean_document(self) -> Any:
        upload = self.cleaned_data.get("document")
        if upload is not None and upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError("The file is larger than 20 MB. Reduce its size or split it.")
        if upload is not None and not upload.name.lower().endswith((".pdf", ".docx")):
            raise ValidationError("Upload the report as a PDF or a Word (.docx) file.")
        return upload


class IntendedForm(GovUKForm):
    reason = _text(
        "Why is this meant to be in the published report?",
        rows=3,
        help_text="For example: the name of a national body, not of the family.",
    )


class NspccForm(GovUKForm):
    sent_on = DateField(
        label="Date sent to the NSPCC national case review repository",
        error_messages={"required": "Enter the date the report was sent to the NSPCC repository."},
    )


class CloseUnpublishedForm(VersionedForm):
    reason = _text("Why is the review closing without publication?", rows=3)
