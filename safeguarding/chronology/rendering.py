"""The chronology table's rows as HTML, built in Python.

A child with a long history has thousands of rows; rendering each cell through the template
engine dominated the page's time. The markup here is exactly what the template held, every value
escaped as `django.utils.html.escape` escapes it (`html.escape` of the text: the same characters,
without the lazy-text wrapper and a `SafeString` for each of thousands of cells).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape as html_escape

from django.forms import BaseForm, BoundField, NumberInput, Select, Widget
from django.forms.widgets import Input
from django.utils.safestring import SafeData, SafeString, mark_safe

from safeguarding.chronology.exports import RowCells
from safeguarding.chronology.merged import ChronologyRow
from safeguarding.core.forms import CHECKBOX, CHECKBOXES, INPUT, RADIOS, SELECT, GovUKBoundField


def escape(text: object) -> str:
    """What `django.utils.html.escape` returns, as plain text (it is marked safe once, whole)."""
    return html_escape(str(text))


# The texts of a row, escaped together with every other row's (see `_escape_all`).
_SEPARATOR = "\x00"
NEWLINE = "\n"


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _escape_all(texts: list[str]) -> list[str]:
    """`escape` of each text, in one pass over them all: escaping is character by character, so the
    texts joined by a character it leaves alone, escaped, then split, are each text escaped (one
    `html.escape` instead of ten a row). A text holding the separator itself is escaped one by one."""
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) != len(texts) - 1:
        return [html_escape(text) for text in texts]
    return html_escape(joined).split(_SEPARATOR) if texts else []


def table_rows(rows: Iterable[tuple[ChronologyRow, RowCells]], *, entry_base: str, show_children: bool) -> SafeString:
    rows = list(rows)
    # Ten texts a row, in this order; the multi-line ones with their line breaks made "\n".
    texts: list[str] = []
    for _row, cells in rows:
        texts += (
            str(cells.date),
            str(cells.agencies),
            str(cells.type),
            str(cells.category_value),
            str(cells.highlights),
            _lines(cells.summary),
            _lines(cells.entered_in_error),
            str(cells.children),
            _lines(cells.impact),
            _lines(cells.action),
        )
    escaped = _escape_all(texts)
    base = escape(entry_base)
    parts: list[str] = []
    for at, (row, cells) in enumerate(rows):
        date, agencies, type_cell, category_value, highlights, summary, reason, children, impact, action = escaped[
            at * 10 : at * 10 + 10
        ]
        pk = row.event.id
        highlight_class = " app-chronology__row--highlight" if row.highlight_kinds else ""
        if cells.category_value:
            type_cell += f'<br><span class="govuk-body-s">{category_value}</span>'
        if cells.highlights:
            type_cell += f'<br><strong class="govuk-tag govuk-tag--orange">Highlight: {highlights}</strong>'
        if cells.restricted:
            type_cell += '<br><strong class="govuk-tag govuk-tag--red">Restricted</strong>'
        # Like the `linebreaksbr` filter (with `default`): escaped, line breaks as <br>.
        summary_cell = summary.replace(NEWLINE, "<br>")
        if cells.entered_in_error:
            # Kept for the record, struck through, with the reason; it counts in no highlight or alert.
            highlight_class += " app-entered-in-error"
            type_cell += '<br><strong class="govuk-tag govuk-tag--grey">Entered in error</strong>'
            summary_cell = (
                f'<del><span class="govuk-visually-hidden">Entered in error: </span>{summary_cell}</del>'
                f'<br><span class="govuk-body-s">Reason: {reason.replace(NEWLINE, "<br>")}</span>'
            )
        children_cell = f'<td class="govuk-table__cell">{children}</td>' if show_children else ""
        parts.append(
            f'<tr class="govuk-table__row{highlight_class}" id="entry-{pk}">'
            f'<td class="govuk-table__cell"><a class="govuk-link" href="{base}{pk}/">'
            f"{date}</a></td>"
            f'<td class="govuk-table__cell">{agencies}</td>'
            f"{children_cell}"
            f'<td class="govuk-table__cell">{type_cell}</td>'
            f'<td class="govuk-table__cell">{summary_cell}</td>'
            f'<td class="govuk-table__cell">{impact.replace(NEWLINE, "<br>") if impact else "–"}</td>'
            f'<td class="govuk-table__cell">{action.replace(NEWLINE, "<br>") if action else "–"}</td>'
            "</tr>\n"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


# A highlight over a long history can cover hundreds of entries; its first few dates are links, and
# every entry in it is marked in the table.
MAX_ENTRY_LINKS = 12


def entry_links(rows: Sequence[ChronologyRow]) -> SafeString:
    """The dates of a highlight's rows, each a link to its row in the table, comma-separated."""
    shown = [
        f'<a class="govuk-link" href="#entry-{row.event.pk}">{escape(row.event.display_date)}</a>'
        for row in rows[:MAX_ENTRY_LINKS]
    ]
    more = len(rows) - len(shown)
    text = ", ".join(shown)
    if more > 0:
        text += f" and {more} more, marked in the table"
    return mark_safe(text)  # noqa: S308 - every value above is escaped


# --- The filter form's fields -------------------------------------------------------------------------
#
# `{{ form }}` renders each field through `govuk/forms/field.html` and Django's widget templates (one
# template per option: ~40 for the filter form's agencies and types), about a quarter of a chronology
# page's CPU on the demo. `filter_form` writes the same markup from the same bound fields (their widget
# attributes, values, choices, errors and hints, as Django works them out), for the kinds of field the
# filter form has; any other kind is rendered by its template. A test compares the two renderings.


