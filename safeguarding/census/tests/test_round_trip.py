"""The round trip (issue 18, item 3): a valid census file imported into an empty Hub, then the same year
exported, gives the same records — the validator's own `xmltocsv` tables of the two files are equal,
ordering of rows aside, and the header's `DateTime` (when each file was written) aside."""

from __future__ import annotations

import csv
import subprocess
import tempfile
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from safeguarding.census.tests.helpers import AFTER_THE_CENSUS, VALID, run_census, social_care_agency, social_worker
from safeguarding.census.validator import validator_python
from safeguarding.children.models import Child
from safeguarding.chronology.enums import ImportStatus

pytestmark = pytest.mark.django_db
# The export writes yes/no values as 1/0 (docs/cin-census.md): the file imported uses the same form.
# The referral with no further action states its primary need as N0 (not stated): the export derives N0
# for a referral that has none (rule 8610 asks for one only when the referral led to further action).
ROUND_TRIP = (
    VALID.replace(b">false<", b">0<")
    .replace(b">true<", b">1<")
    .replace(
        b"<ReferralSource>3B</ReferralSource>\n        <CINclosureDate>",
        b"<ReferralSource>3B</ReferralSource><PrimaryNeedCode>N0</PrimaryNeedCode>\n        <CINclosureDate>",
    )
)


def xmltocsv_tables(path: Path) -> dict[str, tuple[list[str], list[list[str]]]]:
    """The validator's tables of a census file (`python -m cin_validator xmltocsv`): {table: (columns,
    rows sorted)}, without pandas' index column, and without the header's DateTime."""
    with tempfile.TemporaryDirectory(prefix="cin-xmltocsv-") as folder:
        subprocess.run(
            [str(validator_python()), "-m", "cin_validator", "xmltocsv", str(path)],
            cwd=folder,
            check=True,
            capture_output=True,
            timeout=300,
        )
        tables = {}
        for table in sorted((Path(folder) / "output_csvs").glob("*.csv")):
            with table.open(newline="", encoding="utf-8") as handle:
                rows = [row[1:] for row in csv.reader(handle)]
            columns, body = rows[0], rows[1:]
            if table.stem == "Header":
                keep = [i for i, name in enumerate(columns) if name != "DateTime"]
                columns, body = [columns[i] for i in keep], [[row[i] for i in keep] for row in body]
            tables[table.stem] = (columns, sorted(body))
    return tables


def test_importing_a_valid_file_into_an_empty_hub_and_exporting_the_year_gives_the_same_records(
    cin_validator, tmp_path
):
    source = tmp_path / "imported.xml"
    source.write_bytes(ROUND_TRIP)
    exported = tmp_path / "exported.xml"
    with time_machine.travel(AFTER_THE_CENSUS, tick=False):
        assert not Child.objects.filter(la_child_id__isnull=False).exists()  # an empty Hub
        agency = social_care_agency()
        batch = run_census(agency, social_worker(agency), ROUND_TRIP)
        assert batch.status == ImportStatus.SUCCEEDED, batch.errors
        call_command("export_cin", "--year", "2025-26", "--output", str(exported))
    before, after = xmltocsv_tables(source), xmltocsv_tables(exported)
    assert set(after) == set(before)
    assert len(before["ChildIdentifiers"][1]) == 3
    assert len(before["Reviews"][1]) == 2
    for table, (columns, rows) in before.items():
        assert after[table][0] == columns, table
        assert after[table][1] == rows, table
