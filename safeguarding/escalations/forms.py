"""Forms for the escalation pages, rendered as GOV.UK components. Each action form carries the
escalation's `version`, so a form filled in against an older version is refused, not applied."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from safeguarding.agencies.enums import AgencyKind
from safeguarding.agencies.models import Agency
from safeguarding.chronology.models import Event
from safeguarding.core.dates import parse_date
from safeguarding.core.forms import GovUKForm
from safeguarding.escalations.enums import LevelOfNeed, ResponseKind, Urgency
from safeguarding.escalations.models import EscalationReason

NEED_CHOICES = [(str(value), label) for value, label in LevelOfNeed.choices]


class PersonField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """People in the agencies the form offers; the options are set by `RaiseForm.offer_people`."""

    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class EvidenceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return evidence_label(obj)


def evidence_label(event: Any) -> str:
    """ "12/03/2026, Police: Domestic abuse incident. Police called at 2am…" (the summary shortened)."""
    summary = " ".join((event.summary or "").split())
    if len(summary) > SUMMARY_LENGTH:
        summary = summary[: SUMMARY_LENGTH - 1].rstrip() + "…"
    return f"{event.occurred_on:%d/%m/%Y}, {event.agency.name}: {event.event_type}. {summary}".rstrip()


SUMMARY_LENGTH = 140


def child_label(child: Any) -> str:
    born = f", born {child.date_of_birth:%d/%m/%Y}" if child.date_of_birth else ""
    return f"{child.full_name}{born}"


class ChildField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """One child the person may see. Validated against every visible child, but the select offers
    only the chosen child and the matches of a search (`RaiseForm.offer_children`): a select of
    every visible child would hold tens of thousands of names."""

    def label_from_instance(self, obj: Any) -> str:
        return child_label(obj)


class SiblingField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return child_label(obj)


class RaiseForm(GovUKForm):
    child_search = forms.CharField(
        label="Find the child by name",
        required=False,
        max_length=100,
        help_text="Type at least 2 letters of their first name or last name, then choose Find the child.",
    )
    child = ChildField(
        label="Which child is this about?",
        queryset=None,
        empty_label="Choose a child",
        error_messages={
            "required": "Choose the child this is about",
            "invalid_choice": "Choose the child this is about",
        },
    )
    siblings = SiblingField(
        label="Is it also about their brothers or sisters?",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose siblings too if the disagreement is about all of them.",
    )
    raising_agency: forms.ModelChoiceField = forms.ModelChoiceField(  # type: ignore[type-arg]
        label="Which agency are you raising this for?",
        queryset=None,
        empty_label=None,
        error_messages={"required": "Choose the agency you are raising this for"},
    )
    receiving_agency: forms.ModelChoiceField = forms.ModelChoiceField(  # type: ignore[type-arg]
        label="Which agency do you disagree with?",
        queryset=None,
        empty_label="Choose an agency",
        error_messages={"required": "Choose the agency you disagree with"},
    )
    receiving_person = PersonField(
        label="Person in that agency, if you know who",
        queryset=None,
        required=False,
        empty_label="Not known",
        help_text="Choose the agency first. If you do not know who, the agency's practitioners at stage 1 are told.",
    )
    reason = forms.ModelChoiceField(
        label="What is the disagreement about?",
        queryset=EscalationReason.objects.active(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose what the disagreement is about"},
    )
    disputed_decision = forms.CharField(
        label="What decision or situation do you disagree with?",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Stick to facts: what was decided, by whom, when, and why you think it is wrong.",
        error_messages={"required": "Describe the decision or situation you disagree with"},
    )
    desired_outcome = forms.CharField(
        label="What do you want to happen?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what you want to happen"},
    )
    raiser_level_of_need = forms.TypedChoiceField(
        label="What level of need do you think the child has?",
        choices=NEED_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        help_text="The levels in the partnership's threshold document.",
        error_messages={"required": "Choose the level of need you think the child has"},
    )
    urgency = forms.ChoiceField(
        label="How urgent is it?",
        choices=Urgency.choices,
        initial=Urgency.STANDARD,
        widget=forms.RadioSelect,
        help_text="Urgent: responses are due in hours, not working days. If the child is at immediate risk, "
        "do not wait: make a referral or call the police now.",
    )
    evidence = EvidenceField(
        label="Chronology entries that support your case",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The child's entries that you can see, most recent first.",
    )

    def __init__(self, *args: Any, children: Any, raising_agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.child_known = False
        self.found: int | None = None
        fields = self.fields
        cast(ChildField, fields["child"]).queryset = children
        cast(SiblingField, fields["siblings"]).queryset = children.none()
        cast(EvidenceField, fields["evidence"]).queryset = Event.objects.none()
        cast(forms.ModelChoiceField, fields["raising_agency"]).queryset = raising_agencies  # type: ignore[type-arg]
        cast(forms.ModelChoiceField, fields["receiving_agency"]).queryset = receiving_agencies()  # type: ignore[type-arg]
        cast(PersonField, fields["receiving_person"]).queryset = receiving_people()
        fields["receiving_person"].widget.attrs["data-people-url"] = reverse("escalations:raise-people")
        fields["child"].widget.attrs["data-search-url"] = reverse("escalations:raise-children")
        fields["child"].widget.attrs["data-details-url"] = reverse("escalations:raise-child-details")
        if raising_agencies.count() == 1:
            fields["raising_agency"].widget = forms.HiddenInput()
            fields["raising_agency"].initial = raising_agencies.first().pk

    def offer_children(self, children: list[Any]) -> None:
        """The child select's options: "Choose a child" and these children (the chosen one, search matches)."""
        self.fields["child"].widget.choices = [("", "Choose a child")] + [(c.pk, child_label(c)) for c in children]

    def offer_child_details(self, *, siblings: Any, events: Any) -> None:
        """The chosen child's brothers and sisters (that the person may see) and chronology entries."""
        self.child_known = True
        cast(SiblingField, self.fields["siblings"]).queryset = siblings
        cast(EvidenceField, self.fields["evidence"]).queryset = events

    def offer_people(self, agency: Any) -> None:
        """People of the agency chosen; with no agency chosen, everyone, grouped by agency."""
        people = receiving_people()
        if agency is not None:
            rows = people.filter(memberships__agency=agency, memberships__is_active=True)
            choices: list[Any] = [("", "Not known")] + [(p.pk, p.get_full_name() or p.username) for p in rows]
        else:
            choices = [("", "Not known"), *people_by_agency(people)]
        self.fields["receiving_person"].widget.choices = choices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        raising, receiving = cleaned.get("raising_agency"), cleaned.get("receiving_agency")
        if raising and receiving and raising == receiving:
            self.add_error("receiving_agency", "Choose an agency other than your own")
        person = cleaned.get("receiving_person")
        if person and receiving and not person.memberships.filter(agency=receiving, is_active=True).exists():
            self.add_error(
                "receiving_person",
                f"{person.get_full_name() or person.username} does not work in {receiving.name}: "
                "choose someone who does, or 'Not known'",
            )
        return cleaned

    def chosen_children(self) -> list[Any]:
        child = self.cleaned_data["child"]
        return [child, *[s for s in self.cleaned_data.get("siblings") or [] if s.pk != child.pk]]


