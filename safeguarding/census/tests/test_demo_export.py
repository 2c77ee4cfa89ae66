"""The demo's census export passes the national validator: 0 errors, and only the queries
docs/cin-census.md lists as expected. One small demo seeded with the clock fixed, one validator run
(each is a pandas program in a subprocess: seconds)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

from safeguarding.agencies.enums import AgencyKind
from safeguarding.agencies.models import Agency
from safeguarding.census.services import export_cin_census
from safeguarding.census.validator import Report, validate_file
from safeguarding.census.years import CensusYear

# After the 2025-26 census year, so the demo's histories fill it (the demo is dated back from "today").
NOW = dt.datetime(2026, 6, 15, 9, 0, tzinfo=dt.UTC)
YEAR = CensusYear(2025)
# docs/cin-census.md, "Queries the demo's export is expected to raise" (none, at the time of writing).
EXPECTED_QUERIES: frozenset[str] = frozenset()


@pytest.fixture(scope="module")
def exported(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with django_db_blocker.unblock(), transaction.atomic(), time_machine.travel(NOW):
        call_command("seed_demo", "--seed", "1", stdout=StringIO())
        agency = Agency.objects.get(kind=AgencyKind.CHILDRENS_SOCIAL_CARE)
        result = export_cin_census(actor=None, agency=agency, year=YEAR)
        yield result, tmp_path_factory.mktemp("census") / result.filename
        transaction.set_rollback(True)


@pytest.fixture
def demo_export(exported: Any, db: None) -> Any:
    """Each test in a savepoint inside the module's seeded transaction (`db` makes pytest-django set it up)."""
    return exported


def test_the_demo_export_has_no_validator_errors_and_only_expected_queries(
    demo_export: Any, cin_validator: None
) -> None:
    result, path = demo_export
    Path(path).write_bytes(result.content)
    report: Report = validate_file(path, year=YEAR)
    assert report.ruleset == "cin2025_26"
    assert report.errors == (), "\n".join(str(e) for e in report.errors)
    assert {q.rule_code for q in report.queries} <= EXPECTED_QUERIES, "\n".join(str(q) for q in report.queries)


def test_the_demo_export_holds_child_protection_work(demo_export: Any) -> None:
    result, _ = demo_export
    content = result.content.decode()
    assert result.children >= 30
    for element in ("<Section47>", "<ChildProtectionPlans>", "<CPPreviewDate>", "<Assessments>", "<ReferralNFA>1"):
        assert element in content, f"the demo's export has no {element}"
