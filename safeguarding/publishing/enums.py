"""Vocabulary of committee reports (domain.md §8 "Reporting"): the header block's choices and the
editable text fields a council's overview and scrutiny committee report is made of."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Access(models.TextChoices):
    """Whether the report is open to the public, or exempt under Schedule 12A of the Local Government
    Act 1972 (the paragraph number goes in the header block)."""

    PUBLIC = "public", "Public"
    EXEMPT = "exempt", "Exempt"


class GenerationStatus(models.TextChoices):
    QUEUED = "queued", "Being generated"
    DONE = "done", "Generated"
    FAILED = "failed", "Failed"


class OutputFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "Word (DOCX)"


@dataclass(frozen=True)
class TextField:
    key: str
    label: str
    hint: str = ""
    rows: int = 5
    # A one-line "name, job title" of who verified an implication.
    short: bool = False


# The editable text of a report, in the order of the council's structure. A `ReportText` version holds
# every key (an empty string when not written).
TEXT_FIELDS: tuple[TextField, ...] = (
    TextField(
        "executive_summary",
        "Executive summary",
        "What the report is about and what the committee is asked to do. Leave a blank line between paragraphs.",
        8,
    ),
    TextField(
        "recommendations",
        "Recommendations to the committee",
        "One recommendation a line, for example: That the committee notes the progress made.",
        5,
    ),
    TextField("commissioning", "Commissioning of the review", "Why and when the partnership commissioned it.", 5),
    TextField("method", "Method of the review", "How the review was carried out.", 5),
    TextField(
        "risks",
        "Risks to delivering the action plan",
        "What could stop the plan being delivered and how it is managed. The overdue and at-risk actions are "
        "listed for you from the live figures.",
        4,
    ),
    TextField("issues_and_options", "Issues and options", "The options considered.", 6),
    TextField("reasons", "Reasons for the recommendation", "", 4),
    TextField("consultation", "Consultation", "Who was consulted on the review and the plan.", 4),
    TextField("policy_impact", "Impact on policies and priorities", "", 4),
    TextField("financial", "Financial implications", "", 3),
    TextField("financial_verified_by", "Financial implications verified by", "Name and job title.", short=True),
    TextField("legal", "Legal implications", "", 3),
    TextField("legal_verified_by", "Legal implications verified by", "Name and job title.", short=True),
    TextField("equality", "Diversity and equality implications", "", 3),
    TextField(
        "equality_verified_by", "Diversity and equality implications verified by", "Name and job title.", short=True
    ),
    TextField("other", "Other implications", "For example risk, health and wellbeing, workforce.", 3),
    TextField("other_verified_by", "Other implications verified by", "Name and job title.", short=True),
    TextField(
        "appendices",
        "Other appendices",
        "One a line. Appendix A, the action plan, is added to the report for you.",
        3,
    ),
    TextField("background_papers", "Background papers", "One a line, with where a reader can find it.", 3),
)
TEXT_KEYS: tuple[str, ...] = tuple(f.key for f in TEXT_FIELDS)
TEXT_LABELS: dict[str, str] = {f.key: f.label for f in TEXT_FIELDS}

# The four implications, each with who verified it (key, heading, verified-by key).
IMPLICATIONS: tuple[tuple[str, str, str], ...] = (
    ("financial", "Financial implications", "financial_verified_by"),
    ("legal", "Legal implications", "legal_verified_by"),
    ("equality", "Diversity and equality implications", "equality_verified_by"),
    ("other", "Other implications", "other_verified_by"),
)
