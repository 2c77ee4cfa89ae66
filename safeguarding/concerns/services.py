"""State changes for rules and alerts: one function per action, each with a keyword `actor`, in a
transaction, checking who may act and the `version` (a stale form is refused, never silently
overwritten), and writing the activity log. Pages, the API, commands and tasks all call these.

Alerts are raised only by `scan.py` (the system); people acknowledge, decide and close them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone

from safeguarding.concerns import permissions
from safeguarding.concerns.engine import parameter_errors
from safeguarding.concerns.enums import NOTIFY_CODES, AlertStatus, Decision
from safeguarding.concerns.models import Alert, Rule
from safeguarding.concerns.workflow import ACKNOWLEDGE, ALERT_WORKFLOW, CLOSE, DECIDE, LOG_ACTIONS, NOUN
from safeguarding.core import kernel
from safeguarding.core.restriction import encode_roles
from safeguarding.core.services import created_diff, diff, record_activity, snapshot

if TYPE_CHECKING:
    from safeguarding.core.types import Person

STALE_MESSAGE = kernel.stale_message(NOUN)
RULE_FIELDS = ("code", "name", "explanation", "severity", "kind", "parameters", "notifies", "is_active")
ALERT_FIELDS = ("status", "decision", "decision_note", "escalation", "closing_note")
MASKED = ("decision_note", "closing_note")
M = TypeVar("M", bound=models.Model)


StaleVersion = kernel.StaleVersion  # for importers


def _lock(model: type[M], pk: int, *, version: int, noun: str) -> M:
    """The row as stored now, locked for this transaction; `StaleVersion` if it changed since `version`."""
    try:
        return kernel.lock(model, pk, version=version, noun=noun)
    except kernel.StaleVersion:
        raise StaleVersion(noun=noun) from None


def _locked(alert: Alert, version: int) -> Alert:
    return _lock(Alert, alert.pk, version=version, noun=NOUN)


def _sync(target: Alert, source: Alert) -> Alert:
    for f in Alert._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    return target


def _plain(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value


def _move(actor: Person, alert: Alert, action: str, fields: dict[str, Any]) -> None:
    """Move the (locked) alert by `action` through the workflow, saving `fields` with it; the
    activity log shows what changed, with the notes masked."""
    before = snapshot(alert, ALERT_FIELDS)
    after = {**before, **{k: _plain(v) for k, v in fields.items() if k in ALERT_FIELDS}}
    after["status"] = ALERT_WORKFLOW[action].target
    changes = diff(before, after, MASKED)
    changes.pop("status", None)  # the workflow logs the move itself
    ALERT_WORKFLOW.apply(
        alert,
        action=action,
        actor=actor,
        version=alert.version,
        fields={**fields, "updated_at": timezone.now()},
        log_action=LOG_ACTIONS[action],
        log_changes=changes,
        child_id=alert.child_id,
    )


def _check_actor(actor: Person, alert: Alert) -> None:
    """Who may act on the alert: refused with `NotAllowed` (the API's 403)."""
    kernel.require(permissions.can_act_on_alert(actor, alert), "You cannot act on this alert.")


def _check_status(alert: Alert, action: str) -> None:
    """Whether the alert's status allows `action`: refused with a ValidationError (the API's 400)
    saying what to do instead."""
    if alert.status not in ALERT_WORKFLOW[action].sources:
        raise ValidationError(ALERT_WORKFLOW[action].not_allowed)


@kernel.service
def acknowledge_alert(*, actor: Person, alert: Alert, version: int) -> Alert:
    """Someone has seen the alert and is looking into it."""
    current = _locked(alert, version)
    _check_actor(actor, current)
    _check_status(current, ACKNOWLEDGE)
    _move(actor, current, ACKNOWLEDGE, {"acknowledged_at": timezone.now(), "acknowledged_by": actor})
    return _sync(alert, current)


def _decision_errors(current: Alert, decision: str, note: str, escalation: Any) -> dict[str, str]:
    errors: dict[str, str] = {}
    if decision not in Decision.values:
        errors["decision"] = "Choose what was decided."
    elif decision == Decision.NO_ACTION and not note:
        errors["note"] = "Say why no action is needed."
    if escalation is not None:
        if decision != Decision.ESCALATION:
            errors["escalation"] = "Link an escalation only when the decision is to raise one."
        elif not escalation.children.filter(pk=current.child_id).exists():
            errors["escalation"] = "Choose an escalation about this child."
    return errors


@kernel.service
def decide_alert(
    *, actor: Person, alert: Alert, version: int, decision: str, note: str = "", escalation: Any = None
) -> Alert:
    """Record what was decided. A new alert is acknowledged by the same step."""
    current = _locked(alert, version)
    _check_actor(actor, current)
    note = (note or "").strip()
    errors = _decision_errors(current, decision, note, escalation)
    if errors:
        raise ValidationError(errors)
    _check_status(current, DECIDE)
    now = timezone.now()
    fields: dict[str, Any] = {"decided_at": now, "decided_by": actor, "decision": decision}
    fields |= {"decision_note": note, "escalation": escalation}
    if current.status == AlertStatus.NEW:
        fields |= {"acknowledged_at": now, "acknowledged_by": actor}
    _move(actor, current, DECIDE, fields)
    return _sync(alert, current)


@kernel.service
def close_alert(*, actor: Person, alert: Alert, version: int, note: str = "") -> Alert:
    """Close an alert once a decision is recorded. A later pattern raises a new alert."""
    current = _locked(alert, version)
    _check_actor(actor, current)
    _check_status(current, CLOSE)
    fields = {"closed_at": timezone.now(), "closed_by": actor, "closing_note": (note or "").strip()}
    _move(actor, current, CLOSE, fields)
    return _sync(alert, current)


# Said on an alert the system closed because nothing it showed counts any more (issue 17).
CLOSED_ENTERED_IN_ERROR = (
    "Closed automatically: every chronology entry this alert showed was marked entered in error by the "
    "agency that recorded it."
)


@kernel.service
def close_alerts_resting_on_entries_in_error(*, actor: Person | None, child_ids: Sequence[int]) -> list[Alert]:
    """Close the open alerts for these children whose evidence is now only entries entered in error.

    Called before the children's entries are evaluated again (`tasks.evaluate_children_task`), so the
    rules, which leave such entries out, raise a new alert if the pattern still holds without them. An
    alert that still has other evidence stays open: its page shows the entry struck through. The
    system closes it (`actor` None), so no person's guard applies; the log says why."""
    from safeguarding.concerns.enums import OPEN_STATUSES
    from safeguarding.concerns.models import AlertEvidence

    in_error = AlertEvidence.objects.filter(alert_id=OuterRef("pk"), event__entered_in_error_at__isnull=False)
    counted = AlertEvidence.objects.filter(alert_id=OuterRef("pk"), event__entered_in_error_at__isnull=True)
    alerts = list(
        Alert.objects.filter(child_id__in=list(child_ids), status__in=OPEN_STATUSES)
        .filter(Exists(in_error))
        .exclude(Exists(counted))
        .select_for_update()
    )
    now = timezone.now()
    for alert in alerts:
        before = alert.status
        changes = {"status": AlertStatus.CLOSED, "closed_at": now, "closing_note": CLOSED_ENTERED_IN_ERROR}
        kernel.update_versioned(alert, version=alert.version, changes={**changes, "updated_at": now}, noun=NOUN)
        record_activity(
            actor=actor,
            action="alert.closed",
            target=alert,
            child_id=alert.child_id,
            changes={"status": [before, AlertStatus.CLOSED], "why": "evidence entered in error"},
        )
    if not alerts:
        kernel.unchanged()
    return alerts


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


def _check_manager(actor: Person) -> None:
    if actor is not None:
        kernel.require(
            permissions.can_manage_rules(actor),
            "Only the partnership's business unit and administrators can change rules.",
        )


@kernel.service
def create_rule(*, actor: Person, **values: Any) -> Rule:
    _check_manager(actor)
    _check_rule(values)
    if Rule.objects.filter(code=values["code"]).exists():
        raise ValidationError({"code": "A rule with this code already exists. Choose another code."})
    values["notifies"] = encode_roles(values.get("notifies") or [])
    rule = Rule.objects.create(**values)
    record_activity(actor=actor, action="rule.created", target=rule, changes=created_diff(rule, RULE_FIELDS))
    return rule


@kernel.service
def update_rule(*, actor: Person, rule: Rule, version: int, **values: Any) -> Rule:
    """Change a rule. Its alerts already raised stay as they are; the next evaluation uses the new
    parameters."""
    _check_manager(actor)
    current = _lock(Rule, rule.pk, version=version, noun="rule")
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
    changes = {name: getattr(current, name) for name in values}
    kernel.update_versioned(current, version=version, changes={**changes, "updated_at": timezone.now()}, noun="rule")
    record_activity(actor=actor, action="rule.changed", target=current, changes=diff(before, after))
    for f in Rule._meta.concrete_fields:
        setattr(rule, f.attname, getattr(current, f.attname))
    return rule
