"""Builders for concerns tests: rules, entries recorded through the chronology service, alert snapshots."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from safeguarding.agencies.enums import Role
from safeguarding.agencies.models import Agency
from safeguarding.children.models import Child
from safeguarding.chronology.models import Event, EventType
from safeguarding.concerns.enums import AlertStatus
from safeguarding.concerns.models import Alert, Rule
from safeguarding.core.restriction import encode_roles
from safeguarding.testing import factories as f
from safeguarding.testing.recording import record_as_involved

TODAY = dt.date(2025, 6, 30)


def only_rules(*rules: dict[str, Any]) -> list[Rule]:
    """Switch the shipped rules off and create these ones, switched on."""
    Rule.objects.update(is_active=False)
    made = []
    for values in rules:
        values = dict(values)
        values["notifies"] = encode_roles(values.get("notifies", ["lead_professional", "safeguarding_lead"]))
        values.setdefault("name", values["code"])
        values.setdefault("explanation", f"Explanation of {values['code']}.")
        made.append(Rule.objects.create(is_active=True, **values))
    return made


WNB_RULE = {
    "code": "wnb",
    "kind": "count_in_window",
    "parameters": {"types": ["was_not_brought"], "count": 3, "within_days": 365},
}


def recorder(agency: Agency) -> Any:
    user = agency.memberships.filter(role=Role.PRACTITIONER, is_active=True).first()
    return user.user if user else f.member(agency, Role.PRACTITIONER)


def record(
    agency: Agency,
    child: Child,
    code: str,
    day: dt.date,
    *,
    category: str = "",
    value: Decimal | None = None,
    restricted: bool = False,
    actor: Any = None,
) -> Event:
    return record_as_involved(
        actor=actor or recorder(agency),
        agency=agency,
        children=[child],
        event_type=EventType.objects.get(code=code),
        occurred_on=day,
        summary=f"{code} on {day:%d/%m/%Y}",
        category=category,
        value=value,
        confidentiality="restricted" if restricted else "normal",
    )


def alerts_of(child: Child) -> set[tuple[str, str, dt.date, frozenset[int]]]:
    return {
        (a.rule.code, a.status, a.first_met_on, frozenset(a.evidence.values_list("event_id", flat=True)))
        for a in Alert.objects.filter(child=child).select_related("rule")
    }


def open_alert(child: Child, code: str) -> Alert:
    return Alert.objects.exclude(status=AlertStatus.CLOSED).get(child=child, rule__code=code)


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)
