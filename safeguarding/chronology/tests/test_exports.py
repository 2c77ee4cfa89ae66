"""PDF and XLSX exports of a chronology: the same rows and filters as the page, formula-like text
neutralised, each export logged against the child."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from safeguarding.agencies.enums import Role
from safeguarding.chronology.exports import neutralise
from safeguarding.chronology.models import EventType
from safeguarding.core.models import ActivityLog
from safeguarding.testing import factories as f
from safeguarding.testing.recording import record_as_involved

pytestmark = pytest.mark.django_db

D0 = dt.date(2025, 1, 6)


def add(actor: Any, agency: Any, child: Any, code: str, days: int, summary: str, **kwargs: Any) -> None:
    record_as_involved(
        actor=actor,
        agency=agency,
        children=[child],
        event_type=EventType.objects.get(code=code),
        occurred_on=D0 + dt.timedelta(days=days),
        summary=summary,
        **kwargs,
    )


def _sheet_values(content: bytes) -> list[tuple[Any, ...]]:
    sheet = load_workbook(io.BytesIO(content))["Chronology"]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+44 7700", "'+44 7700"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTabbed", "'\tTabbed"),
        ("\r=cmd", "'\r=cmd"),
        ("Plain text", "Plain text"),
        (12, 12),
    ],
)
def test_neutralise_prefixes_formula_like_text(raw, safe):
    assert neutralise(raw) == safe


def test_xlsx_export_has_the_rows_with_formulas_neutralised_and_is_logged(cast, client_for):
    add(cast.involved, cast.agency, cast.child, "home_visit", 1, "=1+1", action_taken="@cmd|' /C calc'!A0")
    add(cast.involved, cast.agency, cast.child, "school_attendance", 2, "Attendance this term", value="82.5")
    response = client_for(cast.involved).get(reverse("chronology:export-xlsx", args=[cast.child.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"chronology-child-{cast.child.pk}-" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["Chronology"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value == "'=1+1"]
    assert len(cells) == 1
    assert cells[0].data_type == "s"  # text, not a formula
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    values = _sheet_values(response.content)
    assert values[0] == ("Integrated chronology: Ellis Marsh",) + (None,) * 11
    rows = [v for v in values if v[3] == "Test Community Health"]
    assert [r[0] for r in rows] == ["7 January 2025", "8 January 2025"]
    assert rows[0][8] == "'@cmd|' /C calc'!A0"
    assert rows[1][5] == "Attendance (%): 82.5"
    assert (
        ActivityLog.objects.filter(
            action="chronology.exported", actor=cast.involved, subject_child_id=cast.child.pk
        ).count()
        == 1
    )


def test_xlsx_export_honours_the_filters(cast, client_for):
    officer = f.member(cast.partner_agency, Role.PRACTITIONER)
    add(cast.involved, cast.agency, cast.child, "home_visit", 1, "Health visit")
    add(officer, cast.partner_agency, cast.child, "police_attendance", 2, "Police visit")
    response = client_for(cast.involved).get(reverse("chronology:export-xlsx", args=[cast.child.pk]), {"agency": "POL"})
    summaries = [v[6] for v in _sheet_values(response.content)]
    assert "Police visit" in summaries
    assert "Health visit" not in summaries


def test_pdf_export_is_a_pdf_with_the_child_and_entries_and_is_logged(cast, client_for):
    add(cast.involved, cast.agency, cast.child, "was_not_brought", 1, "Not brought to the clinic")
    add(cast.involved, cast.agency, cast.child, "was_not_brought", 9, "Not brought again")
    response = client_for(cast.involved).get(reverse("chronology:export-pdf", args=[cast.child.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert ActivityLog.objects.filter(action="chronology.exported", subject_child_id=cast.child.pk).count() == 1
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Ellis Marsh" in text
    assert "Not brought to the clinic" in text
    assert "2 appointments in a row: the child was not brought" in text


def test_exports_are_404_for_other_agencies(cast, client_for):
    add(cast.involved, cast.agency, cast.child, "home_visit", 1, "A visit")
    for name in ("chronology:export-pdf", "chronology:export-xlsx"):
        assert client_for(cast.unrelated).get(reverse(name, args=[cast.child.pk])).status_code == 404
    assert not ActivityLog.objects.filter(action="chronology.exported").exists()
