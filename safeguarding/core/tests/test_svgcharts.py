"""The small SVG charts: well-formed, named for assistive technology, nothing the CSP blocks."""

from __future__ import annotations

import xml.dom.minidom

from safeguarding.core import svgcharts


def _root(svg: str) -> xml.dom.minidom.Element:
    return xml.dom.minidom.parseString(svg).documentElement


def test_bar_chart_is_small_accessible_svg_without_inline_styles() -> None:
    svg = svgcharts.bar_chart(
        "Escalations by reason",
        "Bar chart of escalations by reason.",
        ["Threshold <disagreement>", "Plan not followed"],
        [("Raised", [5, 2]), ("Received", [3, 0])],
        unit="Escalations",
    )
    root = _root(svg)
    assert root.getAttribute("role") == "img"
    assert root.getAttribute("class") == "app-chart"
    title_id, desc_id = root.getAttribute("aria-labelledby").split()
    titles = {e.getAttribute("id"): e.firstChild.data for e in root.getElementsByTagName("title")}
    assert titles[title_id] == "Escalations by reason"
    assert root.getElementsByTagName("desc")[0].getAttribute("id") == desc_id
    assert "style" not in svg  # neither attributes nor a <style> element: the CSP allows neither
    assert "&lt;disagreement&gt;" in svg  # labels are escaped
    assert len(root.getElementsByTagName("rect")) == 3 + 2  # three bars above zero, two legend keys
    assert len(svg) < 6_000


def test_stacked_bars_total_and_empty_chart() -> None:
    svg = svgcharts.bar_chart("Grades", "d", ["Area"], [("Good", [2]), ("Poor", [3])], unit="Grades", stacked=True)
    assert ">5</text>" in svg  # the total at the end of the bar
    empty = svgcharts.bar_chart("Nothing", "d", [], [("x", [])], unit="x", empty="None in this period")
    assert "None in this period" in empty


def test_line_chart_marks_missing_values_and_puts_the_best_grade_on_top() -> None:
    svg = svgcharts.line_chart(
        "Physical care",
        "d",
        ["Nutrition", "Housing", "Hygiene"],
        [("First", [3, None, 1]), ("Second", [2, 2, 2])],
        scale=[1, 2, 3, 4, 5],
        axis_label="Grade (1 is best)",
        lowest_at_top=True,
    )
    root = _root(svg)
    assert len(root.getElementsByTagName("polyline")) == 2
    first = root.getElementsByTagName("polyline")[0].getAttribute("points").split()
    assert len(first) == 2  # the missing grade is left out, not drawn as zero
    assert float(first[1].split(",")[1]) < float(first[0].split(",")[1])  # grade 1 above grade 3


def test_two_charts_on_one_page_have_different_ids() -> None:
    one = svgcharts.bar_chart("A", "d", ["x"], [("n", [1])], unit="n")
    two = svgcharts.bar_chart("B", "d", ["x"], [("n", [1])], unit="n")
    assert _root(one).getAttribute("aria-labelledby") != _root(two).getAttribute("aria-labelledby")


def test_nice_ticks() -> None:
    assert svgcharts.nice_ticks(11) == [0, 2, 4, 6, 8, 10, 12]
    assert svgcharts.nice_ticks(0) == [0, 1]
    assert svgcharts.nice_ticks(3) == [0, 1, 2, 3]


def test_a_half_column_chart_is_drawn_at_its_width_and_every_label_starts_inside_it() -> None:
    # Drawn 640 wide and shown in half a column, a chart's labels were scaled down to about 9 px.
    long_label = "Children on a plan with an objective past its date and not yet met"
    svg = svgcharts.bar_chart(
        "Reviews", "Bar chart.", [long_label, "Short"], [("Reviews", [4, 1])], unit="Reviews", width=440
    )
    root = _root(svg)
    assert (root.getAttribute("width"), root.getAttribute("viewBox")) == (
        "440",
        f"0 0 440 {root.getAttribute('height')}",
    )
    for text in root.getElementsByTagName("text"):
        content, x = text.firstChild.data, float(text.getAttribute("x"))
        if text.getAttribute("text-anchor") == "end":  # a label, right-aligned at the plot's left edge
            assert x - svgcharts.text_width(content, svgcharts.LABEL) >= 0, content
    assert svgcharts.short(long_label) not in svg  # shortened to the room it has
    assert "Children on a plan" in svg


def test_a_chart_on_a_page_sits_in_a_focusable_region_named_for_it_and_a_pdf_gets_an_image() -> None:
    svg = svgcharts.bar_chart("Escalations by <reason>", "Bar chart.", ["A"], [("Raised", [1])], unit="Escalations")
    page = str(svgcharts.html(svg))
    region = _root(page)
    assert region.tagName == "div"
    assert region.getAttribute("class") == "app-chart-scroll"  # scrolls on a phone instead of shrinking
    assert region.getAttribute("role") == "region"
    assert region.getAttribute("tabindex") == "0"
    assert region.getAttribute("aria-label") == "Chart: Escalations by <reason>"
    assert region.getElementsByTagName("svg")[0].getAttribute("class") == "app-chart"
    image = str(svgcharts.html(svg, as_image=True))
    assert image.startswith('<img class="app-chart"')
    assert "app-chart-scroll" not in image
    assert str(svgcharts.html("")) == ""
