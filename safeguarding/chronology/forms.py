from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from safeguarding.agencies.enums import Role
from safeguarding.agencies.models import Agency
from safeguarding.children.models import Child
from safeguarding.chronology import highlights
from safeguarding.chronology.enums import Precision
from safeguarding.chronology.merged import ChronologyFilters
from safeguarding.chronology.models import Event, EventType
from safeguarding.core.dates import DATE_FORMATS
from safeguarding.core.enums import Confidentiality
from safeguarding.core.forms import GovUKForm

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
ACCEPTED_EXTENSIONS = (".csv", ".xlsx")
MAX_HOUSEHOLD_COLUMNS = 10


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
    household_columns = forms.CharField(
        label="Columns with a household, tenancy, family or incident reference",
        required=False,
        max_length=1000,
        help_text=(
            "Column headings exactly as in the file, separated by commas, for example: Tenancy ref, Incident number. "
            "A reference several children share is kept on each entry and never used to decide which child an "
            'entry is about. Columns headed "Household ref", "Tenancy ref" or "Family ref", and any your agency '
            "has set up, are read this way already."
        ),
        error_messages={"max_length": "Enter at most 1000 characters of column headings."},
    )
    dry_run = forms.BooleanField(label="Check the file only: do not save anything", required=False)

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies]).order_by("name")
        if len(agencies) == 1:
            field.initial = agencies[0].pk
        configured = sorted({h for a in agencies for h, k in (a.import_columns or {}).items() if k == "household"})
        if configured:
            columns_field = self.fields["household_columns"]
            columns_field.help_text = f"{columns_field.help_text} Already set up: {', '.join(configured)}."

    def clean_household_columns(self) -> list[str]:
        text = self.cleaned_data.get("household_columns") or ""
        headings: list[str] = []
        for part in text.replace("\n", ",").split(","):
            heading = " ".join(part.split())
            if not heading:
                continue
            if len(heading) > 100:
                raise forms.ValidationError(
                    f'"{heading[:40]}…" is too long for a column heading (at most 100 characters). '
                    "Separate several headings with commas."
                )
            if heading.casefold() not in {h.casefold() for h in headings}:
                headings.append(heading)
        if len(headings) > MAX_HOUSEHOLD_COLUMNS:
            raise forms.ValidationError(f"Name at most {MAX_HOUSEHOLD_COLUMNS} columns.")
        return headings

    @property
    def reference_columns(self) -> dict[str, str]:
        """The upload's ImportBatch.reference_columns: {heading: "household"}."""
        return dict.fromkeys(self.cleaned_data.get("household_columns") or [], "household")

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


class ConfirmTypesForm(GovUKForm):
    """One question per label close to a known event type: record it as that type, or as Other."""

    govuk_mark_optional = False

    def __init__(self, *args: Any, suggestions: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.suggestions = suggestions
        for index, suggestion in enumerate(suggestions):
            rows = suggestion["rows"]
            label = suggestion["label"]
            self.fields[f"type_{index}"] = forms.ChoiceField(
                label=f'"{label}" ({rows} row{"s" if rows != 1 else ""})',
                choices=[
                    (suggestion["nearest"], f"Record as {suggestion['nearest_label']}"),
                    ("other", "Record as Other (your label is kept on each entry)"),
                ],
                widget=forms.RadioSelect,
                help_text=f"No event type is called this, but it is close to {suggestion['nearest_label']}.",
                error_messages={
                    "required": f'Choose how to record "{label}".',
                    "invalid_choice": f'Choose how to record "{label}": as {suggestion["nearest_label"]} or as Other.',
                },
            )

    def mapping(self) -> dict[str, str]:
        """{label: type code | "other"}, for `importer.confirm_import_types`."""
        return {s["label"]: self.cleaned_data[f"type_{n}"] for n, s in enumerate(self.suggestions)}


class RetryImportForm(GovUKForm):
    """Try a failed import again: the version the page was read at, so a stale page cannot queue it twice."""

    version = forms.IntegerField(
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"required": "Refresh the page and try again.", "invalid": "Refresh the page and try again."},
    )


# --- Recording and correcting entries ------------------------------------------------------------

# Roles in the recording agency a restricted entry can be shown to (case-holding people only).
RESTRICTABLE_ROLES = [
    (Role.PRACTITIONER, "Practitioners"),
    (Role.MANAGER, "Managers"),
    (Role.SENIOR_MANAGER, "Senior managers"),
    (Role.SAFEGUARDING_LEAD, "Designated safeguarding leads"),
]


