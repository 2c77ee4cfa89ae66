"""Forms for the learning pages, rendered as GOV.UK components. Forms that change an event or a briefing
carry its `version`, so one filled in against an older version is refused, not applied. Dates are typed
day first (`core.dates`); times as 24-hour HH:MM."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from safeguarding.agencies.enums import AgencyKind, Role
from safeguarding.agencies.models import Agency, Membership
from safeguarding.core.dates import parse_date
from safeguarding.core.forms import GovUKForm
from safeguarding.learning import queries
from safeguarding.learning.anonymise import name_rules, scrub
from safeguarding.learning.enums import Confidence, Delivery, EventKind, EventStatus, PracticeChanged
from safeguarding.learning.models import BRIEFING_SECTION_MAX, BRIEFING_TITLE_MAX
from safeguarding.learning.services import EVENT_FIELDS
from safeguarding.reviews.models import Theme

TIME_FORMATS = ("%H:%M", "%H.%M", "%H%M")


def parse_time(text: str) -> time:
    text = text.strip()
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt).time()
        except ValueError:
            continue
    raise ValidationError("Enter a time in 24-hour clock, like 09:30 or 14:00.", code="invalid_time")


class PersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class ThemesField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    pass


class EventForm(GovUKForm):
    kind = forms.ChoiceField(
        label="What kind of event is it?",
        choices=EventKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of event it is"},
    )
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter the event's title"})
    description = forms.CharField(
        label="What it covers and who it is for", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    themes = ThemesField(
        label="Themes",
        queryset=Theme.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The learning themes the event covers (the same list as review findings).",
    )
    case_study = forms.CharField(
        label="Case study",
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text="Anonymised: use the review's pseudonyms, such as 'Child A'. Never a child's real name.",
    )
    day = forms.CharField(
        label="Date",
        help_text="For example, 27/3/2026",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
        error_messages={"required": "Enter the date of the event"},
    )
    start_time = forms.CharField(
        label="Starts at",
        help_text="24-hour clock, for example 09:30",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
        error_messages={"required": "Enter the time the event starts"},
    )
    end_time = forms.CharField(
        label="Ends at",
        help_text="24-hour clock, for example 12:30",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
        error_messages={"required": "Enter the time the event ends"},
    )
    delivery = forms.ChoiceField(
        label="How is it delivered?", choices=Delivery.choices, widget=forms.RadioSelect, initial=Delivery.IN_PERSON
    )
    venue = forms.CharField(
        label="Venue, or how to join online", max_length=300, required=False, help_text="Needed for in-person events."
    )
    facilitator = PersonChoiceField(
        label="Facilitator in the partnership",
        queryset=None,
        required=False,
        empty_label="Nobody in the partnership",
        help_text="They can record attendance for this event.",
    )
    facilitator_name = forms.CharField(
        label="External facilitator", max_length=200, required=False, help_text="When the facilitator is external."
    )
    capacity = forms.IntegerField(
        label="Places",
        min_value=1,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4"}),
        error_messages={"required": "Enter how many places there are", "min_value": "Enter 1 or more places"},
    )
    follow_up_after_days = forms.IntegerField(
        label="Send the follow-up survey after (days)",
        min_value=1,
        max_value=730,
        initial=90,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4"}),
        help_text="Attendees are asked, once, whether their practice changed.",
    )
    status = forms.ChoiceField(
        label="Status",
        choices=EventStatus.choices,
        widget=forms.RadioSelect,
        initial=EventStatus.DRAFT,
        help_text="Invited people see a published event and can register.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        User = get_user_model()
        self.fields["facilitator"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(is_active=True, is_system=False, memberships__is_active=True)
            .distinct()
            .order_by("last_name", "first_name", "username")
        )

    def clean_day(self) -> date:
        return parse_date(self.cleaned_data["day"])

    def clean_start_time(self) -> time:
        return parse_time(self.cleaned_data["start_time"])

    def clean_end_time(self) -> time:
        return parse_time(self.cleaned_data["end_time"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, start, end = cleaned.get("day"), cleaned.get("start_time"), cleaned.get("end_time")
        if day and start and end:
            cleaned["starts_at"] = timezone.make_aware(datetime.combine(day, start))
            cleaned["ends_at"] = timezone.make_aware(datetime.combine(day, end))
            if end <= start:
                self.add_error("end_time", "The event must end after it starts")
        return cleaned

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values the event services take (the review comes from the page, not the form)."""
        data = self.cleaned_data
        fields = {name: data.get(name) for name in EVENT_FIELDS if name != "review"}
        return fields | {"description": data.get("description") or "", "case_study": data.get("case_study") or ""}

    @staticmethod
    def initial_for(event: Any) -> dict[str, Any]:
        starts, ends = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
        return {
            "kind": event.kind,
            "title": event.title,
            "description": event.description,
            "themes": list(event.themes.all()),
            "case_study": event.case_study,
            "day": f"{starts:%d/%m/%Y}",
            "start_time": f"{starts:%H:%M}",
            "end_time": f"{ends:%H:%M}",
            "delivery": event.delivery,
            "venue": event.venue,
            "facilitator": event.facilitator_id,
            "facilitator_name": event.facilitator_name,
            "capacity": event.capacity,
            "follow_up_after_days": event.follow_up_after_days,
            "status": event.status,
            "version": event.version,
        }


