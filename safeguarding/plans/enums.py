"""Words the plans app stores. Plain vocabulary only: worries, what is working well, what needs to
happen, the safety scale (no trademarked practice-model names)."""

from django.db import models


class PlanType(models.TextChoices):
    EARLY_HELP = "early_help", "Early help"
    CHILD_IN_NEED = "child_in_need", "Child in need"
    CHILD_PROTECTION = "child_protection", "Child protection"
    OTHER = "other", "Other"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft (not yet agreed)"
    AGREED = "agreed", "Agreed"
    ENDED = "ended", "Ended"


class VersionState(models.TextChoices):
    DRAFT = "draft", "Draft"
    AGREED = "agreed", "Agreed"


class AgreementMethod(models.TextChoices):
    # A child protection plan is made at a child protection conference (Working Together 2023), not
    # agreed with the family; the family takes part in the conference.
    CONFERENCE = "conference", "At a child protection conference"
    IN_PERSON = "in_person", "In person, at a meeting"
    SIGNED = "signed", "Signed"
    VERBALLY = "verbally", "Verbally (for example by phone)"


class PersonKind(models.TextChoices):
    PROFESSIONAL = "professional", "A professional"
    FAMILY = "family", "A family member"
    NETWORK = "network", "A friend or member of the safety network"


class ObjectiveStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    ACHIEVED = "achieved", "Achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"


class ObjectiveRag(models.TextChoices):
    RED = "red", "Red: not happening, or the child is not safer"
    AMBER = "amber", "Amber: some progress, not enough yet"
    GREEN = "green", "Green: on track"


# Scaling question (domain.md §5): 0 = the child cannot safely stay at home; 10 = safe enough to close.
SCALE_MIN = 0
SCALE_MAX = 10
