"""Forms for the action plan pages, rendered as GOV.UK components; they keep what was typed when the
service refuses a change. Forms for changes several people make carry the `version` they read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet

from safeguarding.actionplans.enums import ActionRag, ActionSource, ActionStatus, CommitteeOutcome
from safeguarding.actionplans.models import ActionPlan
from safeguarding.agencies.enums import Role
from safeguarding.agencies.models import Agency, Membership
from safeguarding.core.forms import GovUKForm
from safeguarding.reviews.forms import DateField
from safeguarding.reviews.models import Review, ReviewRecommendation

if TYPE_CHECKING:
    from safeguarding.core.types import Viewer

TEXT_MAX = 20000


def people() -> QuerySet[Any]:
    """People with an active account and an active membership (never agency systems)."""
    User = get_user_model()
    active = Membership.objects.active().exclude(role=Role.AGENCY_SYSTEM).select_related("agency")
    return (
        User.objects.filter(is_active=True, is_system=False, memberships__in=active)
        .distinct()
        .prefetch_related(Prefetch("memberships", queryset=active, to_attr="shown_memberships"))
        .order_by("last_name", "first_name", "username")
    )


class PersonField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        agencies = sorted({m.agency.name for m in getattr(obj, "shown_memberships", [])})
        return f"{obj} ({', '.join(agencies)})" if agencies else str(obj)


class RecommendationField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        text = obj.text if len(obj.text) <= 110 else obj.text[:107] + "…"
        return f"Recommendation {obj.number}: {text}"


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (empty when none were chosen)."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:  # type: ignore[override]
        from safeguarding.actionplans.services import evidence_files_problem

        single = super().clean
        if isinstance(data, (list, tuple)):
            files = [single(item, initial) for item in data if item]
        else:
            files = [single(data, initial)] if data else []
        problem = evidence_files_problem(files)
        if problem:
            raise forms.ValidationError(problem)
        return files


def _choices(form: forms.Form, name: str) -> forms.ModelChoiceField:  # type: ignore[type-arg]
    return cast(forms.ModelChoiceField, form.fields[name])  # type: ignore[type-arg]


def _text(label: str, *, required: bool = True, rows: int = 4, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class PlanForm(GovUKForm):
    title = forms.CharField(label="Title of the plan", max_length=200)
    source = forms.ChoiceField(
        label="Where does the plan come from?", choices=ActionSource.choices, widget=forms.RadioSelect
    )
    review = forms.ModelChoiceField(
        label="Case review",
        queryset=Review.objects.none(),
        required=False,
        help_text="For a plan from case review recommendations: one plan per review.",
    )
    source_reference = forms.CharField(
        label="What the plan answers",
        max_length=300,
        required=False,
        help_text="For an audit, inspection or priority, e.g. 'Ofsted ILACS inspection, March 2026'.",
    )
    owner_group = forms.CharField(
        label="Owner group", max_length=200, help_text="The subgroup that tracks the plan, e.g. Case review subgroup."
    )
    chair = PersonField(
        label="Chair of the owner group",
        queryset=get_user_model().objects.none(),
        help_text="Signs off completed actions.",
    )
    deputy_chair = PersonField(
        label="Deputy chair",
        queryset=get_user_model().objects.none(),
        required=False,
        help_text="Signs off actions the chair leads themselves.",
    )

    def __init__(self, *args: Any, review: Review | None = None, user: Viewer | None = None, **kwargs: Any) -> None:
        from safeguarding.reviews.queries import reviews_visible_to

        super().__init__(*args, **kwargs)
        self.fixed_review = review
        _choices(self, "chair").queryset = people()
        _choices(self, "deputy_chair").queryset = people()
        _choices(self, "review").queryset = (
            reviews_visible_to(user).filter(action_plan__isnull=True).order_by("-created_at")
        )
        if review is not None:
            # Started from the review's page: the source and review are fixed.
            del self.fields["source"], self.fields["review"], self.fields["source_reference"]
            self.fields["title"].initial = f"Action plan: {review.title}"


class EditPlanForm(GovUKForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label="Title of the plan", max_length=200)
    source_reference = forms.CharField(label="What the plan answers", max_length=300)
    owner_group = forms.CharField(label="Owner group", max_length=200)
    chair = PersonField(label="Chair of the owner group", queryset=get_user_model().objects.none())
    deputy_chair = PersonField(label="Deputy chair", queryset=get_user_model().objects.none(), required=False)

    def __init__(self, *args: Any, plan: ActionPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "chair").queryset = people()
        _choices(self, "deputy_chair").queryset = people()
        if plan.review_id is not None:
            del self.fields["source_reference"]


class ActionForm(GovUKForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    recommendation = RecommendationField(
        label="Recommendation this action answers", queryset=ReviewRecommendation.objects.none(), required=False
    )
    description = _text("What will be done")
    lead_agency = forms.ModelChoiceField(label="Lead agency", queryset=Agency.objects.none())
    lead_officer = PersonField(
        label="Lead officer",
        queryset=get_user_model().objects.none(),
        help_text="A person who works in the lead agency: they add the updates.",
    )
    start_on = DateField(label="Start date")
    due_on = DateField(label="Due date")
    success_measure = _text("Success measure", help_text="How we will know it worked.")
    recheck_on = DateField(
        label="Date to check the change held",
        required=False,
        help_text="When to re-audit that the change lasted. For example, 27/03/2027",
    )

    def __init__(self, *args: Any, plan: ActionPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "lead_agency").queryset = Agency.objects.active().order_by("name")
        _choices(self, "lead_officer").queryset = people()
        if plan.review_id is not None:
            _choices(self, "recommendation").queryset = ReviewRecommendation.objects.filter(
                review_id=plan.review_id
            ).order_by("number")
            self.fields["recommendation"].required = True
        else:
            del self.fields["recommendation"]


class UpdateForm(GovUKForm):
    # The action's version when the form was shown: an update made meanwhile is not overwritten.
    version = forms.IntegerField(widget=forms.HiddenInput)
    written_on = DateField(label="Date of the update")
    status = forms.ChoiceField(label="Status", choices=ActionStatus.choices, widget=forms.RadioSelect)
    rag = forms.ChoiceField(
        label="RAG rating",
        choices=ActionRag.choices,
        widget=forms.RadioSelect,
        help_text="On track is green, at risk amber, off track red; blue only when complete. "
        "Not started may be green, amber or red.",
    )
    narrative = _text("Progress since the last update", rows=6)
    evidence = MultipleFileField(
        label="Evidence",
        required=False,
        help_text="Optional, except to complete an action with evidence of impact. Up to 20 MB each.",
    )


class RecheckForm(GovUKForm):
    """ "Record the re-check" on the action page (prefixed `recheck-`: the update form shares the page)."""

    HELD, NOT_HELD = "yes", "no"
    govuk_mark_optional = False  # the labels say which questions depend on the answer

    version = forms.IntegerField(widget=forms.HiddenInput)
    rechecked_on = DateField(
        label="Date of the re-check", error_messages={"required": "Enter the date of the re-check."}
    )
    held = forms.ChoiceField(
        label="Did the change hold?",
        choices=[
            (HELD, "Yes, the change held"),
            (NOT_HELD, "No, it did not hold: reopen the action as at risk (amber)"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the change held."},
    )
    narrative = _text("What the re-check found", rows=5, help_text="For example, the re-audit's sample and result.")
    evidence = MultipleFileField(
        label="Evidence (optional)",
        required=False,
        help_text="For example, the re-audit's summary. Up to 10 files, 20 MB each.",
    )
    due_on = DateField(
        label="If it did not hold: the new due date",
        required=False,
        help_text="When the reopened action is due; required if it did not hold. For example, 27/03/2027",
    )
    recheck_on = DateField(
        label="If it did not hold: the date to check the change held again (optional)",
        required=False,
        help_text="After the new due date. Leave it blank to agree it later: the business unit sets it on "
        "'Change the action'.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "recheck")
        super().__init__(*args, **kwargs)
        self.fields["narrative"].error_messages["required"] = "Describe what the re-check found."

    @property
    def held_value(self) -> bool | None:
        """The answer as the service takes it (None when not given)."""
        return {self.HELD: True, self.NOT_HELD: False}.get(self.cleaned_data.get("held") or "")


class FreezeForm(GovUKForm):
    reason = forms.CharField(
        label="Why is this version frozen?",
        max_length=200,
        help_text="For example, Submitted to the scrutiny committee.",
    )


class DecisionForm(GovUKForm):
    committee = forms.CharField(
        label="Committee", max_length=200, help_text="For example, Children's Services Scrutiny Committee."
    )
    meeting_on = DateField(label="Date of the meeting")
    outcome = forms.ChoiceField(
        label="What did the committee decide?", choices=CommitteeOutcome.choices, widget=forms.RadioSelect
    )
    questions = _text(
        "The committee's questions or conditions",
        required=False,
        help_text="Required when the plan is referred back.",
    )


class FilterForm(GovUKForm):
    govuk_mark_optional = False
    source = forms.ChoiceField(label="Source", choices=[("", "Any source"), *ActionSource.choices], required=False)
    status = forms.ChoiceField(
        label="With actions that are", choices=[("", "Any status"), *ActionStatus.choices], required=False
    )
    overdue = forms.BooleanField(label="Only plans with overdue actions", required=False)
