"""Vocabulary of the escalation workflow (resolving professional differences)."""

from django.db import models


class Urgency(models.TextChoices):
    STANDARD = "standard", "Standard"
    URGENT = "urgent", "Urgent"


class EscalationStatus(models.TextChoices):
    """Where an escalation is at its current stage. Changed only by `workflow.apply_transition`."""

    AWAITING_RESPONSE = "awaiting_response", "Awaiting response"
    RESPONDED = "responded", "Responded"
    OUTCOME_AGREED = "outcome_agreed", "Outcome recorded"
    RESOLVED = "resolved", "Resolved"
    RESOLVED_BY_REFERRAL = "resolved_by_referral", "Resolved by referral"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = frozenset(
    {EscalationStatus.AWAITING_RESPONSE, EscalationStatus.RESPONDED, EscalationStatus.OUTCOME_AGREED}
)
FINISHED_STATUSES = frozenset(
    {EscalationStatus.RESOLVED, EscalationStatus.RESOLVED_BY_REFERRAL, EscalationStatus.CLOSED}
)


class LevelOfNeed(models.IntegerChoices):
    """The partnership's threshold levels (domain.md §2). Names vary by partnership; numbers do not."""

    UNIVERSAL = 1, "1 – Universal"
    EARLY_HELP = 2, "2 – Early help"
    TARGETED = 3, "3 – Targeted, multi-agency support"
    SPECIALIST = 4, "4 – Specialist or statutory"


class ResponseKind(models.TextChoices):
    AGREE = "agree", "Agrees"
    DISAGREE = "disagree", "Disagrees"
    ALTERNATIVE = "alternative", "Proposes something else"


class Action(models.TextChoices):
    """What a history row records: one per transition (and per overdue mark or learning flag)."""

    RAISED = "raised", "Raised"
    RESPONDED = "responded", "Responded"
    OUTCOME_RECORDED = "outcome_recorded", "Outcome and actions recorded"
    ACCEPTED = "accepted", "Outcome accepted: resolved"
    ESCALATED = "escalated", "Moved to the next stage"
    RESOLVED_BY_REFERRAL = "resolved_by_referral", "Resolved by referral"
    CLOSED = "closed", "Closed"
    MARKED_OVERDUE = "marked_overdue", "Response overdue"
    FLAGGED_FOR_LEARNING = "flagged_for_learning", "Flagged for the learning group"
