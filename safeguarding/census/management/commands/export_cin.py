"""Export a Children in Need census XML: `manage.py export_cin --year 2025-26 --output FILE.xml
[--agency CODE] [--validate]`.

Built from children's social care's holdings (docs/cin-census.md). `--agency` names the children's
social care agency when the partnership has more than one. `--validate` runs the validator on the file
and exits non-zero when it reports errors (its queries are printed, not failed on). Every child in the
file is logged as an export of their record.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguarding.agencies.enums import AgencyKind
from safeguarding.agencies.models import Agency
from safeguarding.census.services import export_cin_census
from safeguarding.census.validator import ValidatorUnavailable, validate_file
from safeguarding.census.years import CensusYear
from safeguarding.core.context import use_via
from safeguarding.core.enums import Via


def census_agency(code: str | None) -> Agency:
    agencies = Agency.objects.filter(kind=AgencyKind.CHILDRENS_SOCIAL_CARE, is_active=True).order_by("code")
    if code:
        agency = agencies.filter(code=code.upper()).first()
        if agency is None:
            raise CommandError(f"No active children's social care agency has the code {code}.")
        return agency
    found = list(agencies[:2])
    if not found:
        raise CommandError("The partnership has no active children's social care agency.")
    if len(found) > 1:
        codes = ", ".join(agencies.values_list("code", flat=True))
        raise CommandError(f"Choose the children's social care agency with --agency (one of {codes}).")
    return found[0]


class Command(BaseCommand):
    help = "Export a Children in Need census year as the DfE's XML, from children's social care's holdings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", required=True, help="The census year, e.g. 2025-26.")
        parser.add_argument("--output", required=True, help="Where to write the XML file.")
        parser.add_argument("--agency", help="The children's social care agency's code (when there are several).")
        parser.add_argument(
            "--validate", action="store_true", help="Check the file with the validator; fail on its errors."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            year = CensusYear.parse(options["year"])
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc
        agency = census_agency(options["agency"])
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(f"{output.parent} is not a folder. Check the --output path.")
        with use_via(Via.COMMAND):
            export = export_cin_census(actor=None, agency=agency, year=year)
        output.write_bytes(export.content)
        self.stdout.write(
            f"Wrote {output}: census {year} of {agency.name}, {export.children} children, {export.episodes} episodes."
        )
        if options["validate"]:
            self._validate(output, year)

    def _validate(self, output: Path, year: CensusYear) -> None:
        try:
            report = validate_file(output, year=year)
        except ValidatorUnavailable as exc:
            raise CommandError(str(exc)) from exc
        for query in report.queries:
            self.stdout.write(f"Query: {query}")
        for error in report.errors:
            self.stderr.write(f"Error: {error}")
        summary = f"The validator ({report.ruleset}): {len(report.errors)} errors, {len(report.queries)} queries."
        if report.errors:
            raise CommandError(summary)
        self.stdout.write(summary)
