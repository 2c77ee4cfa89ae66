"""The size limits of docs/development.md: no module over 600 lines, no function over 80 lines
(migrations aside). `python scripts/sizes.py [paths]` lists what is over; exit status 1 if any."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

MODULE_LINES = 600
FUNCTION_LINES = 80
ROOTS = ("safeguarding", "bench", "scripts", "tests")


def python_files(paths: list[str]) -> Iterator[Path]:
    for root in paths:
        base = Path(root)
        files = [base] if base.is_file() else sorted(base.rglob("*.py"))
        for path in files:
            if "migrations" not in path.parts:
                yield path


def over_limits(paths: list[str]) -> list[str]:
    found = []
    for path in python_files(paths):
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n") + (0 if text.endswith("\n") else 1)
        if lines > MODULE_LINES:
            found.append(f"{path}: module of {lines} lines (limit {MODULE_LINES})")
        for node in ast.walk(ast.parse(text, filename=str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                length = (node.end_lineno or node.lineno) - start + 1
                if length > FUNCTION_LINES:
                    found.append(f"{path}:{node.lineno}: {node.name} is {length} lines (limit {FUNCTION_LINES})")
    return found


def main(argv: list[str]) -> int:
    found = over_limits(argv or list(ROOTS))
    print("\n".join(found) if found else "Every module and function is within the limits.")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
