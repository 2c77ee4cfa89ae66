"""State changes for rules and alerts: one function per action, each with a keyword `actor`, in a
transaction, checking who may act and the `version` (a stale form is refused, never silently
overwritten), and writing the activity log. Pages, the API, commands and tasks all call these.

Alerts are raised only by `scan.py` (the system); people acknowledge, decide and close them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from safeguarding.concerns import permissions
from safeguarding.concerns.engine import parameter_errors
from safeguarding.concerns.enums import NOTIFY_CODES, AlertStatus, Decision
from safeguarding.concerns.models import Alert, Rule
from safeguarding.core.restriction import encode_roles
from safeguarding.core.services import created_diff, diff, record_activity, snapshot

STALE_MESSAGE = "Someone else changed this since you opened it. Check the latest version, then try again."
RULE_FIELDS = ("code", "name", "explanation", "severity", "kind", "parameters", "notifies", "is_active")
ALERT_FIELDS = ("status", "decision", "decision_note", "escalation", "closing_note")


class StaleVersion(ValidationError):
    def __init__(self) -> None:
        super().__init__(STALE_MESSAGE, code="stale")


def _locked_alert(alert: Alert, version: int) -> Alert:
    current = Alert.objects.select_for_update().select_related("rule").get(pk=alert.pk)
    if current.version != version:
        raise StaleVersion()
    return current


def _sync(target: Alert, source: Alert) -> Alert:
    for f in Alert._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    return target


def _save_alert(actor: Any, alert: Alert, before: dict[str, Any], action: str, fields: list[str]) -> None:
    alert.version += 1
    alert.updated_at = timezone.now()
    alert.save(update_fields=[*fields, "status", "version", "updated_at"])
    changes = diff(before, snapshot(alert, ALERT_FIELDS), ("decision_note", "closing_note"))
    record_activity(actor=actor, action=action, target=alert, child_id=alert.child_id, changes=changes)


def _check_actor(actor: Any, alert: Alert) -> None:
    if not permissions.can_act_on_alert(actor, alert):
        raise PermissionDenied("You cannot act on this alert.")


@transaction.atomic
def acknowledge_alert(*, actor: Any, alert: Alert, version: int) -> Alert:
    """Someone has seen the alert and is looking into it."""
    current = _locked_alert(alert, version)
    _check_actor(actor, current)
    if current.status != AlertStatus.NEW:
        raise ValidationError("This alert has already been acknowledged.")
    before = snapshot(current, ALERT_FIELDS)
    current.status = AlertStatus.ACKNOWLEDGED
    current.acknowledged_at, current.acknowledged_by = timezone.now(), actor
    _save_alert(actor, current, before, "alert.acknowledged", ["acknowledged_at", "acknowledged_by"])
    return _sync(alert, current)


@transaction.atomic
def decide_alert(
    *, actor: Any, alert: Alert, version: int, decision: str, note: str = "", escalation: Any = None
) -> Alert:
    """Record what was decided. A new alert is acknowledged by the same step."""
    current = _locked_alert(alert, version)
    _check_actor(actor, current)
    errors: dict[str, str] = {}
    if decision not in Decision.values:
        errors["decision"] = "Choose what was decided."
    elif decision == Decision.NO_ACTION and not (note or "").strip():
        errors["note"] = "Say why no action is needed."
    if escalation is not None:
        if decision != Decision.ESCALATION:
            errors["escalation"] = "Link an escalation only when the decision is to raise one."
        elif not escalation.children.filter(pk=current.child_id).exists():
            errors["escalation"] = "Choose an escalation about this child."
    if errors:
        raise ValidationError(errors)
    if current.status == AlertStatus.CLOSED:
        raise ValidationError("This alert is closed.")
    before = snapshot(current, ALERT_FIELDS)
    now = timezone.now()
    fields = ["decided_at", "decided_by", "decision", "decision_note", "escalation"]
    if current.status == AlertStatus.NEW:
        current.acknowledged_at, current.acknowledged_by = now, actor
        fields += ["acknowledged_at", "acknowledged_by"]
    current.status = AlertStatus.DECIDED
    current.decided_at, current.decided_by = now, actor
    current.decision, current.decision_note, current.escalation = decision, (note or "").strip(), escalation
    _save_alert(actor, current, before, "alert.decided", fields)
    return _sync(alert, current)


@transaction.atomic
def close_alert(*, actor: Any, alert: Alert, version: int, note: str = "") -> Alert:
    """Close an alert once a decision is recorded. A later pattern raises a new alert."""
    current = _locked_alert(alert, version)
    _check_actor(actor, current)
    if current.status != AlertStatus.DECIDED:
        raise ValidationError("Record a decision before closing the alert.")
    before = snapshot(current, ALERT_FIELDS)
    current.status = AlertStatus.CLOSED
    current.closed_at, current.closed_by, current.closing_note = timezone.now(), actor, (note or "").strip()
    _save_alert(actor, current, before, "alert.closed", ["closed_at", "closed_by", "closing_note"])
    return _sync(alert, current)


# ---- rules --------------------------------------------------------------------------------------


def rule_errors(values: dict[str, Any], *, vocabulary: Any = None) -> dict[str, list[str]]:
    """Field errors for a rule's values (checked against the event vocabulary when given)."""
    errors: dict[str, list[str]] = {}
    problems = parameter_errors(
        values.get("kind", ""),
        values.get("parameters"),
        known_types=vocabulary.codes if vocabulary is not None else None,
        known_tags=vocabulary.tags if vocabulary is not None else None,
    )
    if problems:
        errors["parameters"] = problems
    notifies = values.get("notifies") or []
    if set(notifies) - NOTIFY_CODES:
        errors["notifies"] = ["Choose who the rule notifies from the list."]
    return errors


