"""Small builders for chronology tests: files in memory and counts of every table an import writes."""

from __future__ import annotations

import csv
import io
from typing import Any

from safeguarding.agencies.models import Agency
from safeguarding.children.models import Child, Involvement
from safeguarding.chronology import importer
from safeguarding.chronology.models import ChildAgencyReference, Event, EventChild, ImportBatch
from safeguarding.core.models import ActivityLog


def csv_bytes(header: list[str], *rows: list[Any]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def xlsx_bytes(header: list[str], *rows: list[Any]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def run(agency: Agency, content: bytes, filename: str = "chronology.csv", **kwargs: Any) -> importer.ImportResult:
    return importer.import_table(actor=None, agency=agency, filename=filename, content=content, **kwargs)


def table_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Event, EventChild, Child, Involvement, ChildAgencyReference, ActivityLog, ImportBatch)
    }
