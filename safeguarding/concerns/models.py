"""Cumulative-concern rules and the alerts they raise.

A `Rule` is data a partnership can read and edit: a kind (count in a window, spread across agencies,
sequence, event while a state is open, threshold on a value, gap in contact), JSON parameters
checked per kind (`engine.parameter_errors`), a plain-language explanation, a severity and who it
notifies.

An `Alert` is one rule met for one child: the date the pattern was first met (the date of the entry
that completed it; for a gap in contact, the day the gap reached the rule's length) and its evidence
(`AlertEvidence`, the chronology entries that make the pattern up). While an alert is open, new
evidence is added to it: the database allows one open alert per rule and child. People acknowledge
it, record a decision and close it (`services.py`); it carries a `version` so two people acting at
once cannot overwrite each other.

Evidence keeps the id of the entry as it was when the alert used it. A corrected entry stays in the
evidence (shown as corrected, with a link to its current version); its new version is added when
the rule is evaluated again and still uses it. Alerts are never withdrawn by the system.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from safeguarding.children.models import Child
from safeguarding.concerns.engine import parameter_errors
from safeguarding.concerns.enums import NOTIFY_CODES, OPEN_STATUSES, AlertStatus, Decision, RuleKind, Severity
from safeguarding.core.restriction import decode_roles


class RuleQuerySet(models.QuerySet["Rule"]):
    def active(self) -> RuleQuerySet:
        return self.filter(is_active=True)


class Rule(models.Model):
    """One cumulative-concern rule (data: the partnership tunes, adds and retires rules)."""

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    explanation = models.TextField(help_text="What the rule looks for and why it matters, in plain language.")
    severity = models.CharField(max_length=8, choices=Severity.choices, default=Severity.MEDIUM)
    kind = models.CharField(max_length=32, choices=RuleKind.choices)
    parameters = models.JSONField(default=dict)
    # ",lead_professional,safeguarding_lead," (see enums.NOTIFY_CHOICES and core.restriction.encode_roles),
    # so "rules that notify managers" is a plain LIKE on every database.
    notifies = models.CharField(max_length=200, blank=True, default="")
    is_active = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = RuleQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def notify_list(self) -> list[str]:
        return decode_roles(self.notifies)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        problems = parameter_errors(self.kind, self.parameters)
        if problems:
            errors["parameters"] = problems
        if set(self.notify_list) - NOTIFY_CODES:
            errors["notifies"] = "Choose who the rule notifies from the list."
        if errors:
            raise ValidationError(errors)


class AlertQuerySet(models.QuerySet["Alert"]):
    def open(self) -> AlertQuerySet:
        return self.filter(status__in=OPEN_STATUSES)


class Alert(models.Model):
    """A rule met for a child, with the entries that met it, and what people decided."""

    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="alerts")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="concern_alerts")
    status = models.CharField(max_length=16, choices=AlertStatus.choices, default=AlertStatus.NEW)
    first_met_on = models.DateField(
        help_text=(
            "The date of the entry that completed the pattern (for a gap in contact: the day the gap became long)."
        )
    )
    last_evidence_on = models.DateField()
    # How many evidence entries, and an order-free fingerprint of their ids (`scan.digest`), so a
    # rescan knows "nothing new" without reading every alert's evidence.
    evidence_count = models.PositiveIntegerField(default=0)
    evidence_digest = models.BigIntegerField(default=0)
    raised_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=16, choices=Decision.choices, blank=True)
    decision_note = models.TextField(blank=True)
    escalation = models.ForeignKey(
        "escalations.Escalation", null=True, blank=True, on_delete=models.PROTECT, related_name="concern_alerts"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closing_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            # New evidence joins the open alert: never two open alerts for one rule and child.
            models.UniqueConstraint(
                fields=["rule", "child"], condition=~Q(status=AlertStatus.CLOSED), name="alert_one_open_per_rule_child"
            ),
            models.CheckConstraint(
                condition=~Q(status=AlertStatus.CLOSED) | Q(closed_at__isnull=False), name="alert_closed_has_time"
            ),
        ]
        indexes = [
            # A child's alerts (child page, incremental evaluation).
            models.Index(fields=["child", "status"], name="alert_child_status"),
            # The alert list and the home page: open alerts, newest first, in the lists' whole order (the
            # id too: alerts raised by one scan share a time, and without it every one of them was sorted).
            models.Index(fields=["status", "-raised_at", "-id"], name="alert_status_raised_id"),
            # Rule quality: per rule.
            models.Index(fields=["rule", "status"], name="alert_rule_status"),
        ]

    def __str__(self) -> str:
        return f"{self.rule.code} – child {self.child_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def first_action_at(self) -> Any:
        return self.acknowledged_at or self.decided_at or self.closed_at


class AlertEvidence(models.Model):
    """A chronology entry that is part of the pattern an alert shows."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="evidence")
    event = models.ForeignKey("chronology.Event", on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["event_id"]
        constraints = [models.UniqueConstraint(fields=["alert", "event"], name="alertevidence_unique")]

    def __str__(self) -> str:
        return f"alert {self.alert_id} – event {self.event_id}"
