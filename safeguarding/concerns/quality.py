"""Rule quality for the partnership: per rule, alerts raised, acted on, closed with no action and the
median time from raising to the first action (acknowledgement, or a decision recorded straight
away), so a partnership can tune or retire rules. Counts only: no child is named."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q

from safeguarding.concerns.enums import OPEN_STATUSES, AlertStatus, Decision
from safeguarding.concerns.models import Alert, Rule


@dataclass(frozen=True)
class RuleQuality:
    rule: Rule
    raised: int
    open: int
    acted_on: int
    no_action: int
    median_to_first_action: timedelta | None

    @property
    def median_text(self) -> str:
        if self.median_to_first_action is None:
            return "No action yet"
        hours = self.median_to_first_action.total_seconds() / 3600
        if hours < 48:
            return f"{hours:.1f} hours"
        return f"{hours / 24:.1f} days"


def rule_quality(rule_id: int | None = None) -> list[RuleQuality]:
    rules = Rule.objects.order_by("name")
    if rule_id is not None:
        rules = rules.filter(pk=rule_id)
    counts = rules.annotate(
        raised=Count("alerts"),
        still_open=Count("alerts", filter=Q(alerts__status__in=OPEN_STATUSES)),
        acted_on=Count("alerts", filter=Q(alerts__acknowledged_at__isnull=False)),
        no_action=Count("alerts", filter=Q(alerts__status=AlertStatus.CLOSED, alerts__decision=Decision.NO_ACTION)),
    )
    waits: dict[int, list[float]] = {}
    acted = Alert.objects.filter(acknowledged_at__isnull=False).order_by()
    if rule_id is not None:
        acted = acted.filter(rule_id=rule_id)
    for rid, raised_at, acknowledged_at in acted.values_list("rule_id", "raised_at", "acknowledged_at").iterator():
        if acknowledged_at is not None:
            waits.setdefault(rid, []).append((acknowledged_at - raised_at).total_seconds())
    return [
        RuleQuality(
            rule=r,
            raised=r.raised,  # type: ignore[attr-defined]
            open=r.still_open,  # type: ignore[attr-defined]
            acted_on=r.acted_on,  # type: ignore[attr-defined]
            no_action=r.no_action,  # type: ignore[attr-defined]
            median_to_first_action=timedelta(seconds=statistics.median(waits[r.pk])) if waits.get(r.pk) else None,
        )
        for r in counts
    ]
