"""Panels on the home page: each feature app registers what it shows to whom, in
AppConfig.ready(), so the home page fits the person's roles without core importing features."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from safeguarding.core.types import PersonRequest


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any]


PanelFactory = Callable[[PersonRequest], Panel | None]

_factories: list[tuple[int, str, PanelFactory]] = []


def register(name: str, factory: PanelFactory, *, order: int) -> None:
    if any(n == name for _, n, _ in _factories):
        return
    _factories.append((order, name, factory))
    _factories.sort(key=lambda row: row[0])


def panels_for(request: PersonRequest) -> list[Panel]:
    panels = []
    for _, _, factory in _factories:
        panel = factory(request)
        if panel is not None:
            panels.append(panel)
    return panels
