"""The default audit tool (configuration: partnerships copy and edit tools in the admin). Installed by
the data migration and, idempotently, by `install_defaults()`."""

from __future__ import annotations

from typing import Any

from safeguarding.audits.enums import DEFAULT_SCALE

DEFAULT_TOOL = "Multi-agency case audit tool"
DEFAULT_TOOL_DESCRIPTION = (
    "Each participating agency grades its own practice on the case for each question and explains the grade. "
    "Where agencies' grades for an area differ, the audit lead agrees the final grade at moderation."
)
# (area, question), in the order they are asked.
QUESTIONS: tuple[tuple[str, str], ...] = (
    ("recognition", "Were the child's needs and any risks recognised promptly, and acted on at the right level?"),
    ("assessment", "Was the assessment timely, and did it take account of the family's history?"),
    ("assessment", "Did the assessment draw on information from every agency involved?"),
    ("planning", "Was there a clear plan with outcomes for the child, and did it say who does what by when?"),
    ("planning", "Was the plan reviewed and changed when things did not improve?"),
    ("multi_agency", "Did agencies share information promptly and work together on the plan?"),
    ("multi_agency", "Were professional differences raised and resolved (escalated where needed)?"),
    ("voice", "Was the child seen, heard and understood, and did their wishes shape the work?"),
    ("oversight", "Did managers oversee the work and challenge drift?"),
    ("impact", "Did the work make a difference to the child's daily life?"),
)


def install_tool(tool_model: Any = None, question_model: Any = None) -> Any:
    if tool_model is None or question_model is None:
        from safeguarding.audits.models import AuditTool as tool_model
        from safeguarding.audits.models import ToolQuestion as question_model
    tool, created = tool_model.objects.get_or_create(
        name=DEFAULT_TOOL,
        defaults={"description": DEFAULT_TOOL_DESCRIPTION, "scale": [list(pair) for pair in DEFAULT_SCALE]},
    )
    if created or not question_model.objects.filter(tool=tool).exists():
        for number, (area, text) in enumerate(QUESTIONS, start=1):
            question_model.objects.get_or_create(tool=tool, number=number, defaults={"area": area, "text": text})
    return tool


def install_defaults() -> None:
    from safeguarding.reviews.defaults import install_themes

    install_themes()  # the theme taxonomy audits reuse
    install_tool()