def receiving_agencies() -> Any:
    return Agency.objects.active().exclude(kind=AgencyKind.BUSINESS_UNIT).order_by("name")


def receiving_people(agency: Any = None) -> Any:
    """People an escalation may name on the receiving side: active staff of active agencies."""
    people = (
        get_user_model()
        .objects.filter(is_active=True, is_system=False, memberships__is_active=True)
        .exclude(memberships__agency__kind=AgencyKind.BUSINESS_UNIT)
        .distinct()
        .order_by("last_name", "first_name", "id")
    )
    if agency is not None:
        people = people.filter(memberships__agency=agency, memberships__is_active=True)
    return people


def people_by_agency(people: Any) -> list[tuple[str, list[tuple[int, str]]]]:
    """Option groups, one per agency: ("Police", [(id, "Sam Brown"), …])."""
    from safeguarding.agencies.models import Membership

    rows = (
        Membership.objects.filter(is_active=True, user__in=people, agency__in=receiving_agencies())
        .select_related("user", "agency")
        .order_by("agency__name", "user__last_name", "user__first_name", "user_id")
    )
    groups: dict[str, dict[int, str]] = {}
    for m in rows:
        groups.setdefault(m.agency.name, {})[m.user_id] = m.user.get_full_name() or m.user.username
    return [(name, list(members.items())) for name, members in groups.items()]


