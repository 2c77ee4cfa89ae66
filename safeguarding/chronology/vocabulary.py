"""The default event-type vocabulary, shipped as data (`data/default_event_types.json`).

Loaded by a data migration so every install (and every test database) has it; a partnership
extends it with its own types. Loading never removes or renames a type the partnership changed:
it only adds missing types and missing synonyms.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from safeguarding.chronology.models import encode_tags

DEFAULT_VOCABULARY = Path(__file__).resolve().parent / "data" / "default_event_types.json"


def default_vocabulary() -> list[dict[str, Any]]:
    with DEFAULT_VOCABULARY.open(encoding="utf-8") as handle:
        data: list[dict[str, Any]] = json.load(handle)
    return data


def load_vocabulary(model: Any, entries: list[dict[str, Any]] | None = None) -> int:
    """Add missing types (and missing synonyms to existing ones); returns how many were added.

    `model` is the EventType class, or its historical version inside a migration.
    """
    added = 0
    for entry in entries if entries is not None else default_vocabulary():
        synonyms = sorted({s.strip().lower() for s in entry.get("synonyms", []) if s.strip()})
        existing = model.objects.filter(code=entry["code"]).first()
        if existing is None:
            model.objects.create(
                code=entry["code"],
                label=entry["label"],
                tags=encode_tags(entry.get("tags", [])),
                synonyms=synonyms,
                takes_value=entry.get("takes_value", False),
                value_label=entry.get("value_label", ""),
                categories=entry.get("categories", []),
                category_synonyms=entry.get("category_synonyms", {}),
            )
            added += 1
        else:
            merged = sorted(set(existing.synonyms) | set(synonyms))
            if merged != sorted(existing.synonyms):
                existing.synonyms = merged
                existing.save(update_fields=["synonyms"])
    return added
