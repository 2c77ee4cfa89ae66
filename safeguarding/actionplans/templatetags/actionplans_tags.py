"""Status and RAG tags for action plan pages: the GOV.UK tag colour for each value."""

from __future__ import annotations

from django import template

register = template.Library()

STATUS_CLASSES = {
    "not_started": "govuk-tag--grey",
    "on_track": "govuk-tag--green",
    "at_risk": "govuk-tag--yellow",
    "off_track": "govuk-tag--red",
    "complete": "govuk-tag--blue",
    "complete_with_impact": "govuk-tag--blue",
}
RAG_CLASSES = {
    "red": "govuk-tag--red",
    "amber": "govuk-tag--orange",
    "green": "govuk-tag--green",
    "blue": "govuk-tag--blue",
}


@register.filter
def status_class(value: str) -> str:
    return STATUS_CLASSES.get(value, "govuk-tag--grey")


@register.filter
def rag_class(value: str) -> str:
    return RAG_CLASSES.get(value, "govuk-tag--grey")


@register.filter
def uk_date(value: str | None) -> str:
    """An ISO date from a snapshot, as 27/03/2026."""
    if not value:
        return ""
    y, m, d = str(value).split("-")
    return f"{d}/{m}/{y}"
