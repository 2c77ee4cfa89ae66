"""Vocabulary of action plans (domain.md §7 "after", §8)."""

from django.db import models


class ActionSource(models.TextChoices):
    """Where a plan comes from."""

    REVIEW = "review", "Case review recommendations"
    AUDIT = "audit", "Audit findings"
    INSPECTION = "inspection", "Inspection (e.g. Ofsted)"
    PRIORITY = "priority", "Partnership priority"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    COMPLETE = "complete", "Complete"
    COMPLETE_WITH_IMPACT = "complete_with_impact", "Complete with evidence of impact"


COMPLETE_STATUSES = frozenset({ActionStatus.COMPLETE, ActionStatus.COMPLETE_WITH_IMPACT})


class ActionRag(models.TextChoices):
    """Red/amber/green, with blue for complete (the usual "BRAG" of partnership action plans)."""

    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    BLUE = "blue", "Blue (complete)"


class CommitteeOutcome(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    REFERRED_BACK = "referred_back", "Referred back with questions"
