"""The yearly report data pack: the XLSX (read back with openpyxl) and the PDF (text by pdftotext) hold
the same figures as the dashboard; formula-like text is neutralised; the operators' command writes both."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from safeguarding.core.models import ActivityLog
from safeguarding.dashboards import exports, periods
from safeguarding.dashboards.figures import build_figures
from safeguarding.dashboards.tests.conftest import Dataset

TODAY = date(2026, 11, 26)
FY = periods.financial_year(2025)


def _sheets(content: bytes) -> dict[str, list[tuple[Any, ...]]]:
    import io

    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content))
    return {
        ws.title: [tuple(c for c in row if c is not None) for row in ws.iter_rows(values_only=True)] for ws in workbook
    }


def _pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "pack.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_xlsx_holds_a_cover_and_one_sheet_per_section_with_the_figures(dataset: Dataset) -> None:
    sheets = _sheets(exports.xlsx(build_figures(FY, today=TODAY)))
    assert list(sheets) == [
        "Cover",
        "Case reviews",
        "Action plans",
        "Escalations",
        "Learning",
    ]
    cover = sheets["Cover"]
    assert ("Period", "Financial year 2025 to 2026 (1 April 2025 to 31 March 2026)") in cover
    assert any(row and row[0] == "Generated at" for row in cover)
    reviews = sheets["Case reviews"]
    assert ("Reviews in progress", 4) in reviews
    rule = "15 working days from the day the partners became aware (Working Together 2018, chapter 4; 2023, chapter 5)"
    assert ("Rapid review", rule, 2, 0, 0, 1, 2, 1) in reviews
    plans = sheets["Action plans"]
    assert ("Actions overdue", 3) in plans
    assert ("Percentage complete", "33%") in plans
    overdue = [row for row in plans if row and str(row[0]).endswith("-A3")]
    officer = dataset.dc.statutory_senior.get_full_name()
    assert overdue[0][3:7] == ("Test Police", officer, overdue[0][5], 30)
    assert overdue[0][5].date() == date(2026, 3, 1)  # a real date cell, shown day first
    escalations = sheets["Escalations"]
    assert ("Escalations raised", 5) in escalations
    assert ("Median working days to resolve", 7) in escalations
    learning = sheets["Learning"]
    assert ("Neglect", 2) in learning
    assert ("Learning-flagged items", 5) in learning


def test_xlsx_neutralises_formula_like_text(dataset: Dataset) -> None:
    dataset.plan.title = '=HYPERLINK("http://example.invalid")'
    dataset.plan.save(update_fields=["title"])
    sheets = _sheets(exports.xlsx(build_figures(FY, today=TODAY)))
    cells = [c for row in sheets["Action plans"] for c in row if isinstance(c, str)]
    assert '\'=HYPERLINK("http://example.invalid")' in cells
    assert not any(c.startswith("=") for c in cells)


def test_pdf_holds_the_same_figures_and_embeds_the_charts(dataset: Dataset, tmp_path: Path) -> None:
    content = exports.pdf(build_figures(FY, today=TODAY))
    assert content.startswith(b"%PDF")
    text = _pdf_text(content, tmp_path)
    assert "Partnership yearly report data pack" in text
    assert "1 April 2025 to 31 March 2026" in text
    assert "Generated at" in text
    for line in (
        "Reviews in progress",
        "Statutory clocks overdue",
        "Actions overdue",
        "Median working days to resolve",
        "Learning-flagged items",
    ):
        assert line in text
    assert f"{dataset.plan.reference}-A3" in text
    # The charts are drawn from SVG: vectors and text in the PDF (their labels, the axis), no pictures.
    assert "Days overdue" in text
    path = tmp_path / "pack.pdf"
    images = subprocess.run(["pdfimages", "-list", str(path)], check=True, capture_output=True, text=True).stdout
    assert len(images.strip().splitlines()) == 2  # the listing's two header lines and no image


def test_pdf_download_from_the_page(dataset: Dataset, client_for: Any, tmp_path: Path) -> None:
    response = client_for(dataset.dc.business).get("/dashboard/pack.pdf?period=custom&start=1/4/2025&end=31/3/2026")
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content, tmp_path)
    assert f"{dataset.plan.reference}-A5" in text


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_command_writes_the_pack_for_the_financial_year(dataset: Dataset, tmp_path: Path, fmt: str) -> None:
    output = tmp_path / f"pack.{fmt}"
    call_command("yearly_report_pack", "--year", "2025", "--format", fmt, "--output", str(output))
    content = output.read_bytes()
    if fmt == "xlsx":
        assert ("Escalations raised", 5) in _sheets(content)["Escalations"]
    else:
        assert "1 April 2025 to 31 March 2026" in _pdf_text(content, tmp_path)
    log = ActivityLog.objects.get(action="dashboard.pack_written")
    assert log.changes == {"format": fmt, "start": "2025-04-01", "end": "2026-03-31"}


def test_command_refuses_a_bad_year_and_an_unwritable_file(dc: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--year must be from 2000"):
        call_command("yearly_report_pack", "--year", "1999", "--format", "xlsx", "--output", str(tmp_path / "x"))
    with pytest.raises(CommandError, match="Could not write"):
        call_command("yearly_report_pack", "--year", "2025", "--format", "xlsx", "--output", str(tmp_path / "no/x"))
