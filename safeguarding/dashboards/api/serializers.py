"""The partnership dashboard's figures as the API shows them (read only): the same figures as the
dashboard page and the yearly report data pack (`dashboards.figures`). No child is named."""

from __future__ import annotations

from datetime import date
from typing import Any

from rest_framework import serializers

from safeguarding.dashboards.forms import MAX_DAYS
from safeguarding.dashboards.periods import PeriodKind

ISO = ["%Y-%m-%d"]


class DashboardQuerySerializer(serializers.Serializer):
    """`from` and `to` (both, or neither for the current financial year), as YYYY-MM-DD."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword, so the fields are added by name.
        self.fields["from"] = serializers.DateField(
            input_formats=ISO, required=False, help_text="The period's first day, YYYY-MM-DD."
        )
        self.fields["to"] = serializers.DateField(
            input_formats=ISO, required=False, help_text="The period's last day (included), YYYY-MM-DD."
        )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for name in ("from", "to"):
            # An empty `?to=` is a mistake, not "no date": say so rather than show another period.
            if name in self.initial_data and not str(self.initial_data.get(name)).strip():
                raise serializers.ValidationError({name: ["Enter a date as YYYY-MM-DD, or leave the parameter out."]})
        start: date | None = attrs.get("from")
        end: date | None = attrs.get("to")
        if (start is None) != (end is None):
            missing = "from" if start is None else "to"
            raise serializers.ValidationError({missing: ["Give both from and to, or neither for this financial year."]})
        if start is not None and end is not None:
            if end < start:
                raise serializers.ValidationError({"to": ["The last day must be the same as or after the first day."]})
            if (end - start).days > MAX_DAYS:
                raise serializers.ValidationError({"to": ["Choose a period of 3 years or less."]})
        return attrs


class PeriodSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PeriodKind.choices)
    start = serializers.DateField()
    end = serializers.DateField()
    label = serializers.CharField()  # type: ignore[assignment]


class StageCountSerializer(serializers.Serializer):
    stage = serializers.CharField(help_text="The review stage code, e.g. 'rapid_review'.")
    label = serializers.CharField()  # type: ignore[assignment]
    reviews = serializers.IntegerField()


class ClockSerializer(serializers.Serializer):
    clock = serializers.CharField()
    rule = serializers.CharField()
    met_on_time = serializers.IntegerField()
    met_late = serializers.IntegerField()
    running_on_time = serializers.IntegerField()
    running_overdue = serializers.IntegerField()
    on_time = serializers.IntegerField(help_text="met_on_time + running_on_time")
    overdue = serializers.IntegerField(help_text="met_late + running_overdue")


class OverdueClockSerializer(serializers.Serializer):
    review = serializers.CharField(help_text="The review's reference, e.g. CR-0007.")
    title = serializers.CharField(help_text="The review's anonymised working title.")
    clock = serializers.CharField()
    due_on = serializers.DateField()
    days_overdue = serializers.IntegerField(help_text="Calendar days from the due date to the as-at day.")


class ReviewFiguresSerializer(serializers.Serializer):
    notified_in_period = serializers.IntegerField()
    published_in_period = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    by_stage = StageCountSerializer(many=True)
    clocks = ClockSerializer(many=True)
    overdue_clocks = OverdueClockSerializer(many=True)


class PlanProgressSerializer(serializers.Serializer):
    reference = serializers.CharField()
    title = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]
    owner_group = serializers.CharField()
    actions = serializers.IntegerField()
    complete = serializers.IntegerField()
    percent_complete = serializers.IntegerField()
    overdue = serializers.IntegerField()


class OverdueActionSerializer(serializers.Serializer):
    reference = serializers.CharField()
    plan = serializers.CharField()
    description = serializers.CharField()
    lead_agency = serializers.CharField()
    lead_officer = serializers.CharField()
    due_on = serializers.DateField()
    days_overdue = serializers.IntegerField()
    status = serializers.CharField()
    rag = serializers.CharField()


class AgencyOverdueSerializer(serializers.Serializer):
    agency = serializers.CharField()
    overdue = serializers.IntegerField()


class ActionPlanFiguresSerializer(serializers.Serializer):
    plans = PlanProgressSerializer(many=True)
    actions = serializers.IntegerField()
    complete = serializers.IntegerField()
    percent_complete = serializers.IntegerField()
    overdue = serializers.IntegerField()
    due_in_period = serializers.IntegerField()
    completed_in_period = serializers.IntegerField()
    overdue_actions = OverdueActionSerializer(many=True)
    overdue_by_agency = AgencyOverdueSerializer(many=True)


class EscalationStageSerializer(serializers.Serializer):
    stage = serializers.CharField()
    reached = serializers.IntegerField()
    resolved_here = serializers.IntegerField()
    median_working_days = serializers.FloatField(allow_null=True)


class AgencyEscalationsSerializer(serializers.Serializer):
    agency = serializers.CharField()
    raised = serializers.IntegerField()
    received = serializers.IntegerField()


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.CharField()
    escalations = serializers.IntegerField()


class EscalationFiguresSerializer(serializers.Serializer):
    raised = serializers.IntegerField()
    resolved = serializers.IntegerField()
    closed_unresolved = serializers.IntegerField()
    still_open = serializers.IntegerField()
    overdue_now = serializers.IntegerField()
    median_working_days_to_resolve = serializers.FloatField(allow_null=True)
    by_stage = EscalationStageSerializer(many=True)
    by_agency = AgencyEscalationsSerializer(many=True)
    by_outcome = OutcomeSerializer(many=True)


class ThemeCountSerializer(serializers.Serializer):
    theme = serializers.CharField()
    items = serializers.IntegerField()


class ReasonCountSerializer(serializers.Serializer):
    reason = serializers.CharField()
    items = serializers.IntegerField()


class LearningFiguresSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    findings = serializers.IntegerField()
    findings_by_theme = ThemeCountSerializer(many=True)
    escalations_flagged = serializers.IntegerField()
    escalations_by_reason = ReasonCountSerializer(many=True)


class DashboardSerializer(serializers.Serializer):
    period = PeriodSerializer()
    as_at = serializers.DateField(help_text="The day open and overdue items are counted on.")
    generated_at = serializers.DateTimeField()
    reviews = ReviewFiguresSerializer()
    action_plans = ActionPlanFiguresSerializer()
    escalations = EscalationFiguresSerializer()
    learning = LearningFiguresSerializer()
