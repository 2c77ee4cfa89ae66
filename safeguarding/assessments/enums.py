"""Vocabulary of structured assessments."""

from django.db import models


class GradeBy(models.TextChoices):
    """What a template grades: each sub-area, or each item within the sub-areas."""

    SUB_AREA = "sub_area", "Each sub-area"
    ITEM = "item", "Each item"


class AssessmentStatus(models.TextChoices):
    """A draft can be changed by its assessor; a completed assessment never changes."""

    DRAFT = "draft", "Draft"
    COMPLETED = "completed", "Completed"


class Change(models.TextChoices):
    """How a grade moved between two assessments. Lower grades are better (1: all needs met)."""

    BETTER = "better", "Better"
    WORSE = "worse", "Worse"
    SAME = "same", "No change"
    NOT_COMPARABLE = "none", "Not graded in both"