def _text(value: object) -> str:
    """`{{ value }}` in a template: escaped unless already marked safe."""
    return str(value) if isinstance(value, SafeData) else html_escape(str(value))


def _attrs(attrs: dict[str, object]) -> str:
    """`django/forms/widgets/attrs.html`."""
    return "".join(
        f" {name}" if value is True else f' {name}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _hint(field: BoundField, classes: str = "") -> str:
    if not field.help_text:
        return ""
    id_attr = f' id="{field.auto_id}_helptext"' if field.auto_id else ""
    extra = f" {classes}" if classes else ""
    return f'<div{id_attr} class="govuk-hint{extra}">{field.help_text}</div>'


def _error_message(field: BoundField) -> str:
    if not field.errors:
        return ""
    id_attr = f' id="{field.auto_id}_error"' if field.auto_id else ""
    messages = "<br>".join(_text(error) for error in field.errors)
    return f'<p{id_attr} class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> {messages}</p>'


def _label(field: GovUKBoundField, classes: str = "") -> str:
    if not field.label:
        return ""
    for_attr = f' for="{_text(field.id_for_label)}"' if field.id_for_label else ""
    optional = " (optional)" if field.govuk_optional else ""
    extra = f" {classes}" if classes else ""
    return f'<label class="govuk-label{extra}"{for_attr}>{_text(field.label)}{optional}</label>'


def _widget(field: GovUKBoundField) -> str:
    """`BoundField.as_widget()` for an input or a select, written out instead of through its template."""
    widget: Widget = field.field.widget
    if isinstance(widget, NumberInput):
        widget = field._numeric_text_input(widget)  # as GovUKBoundField.as_widget does
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    if isinstance(widget, Select):
        groups = []
        for group, group_options, _index in context["optgroups"]:
            options = "".join(
                f'<option value="{_text(option["value"])}"{_attrs(option["attrs"])}>{_text(option["label"])}</option>'
                for option in group_options
            )
            groups.append(f'<optgroup label="{_text(group)}">{options}</optgroup>' if group else options)
        return f'<select name="{_text(context["name"])}"{_attrs(context["attrs"])}>{"".join(groups)}</select>'
    value = f' value="{_text(context["value"])}"' if context["value"] is not None else ""
    return f'<input type="{context["type"]}" name="{_text(context["name"])}"{value}{_attrs(context["attrs"])}>'


def _field_group(field: GovUKBoundField) -> str:
    """`govuk/forms/field.html` for checkboxes, radios, a single checkbox, a select or an input."""
    kind = field.govuk_kind
    error_class = " govuk-form-group--error" if field.errors else ""
    if kind in (CHECKBOXES, RADIOS):
        described = f' aria-describedby="{_text(field.aria_describedby)}"' if field.aria_describedby else ""
        legend = (
            f'<legend class="govuk-fieldset__legend">{_text(field.label)}'
            f"{' (optional)' if field.govuk_optional else ''}</legend>"
            if field.label
            else ""
        )
        options = "".join(
            f'<div class="govuk-{kind}__item">'
            f'<input type="{option.data["type"]}" name="{_text(option.data["name"])}"'
            f"{_option_value(option.data['value'])}{_attrs(option.data['attrs'])}>"
            f'<label class="govuk-label govuk-{kind}__label" for="{_text(option.id_for_label)}">'
            f"{_text(option.choice_label)}</label></div>"
            for option in field.subwidgets
        )
        return (
            f'<div class="govuk-form-group{error_class}"><fieldset class="govuk-fieldset"{described}>{legend}'
            f'{_hint(field)}{_error_message(field)}<div class="govuk-{kind}" data-module="govuk-{kind}">{options}</div>'
            "</fieldset></div>"
        )
    if kind == CHECKBOX:
        return (
            f'<div class="govuk-form-group{error_class}">{_error_message(field)}'
            '<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">'
            f'<div class="govuk-checkboxes__item">{_widget(field)}{_label(field, "govuk-checkboxes__label")}'
            f"{_hint(field, 'govuk-checkboxes__hint')}</div></div></div>"
        )
    return (
        f'<div class="govuk-form-group{error_class}">{_label(field)}{_hint(field)}{_error_message(field)}'
        f"{_widget(field)}</div>"
    )


def _option_value(value: object) -> str:
    """`input.html`'s value attribute for an option (left out when None)."""
    return f' value="{_text(value)}"' if value is not None else ""


_WRITTEN_KINDS = (CHECKBOXES, RADIOS, CHECKBOX, SELECT, INPUT)


def filter_form(form: BaseForm) -> SafeString:
    """What `{{ form }}` renders (`govuk/forms/form.html`), for the chronology's filter form."""
    context = form.get_context()  # what the form template is given: its top errors, fields, hidden fields
    parts: list[str] = []
    if context["errors"]:
        messages = "<br>".join(_text(error) for error in context["errors"])
        parts.append(f'<p class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> {messages}</p>')
    for field, _errors in context["fields"]:
        assert isinstance(field, GovUKBoundField)
        kind = field.govuk_kind
        written = kind in _WRITTEN_KINDS and (kind != INPUT or isinstance(field.field.widget, Input))
        parts.append(_field_group(field) if written else str(field.as_field_group()))
    parts.extend(str(field) for field in context["hidden_fields"])
    return mark_safe("\n".join(parts))  # noqa: S308 - every value above is escaped as the templates escape it
