"""Grades, read side: an agency's grade for an area of a case, where agencies differ, final grades,
the grade distribution per area and per agency, and the comparison of a re-audit with its baseline.

An agency's grade for an area is the worst grade it gave to that area's questions on that case (a
tool may ask several questions per area; one weak answer is not hidden by a strong one). Where the
agencies that graded an area of a case gave different grades, the lead moderates: the final grade is
the moderated one; where they agree, it is their grade.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from safeguarding.audits.enums import Area
from safeguarding.audits.models import Audit, AuditResponse, AuditTool, ModeratedGrade

# (case id, area) -> {agency id: grade}
AreaGrades = dict[tuple[int, str], dict[int, str]]


def area_grades(audit: Audit) -> AreaGrades:
    tool = audit.tool
    out: AreaGrades = defaultdict(dict)
    rows = AuditResponse.objects.filter(case__audit=audit).values_list(
        "case_id", "question__area", "agency_id", "grade"
    )
    for case_id, area, agency_id, grade in rows:
        current = out[(case_id, area)].get(agency_id)
        if current is None or tool.rank(grade) > tool.rank(current):
            out[(case_id, area)][agency_id] = grade
    return dict(out)


def differences(grades: AreaGrades) -> dict[tuple[int, str], dict[int, str]]:
    return {key: by_agency for key, by_agency in grades.items() if len(set(by_agency.values())) > 1}


def unmoderated_differences(audit: Audit) -> list[tuple[int, str]]:
    moderated = set(ModeratedGrade.objects.filter(case__audit=audit).values_list("case_id", "area"))
    return sorted(key for key in differences(area_grades(audit)) if key not in moderated)


def final_grades(audit: Audit, grades: AreaGrades | None = None) -> dict[tuple[int, str], str]:
    """The final grade per case and area: moderated where agencies differed, else the agreed grade."""
    grades = area_grades(audit) if grades is None else grades
    moderated = {(m.case_id, m.area): m.final_grade for m in ModeratedGrade.objects.filter(case__audit=audit)}
    out: dict[tuple[int, str], str] = {}
    for key, by_agency in grades.items():
        if key in moderated:
            out[key] = moderated[key]
        elif len(set(by_agency.values())) == 1:
            out[key] = next(iter(by_agency.values()))
    for key, grade in moderated.items():
        out.setdefault(key, grade)
    return out


@dataclass
class Distribution:
    """Counts of each grade for one row (an area, or an agency), in scale order."""

    label: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def score(self, tool: AuditTool) -> float | None:
        """Mean grade, 1 = best grade of the scale, larger is worse (None when nothing is graded)."""
        if not self.total:
            return None
        return sum((tool.rank(g) + 1) * n for g, n in self.counts.items()) / self.total

    def share_good_or_better(self, tool: AuditTool) -> int | None:
        """Percentage graded in the better half of the scale (outstanding or good, on the default scale)."""
        if not self.total:
            return None
        better = len(tool.grade_codes) // 2
        good = sum(n for g, n in self.counts.items() if tool.rank(g) < better)
        return round(100 * good / self.total)


def _empty(tool: AuditTool, label: str) -> Distribution:
    return Distribution(label, dict.fromkeys(tool.grade_codes, 0))


def by_area(audit: Audit) -> list[Distribution]:
    """Final grades per area (every case counted once per area)."""
    tool = audit.tool
    rows = {area.value: _empty(tool, area.label) for area in Area}
    for (_case, area), grade in final_grades(audit).items():
        if area in rows and grade in rows[area].counts:
            rows[area].counts[grade] += 1
    return list(rows.values())


def by_agency(audit: Audit) -> list[Distribution]:
    """Each agency's own area grades across all cases and areas (before moderation)."""
    tool = audit.tool
    agencies = {a.pk: a.name for a in audit.agencies.all()}
    rows = {pk: _empty(tool, name) for pk, name in sorted(agencies.items(), key=lambda kv: kv[1])}
    for by_agency_grades in area_grades(audit).values():
        for agency_id, grade in by_agency_grades.items():
            if agency_id in rows and grade in rows[agency_id].counts:
                rows[agency_id].counts[grade] += 1
    return list(rows.values())


@dataclass(frozen=True)
class ComparisonRow:
    label: str
    baseline: Distribution | None
    current: Distribution
    baseline_score: float | None
    current_score: float | None
    baseline_good: int | None
    current_good: int | None
    change: str


def change_in_words(before: float | None, after: float | None) -> str:
    """Mean grades compared (lower is better): a change of less than a quarter of a grade is no change."""
    if before is None and after is None:
        return "Not graded in either audit"
    if before is None:
        return "Not graded in the baseline"
    if after is None:
        return "Not graded in this audit"
    delta = after - before
    if delta <= -0.25:
        return "Improved"
    if delta >= 0.25:
        return "Declined"
    return "No change"


def _compare(
    base_tool: AuditTool, tool: AuditTool, base_rows: list[Distribution], rows: list[Distribution]
) -> list[ComparisonRow]:
    base_by_label = {d.label: d for d in base_rows}
    out = []
    for row in rows:
        base = base_by_label.get(row.label)
        before = base.score(base_tool) if base else None
        after = row.score(tool)
        out.append(
            ComparisonRow(
                label=row.label,
                baseline=base,
                current=row,
                baseline_score=before,
                current_score=after,
                baseline_good=base.share_good_or_better(base_tool) if base else None,
                current_good=row.share_good_or_better(tool),
                change=change_in_words(before, after),
            )
        )
    return out


def compare_by_area(audit: Audit) -> list[ComparisonRow]:
    """This audit's final grades per area beside its baseline's (empty without a baseline)."""
    if audit.baseline is None:
        return []
    return _compare(audit.baseline.tool, audit.tool, by_area(audit.baseline), by_area(audit))


def compare_by_agency(audit: Audit) -> list[ComparisonRow]:
    if audit.baseline is None:
        return []
    return _compare(audit.baseline.tool, audit.tool, by_agency(audit.baseline), by_agency(audit))
