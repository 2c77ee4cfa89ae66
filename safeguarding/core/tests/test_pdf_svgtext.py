"""`core.pdf_svgtext`: a chart's SVG labels drawn a run at a time read and sit as WeasyPrint's own
letter-by-letter drawing put them; anything else still goes to WeasyPrint's function."""

from __future__ import annotations

import importlib
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
import weasyprint
import weasyprint.svg as svg_package

from safeguarding.core import pdf, pdf_svgtext, svgcharts

WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def _chart() -> str:
    return svgcharts.bar_chart(
        "Escalations by stage",
        "Escalations open at each stage.",
        ["Practitioner to practitioner", "Manager to manager", "Head of service"],
        [("Open", [3, 12, 1]), ("Resolved", [7, 0, 2])],
        unit="Escalations",
    )


def _html(svg: str) -> str:
    return f'<h1>Chart</h1><img src="{svgcharts.data_uri(svg)}" alt="">'


@contextmanager
def _letter_by_letter() -> Iterator[None]:
    """WeasyPrint's own SVG text drawing, as if `install` had not run."""
    original = importlib.import_module("weasyprint.svg.text").text
    tags = {tag: original for tag, function in svg_package.TAGS.items() if function is pdf_svgtext.draw_text}
    with mock.patch.dict(svg_package.TAGS, tags), mock.patch.object(svg_package, "text", original):
        yield


def _words(content: bytes, tmp_path: Path, name: str) -> list[tuple[str, tuple[float, ...]]]:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return [(m[4], tuple(float(v) for v in m[:4])) for m in WORD.findall(out)]


def test_installed_for_the_weasyprint_it_was_written_for() -> None:
    pdf.load()
    assert weasyprint.__version__ == pdf_svgtext.FOR_VERSION, "check core.pdf_svgtext against this WeasyPrint"
    assert pdf_svgtext.installed()
    assert svg_package.TAGS["text"] is pdf_svgtext.draw_text


def test_chart_labels_read_and_sit_as_drawn_letter_by_letter(tmp_path: Path) -> None:
    html = _html(_chart())
    fast = _words(pdf.render_pdf(html), tmp_path, "fast")
    with _letter_by_letter():
        stock = _words(pdf.render_pdf(html), tmp_path, "stock")
    assert [w for w, _ in fast] == [w for w, _ in stock]
    assert {"Practitioner", "Escalations", "Resolved", "12"} <= {w for w, _ in fast}
    # The same places, to within the kerning a whole run gets (at most about a point on these labels).
    assert max(abs(a - b) for (_, p), (_, q) in zip(fast, stock, strict=True) for a, b in zip(p, q, strict=True)) < 2


def test_a_plain_label_is_laid_out_once_not_once_a_letter() -> None:
    pdf.load()
    line_break = importlib.import_module("weasyprint.text.line_break")
    svg = svgcharts.bar_chart("T", "D", ["Housing"], [("Open", [3])], unit="Escalations")
    with mock.patch.object(line_break, "split_first_line", wraps=line_break.split_first_line) as split:
        pdf.render_pdf(_html(svg))
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    svg_calls = [c for c in split.call_args_list if c.args[0] in texts]
    assert len(svg_calls) == len(texts)  # one layout per label (letter by letter: one per letter, and more)


@pytest.mark.parametrize(
    "markup",
    [
        '<text x="10" y="20">Open <tspan font-weight="bold">cases</tspan></text>',
        '<text x="10 20 30" y="20">abc</text>',
        '<text x="10" y="20" dx="2">Spaced</text>',
        '<text x="10" y="20" letter-spacing="3">Spaced</text>',
        '<text x="10" y="20" dominant-baseline="middle">Middle</text>',
    ],
)
def test_anything_placed_letter_by_letter_goes_to_weasyprints_own_drawing(markup: str, tmp_path: Path) -> None:
    pdf.load()
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 40" width="300" height="40">{markup}</svg>'
    original = pdf_svgtext._original
    with mock.patch.object(pdf_svgtext, "_original", wraps=original) as fallback:
        content = pdf.render_pdf(_html(svg))
    fallback.assert_called()
    expected = re.sub(r"<[^>]+>", "", markup).split()
    assert [w for w, _ in _words(content, tmp_path, "fallback")][1:] == expected  # after the heading


def test_another_weasyprint_keeps_its_own_drawing() -> None:
    tags = dict(svg_package.TAGS)
    with (
        mock.patch.object(pdf_svgtext, "_original", None),
        mock.patch.object(weasyprint, "__version__", "99.0"),
        mock.patch.dict(svg_package.TAGS, {}),
    ):
        assert pdf_svgtext.install() is False
        assert tags == svg_package.TAGS
