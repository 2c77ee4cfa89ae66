"""The chronology vocabulary plans write (domain.md §5): the plan types as categories of
`plan_started` and `plan_ended`, and the types `plan_agreed`, `plan_reviewed` and
`plan_objective_overdue` (tag "plan"). The concerns app's rules rely on exactly these codes.

The data migration applies them; `install_defaults()` can run again
safely. Like `chronology.vocabulary.load_vocabulary`, it only adds: it never removes or renames
what a partnership changed.
"""

from __future__ import annotations

from typing import Any

from safeguarding.plans.enums import PlanType

PLAN_CATEGORIES = [{"code": code, "label": str(label)} for code, label in PlanType.choices]
# Import labels that mean a plan type (e.g. "CP plan started" → plan_started, category child_protection).
CATEGORY_SYNONYMS = {
    "early_help": ["early help", "eh"],
    "child_in_need": ["child in need", "cin"],
    "child_protection": ["child protection", "cp"],
    "other": ["other"],
}
# The types the vocabulary already has: this app adds its categories to them.
EXTENDED_TYPES = ("plan_started", "plan_ended")
NEW_TYPES: list[dict[str, Any]] = [
    {
        "code": "plan_agreed",
        "label": "Plan agreed",
        "tags": ["plan"],
        "synonyms": ["plan agreed", "plan agreed with family", "cp plan agreed", "cin plan agreed"],
    },
    {
        "code": "plan_reviewed",
        "label": "Plan reviewed",
        "tags": ["plan"],
        "synonyms": ["plan reviewed", "plan review", "core group", "core group meeting", "cin review"],
    },
    {
        "code": "plan_objective_overdue",
        "label": "Plan objective overdue",
        "tags": ["plan"],
        "synonyms": ["plan objective overdue", "objective overdue", "plan action overdue"],
    },
]


def _merge_categories(existing: list[dict[str, str]]) -> list[dict[str, str]]:
    codes = {c["code"] for c in existing}
    return [*existing, *(c for c in PLAN_CATEGORIES if c["code"] not in codes)]


def _merge_synonyms(existing: dict[str, list[str]]) -> dict[str, list[str]]:
    merged = {code: list(words) for code, words in existing.items()}
    for code, words in CATEGORY_SYNONYMS.items():
        merged[code] = sorted(set(merged.get(code, [])) | set(words))
    return merged


def install_defaults(event_type_model: Any = None) -> None:
    """Idempotent: adds the plan categories and types where they are missing."""
    if event_type_model is None:
        from safeguarding.chronology.models import EventType

        event_type_model = EventType
    from safeguarding.chronology.models import encode_tags

    for code in EXTENDED_TYPES:
        row = event_type_model.objects.filter(code=code).first()
        if row is None:
            continue
        categories = _merge_categories(list(row.categories or []))
        synonyms = _merge_synonyms(dict(row.category_synonyms or {}))
        if categories != row.categories or synonyms != row.category_synonyms:
            row.categories, row.category_synonyms = categories, synonyms
            row.save(update_fields=["categories", "category_synonyms"])
    for entry in NEW_TYPES:
        row = event_type_model.objects.filter(code=entry["code"]).first()
        if row is None:
            event_type_model.objects.create(
                code=entry["code"],
                label=entry["label"],
                tags=encode_tags(entry["tags"]),
                synonyms=sorted(entry["synonyms"]),
                categories=PLAN_CATEGORIES,
                category_synonyms=CATEGORY_SYNONYMS,
            )
            continue
        categories = _merge_categories(list(row.categories or []))
        if categories != row.categories:
            row.categories = categories
            row.save(update_fields=["categories"])
