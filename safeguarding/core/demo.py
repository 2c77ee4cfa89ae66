"""Demo-data steps: `seed_demo` lays down the partnership and families, then runs each step that a
feature app registered in its AppConfig.ready() (e.g. chronology entries, escalations), in order.

Core imports no feature app; each app says how to add its own synthetic demo data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DemoContext:
    size: str  # "small" or "large"
    seed: int
    log: Callable[[str], None]


DemoStep = Callable[[DemoContext], None]

_steps: list[tuple[int, str, DemoStep]] = []


def register(name: str, step: DemoStep, *, order: int) -> None:
    if any(n == name for _, n, _ in _steps):
        return
    _steps.append((order, name, step))
    _steps.sort(key=lambda row: row[0])


def run_steps(ctx: DemoContext) -> None:
    for _, _, step in _steps:
        step(ctx)
