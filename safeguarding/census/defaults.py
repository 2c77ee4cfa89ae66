"""The chronology vocabulary the census reads and writes (data/census_event_types.json): the new types
`assessment_started`, `section_47_enquiry` and `cin_closed` (categories: the reasons for closure), the
census's referral sources as categories of `referral_to_csc`, and `initial`/`review` as categories of
`child_protection_conference`. The plan types (`plan_started`/`plan_ended`, categories child_in_need and
child_protection) come from the plans app. Like the other apps' defaults it only adds: it never removes
or renames what a partnership changed, and it can run again safely."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "census_event_types.json"


def census_vocabulary() -> dict[str, Any]:
    with DATA.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def _merge(existing: list[dict[str, str]], extra: list[dict[str, str]]) -> list[dict[str, str]]:
    codes = {c["code"] for c in existing}
    return [*existing, *(c for c in extra if c["code"] not in codes)]


def install_defaults(event_type_model: Any = None) -> None:
    if event_type_model is None:
        from safeguarding.chronology.models import EventType

        event_type_model = EventType
    from safeguarding.chronology.models import encode_tags

    data = census_vocabulary()
    for entry in data["new_types"]:
        if not event_type_model.objects.filter(code=entry["code"]).exists():
            event_type_model.objects.create(
                code=entry["code"],
                label=entry["label"],
                tags=encode_tags(entry.get("tags", [])),
                synonyms=sorted(entry.get("synonyms", [])),
                categories=entry.get("categories", []),
            )
    for code, categories in data["categories"].items():
        row = event_type_model.objects.filter(code=code).first()
        if row is None:
            continue
        merged = _merge(list(row.categories or []), categories)
        synonyms = {k: list(v) for k, v in (row.category_synonyms or {}).items()}
        for category, words in data.get("category_synonyms", {}).get(code, {}).items():
            synonyms[category] = sorted(set(synonyms.get(category, [])) | set(words))
        if merged != row.categories or synonyms != (row.category_synonyms or {}):
            row.categories, row.category_synonyms = merged, synonyms
            row.save(update_fields=["categories", "category_synonyms"])
