"""A faster way for WeasyPrint to draw an SVG `<text>` that is one plain run of text.

WeasyPrint 70 draws every SVG `<text>` letter by letter: it lays out each character with Pango on its
own and writes each as its own text object, so that per-letter `x`, `dx`, `rotate`, `letter-spacing`
and `textLength` can be honoured. Our charts (`core.svgcharts`) use none of those: each label is one
`<text x= y=>` with a text-anchor. On the data pack (8 charts, ~140 labels, ~900 letters) the letters
were a fifth of the PDF's CPU time. Here such a `<text>` is laid out once as a whole, with the same
style, position and bounding box (so text-anchor still works), and drawn as one text object: Pango
shapes the run as a word processor would (kerning included), which moves a glyph by at most about a
point. Upstream discussed the same change (Kozea/WeasyPrint#2249, #2754: a whole chunk shaped when no
glyph-specific attribute is given), not released in 70.

Anything else (children such as `<tspan>`, several coordinates, per-letter attributes, baseline
alignment, an empty text) goes to WeasyPrint's own function, unchanged. `install()` replaces the function
only for the WeasyPrint version it was written against (`FOR_VERSION`); with another version it does
nothing, and WeasyPrint draws letter by letter as before (`core/tests/test_pdf_svgtext.py` says so).
"""

from __future__ import annotations

import importlib
import re
from math import inf
from typing import Any

FOR_VERSION = "70.0"
# Attributes that place or space glyphs one by one: the letter-by-letter drawing is needed for them.
PER_LETTER = ("dx", "dy", "rotate", "letter-spacing", "textLength", "lengthAdjust")
BASELINE = ("display-anchor", "dominant-baseline", "alignment-baseline")

_original: Any = None


def installed() -> bool:
    return _original is not None


def install() -> bool:
    """Use `draw_text` for SVG text in this process (idempotent); False if WeasyPrint is another version."""
    global _original
    import weasyprint
    import weasyprint.svg as svg_package

    if _original is not None:
        return True
    if weasyprint.__version__ != FOR_VERSION:
        return False
    original = importlib.import_module("weasyprint.svg.text").text
    for tag, function in list(svg_package.TAGS.items()):
        if function is original:
            svg_package.TAGS[tag] = draw_text
    # draw_node recognises text nodes by comparing with the package's `text` (for text-anchor): keep it true.
    svg_package.text = draw_text  # type: ignore[attr-defined]
    _original = original
    return True


# Separators in an SVG list of numbers: white space, commas, or a minus sign starting the next number.
_SEPARATOR = re.compile(r"[\s,]+|(?<=[\d.])(?=-)")


def _single(value: str | None) -> bool:
    return value is None or len(_SEPARATOR.split(value.strip())) == 1


def is_plain(node: Any) -> bool:
    """A `<text>` holding only text, at one position, with nothing placed or spaced letter by letter."""
    attrib = node.attrib
    return (
        node.tag == "text"
        and bool(node.text)
        and len(node._etree_node) == 0
        and not any(name in attrib for name in PER_LETTER + BASELINE)
        and _single(attrib.get("x"))
        and _single(attrib.get("y"))
    )


def _style(svg: Any, node: Any, font_size: float) -> Any:
    """The style WeasyPrint's own SVG text function builds (its INITIAL_VALUES and the node's font)."""
    from weasyprint.css.properties import INITIAL_VALUES

    style = importlib.import_module("weasyprint.svg.text").Style()
    style.update(INITIAL_VALUES)
    style.font_config = svg.font_config
    style["font_family"] = [font.strip("\"'") for font in node.get("font-family", "sans-serif").split(",")]
    style["font_style"] = node.get("font-style", "normal")
    weight = {"normal": 400, "bold": 700}.get(node.get("font-weight", 400), node.get("font-weight", 400))
    try:
        style["font_weight"] = int(weight)
    except ValueError:
        style["font_weight"] = 400
    style["font_size"] = font_size
    if node.get("direction") in ("ltr", "rtl"):
        style["direction"] = node.get("direction")
    return style


def draw_text(svg: Any, node: Any, font_size: float) -> None:
    """WeasyPrint's SVG text drawing, for a plain `<text>` in one run (see the module's docstring)."""
    if not is_plain(node):
        _original(svg, node, font_size)
        return
    from weasyprint.draw.text import draw_emojis, draw_first_line
    from weasyprint.matrix import Matrix
    from weasyprint.svg.bounding_box import extend_bounding_box
    from weasyprint.svg.utils import normalize, size
    from weasyprint.text.line_break import split_first_line

    style = _style(svg, node, font_size)
    layout, _, _, width, height, baseline = split_first_line(node.text, style, svg.context, inf, 0)
    x, y = svg.cursor_position
    if "x" in node.attrib:
        x = size(normalize(node.attrib["x"]).strip(), font_size, svg.inner_width)
        svg.cursor_d_position[0] = 0
    if "y" in node.attrib:
        y = size(normalize(node.attrib["y"]).strip(), font_size, svg.inner_height)
        svg.cursor_d_position[1] = 0
    svg.cursor_position = x + width, y
    left, bottom = x + svg.cursor_d_position[0], y + svg.cursor_d_position[1]
    node.text_bounding_box = extend_bounding_box(
        node.text_bounding_box, ((left, bottom - baseline), (left + width, bottom - baseline + height))
    )
    svg.stream.push_state()
    fill, stroke = svg.set_graphical_state(node, font_size)
    svg.stream.begin_text()
    layout.reactivate(style)
    svg.fill_stroke(fill, stroke, text=True)
    box = importlib.import_module("weasyprint.svg.text").TextBox(layout, style)
    box.baseline = baseline
    emojis = draw_first_line(svg.stream, box, "none", "none", Matrix(a=1, d=-1, e=left, f=bottom))
    svg.stream.end_text()
    svg.stream.pop_state()
    draw_emojis(svg.stream, style, x, y, emojis)
