"""A template's "units": what it grades (each sub-area, or each item), grouped by area, in order."""

from __future__ import annotations

from dataclasses import dataclass, field

from safeguarding.assessments.enums import GradeBy
from safeguarding.assessments.models import Area, AssessmentTemplate, Item, SubArea


@dataclass(frozen=True)
class Unit:
    key: str  # the sub-area's or item's code (codes are unique within a template)
    area: Area
    sub_area: SubArea
    item: Item | None

    @property
    def title(self) -> str:
        return self.item.title if self.item is not None else self.sub_area.title

    @property
    def guidance(self) -> str:
        return self.item.guidance if self.item is not None else self.sub_area.guidance


@dataclass
class AreaUnits:
    area: Area
    units: list[Unit] = field(default_factory=list)


def units_of(template: AssessmentTemplate) -> list[Unit]:
    """Every unit of the template, in order (three queries)."""
    subs = list(
        SubArea.objects.filter(area__template=template).select_related("area").order_by("area__order", "order", "id")
    )
    if template.grade_by == GradeBy.ITEM:
        items = list(Item.objects.filter(sub_area__in=subs).order_by("order", "id"))
        by_sub: dict[int, list[Item]] = {}
        for item in items:
            by_sub.setdefault(item.sub_area_id, []).append(item)
        return [Unit(i.code, s.area, s, i) for s in subs for i in by_sub.get(s.pk, [])]
    return [Unit(s.code, s.area, s, None) for s in subs]


def by_area(units: list[Unit]) -> list[AreaUnits]:
    groups: dict[int, AreaUnits] = {}
    for unit in units:
        groups.setdefault(unit.area.pk, AreaUnits(unit.area)).units.append(unit)
    return list(groups.values())


def grade_key(grade: object) -> str:
    """The unit key of a Grade row (its item's code, or its sub-area's)."""
    item = getattr(grade, "item", None)
    return item.code if item is not None else grade.sub_area.code  # type: ignore[attr-defined]
