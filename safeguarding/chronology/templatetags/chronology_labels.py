"""`{% load chronology_labels %}{{ event|category_and_value }}`: an entry's category and value in the
vocabulary's words ("Child protection"), never the stored code ("child_protection")."""

from __future__ import annotations

from typing import Any

from django import template

from safeguarding.chronology.exports import category_and_value as _category_and_value

register = template.Library()


@register.filter
def category_and_value(event: Any) -> str:
    return _category_and_value(event)
