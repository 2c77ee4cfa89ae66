import datetime as dt

from safeguarding.chronology.exports import RowCells
from safeguarding.chronology.merged import ChronologyRow
from safeguarding.chronology.models import Event
from safeguarding.chronology.rendering import table_rows


def cells(**overrides):
    values = {
        "date": "3 March 2025",
        "agencies": "Test Police",
        "type": "Police attendance",
        "category_value": "",
        "summary": "Line one\r\nLine <two> & more",
        "impact": "",
        "action": "Referred",
        "children": "",
        "highlights": "",
        "restricted": False,
    }
    values.update(overrides)
    return RowCells(**values)


def row(pk=7, kinds=()):
    event = Event(pk=pk, occurred_on=dt.date(2025, 3, 3), summary="x")
    return ChronologyRow(event=event, sources=[event], child_ids=frozenset(), highlight_kinds=set(kinds))


def test_rows_escape_text_and_keep_line_breaks():
    html = table_rows([(row(), cells())], entry_base="/chronology/entries/", show_children=False)
    assert "Line one<br>Line &lt;two&gt; &amp; more" in html
    assert "<two>" not in html
    assert 'href="/chronology/entries/7/"' in html
    assert '<td class="govuk-table__cell">–</td>' in html  # empty impact shows a dash


def test_highlighted_and_restricted_rows_are_marked_and_children_shown_on_request():
    html = table_rows(
        [(row(kinds={"gap"}), cells(highlights="Gap in contact", restricted=True, children="Ellis; Robin"))],
        entry_base="/e/",
        show_children=True,
    )
    assert "app-chronology__row--highlight" in html
    assert "Highlight: Gap in contact" in html
    assert "Restricted" in html
    assert "Ellis; Robin" in html


def test_entry_links_point_at_rows_and_escape_dates():
    from safeguarding.chronology.rendering import entry_links

    html = entry_links([row(pk=3), row(pk=4)])
    assert html == (
        '<a class="govuk-link" href="#entry-3">3 March 2025</a>, <a class="govuk-link" href="#entry-4">3 March 2025</a>'
    )


def test_a_long_highlight_links_its_first_dates_and_counts_the_rest():
    from safeguarding.chronology.rendering import MAX_ENTRY_LINKS, entry_links

    html = entry_links([row(pk=n) for n in range(1, MAX_ENTRY_LINKS + 6)])
    assert html.count("<a ") == MAX_ENTRY_LINKS
    assert html.endswith(" and 5 more, marked in the table")
