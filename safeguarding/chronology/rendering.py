"""The chronology table's rows as HTML, built in Python.

A child with a long history has thousands of rows; rendering each cell through the template
engine dominated the page's time. The markup here is exactly what the template held, every value
escaped as `django.utils.html.escape` escapes it (`html.escape` of the text: the same characters,
without the lazy-text wrapper and a `SafeString` for each of thousands of cells).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape as html_escape

from django.utils.safestring import SafeString, mark_safe

from safeguarding.chronology.exports import RowCells
from safeguarding.chronology.merged import ChronologyRow


def escape(text: object) -> str:
    """What `django.utils.html.escape` returns, as plain text (it is marked safe once, whole)."""
    return html_escape(str(text))


def _multiline(text: str, empty: str = "") -> str:
    """Like the `linebreaksbr` filter (with `default`): escaped, line breaks as <br>."""
    if not text:
        return empty
    return escape(text.replace("\r\n", "\n").replace("\r", "\n")).replace("\n", "<br>")


def table_rows(rows: Iterable[tuple[ChronologyRow, RowCells]], *, entry_base: str, show_children: bool) -> SafeString:
    parts: list[str] = []
    for row, cells in rows:
        pk = row.event.pk
        highlight_class = " app-chronology__row--highlight" if row.highlight_kinds else ""
        type_cell: str = escape(cells.type)
        if cells.category_value:
            type_cell += f'<br><span class="govuk-body-s">{escape(cells.category_value)}</span>'
        if cells.highlights:
            highlights = escape(cells.highlights)
            type_cell += f'<br><strong class="govuk-tag govuk-tag--orange">Highlight: {highlights}</strong>'
        if cells.restricted:
            type_cell += '<br><strong class="govuk-tag govuk-tag--red">Restricted</strong>'
        summary_cell = _multiline(cells.summary)
        if cells.entered_in_error:
            # Kept for the record, struck through, with the reason; it counts in no highlight or alert.
            highlight_class += " app-entered-in-error"
            type_cell += '<br><strong class="govuk-tag govuk-tag--grey">Entered in error</strong>'
            summary_cell = (
                f'<del><span class="govuk-visually-hidden">Entered in error: </span>{summary_cell}</del>'
                f'<br><span class="govuk-body-s">Reason: {_multiline(cells.entered_in_error)}</span>'
            )
        children_cell = f'<td class="govuk-table__cell">{escape(cells.children)}</td>' if show_children else ""
        parts.append(
            f'<tr class="govuk-table__row{highlight_class}" id="entry-{pk}">'
            f'<td class="govuk-table__cell"><a class="govuk-link" href="{escape(entry_base)}{pk}/">'
            f"{escape(cells.date)}</a></td>"
            f'<td class="govuk-table__cell">{escape(cells.agencies)}</td>'
            f"{children_cell}"
            f'<td class="govuk-table__cell">{type_cell}</td>'
            f'<td class="govuk-table__cell">{summary_cell}</td>'
            f'<td class="govuk-table__cell">{_multiline(cells.impact, "–")}</td>'
            f'<td class="govuk-table__cell">{_multiline(cells.action, "–")}</td>'
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
