from django.db import models


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class RuleKind(models.TextChoices):
    COUNT_IN_WINDOW = "count_in_window", "Count in a window"
    SPREAD_ACROSS_AGENCIES = "spread_across_agencies", "Spread across agencies"
    SEQUENCE = "sequence", "Sequence"
    STATE_PLUS_EVENT = "state_plus_event", "Event while a state is open"
    VALUE_THRESHOLD = "value_threshold", "Threshold on a value"
    GAP = "gap", "Gap in contact"


class AlertStatus(models.TextChoices):
    NEW = "new", "New"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    DECIDED = "decided", "Decision recorded"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (AlertStatus.NEW, AlertStatus.ACKNOWLEDGED, AlertStatus.DECIDED)


class Decision(models.TextChoices):
    MEETING = "meeting", "Convene a multi-agency meeting"
    REFERRAL = "referral", "Refer to children's social care"
    ESCALATION = "escalation", "Raise an escalation"
    PLAN = "plan", "Add to a plan"
    NO_ACTION = "no_action", "No action"


# Who a rule notifies: the child's lead professional(s), or people in these roles in the agencies
# involved with the child.
LEAD_PROFESSIONAL = "lead_professional"
NOTIFY_CHOICES = [
    (LEAD_PROFESSIONAL, "The child's lead professional"),
    ("safeguarding_lead", "Safeguarding leads of the agencies involved with the child"),
    ("manager", "Managers in the agencies involved with the child"),
    ("senior_manager", "Senior managers in the agencies involved with the child"),
]
NOTIFY_CODES = frozenset(code for code, _ in NOTIFY_CHOICES)
