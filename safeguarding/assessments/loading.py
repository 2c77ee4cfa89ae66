"""Loading template and descriptor files into the database: all or nothing, idempotent.

`apply_template` works on whichever model classes it is given, so the data migration that installs
the shipped neglect profile uses the same code as `manage.py load_assessment_template`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from safeguarding.assessments.enums import GradeBy
from safeguarding.assessments.template_file import (
    DescriptorFileSpec,
    Problem,
    TemplateFileError,
    TemplateSpec,
    check_descriptors,
    check_template,
    read_file,
)
from safeguarding.core.services import record_activity

if TYPE_CHECKING:
    from safeguarding.core.types import Person


@dataclass
class LoadReport:
    label: str
    dry_run: bool = False
    changes: list[str] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    def summary(self) -> str:
        if not self.changes:
            return f"No changes: the database already matches {self.label}."
        verb = "would make" if self.dry_run else "made"
        return f"{self.label}: {verb} {len(self.changes)} change{'s' if len(self.changes) != 1 else ''}."


class _DryRunRollback(Exception):
    pass


def real_models() -> Any:
    from safeguarding.assessments import models

    return models


def structure_of(template: Any, m: Any) -> dict[str, Any]:
    """The stored template as a plain dict, in the shape of a TemplateSpec (to compare with a file)."""
    areas = []
    for area in m.Area.objects.filter(template=template).order_by("order", "id"):
        subs = []
        for sub in m.SubArea.objects.filter(area=area).order_by("order", "id"):
            items = [(i.code, i.title, i.guidance) for i in m.Item.objects.filter(sub_area=sub).order_by("order", "id")]
            subs.append((sub.code, sub.title, sub.guidance, tuple(items)))
        areas.append((area.code, area.title, area.guidance, tuple(subs)))
    scale = tuple(m.ScalePoint.objects.filter(template=template).order_by("value").values_list("value", "label"))
    return {
        "name": template.name,
        "description": template.description,
        "grade_by": template.grade_by,
        "licence_note": template.licence_note,
        "active": template.is_active,
        "scale": scale,
        "areas": tuple(areas),
    }


def structure_of_spec(spec: TemplateSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "description": spec.description,
        "grade_by": spec.grade_by,
        "licence_note": spec.licence_note,
        "active": spec.active,
        "scale": spec.scale,
        "areas": tuple(
            (
                a.code,
                a.title,
                a.guidance,
                tuple(
                    (s.code, s.title, s.guidance, tuple((i.code, i.title, i.guidance) for i in s.items))
                    for s in a.sub_areas
                ),
            )
            for a in spec.areas
        ),
    }


def _shape(structure: dict[str, Any]) -> tuple[Any, ...]:
    """What assessments depend on: the grade values, what is graded, and the codes of every unit."""
    codes = tuple((a[0], tuple((s[0], tuple(i[0] for i in s[3])) for s in a[3])) for a in structure["areas"])
    return (structure["grade_by"], tuple(v for v, _ in structure["scale"]), codes)


def apply_template(spec: TemplateSpec, m: Any = None, *, filename: str = "") -> tuple[Any, list[str]]:
    """Create or update the template version `spec` describes. Returns it and what changed (empty when
    nothing did). A version that already has assessments keeps its shape: TemplateFileError otherwise."""
    m = m or real_models()
    template = m.AssessmentTemplate.objects.filter(code=spec.code, version=spec.version).first()
    wanted = structure_of_spec(spec)
    if template is None:
        template = m.AssessmentTemplate.objects.create(
            code=spec.code,
            version=spec.version,
            name=spec.name,
            description=spec.description,
            grade_by=spec.grade_by,
            licence_note=spec.licence_note,
            is_active=spec.active,
        )
        changes = [f"template {spec.code} version {spec.version} created"]
    else:
        current = structure_of(template, m)
        if current == wanted:
            return template, []
        if _shape(current) != _shape(wanted) and m.Assessment.objects.filter(template=template).exists():
            raise TemplateFileError(
                filename or spec.code,
                [
                    Problem(
                        None,
                        path="version",
                        reason=f"template {spec.code} version {spec.version} already has assessments, so its grades, "
                        f"areas, sub-areas and items cannot change. Give the changed template 'version: "
                        f"{spec.version + 1}' (titles and guidance can change within a version).",
                    )
                ],
            )
        changes = [f"template {spec.code} version {spec.version} updated"]
        for name, attr in (
            ("name", "name"),
            ("description", "description"),
            ("grade_by", "grade_by"),
            ("licence_note", "licence_note"),
            ("active", "is_active"),
        ):
            setattr(template, attr, wanted[name])
        template.updated_at = timezone.now()
        template.save()

    # The scale: labels by value; values no longer listed are removed.
    values = [v for v, _ in spec.scale]
    m.ScalePoint.objects.filter(template=template).exclude(value__in=values).delete()
    for value, label in spec.scale:
        m.ScalePoint.objects.update_or_create(template=template, value=value, defaults={"label": label})

    # The structure, matched by code so descriptors and grades keep pointing at the same rows.
    area_codes = [a.code for a in spec.areas]
    m.Area.objects.filter(template=template).exclude(code__in=area_codes).delete()
    for a_order, a in enumerate(spec.areas, start=1):
        area, _ = m.Area.objects.update_or_create(
            template=template, code=a.code, defaults={"title": a.title, "guidance": a.guidance, "order": a_order}
        )
        # A sub-area may move between areas in a new file: match it across the template.
        m.SubArea.objects.filter(area=area).exclude(code__in=[s.code for s in a.sub_areas]).delete()
        for s_order, s in enumerate(a.sub_areas, start=1):
            sub, _ = m.SubArea.objects.update_or_create(
                area=area, code=s.code, defaults={"title": s.title, "guidance": s.guidance, "order": s_order}
            )
            m.Item.objects.filter(sub_area=sub).exclude(code__in=[i.code for i in s.items]).delete()
            for i_order, i in enumerate(s.items, start=1):
                m.Item.objects.update_or_create(
                    sub_area=sub, code=i.code, defaults={"title": i.title, "guidance": i.guidance, "order": i_order}
                )
    return template, changes


def load_template(*, actor: Person | None, path: str | Path, dry_run: bool = False) -> LoadReport:
    """Check the whole file, then write it in one transaction (or roll it back for a dry run)."""
    data, filename, problems = read_file(path)
    spec = check_template(data, filename, problems)
    report = LoadReport(label=f"{Path(filename).name} (template {spec.code} version {spec.version})", dry_run=dry_run)
    try:
        with transaction.atomic():
            template, changes = apply_template(spec, filename=filename)
            report.changes = changes
            if changes:
                record_activity(
                    actor=actor,
                    action="assessment_template.loaded",
                    target=template,
                    changes={"version": [None, spec.version], "units": [None, len(spec.unit_codes())]},
                )
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    return report


def apply_descriptors(spec: DescriptorFileSpec, template: Any, filename: str) -> list[str]:
    """Replace the template's descriptors with the file's (checked against the template first)."""
    m = real_models()
    units: dict[str, tuple[Any, Any]] = {}
    for sub in m.SubArea.objects.filter(area__template=template):
        if template.grade_by == GradeBy.SUB_AREA:
            units[sub.code] = (sub, None)
    if template.grade_by == GradeBy.ITEM:
        for item in m.Item.objects.filter(sub_area__area__template=template).select_related("sub_area"):
            units[item.code] = (item.sub_area, item)
    grades = set(m.ScalePoint.objects.filter(template=template).values_list("value", flat=True))
    problems = []
    for d in spec.descriptors:
        if d.unit not in units:
            what = "sub-area" if template.grade_by == GradeBy.SUB_AREA else "item"
            problems.append(
                Problem(
                    d.line,
                    path=d.path,
                    reason=f"unit '{d.unit}' is not a graded {what} of {template.code} version {template.version}.",
                )
            )
        if d.grade not in grades:
            problems.append(
                Problem(
                    d.line,
                    path=d.path,
                    reason=f"grade {d.grade} is not on the template's scale ({', '.join(map(str, sorted(grades)))}).",
                )
            )
    if problems:
        raise TemplateFileError(filename, problems)
    current = {
        (d.item.code if d.item_id else d.sub_area.code, d.grade): d.text
        for d in m.Descriptor.objects.filter(sub_area__area__template=template).select_related("sub_area", "item")
    }
    wanted = {(d.unit, d.grade): d.text for d in spec.descriptors}
    if current == wanted:
        return []
    m.Descriptor.objects.filter(sub_area__area__template=template).delete()
    m.Descriptor.objects.bulk_create(
        [
            m.Descriptor(sub_area=units[d.unit][0], item=units[d.unit][1], grade=d.grade, text=d.text)
            for d in spec.descriptors
        ]
    )
    added = len(set(wanted) - set(current))
    removed = len(set(current) - set(wanted))
    changed = sum(1 for key in set(wanted) & set(current) if wanted[key] != current[key])
    return [f"descriptors: {added} added, {changed} changed, {removed} removed"]


def load_descriptors(
    *, actor: Person | None, template_code: str, path: str | Path, version: int | None = None, dry_run: bool = False
) -> LoadReport:
    m = real_models()
    data, filename, problems = read_file(path)
    spec = check_descriptors(data, filename, problems)
    if spec.template and spec.template != template_code:
        raise TemplateFileError(
            filename,
            [
                Problem(
                    None,
                    path="template",
                    reason=f"the file is for template '{spec.template}', not '{template_code}'. Check both.",
                )
            ],
        )
    version = version or spec.version
    qs = m.AssessmentTemplate.objects.filter(code=template_code)
    template = qs.filter(version=version).first() if version else qs.order_by("-version").first()
    if template is None:
        known = ", ".join(sorted(set(m.AssessmentTemplate.objects.values_list("code", flat=True)))) or "none"
        raise TemplateFileError(
            filename,
            [
                Problem(
                    None,
                    f"no template {template_code}{f' version {version}' if version else ''}. Templates: {known}.",
                )
            ],
        )
    report = LoadReport(
        label=f"{Path(filename).name} (descriptors for {template.code} version {template.version})", dry_run=dry_run
    )
    try:
        with transaction.atomic():
            report.changes = apply_descriptors(spec, template, filename)
            if report.changes:
                # The wording is licensed: the log says that it changed, never what it says.
                record_activity(
                    actor=actor,
                    action="assessment_template.descriptors_loaded",
                    target=template,
                    changes={"descriptors": [None, len(spec.descriptors)]},
                )
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    return report


def namespace(apps: Any) -> Any:
    """The historical models a migration passes to `apply_template`."""
    return SimpleNamespace(
        **{
            name: apps.get_model("assessments", name)
            for name in ("AssessmentTemplate", "ScalePoint", "Area", "SubArea", "Item", "Assessment")
        }
    )
