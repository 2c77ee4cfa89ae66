from __future__ import annotations

from datetime import date
from typing import Any

from django import template

register = template.Library()


@register.filter
def cell(value: Any) -> str:
    """A table cell as text: dates day first, nothing as a dash."""
    if value is None:
        return "–"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)
