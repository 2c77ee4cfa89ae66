"""The size limits (`scripts/sizes.py`, run by `make lint`): they catch what they promise to."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[3]


def _sizes() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sizes", ROOT / "scripts" / "sizes.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_long_function_and_a_long_module_are_reported(tmp_path: Path) -> None:
    sizes = _sizes()
    body = "\n".join(f"    x{n} = {n}" for n in range(80))
    (tmp_path / "long_function.py").write_text(f"@staticmethod\ndef too_long():\n{body}\n")
    (tmp_path / "long_module.py").write_text("x = 1\n" * 601)
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "0001_initial.py").write_text("x = 1\n" * 700)
    found = sizes.over_limits([str(tmp_path)])
    assert len(found) == 2
    assert any("too_long is 82 lines" in line for line in found)
    assert any("long_module.py: module of 601 lines" in line for line in found)


def test_the_code_is_within_the_limits() -> None:
    sizes = _sizes()
    assert sizes.over_limits([str(ROOT / root) for root in sizes.ROOTS]) == []
