"""What changed between two versions of a plan: field by field, and per objective (matched by uid:
added, removed, changed with the fields that changed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from safeguarding.plans.models import CONTENT_FIELDS, OBJECTIVE_FIELDS, Objective, PlanVersion


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    before: str
    after: str


@dataclass
class ObjectiveChange:
    uid: str
    before: Objective | None
    after: Objective | None
    fields: list[FieldChange] = field(default_factory=list)

    @property
    def kind(self) -> str:
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        return "changed"

    @property
    def action(self) -> str:
        source = self.after or self.before
        return source.action if source else ""


@dataclass
class Comparison:
    older: PlanVersion
    newer: PlanVersion
    fields: list[FieldChange]
    objectives: list[ObjectiveChange]

    @property
    def added(self) -> list[ObjectiveChange]:
        return [c for c in self.objectives if c.kind == "added"]

    @property
    def removed(self) -> list[ObjectiveChange]:
        return [c for c in self.objectives if c.kind == "removed"]

    @property
    def changed(self) -> list[ObjectiveChange]:
        return [c for c in self.objectives if c.kind == "changed"]

    @property
    def is_empty(self) -> bool:
        return not self.fields and not self.objectives


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def _objective_value(objective: Objective, name: str) -> str:
    if name == "owner":
        return objective.owner_label
    return _text(getattr(objective, name))


def compare(older: PlanVersion, newer: PlanVersion) -> Comparison:
    fields = [
        FieldChange(name, label, _text(getattr(older, name)), _text(getattr(newer, name)))
        for name, label in CONTENT_FIELDS
        if getattr(older, name) != getattr(newer, name)
    ]
    before = {o.uid: o for o in older.objectives.select_related("owner_agency").order_by("order", "id")}
    after = {o.uid: o for o in newer.objectives.select_related("owner_agency").order_by("order", "id")}
    changes: list[ObjectiveChange] = []
    for uid, new in after.items():
        old = before.get(uid)
        if old is None:
            changes.append(ObjectiveChange(str(uid), None, new))
            continue
        diffs = [
            FieldChange(name, label, _objective_value(old, name), _objective_value(new, name))
            for name, label in OBJECTIVE_FIELDS
            if _objective_value(old, name) != _objective_value(new, name)
        ]
        if diffs:
            changes.append(ObjectiveChange(str(uid), old, new, diffs))
    changes += [ObjectiveChange(str(uid), old, None) for uid, old in before.items() if uid not in after]
    return Comparison(older, newer, fields, changes)
