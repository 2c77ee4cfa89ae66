"""YAML that remembers the line of every value, and problems reported by line.

The partnership file (`partnership_file`) and the assessment templates read their YAML through
`read_yaml`, so every problem found names the line it is on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# --- Problems ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    line: int | None
    reason: str

    def format(self, filename: str) -> str:
        return f"{filename}:{self.line}: {self.reason}" if self.line else f"{filename}: {self.reason}"


class PartnershipFileError(Exception):
    """The file cannot be loaded. Holds every problem found, each with its line."""

    def __init__(self, filename: str, problems: Iterable[Problem]) -> None:
        self.filename = filename
        self.problems = sorted(problems, key=lambda p: (p.line or 0, p.reason))
        super().__init__(self.message)

    @property
    def lines(self) -> list[str]:
        return [p.format(self.filename) for p in self.problems]

    @property
    def message(self) -> str:
        count = len(self.problems)
        heading = (
            f"{self.filename} was not loaded: {count} problem{'s' if count != 1 else ''} to fix. Nothing was changed."
        )
        return "\n".join([heading, *self.lines])


# --- YAML that remembers line numbers ------------------------------------------------------------


class LineDict(dict[Any, Any]):
    """A YAML mapping that knows its line and the line of each key (1-based)."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    """A YAML sequence that knows its line and the line of each item (1-based)."""

    def __init__(self, items: Iterable[Any], line: int, item_lines: list[int]) -> None:
        super().__init__(items)
        self.line = line
        self.item_lines = item_lines

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings and sequences remember `node.start_mark.line + 1`, and which
    reports a key given twice in one mapping (plain YAML keeps the last one silently)."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[Problem] = []


def _construct_mapping(loader: LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    data = LineDict(node.start_mark.line + 1)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            seen = key in data
        except TypeError:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping", node.start_mark, "a key here cannot be used as a key", key_node.start_mark
            ) from None
        if seen:
            loader.duplicate_keys.append(
                Problem(line, f"'{key}' is given twice in this entry (first on line {data.key_lines[key]}); keep one.")
            )
            continue
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = line
    return data


def _construct_sequence(loader: LineLoader, node: yaml.SequenceNode) -> LineList:
    return LineList(
        (loader.construct_object(child, deep=True) for child in node.value),
        node.start_mark.line + 1,
        [child.start_mark.line + 1 for child in node.value],
    )


LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)  # type: ignore[arg-type]
LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)  # type: ignore[arg-type]


def _yaml_error_problem(exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    reason = f"the file is not valid YAML: {problem}"
    if context and context_mark is not None and context_mark is not mark:
        reason += f" ({context} on line {context_mark.line + 1})"
    reason += ". Check the indentation, the colon after each key, and quotes around values with ':' or '#'."
    return Problem(mark.line + 1 if mark is not None else None, reason)


def read_yaml(text: str, filename: str) -> tuple[Any, list[Problem]]:
    """Parse YAML text with line numbers. Returns the data and the keys given twice (reported with
    the file's other problems); raises PartnershipFileError for a syntax error."""
    loader = LineLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        raise PartnershipFileError(filename, [_yaml_error_problem(exc)]) from exc
    finally:
        loader.dispose()
    return data, loader.duplicate_keys


def read_file(path: str | Path) -> tuple[Any, str, list[Problem]]:
    """Read and parse a partnership file: (data, filename, duplicate-key problems)."""
    filename = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PartnershipFileError(filename, [Problem(None, "no such file. Check the path and try again.")]) from exc
    except UnicodeDecodeError as exc:
        raise PartnershipFileError(
            filename, [Problem(None, "the file is not UTF-8 text. Save it as UTF-8 and try again.")]
        ) from exc
    except OSError as exc:
        raise PartnershipFileError(filename, [Problem(None, f"the file cannot be read: {exc.strerror}.")]) from exc
    data, problems = read_yaml(text, filename)
    return data, filename, problems
