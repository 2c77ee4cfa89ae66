"""Grading helpers for audit tests."""

from __future__ import annotations

from typing import Any

from safeguarding.audits import services
from safeguarding.audits.models import Audit, AuditCase


def grade_all(actor: Any, case: AuditCase, agency: Any, grade: str, overrides: dict[str, str] | None = None) -> None:
    """Answer every question of the tool with `grade` (or the area's override)."""
    audit: Audit = case.audit
    answers = [
        services.Answer(q, (overrides or {}).get(q.area, grade), f"Narrative for question {q.number}.")
        for q in audit.tool.questions.all()
    ]
    services.record_responses(actor=actor, case=case, agency=agency, answers=answers)
