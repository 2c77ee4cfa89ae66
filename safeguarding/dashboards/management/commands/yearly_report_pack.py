"""`manage.py yearly_report_pack --year 2025 --format xlsx --output pack.xlsx`: the partnership's yearly
report data pack for the financial year starting 1 April of --year, for operators (no sign-in; the
file holds no child's identity). Written to the activity log like a download from the dashboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from safeguarding.core.services import record_activity
from safeguarding.dashboards import exports, periods
from safeguarding.dashboards.figures import build_figures
from safeguarding.dashboards.forms import FIRST_YEAR


class Command(BaseCommand):
    help = "Write the yearly report data pack (XLSX or PDF) for the financial year starting April of --year."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="The year the financial year starts in, e.g. 2025.")
        parser.add_argument("--format", choices=exports.FORMATS, required=True, dest="fmt")
        parser.add_argument("--output", required=True, help="The file to write.")

    def handle(self, *args: Any, year: int, fmt: str, output: str, **options: Any) -> None:
        if not FIRST_YEAR <= year <= timezone.localdate().year:
            raise CommandError(f"--year must be from {FIRST_YEAR} to {timezone.localdate().year}.")
        period = periods.financial_year(year)
        figures = build_figures(period)
        content = exports.xlsx(figures) if fmt == "xlsx" else exports.pdf(figures)
        path = Path(output)
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"Could not write {path}: {exc.strerror}.") from exc
        record_activity(
            actor=None,
            action="dashboard.pack_written",
            changes={"format": fmt, "start": period.start.isoformat(), "end": period.end.isoformat()},
        )
        self.stdout.write(f"Wrote the data pack for {period.label} to {path} ({len(content)} bytes).")