class EventFilterForm(GovUKForm):
    theme = forms.ModelChoiceField(
        label="Theme", queryset=Theme.objects.filter(is_active=True), required=False, empty_label="Any theme"
    )
    kind = forms.ChoiceField(label="Kind of event", choices=[("", "Any kind"), *EventKind.choices], required=False)
    when = forms.ChoiceField(
        choices=[("upcoming", "Upcoming"), ("past", "Past")], required=False, widget=forms.HiddenInput
    )
    govuk_mark_optional = False


class InvitationForm(GovUKForm):
    agency = forms.ModelChoiceField(
        label="One agency",
        queryset=Agency.objects.active().order_by("name"),
        required=False,
        empty_label="Choose an agency",
    )
    agency_kind = forms.ChoiceField(
        label="Or every agency of a kind",
        choices=[("", "Choose a kind of agency"), *AgencyKind.choices],
        required=False,
    )
    role = forms.ChoiceField(
        label="Role",
        choices=[("", "Every role"), *[(r.value, r.label) for r in Role if r != Role.AGENCY_SYSTEM]],
        required=False,
    )
    govuk_mark_optional = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if bool(cleaned.get("agency")) == bool(cleaned.get("agency_kind")):
            self.add_error("agency", "Choose one agency, or a kind of agency (not both)")
        return cleaned


