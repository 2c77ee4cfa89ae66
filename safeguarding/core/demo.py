"""Demo-data steps: `seed_demo` lays down the partnership and families, then runs each step that a
feature app registered in its AppConfig.ready() (e.g. chronology entries, escalations), in order.

Core imports no feature app; each app says how to add its own synthetic demo data.
"""

from __future__ import annotations

import time
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


class DemoStepError(Exception):
    """A demo step failed; the message names the step and the cause (the caller rolls back)."""


def run_steps(ctx: DemoContext) -> None:
    """Each registered step in order, each timed in the log. A failure is raised as DemoStepError
    naming the step, so the operator knows where it stopped (`seed_demo` then rolls everything back)."""
    for _, name, step in _steps:
        started = time.monotonic()
        try:
            step(ctx)
        except Exception as exc:
            raise DemoStepError(f"The {name!r} demo step failed: {exc}") from exc
        ctx.log(f"  [{name}: {time.monotonic() - started:.1f} s]")
