"""Reading assessment template files and descriptor files (YAML or JSON; docs/assessments.md).

This module only reads and checks a file's shape (no database). Every problem is collected with
where it is — the line (YAML, or JSON) and the path inside the file, e.g. `areas[0].sub_areas[2].code`
— so a person can fix the whole file in one pass. `loading` adds the checks that need the database
and does the writing, all or nothing.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from safeguarding.agencies import partnership_file
from safeguarding.agencies.partnership_file import LineDict, LineList, PartnershipFileError, read_yaml
from safeguarding.assessments.enums import GradeBy

TEMPLATE_KEYS = ("code", "name", "version", "description", "grade_by", "licence_note", "active", "scale", "areas")
SCALE_KEYS = ("value", "label")
AREA_KEYS = ("code", "title", "guidance", "sub_areas")
SUB_AREA_KEYS = ("code", "title", "guidance", "items")
ITEM_KEYS = ("code", "title", "guidance")
DESCRIPTOR_FILE_KEYS = ("template", "version", "descriptors")
DESCRIPTOR_KEYS = ("unit", "grade", "text")

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
CODE_HINT = "use lower-case letters, digits, hyphens or underscores, up to 60, e.g. 'physical-care'"


@dataclass(frozen=True)
class Problem(partnership_file.Problem):
    """A problem at a line (when the format gives one) and a path inside the file, e.g. `areas[0].code`."""

    path: str = ""

    def format(self, filename: str) -> str:
        where = f"{filename}:{self.line}" if self.line else filename
        return f"{where}: {self.path}: {self.reason}" if self.path else f"{where}: {self.reason}"


class TemplateFileError(PartnershipFileError):
    """The file cannot be loaded. Holds every problem found, each with its line and path."""


# --- Reading ---------------------------------------------------------------------------------------


def _from_partnership_error(exc: PartnershipFileError, filename: str) -> TemplateFileError:
    return TemplateFileError(filename, [Problem(p.line, p.reason) for p in exc.problems])


def parse_text(text: str, filename: str) -> tuple[Any, list[Problem]]:
    """Parse JSON (a name ending .json) or YAML, keeping line numbers where the format gives them."""
    if filename.lower().endswith(".json"):
        try:
            return json.loads(text), []
        except json.JSONDecodeError as exc:
            raise TemplateFileError(
                filename, [Problem(exc.lineno, f"the file is not valid JSON: {exc.msg} (column {exc.colno}).")]
            ) from exc
    try:
        data, duplicates = read_yaml(text, filename)
    except PartnershipFileError as exc:
        raise _from_partnership_error(exc, filename) from exc
    return data, [Problem(p.line, p.reason) for p in duplicates]


def read_file(path: str | Path) -> tuple[Any, str, list[Problem]]:
    filename = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise TemplateFileError(filename, [Problem(None, "no such file. Check the path and try again.")]) from exc
    except UnicodeDecodeError as exc:
        raise TemplateFileError(
            filename, [Problem(None, "the file is not UTF-8 text. Save it as UTF-8 and try again.")]
        ) from exc
    except OSError as exc:
        raise TemplateFileError(filename, [Problem(None, f"the file cannot be read: {exc.strerror}.")]) from exc
    data, problems = parse_text(text, filename)
    return data, filename, problems


# --- What the files describe -----------------------------------------------------------------------


@dataclass(frozen=True)
class ItemSpec:
    code: str
    title: str
    guidance: str


@dataclass(frozen=True)
class SubAreaSpec:
    code: str
    title: str
    guidance: str
    items: tuple[ItemSpec, ...]


@dataclass(frozen=True)
class AreaSpec:
    code: str
    title: str
    guidance: str
    sub_areas: tuple[SubAreaSpec, ...]


@dataclass(frozen=True)
class TemplateSpec:
    code: str
    name: str
    version: int
    description: str
    grade_by: str
    licence_note: str
    active: bool
    scale: tuple[tuple[int, str], ...]
    areas: tuple[AreaSpec, ...]

    def unit_codes(self) -> list[str]:
        if self.grade_by == GradeBy.ITEM:
            return [i.code for a in self.areas for s in a.sub_areas for i in s.items]
        return [s.code for a in self.areas for s in a.sub_areas]


@dataclass(frozen=True)
class DescriptorSpec:
    unit: str
    grade: int
    text: str
    line: int | None
    path: str


@dataclass
class DescriptorFileSpec:
    template: str
    version: int | None
    descriptors: list[DescriptorSpec] = field(default_factory=list)


# --- Checking the shape ----------------------------------------------------------------------------


def _line(container: Any, key: Any) -> int | None:
    return container.line_of(key) if isinstance(container, (LineDict, LineList)) else None


def _describe(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a set of keys"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "yes/no"
    if value is None:
        return "nothing"
    return f"'{value}'"


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class _Reader:
    def __init__(self, problems: Iterable[Problem] = ()) -> None:
        self.problems: list[partnership_file.Problem] = list(problems)

    def problem(self, line: int | None, path: str, reason: str) -> None:
        self.problems.append(Problem(line, reason, path))

    def mapping(
        self, value: Any, line: int | None, path: str, what: str, keys: tuple[str, ...]
    ) -> Mapping[str, Any] | None:
        if not isinstance(value, Mapping):
            self.problem(line, path, f"each {what} must be a set of 'key: value' lines, not {_describe(value)}.")
            return None
        for key in value:
            if key not in keys:
                hint = difflib.get_close_matches(str(key), keys, n=1)
                suggestion = f" Did you mean '{hint[0]}'?" if hint else ""
                self.problem(
                    _line(value, key),
                    _join(path, str(key)),
                    f"unknown key '{key}' in {what}.{suggestion} Allowed keys: {', '.join(keys)}.",
                )
        return value

    def text(
        self, entry: Mapping[str, Any], key: str, path: str, what: str, *, required: bool = True, max_length: int = 200
    ) -> str | None:
        where = _join(path, key)
        if key not in entry or entry[key] is None or (isinstance(entry[key], str) and not entry[key].strip()):
            if required:
                self.problem(
                    _line(entry, key) or getattr(entry, "line", None), where, f"{what} has no '{key}'; add it."
                )
            return None
        value = entry[key]
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.problem(_line(entry, key), where, f"'{key}' in {what} must be text, not {_describe(value)}.")
            return None
        text = str(value).strip()
        if len(text) > max_length:
            self.problem(
                _line(entry, key),
                where,
                f"'{key}' is {len(text)} characters long; shorten it to {max_length} or fewer.",
            )
            return None
        return text

    def code(self, entry: Mapping[str, Any], path: str, what: str) -> str | None:
        value = self.text(entry, "code", path, what, max_length=60)
        if value is not None and not CODE_RE.match(value):
            self.problem(_line(entry, "code"), _join(path, "code"), f"code '{value}' of {what}: {CODE_HINT}.")
            return None
        return value

    def integer(
        self, entry: Mapping[str, Any], key: str, path: str, what: str, *, minimum: int, maximum: int, required: bool
    ) -> int | None:
        where = _join(path, key)
        if key not in entry or entry[key] is None:
            if required:
                self.problem(getattr(entry, "line", None), where, f"{what} has no '{key}'; add it (a whole number).")
            return None
        value = entry[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(_line(entry, key), where, f"'{key}' in {what} must be a whole number, not {_describe(value)}.")
            return None
        if not minimum <= value <= maximum:
            self.problem(_line(entry, key), where, f"'{key}' in {what} is {value}; use {minimum} to {maximum}.")
            return None
        return value

    def sequence(
        self, entry: Mapping[str, Any], key: str, path: str, what: str, *, required: bool
    ) -> LineList | list[Any]:
        where = _join(path, key)
        if key not in entry or entry[key] is None:
            if required:
                self.problem(getattr(entry, "line", None), where, f"{what} has no '{key}'; add a list of them.")
            return []
        value = entry[key]
        if not isinstance(value, list):
            self.problem(_line(entry, key), where, f"'{key}' in {what} must be a list, not {_describe(value)}.")
            return []
        if required and not value:
            self.problem(_line(entry, key), where, f"'{key}' in {what} is empty; list at least one.")
        return value


def _guidance(reader: _Reader, entry: Mapping[str, Any], path: str, what: str) -> str:
    return reader.text(entry, "guidance", path, what, required=False, max_length=5000) or ""


def _check_scale(reader: _Reader, top: Mapping[str, Any]) -> list[tuple[int, str]]:
    """The grade scale: each value once, with its label."""
    scale: list[tuple[int, str]] = []
    raw_scale = reader.sequence(top, "scale", "", "the template", required=True)
    seen_values: dict[int, str] = {}
    for index, raw in enumerate(raw_scale):
        path = _join("scale", index)
        entry = reader.mapping(raw, _line(raw_scale, index), path, "grade on the scale", SCALE_KEYS)
        if entry is None:
            continue
        value = reader.integer(entry, "value", path, "the grade", minimum=0, maximum=100, required=True)
        label = reader.text(entry, "label", path, "the grade")
        if value is not None and value in seen_values:
            reader.problem(
                _line(entry, "value"),
                _join(path, "value"),
                f"grade {value} is listed twice (first at {seen_values[value]}).",
            )
            continue
        if value is not None and label:
            seen_values[value] = path
            scale.append((value, label))
    return scale


class _Codes:
    """Area, sub-area and item codes, each used once in the file."""

    def __init__(self, reader: _Reader) -> None:
        self.reader = reader
        self.seen: dict[str, str] = {}

    def unique(self, entry: Mapping[str, Any], path: str, what: str) -> str | None:
        value = self.reader.code(entry, path, what)
        if value is not None:
            if value in self.seen:
                self.reader.problem(
                    _line(entry, "code"),
                    _join(path, "code"),
                    f"code '{value}' is already used at {self.seen[value]}; "
                    "each area, sub-area and item needs its own code.",
                )
                return None
            self.seen[value] = path
        return value


def _check_items(reader: _Reader, codes: _Codes, sub: Mapping[str, Any], s_path: str, grade_by: str) -> list[ItemSpec]:
    items: list[ItemSpec] = []
    raw_items = reader.sequence(sub, "items", s_path, "the sub-area", required=grade_by == GradeBy.ITEM)
    for i_index, raw_item in enumerate(raw_items):
        i_path = _join(_join(s_path, "items"), i_index)
        item = reader.mapping(raw_item, _line(raw_items, i_index), i_path, "item", ITEM_KEYS)
        if item is None:
            continue
        i_code = codes.unique(item, i_path, "the item")
        i_title = reader.text(item, "title", i_path, "the item")
        if i_code and i_title:
            items.append(ItemSpec(i_code, i_title, _guidance(reader, item, i_path, "the item")))
    return items


def _check_sub_areas(
    reader: _Reader, codes: _Codes, area: Mapping[str, Any], a_path: str, grade_by: str
) -> list[SubAreaSpec]:
    sub_areas: list[SubAreaSpec] = []
    raw_subs = reader.sequence(area, "sub_areas", a_path, "the area", required=True)
    for s_index, raw_sub in enumerate(raw_subs):
        s_path = _join(_join(a_path, "sub_areas"), s_index)
        sub = reader.mapping(raw_sub, _line(raw_subs, s_index), s_path, "sub-area", SUB_AREA_KEYS)
        if sub is None:
            continue
        s_code = codes.unique(sub, s_path, "the sub-area")
        s_title = reader.text(sub, "title", s_path, "the sub-area")
        items = _check_items(reader, codes, sub, s_path, grade_by)
        if s_code and s_title:
            sub_areas.append(SubAreaSpec(s_code, s_title, _guidance(reader, sub, s_path, "the sub-area"), tuple(items)))
    return sub_areas


def _check_areas(reader: _Reader, top: Mapping[str, Any], grade_by: str) -> list[AreaSpec]:
    """The areas, their sub-areas and items, every code unique in the file."""
    codes = _Codes(reader)
    areas: list[AreaSpec] = []
    raw_areas = reader.sequence(top, "areas", "", "the template", required=True)
    for a_index, raw_area in enumerate(raw_areas):
        a_path = _join("areas", a_index)
        area = reader.mapping(raw_area, _line(raw_areas, a_index), a_path, "area", AREA_KEYS)
        if area is None:
            continue
        a_code = codes.unique(area, a_path, "the area")
        a_title = reader.text(area, "title", a_path, "the area")
        sub_areas = _check_sub_areas(reader, codes, area, a_path, grade_by)
        if a_code and a_title:
            areas.append(AreaSpec(a_code, a_title, _guidance(reader, area, a_path, "the area"), tuple(sub_areas)))
    return areas


def check_template(data: Any, filename: str, problems: Iterable[Problem] = ()) -> TemplateSpec:
    """The template the parsed file describes; TemplateFileError listing every problem otherwise."""
    reader = _Reader(problems)
    if data is None:
        raise TemplateFileError(filename, [*reader.problems, Problem(None, "the file is empty.")])
    top = reader.mapping(data, 1, "", "template file", TEMPLATE_KEYS)
    if top is None:
        raise TemplateFileError(filename, reader.problems)
    code = reader.text(top, "code", "", "the template", max_length=40)
    if code is not None and not CODE_RE.match(code):
        reader.problem(_line(top, "code"), "code", f"template code '{code}': {CODE_HINT}.")
    name = reader.text(top, "name", "", "the template")
    version = reader.integer(top, "version", "", "the template", minimum=1, maximum=10_000, required=False) or 1
    description = reader.text(top, "description", "", "the template", required=False, max_length=5000) or ""
    licence_note = reader.text(top, "licence_note", "", "the template", required=False, max_length=2000) or ""
    grade_by = reader.text(top, "grade_by", "", "the template", required=False, max_length=20) or GradeBy.SUB_AREA
    if grade_by not in GradeBy.values:
        reader.problem(
            _line(top, "grade_by"), "grade_by", f"grade_by is '{grade_by}'; use one of: {', '.join(GradeBy.values)}."
        )
    active = top.get("active", True)
    if not isinstance(active, bool):
        reader.problem(_line(top, "active"), "active", f"'active' must be true or false, not {_describe(active)}.")

    scale = _check_scale(reader, top)
    areas = _check_areas(reader, top, grade_by)

    if reader.problems:
        raise TemplateFileError(filename, reader.problems)
    assert code is not None
    assert name is not None
    return TemplateSpec(
        code=code,
        name=name,
        version=version,
        description=description,
        grade_by=grade_by,
        licence_note=licence_note,
        active=bool(active),
        scale=tuple(sorted(scale)),
        areas=tuple(areas),
    )


def check_descriptors(data: Any, filename: str, problems: Iterable[Problem] = ()) -> DescriptorFileSpec:
    reader = _Reader(problems)
    if data is None:
        raise TemplateFileError(filename, [*reader.problems, Problem(None, "the file is empty.")])
    top = reader.mapping(data, 1, "", "descriptor file", DESCRIPTOR_FILE_KEYS)
    if top is None:
        raise TemplateFileError(filename, reader.problems)
    template = reader.text(top, "template", "", "the descriptor file", required=False, max_length=40) or ""
    version = reader.integer(top, "version", "", "the descriptor file", minimum=1, maximum=10_000, required=False)
    spec = DescriptorFileSpec(template, version)
    raw = reader.sequence(top, "descriptors", "", "the descriptor file", required=True)
    seen: dict[tuple[str, int], str] = {}
    for index, raw_entry in enumerate(raw):
        path = _join("descriptors", index)
        line = _line(raw, index)
        entry = reader.mapping(raw_entry, line, path, "descriptor", DESCRIPTOR_KEYS)
        if entry is None:
            continue
        unit = reader.text(entry, "unit", path, "the descriptor", max_length=60)
        grade = reader.integer(entry, "grade", path, "the descriptor", minimum=0, maximum=100, required=True)
        text = reader.text(entry, "text", path, "the descriptor", max_length=20_000)
        if unit and grade is not None and text:
            if (unit, grade) in seen:
                reader.problem(
                    line, path, f"unit '{unit}' grade {grade} is given twice (first at {seen[(unit, grade)]})."
                )
                continue
            seen[(unit, grade)] = path
            spec.descriptors.append(DescriptorSpec(unit, grade, text, getattr(entry, "line", line), path))
    if reader.problems:
        raise TemplateFileError(filename, reader.problems)
    return spec
