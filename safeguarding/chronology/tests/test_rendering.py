import datetime as dt

import pytest
from django.test.html import parse_html

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


# --- The filter form: written in Python, the same markup as `{{ form }}` ------------------------------

FILTER_QUERIES = [
    "",
    "agency=a1&agency=a2&type=t3&tag=health&date_from=1/1/2020&date_to=31/12/2020&family=on&gap_days=90",
    # Every field at fault: an unknown agency and type, a date that is no date, a gap too short.
    "agency=a1&agency=zz&type=t9&date_from=soon&date_to=1/1/2020&gap_days=3",
    "date_from=2/1/2020&date_to=1/1/2020&gap_days=x",  # an end before the start
]


def filter_form(query):
    from django.http import QueryDict

    from safeguarding.agencies.models import Agency
    from safeguarding.chronology.forms import ChronologyFilterForm
    from safeguarding.chronology.models import EventType

    agencies = [Agency(pk=i, code=f"a{i}", name=f"Agency <{i}> & 'Co' \"{i}\"") for i in range(4)]
    types = [EventType(pk=i, code=f"t{i}", label=f"Type <{i}>", tags="neglect,health") for i in range(6)]
    form = ChronologyFilterForm(data=QueryDict(query), agencies=agencies, types=types)
    form.filters()  # validated, as the page does before rendering
    return form


@pytest.mark.parametrize("query", FILTER_QUERIES)
def test_the_filter_form_is_written_as_its_templates_render_it(query):
    from safeguarding.chronology.rendering import filter_form as write_form

    form = filter_form(query)
    written = write_form(form)
    assert parse_html(written) == parse_html(str(form))
    if "zz" in query:
        assert 'aria-invalid="true"' in written
        assert "zz is not one of the available choices" in written
    assert "<Type" not in written  # labels escaped
    assert "Agency &lt;1&gt; &amp; &#x27;Co&#x27; &quot;1&quot;" in written


def test_other_kinds_of_field_are_written_or_left_to_their_templates():
    """Radios, grouped options, a required field marked, hidden fields, an error on no field, a
    textarea and a date input (rendered by their templates): the same markup as `{{ form }}`."""
    from django import forms
    from django.http import QueryDict

    from safeguarding.chronology.rendering import filter_form as write_form
    from safeguarding.core.forms import GovUKForm

    class Other(GovUKForm):
        kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B <b>")], widget=forms.RadioSelect, help_text="Pick")
        grouped = forms.ChoiceField(choices=[("", "None"), ("Group <1>", [("x", "X"), ("y", "Y")])], required=False)
        name = forms.CharField(max_length=5, required=False)
        note = forms.CharField(widget=forms.Textarea, required=False)
        when = forms.DateField(required=False)
        version = forms.IntegerField(widget=forms.HiddenInput)

        def clean(self):
            raise forms.ValidationError("Something <odd> happened.")

    for query in ["", "kind=b&grouped=y&name=toolong&note=hi&when=x&version=3", "kind=q&version=x"]:
        form = Other(data=QueryDict(query))
        form.is_valid()
        assert parse_html(write_form(form)) == parse_html(str(form))


def test_every_cell_of_every_row_is_escaped_on_its_own_even_holding_the_separator():
    """The rows' texts are escaped in one pass (joined by a NUL character): each cell's text is still
    escaped and kept in its own cell, and a text that holds a NUL itself is escaped cell by cell."""
    from html import escape

    def rendered(summary_of_second):
        first = cells(summary="A & B", impact="Hurt <3>\r\nOften", action="Told 'them'", highlights="Run <x>")
        second = cells(summary=summary_of_second, agencies='"Police" & Co', category_value="Level <2>")
        return table_rows([(row(1), first), (row(2), second)], entry_base="/e/?a&b/", show_children=True)

    for second in ("Plain", "Holds \x00 a NUL <b>"):
        html = rendered(second)
        first_row, second_row = html.split("</tr>\n")[:2]
        assert 'href="/e/?a&amp;b/1/"' in first_row
        assert '<td class="govuk-table__cell">A &amp; B</td>' in first_row
        assert "Hurt &lt;3&gt;<br>Often" in first_row
        assert "Told &#x27;them&#x27;" in first_row
        assert "Highlight: Run &lt;x&gt;" in first_row
        assert f'<td class="govuk-table__cell">{escape(second)}</td>' in second_row
        assert "&quot;Police&quot; &amp; Co" in second_row
        assert "Level &lt;2&gt;" in second_row
        assert second_row.count("<td") == 7  # date, agencies, children, type, summary, impact, action
