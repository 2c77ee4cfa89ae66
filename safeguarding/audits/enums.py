"""Vocabulary of multi-agency audits (domain.md §8): the audit programme, sampling, grading against an
audit tool, moderation and findings."""

from django.db import models


class AuditType(models.TextChoices):
    MULTI_AGENCY_CASE = "multi_agency_case", "Multi-agency case audit"
    THEMATIC = "thematic", "Thematic audit"
    SINGLE_AGENCY = "single_agency", "Single-agency audit"
    SERVICE = "service", "Service audit"


class AuditStatus(models.TextChoices):
    """Where an audit is. Changed only through `workflow.AUDIT_WORKFLOW` (by `services.move_audit`, and when
    the first case is drawn or chosen), each change with its `AuditTransition` history row."""

    PLANNED = "planned", "Planned"
    SAMPLING = "sampling", "Sampling"
    IN_PROGRESS = "in_progress", "In progress"
    MODERATION = "moderation", "Moderation"
    FINDINGS = "findings", "Findings"
    CLOSED = "closed", "Closed"


# The order an audit moves through; each step goes to the next one only.
STATUS_ORDER: tuple[AuditStatus, ...] = (
    AuditStatus.PLANNED,
    AuditStatus.SAMPLING,
    AuditStatus.IN_PROGRESS,
    AuditStatus.MODERATION,
    AuditStatus.FINDINGS,
    AuditStatus.CLOSED,
)
# While the sample may be drawn or changed.
SAMPLING_STATUSES = frozenset({AuditStatus.PLANNED, AuditStatus.SAMPLING})


class Area(models.TextChoices):
    """The areas of practice an audit tool's questions are grouped by."""

    RECOGNITION = "recognition", "Recognition of need"
    ASSESSMENT = "assessment", "Assessment"
    PLANNING = "planning", "Planning"
    MULTI_AGENCY = "multi_agency", "Multi-agency working"
    VOICE = "voice", "Voice of the child"
    OVERSIGHT = "oversight", "Management oversight"
    IMPACT = "impact", "Impact"


# The default grading scale, best first (a tool may carry its own).
DEFAULT_SCALE: tuple[tuple[str, str], ...] = (
    ("outstanding", "Outstanding"),
    ("good", "Good"),
    ("requires_improvement", "Requires improvement"),
    ("inadequate", "Inadequate"),
)


class CaseMethod(models.TextChoices):
    DRAWN = "drawn", "Drawn by criteria"
    CHOSEN = "chosen", "Chosen by hand"


class FindingKind(models.TextChoices):
    STRENGTH = "strength", "Strength"
    DEVELOPMENT = "development", "Area for development"
