"""GOV.UK page patterns shared by every app.

`{% load govuk %}{% error_summary form formset … %}`: ONE "There is a problem" box for a page with several
forms or formsets (GOV.UK: one error summary per page, above the heading), each message linking to its
field. `{% if form|has_errors %}` (or `{% any_errors form formset as errors %}`) for the "Error: " that
the page title then starts with.
"""

from __future__ import annotations

from typing import Any

from django import forms, template

register = template.Library()


def _target(field: Any) -> str:
    return getattr(field, "govuk_error_target_id", "") or field.id_for_label or field.auto_id or ""


def _form_items(form: forms.BaseForm) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    visible = form.visible_fields()
    first = _target(visible[0]) if visible else ""
    items += [(str(error), first) for error in form.non_field_errors()]
    for field in form.hidden_fields():
        items += [(str(error), "") for error in field.errors]
    for field in visible:
        items += [(str(error), _target(field)) for error in field.errors]
    return items


def error_items(*forms_or_formsets: Any) -> list[tuple[str, str]]:
    """(message, id of the input it links to) for every error of the forms and formsets given, in page order."""
    items: list[tuple[str, str]] = []
    for thing in forms_or_formsets:
        if thing is None or not getattr(thing, "is_bound", False):
            continue
        if isinstance(thing, forms.BaseFormSet):
            rows = list(thing.forms)
            first = rows[0].visible_fields() if rows else []
            first_id = _target(first[0]) if first else ""
            items += [(str(error), first_id) for error in thing.non_form_errors()]
            for row in rows:
                items += _form_items(row)
        else:
            items += _form_items(thing)
    return items


@register.inclusion_tag("includes/error_summary_many.html")
def error_summary(*forms_or_formsets: Any) -> dict[str, Any]:
    return {"items": error_items(*forms_or_formsets)}


@register.simple_tag
def any_errors(*forms_or_formsets: Any) -> bool:
    return bool(error_items(*forms_or_formsets))


@register.filter
def action_label(code: str) -> str:
    """`{{ row.action|action_label }}`: an activity-log action in plain words (never the code)."""
    from safeguarding.core.action_labels import action_label as label

    return label(code)