class AttendanceForm(GovUKForm):
    attended = forms.MultipleChoiceField(
        label="Who came?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick everyone who attended. Anyone not ticked is recorded as not attending.",
    )
    govuk_mark_optional = False

    def __init__(self, *args: Any, registrations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [  # type: ignore[attr-defined]
            (str(r.user_id), f"{r.user} ({r.agency.name}, {r.get_role_display()})") for r in registrations
        ]


class WalkInPersonField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """People with an account, labelled with their name and the invited agencies they work for."""

    labels: dict[int, str] = {}

    def label_from_instance(self, obj: Any) -> str:
        return self.labels.get(obj.pk) or str(obj)


class WalkInPersonForm(GovUKForm):
    """A walk-in with an account: chosen from the people in the agencies the event invited."""

    user = WalkInPersonField(
        label="Who came?",
        queryset=None,
        empty_label="Choose a person",
        help_text="People in the agencies invited to the event who have no place on it. Their agency and role are "
        "taken from their account.",
        error_messages={"required": "Choose the person who came", "invalid_choice": "Choose a person from the list"},
    )
    govuk_mark_optional = False

    def __init__(self, *args: Any, event: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = queries.walk_in_candidates(event)
        agencies = queries.invited_agencies(event)
        places: dict[int, set[str]] = {}
        for user_id, agency in (
            Membership.objects.filter(user__in=people, is_active=True, agency__in=agencies)
            .values_list("user_id", "agency__name")
            .distinct()
        ):
            places.setdefault(user_id, set()).add(agency)
        field = self.fields["user"]
        field.queryset = people  # type: ignore[attr-defined]
        field.labels = {  # type: ignore[attr-defined]
            p.pk: f"{p} ({', '.join(sorted(places.get(p.pk, set())))})" for p in people
        }


class WalkInByHandForm(GovUKForm):
    """A walk-in without an account: their name, and the agency and role they came for."""

    name = forms.CharField(
        label="Their full name",
        max_length=200,
        error_messages={"required": "Enter the name of the person who came"},
    )
    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.none(),
        empty_label="Choose an agency",
        help_text="One of the agencies invited to the event.",
        error_messages={"required": "Choose the agency they work for", "invalid_choice": "Choose an invited agency"},
    )
    role = forms.ChoiceField(
        label="Role",
        choices=[("", "Choose a role"), *[(r.value, r.label) for r in Role if r != Role.AGENCY_SYSTEM]],
        error_messages={"required": "Choose their role"},
    )
    govuk_mark_optional = False

    def __init__(self, *args: Any, event: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = queries.invited_agencies(event)  # type: ignore[attr-defined]


CONFIDENCE_CHOICES = [(str(value), label) for value, label in Confidence.choices]


class EvaluationForm(GovUKForm):
    confidence_before = forms.TypedChoiceField(
        label="Before the event, how confident were you about its theme in your practice?",
        choices=CONFIDENCE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how confident you were before the event"},
    )
    confidence_after = forms.TypedChoiceField(
        label="How confident are you now?",
        choices=CONFIDENCE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how confident you are now"},
    )
    practice_change = forms.CharField(
        label="What will you change in your practice?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what will change in your practice"},
    )
    comments = forms.CharField(label="Anything else", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class FollowUpForm(GovUKForm):
    practice_changed = forms.ChoiceField(
        label="Has your practice changed since the event?",
        choices=PracticeChanged.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether your practice has changed"},
    )
    example = forms.CharField(
        label="An example of what you now do differently",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Do not name any child or family.",
    )


class FindingsField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """A review's findings, labelled with the children's real names replaced by pseudonyms."""

    name_rules: list[Any] = []

    def label_from_instance(self, obj: Any) -> str:
        return f"Finding {obj.number}: {scrub(obj.title, self.name_rules)}"


class BriefingForm(GovUKForm):
    title = forms.CharField(
        label="Title", max_length=BRIEFING_TITLE_MAX, error_messages={"required": "Enter the briefing's title"}
    )
    findings = FindingsField(
        label="Findings it draws on", queryset=None, widget=forms.CheckboxSelectMultiple, required=False
    )
    what_happened = forms.CharField(
        label="What happened, in brief",
        max_length=BRIEFING_SECTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=f"Up to {BRIEFING_SECTION_MAX} characters. Use the review's pseudonyms, never a child's name.",
        error_messages={"required": "Enter what happened"},
    )
    what_we_learned = forms.CharField(
        label="What we learned",
        max_length=BRIEFING_SECTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=f"Up to {BRIEFING_SECTION_MAX} characters.",
        error_messages={"required": "Enter what we learned"},
    )
    do_differently = forms.CharField(
        label="What to do differently",
        max_length=BRIEFING_SECTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=f"Up to {BRIEFING_SECTION_MAX} characters.",
        error_messages={"required": "Enter what to do differently"},
    )
    supervision_questions = forms.CharField(
        label="Questions for supervision",
        max_length=BRIEFING_SECTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=f"Up to {BRIEFING_SECTION_MAX} characters. One question a line.",
        error_messages={"required": "Enter the questions for supervision"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, review: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["findings"]
        field.queryset = review.findings.order_by("number")  # type: ignore[attr-defined]
        field.name_rules = name_rules(review)  # type: ignore[attr-defined]


class VersionForm(GovUKForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