class VersionedForm(GovUKForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class RespondForm(VersionedForm):
    kind = forms.ChoiceField(
        label="What is your response?",
        choices=ResponseKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether you agree, disagree or propose something else"},
    )
    reasons = forms.CharField(
        label="Your reasons",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Give the reasons for your response"},
    )
    proposal = forms.CharField(
        label="What do you propose instead?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed if you propose something else.",
    )
    level_of_need = forms.TypedChoiceField(
        label="What level of need does your agency think the child has?",
        choices=[("", "Not stated"), *NEED_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("kind") == ResponseKind.ALTERNATIVE and not (cleaned.get("proposal") or "").strip():
            self.add_error("proposal", "Describe what you propose instead")
        return cleaned


class OutcomeForm(VersionedForm):
    outcome = forms.CharField(
        label="What outcome did you agree?",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Describe the outcome both sides agreed"},
    )


class AgreedActionForm(GovUKForm):
    description = forms.CharField(label="Action", required=False, max_length=500)
    owner_agency: forms.ModelChoiceField = forms.ModelChoiceField(  # type: ignore[type-arg]
        label="Agency", queryset=None, required=False, empty_label="Choose an agency"
    )
    owner_name = forms.CharField(label="Who will do it", required=False, max_length=200)
    due_on = forms.CharField(
        label="By when",
        required=False,
        help_text="For example, 27/03/2027",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )

    def __init__(self, *args: Any, agencies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner_agency"]).queryset = agencies  # type: ignore[type-arg]

    def clean_due_on(self) -> date | None:
        text = (self.cleaned_data.get("due_on") or "").strip()
        return parse_date(text) if text else None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        given = [cleaned.get(f) for f in ("description", "owner_agency", "owner_name", "due_on")]
        if any(given) and not all(given):
            raise ValidationError(
                "Complete every part of the action (action, agency, who and by when), or leave it all blank"
            )
        return cleaned


AgreedActionFormSet = forms.formset_factory(AgreedActionForm, extra=3, max_num=10)


class ReasonForm(VersionedForm):
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the reason. It is recorded in the history"},
    )


class AcceptForm(VersionedForm):
    note = forms.CharField(label="Anything to add (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class LearningForm(VersionedForm):
    note = forms.CharField(
        label="What could the learning group learn from this?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Do not name the child or family: the business unit uses this list to plan workshops.",
        error_messages={"required": "Say what the learning group could learn from this escalation"},
    )


class ActionDoneForm(GovUKForm):
    done_on = forms.CharField(
        label="When was it done?",
        help_text="For example, 27/03/2027",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
        error_messages={"required": "Enter the date it was done"},
    )
    note = forms.CharField(
        label="What was done (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Do not name the child or family.",
    )

    def clean_done_on(self) -> date:
        return parse_date(self.cleaned_data["done_on"].strip())


class PeriodForm(GovUKForm):
    start = forms.CharField(
        label="From",
        required=False,
        help_text="For example, 1/4/2026",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    end = forms.CharField(
        label="To",
        required=False,
        help_text="For example, 30/6/2026",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    govuk_mark_optional = False

    def clean_start(self) -> date | None:
        text = (self.cleaned_data.get("start") or "").strip()
        return parse_date(text) if text else None

    def clean_end(self) -> date | None:
        text = (self.cleaned_data.get("end") or "").strip()
        return parse_date(text) if text else None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The end of the period must be the same as or after the start")
        return cleaned