def _check_rule(values: dict[str, Any]) -> None:
    from safeguarding.concerns.scan import Vocabulary

    errors = rule_errors(values, vocabulary=Vocabulary.load())
    if errors:
        raise ValidationError(errors)


def _check_manager(actor: Any) -> None:
    if actor is not None and not permissions.can_manage_rules(actor):
        raise PermissionDenied("Only the partnership's business unit and administrators can change rules.")


@transaction.atomic
def create_rule(*, actor: Any, **values: Any) -> Rule:
    _check_manager(actor)
    _check_rule(values)
    if Rule.objects.filter(code=values["code"]).exists():
        raise ValidationError({"code": "A rule with this code already exists. Choose another code."})
    values["notifies"] = encode_roles(values.get("notifies") or [])
    rule = Rule.objects.create(**values)
    record_activity(actor=actor, action="rule.created", target=rule, changes=created_diff(rule, RULE_FIELDS))
    return rule


@transaction.atomic
def update_rule(*, actor: Any, rule: Rule, version: int, **values: Any) -> Rule:
    """Change a rule. Its alerts already raised stay as they are; the next evaluation uses the new
    parameters."""
    _check_manager(actor)
    current = Rule.objects.select_for_update().get(pk=rule.pk)
    if current.version != version:
        raise StaleVersion()
    merged = {name: getattr(current, name) for name in RULE_FIELDS}
    merged["notifies"] = current.notify_list
    merged.update(values)
    _check_rule(merged)
    if "code" in values and Rule.objects.filter(code=values["code"]).exclude(pk=current.pk).exists():
        raise ValidationError({"code": "A rule with this code already exists. Choose another code."})
    before = snapshot(current, RULE_FIELDS)
    for name, value in values.items():
        setattr(current, name, encode_roles(value) if name == "notifies" else value)
    after = snapshot(current, RULE_FIELDS)
    if before == after:
        raise ValidationError("Nothing has changed. Change the rule, or go back without saving.")
    current.version += 1
    current.updated_at = timezone.now()
    current.save()
    record_activity(actor=actor, action="rule.changed", target=current, changes=diff(before, after))
    for f in Rule._meta.concrete_fields:
        setattr(rule, f.attname, getattr(current, f.attname))
    return rule
