"""Event-type vocabulary for imports: lookup by code, label, synonym and category synonym, and the
near misses ("Home vist") an uploader is asked to confirm. Nothing here writes."""

from __future__ import annotations

import difflib

from safeguarding.chronology.models import EventType


def label_key(text: str) -> str:
    return " ".join(text.replace("–", "-").replace("—", "-").lower().split())


# A label that is no type's code, label or synonym is "close" to one when difflib's similarity
# ratio is at least NEAR_RATIO and at most NEAR_EDITS characters differ (one for labels of fewer
# than NEAR_LONG characters). That catches one- or two-letter slips ("Was not brough", "Home vist",
# "Exclsuion", "Refferal") but not other words that share letters ("Police" and "Notice": two
# letters apart, ratio 0.67), nor abbreviations ("ICPD" is not "ICPC": ratio 0.75).
NEAR_RATIO = 0.8
NEAR_EDITS = 2
NEAR_LONG = 6
OTHER_CHOICE = "other"  # what ImportBatch.type_mapping holds for "record it as Other"


def _edits(a: str, b: str) -> int:
    """Characters changed between a and b (a transposed pair counts two)."""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal")


class Vocabulary:
    """Event-type lookup by code, label, synonym and category synonym (read once per import)."""

    def __init__(self) -> None:
        self.types = list(EventType.objects.active().order_by("id"))
        self.other = next((t for t in self.types if t.code == EventType.OTHER), None)
        if self.other is None:
            self.other = EventType.objects.get(code=EventType.OTHER)
        self.lookup: dict[str, tuple[EventType, str]] = {}
        self._matched: dict[str, tuple[EventType, str, bool]] = {}
        self._nearest: dict[str, EventType | None] = {}
        self.by_code = {t.code: t for t in self.types}
        # The names a near miss is measured against: each type's code, label and synonyms.
        self.type_names: dict[str, EventType] = {}
        for event_type in self.types:
            for name in (event_type.code, event_type.code.replace("_", " "), event_type.label, *event_type.synonyms):
                self.lookup.setdefault(label_key(name), (event_type, ""))
                if event_type.code != EventType.OTHER:
                    self.type_names.setdefault(label_key(name), event_type)
        for event_type in self.types:
            for category in event_type.categories:
                names = [
                    f"{event_type.label} - {category['label']}",
                    *event_type.category_synonyms.get(category["code"], []),
                ]
                for name in names:
                    self.lookup.setdefault(label_key(name), (event_type, category["code"]))

    def match(self, label: str) -> tuple[EventType, str, bool]:
        """(type, category, mapped to other)."""
        found = self.lookup.get(label_key(label))
        if found is None:
            assert self.other is not None
            return self.other, "", True
        return found[0], found[1], False

    def match_cached(self, label: str) -> tuple[EventType, str, bool]:
        if label not in self._matched:
            self._matched[label] = self.match(label)
        return self._matched[label]

    def nearest(self, label: str) -> EventType | None:
        """The type whose code, label or synonym `label` is a slip of (see NEAR_RATIO), or None.
        Only for labels that match nothing exactly."""
        key = label_key(label)
        if key not in self._nearest:
            self._nearest[key] = self._find_nearest(key)
        return self._nearest[key]

    def _find_nearest(self, key: str) -> EventType | None:
        if not key or key in self.lookup:
            return None
        allowed = NEAR_EDITS if len(key) >= NEAR_LONG else 1
        best: tuple[int, float, int] | None = None
        found: EventType | None = None
        for position, name in enumerate(difflib.get_close_matches(key, self.type_names, n=5, cutoff=NEAR_RATIO)):
            edits = _edits(key, name)
            if edits > allowed:
                continue
            score = (edits, -difflib.SequenceMatcher(None, key, name, autojunk=False).ratio(), position)
            if best is None or score < best:
                best, found = score, self.type_names[name]
        return found

    def resolve(self, label: str, mapping: dict[str, str]) -> tuple[EventType, bool] | None:
        """What the uploader confirmed `label` means ({label key: type code | "other"}): (type,
        recorded as other), or None when they have not said (or named a type no longer in use)."""
        choice = mapping.get(label_key(label))
        if choice is None:
            return None
        if choice == OTHER_CHOICE:
            assert self.other is not None
            return self.other, True
        event_type = self.by_code.get(choice)
        return (event_type, False) if event_type is not None else None

    @staticmethod
    def category(event_type: EventType, text: str) -> str | None:
        key = label_key(text)
        for category in event_type.categories:
            if key in (category["code"], label_key(category["label"])):
                return str(category["code"])
        return None


def mapping_keys(type_mapping: dict[str, str] | None) -> dict[str, str]:
    """ImportBatch.type_mapping ({label as written: choice}) keyed as labels are compared."""
    return {label_key(label): choice for label, choice in (type_mapping or {}).items()}
