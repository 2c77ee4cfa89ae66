"""What the API shows of cumulative-concern alerts and what it accepts. Evidence is given as entry ids
only: the caller reads an entry through the chronology API, which applies the restriction rules."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from safeguarding.concerns.enums import AlertStatus, Decision
from safeguarding.concerns.models import Alert

STATUS_HELP = "One of: " + ", ".join(AlertStatus.values) + "."
DECISION_HELP = "One of: " + ", ".join(Decision.values) + "."


class AlertSerializer(serializers.ModelSerializer):
    rule = serializers.CharField(source="rule.code", read_only=True, help_text="The rule's code.")
    rule_name = serializers.CharField(source="rule.name", read_only=True)
    severity = serializers.CharField(source="rule.severity", read_only=True, help_text="low, medium or high.")
    child = serializers.IntegerField(source="child_id", read_only=True)
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    decision = serializers.CharField(read_only=True, help_text="Empty until decided. " + DECISION_HELP)
    escalation = serializers.IntegerField(source="escalation_id", read_only=True, allow_null=True)
    evidence = serializers.SerializerMethodField(help_text="Ids of the chronology entries that met the rule.")

    class Meta:
        model = Alert
        fields = [
            "id",
            "rule",
            "rule_name",
            "severity",
            "child",
            "status",
            "first_met_on",
            "last_evidence_on",
            "raised_at",
            "acknowledged_at",
            "decided_at",
            "decision",
            "decision_note",
            "escalation",
            "closed_at",
            "closing_note",
            "version",
            "evidence",
        ]
        read_only_fields = fields

    def get_evidence(self, obj: Alert) -> list[int]:
        ids: dict[int, list[int]] = self.context.get("evidence", {})
        return ids.get(obj.pk, [])


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The alert's `version` as you read it (a stale one answers 409).")


class DecideSerializer(VersionSerializer):
    decision = serializers.ChoiceField(choices=Decision.choices, help_text=DECISION_HELP)
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="Required for no_action.")
    escalation = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="An escalation about the child (decision escalation)."
    )


class CloseSerializer(VersionSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


def evidence_map(alert_ids: list[int]) -> dict[int, list[int]]:
    from safeguarding.concerns.models import AlertEvidence

    out: dict[int, list[int]] = {}
    rows: Any = AlertEvidence.objects.filter(alert_id__in=alert_ids).order_by("alert_id", "event_id")
    for alert_id, event_id in rows.values_list("alert_id", "event_id"):
        out.setdefault(alert_id, []).append(event_id)
    return out