def _category_choices(types: list[EventType]) -> list[Any]:
    """Categories grouped by the type they belong to, so the list makes sense without JavaScript."""
    groups: list[Any] = [("", "No category")]
    for event_type in types:
        if event_type.categories:
            groups.append((event_type.label, [(c["code"], c["label"]) for c in event_type.categories]))
    return groups


class EntryFieldsForm(GovUKForm):
    """What an entry says: shared by the add page and the correction form."""

    event_type = forms.ModelChoiceField(
        queryset=EventType.objects.none(),
        label="Type of event",
        empty_label="Choose a type",
        error_messages={
            "required": "Choose the type of event.",
            "invalid_choice": "Choose a type of event from the list.",
        },
    )
    category = forms.ChoiceField(
        label="Category",
        required=False,
        help_text="Only for types that have categories, such as a concern raised or a referral outcome.",
    )
    value = forms.DecimalField(
        label="Value",
        required=False,
        max_digits=9,
        decimal_places=2,
        help_text="Only for types that take a number, such as a school attendance figure (%).",
        error_messages={"invalid": "Enter the value as a number, for example 87.5."},
    )
    occurred_on = forms.DateField(
        label="Date of the event",
        input_formats=DATE_FORMATS,
        help_text="For example, 27/3/2024. If you only know the month or the year, enter the 1st of it.",
        error_messages={
            "required": "Enter the date of the event.",
            "invalid": "Enter the date of the event as day/month/year, for example 27/3/2024.",
        },
    )
    precision = forms.ChoiceField(
        label="How exact is the date?",
        choices=[
            (Precision.DAY, "Exact to the day"),
            (Precision.MONTH, "Only the month is known"),
            (Precision.YEAR, "Only the year is known"),
        ],
        initial=Precision.DAY,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how exact the date is."},
    )
    approximate = forms.BooleanField(label="The date is approximate", required=False)
    summary = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A plain, factual account. Say who told you, if you did not see it yourself.",
        error_messages={"required": "Enter a factual summary of what happened."},
    )
    impact = forms.CharField(label="Impact on the child", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    action_taken = forms.CharField(
        label="Action taken",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What you did, or why no action was needed.",
    )
    confidentiality = forms.ChoiceField(
        label="Who can see this entry?",
        choices=[
            (Confidentiality.NORMAL, "Everyone who works with the child"),
            (Confidentiality.RESTRICTED, "Restricted: only people in my agency"),
        ],
        initial=Confidentiality.NORMAL,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who can see this entry."},
    )
    restricted_to_roles = forms.MultipleChoiceField(
        label="If restricted, which roles in your agency can see it?",
        choices=RESTRICTABLE_ROLES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave every box unticked for everyone in your agency.",
    )

    field_order = [
        "children",
        "agency",
        "event_type",
        "category",
        "value",
        "occurred_on",
        "precision",
        "approximate",
        "summary",
        "impact",
        "action_taken",
        "confidentiality",
        "restricted_to_roles",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = list(EventType.objects.active().order_by("label"))
        type_field = self.fields["event_type"]
        assert isinstance(type_field, forms.ModelChoiceField)
        type_field.queryset = EventType.objects.active().order_by("label")
        category_field = self.fields["category"]
        assert isinstance(category_field, forms.ChoiceField)
        category_field.choices = _category_choices(types)

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as keyword arguments for `record_event` / `correct_event`."""
        data = self.cleaned_data
        restricted = data["confidentiality"] == Confidentiality.RESTRICTED
        return {
            "event_type": data["event_type"],
            "category": data.get("category") or "",
            "value": data.get("value"),
            "occurred_on": data["occurred_on"],
            "precision": data["precision"],
            "approximate": bool(data.get("approximate")),
            "summary": data["summary"],
            "impact": data.get("impact") or "",
            "action_taken": data.get("action_taken") or "",
            "confidentiality": data["confidentiality"],
            "restricted_to_roles": list(data.get("restricted_to_roles") or []) if restricted else [],
        }


class EntryForm(EntryFieldsForm):
    """A new entry, for one child or several children of the family."""

    children = forms.TypedMultipleChoiceField(
        label="Which children is this entry about?",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick each child the event concerns. Only children you can see are listed.",
        error_messages={
            "required": "Choose at least one child the entry is about.",
            "invalid_choice": "Choose children from the list.",
        },
    )
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        label="Recording agency",
        empty_label=None,
        error_messages={"required": "Choose your agency.", "invalid_choice": "Choose an agency you work in."},
    )

    def __init__(self, *args: Any, children: list[Child], agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        children_field = self.fields["children"]
        assert isinstance(children_field, forms.TypedMultipleChoiceField)
        children_field.choices = [(c.pk, _child_label(c)) for c in children]
        children_field.initial = [children[0].pk]
        agency_field = self.fields["agency"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        agency_field.queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies]).order_by("name")
        agency_field.initial = agencies[0].pk if agencies else None
        if len(children) == 1:
            children_field.help_text = "No brothers, sisters or other children of the household are visible to you."


class CorrectionForm(EntryFieldsForm):
    """A correction: a new version of the entry. `version` is the one the person started from."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    @classmethod
    def initial_for(cls, event: Event) -> dict[str, Any]:
        return {
            "event_type": event.event_type_id,
            "category": event.category,
            "value": event.value,
            "occurred_on": event.occurred_on,
            "precision": event.precision,
            "approximate": event.approximate,
            "summary": event.summary,
            "impact": event.impact,
            "action_taken": event.action_taken,
            "confidentiality": event.confidentiality,
            "restricted_to_roles": event.restricted_roles,
            "version": event.version,
        }


def _child_label(child: Child) -> str:
    born = f" (born {child.date_of_birth.day} {child.date_of_birth:%B %Y})" if child.date_of_birth else ""
    return f"{child.full_name}{born}"


# --- Filtering the integrated chronology -----------------------------------------------------------


class ChronologyFilterForm(GovUKForm):
    """The GET form above a chronology; every field is optional."""

    govuk_mark_optional = False

    agency = forms.MultipleChoiceField(label="Agency", required=False, widget=forms.CheckboxSelectMultiple)
    type = forms.ChoiceField(label="Type of event", required=False)
    tag = forms.ChoiceField(label="Theme", required=False, help_text="For example neglect, health or police.")
    date_from = forms.DateField(
        label="From",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="For example, 1/1/2024",
        error_messages={"invalid": "Enter the start date as day/month/year, for example 1/1/2024."},
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="For example, 31/12/2024",
        error_messages={"invalid": "Enter the end date as day/month/year, for example 31/12/2024."},
    )
    family = forms.BooleanField(label="Include brothers, sisters and other children of the household", required=False)
    gap_days = forms.IntegerField(
        label="Show gaps in contact longer than (days)",
        required=False,
        min_value=7,
        max_value=3650,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4"}),
        error_messages={
            "invalid": "Enter the gap as a whole number of days, for example 90.",
            "min_value": "Enter a gap of at least 7 days.",
            "max_value": "Enter a gap of at most 3650 days (ten years).",
        },
    )

    def __init__(self, *args: Any, agencies: list[Agency], types: list[EventType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency_field = self.fields["agency"]
        assert isinstance(agency_field, forms.MultipleChoiceField)
        agency_field.choices = [(a.code, a.name) for a in agencies]
        type_field = self.fields["type"]
        assert isinstance(type_field, forms.ChoiceField)
        type_field.choices = [("", "All types"), *((t.code, t.label) for t in types)]
        tags = sorted({tag for t in types for tag in t.tag_list})
        tag_field = self.fields["tag"]
        assert isinstance(tag_field, forms.ChoiceField)
        tag_field.choices = [("", "All themes"), *((tag, tag.replace("_", " ").capitalize()) for tag in tags)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be the same as or after the start date.")
        return data

    def filters(self) -> ChronologyFilters:
        """The filters to apply; an invalid form applies none of the invalid fields."""
        self.is_valid()  # cleaned_data then holds only the fields that are valid
        data = getattr(self, "cleaned_data", {})
        return ChronologyFilters(
            agency_codes=frozenset(data.get("agency") or ()),
            type_codes=frozenset([data["type"]] if data.get("type") else []),
            tags=frozenset([data["tag"]] if data.get("tag") else []),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            include_family=bool(data.get("family")),
            gap_days=data.get("gap_days") or highlights.DEFAULT_GAP_DAYS,
        )


class EnteredInErrorForm(GovUKForm):
    """The reason for marking an entry entered in error, or for reinstating one."""

    reason = forms.CharField(
        label="Why?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Say why, in a few words: for example, the wrong child"},
    )

    def __init__(self, *args: Any, reinstating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, prefix="error", **kwargs)
        if reinstating:
            self.fields["reason"].label = "Why should this entry count again?"
            self.fields[
                "reason"
            ].help_text = "For example: it was marked by mistake. The reason is kept in the history."
        else:
            self.fields["reason"].label = "Why was this entry entered in error?"
            self.fields["reason"].help_text = (
                "For example: recorded on the wrong child's record. The entry is kept, struck through, with this "
                "reason, and no longer counts in highlights or alerts."
            )
