"""Shared by the census import tests: a children's social care agency, its social worker, a run of a
census file through the import batch machinery, and a stand-in for the validator (each real run is a
subprocess of a pandas program taking seconds, so most tests use the stand-in)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from safeguarding.agencies.enums import AgencyKind, Role
from safeguarding.census import validator
from safeguarding.chronology.importer import create_batch, run_batch
from safeguarding.chronology.models import ImportBatch
from safeguarding.testing import factories as f

DATA = Path(__file__).parent / "data"
VALID = (DATA / "import_valid.xml").read_bytes()
# After the 2025-26 census year ends (31 March 2026): every date in the test files has happened.
AFTER_THE_CENSUS = dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.UTC)


def social_care_agency(code: str = "CSC") -> Any:
    return f.AgencyFactory(code=code, name=f"Test Children's Social Care {code}", kind=AgencyKind.CHILDRENS_SOCIAL_CARE)


def social_worker(agency: Any, username: str = "social-worker") -> Any:
    return f.member(agency, Role.PRACTITIONER, username=username)


def issue(rule: str, child: str, table: str, field: str, value: str, message: str) -> validator.Issue:
    return validator.Issue(rule, child, table, field, value, message)


def stand_in_validator(monkeypatch: Any, *, errors: tuple[Any, ...] = (), queries: tuple[Any, ...] = ()) -> list[Any]:
    """Replace the validator's run by a report given here; returns the list of years it was asked for."""
    calls: list[Any] = []

    def validate_file(path: Any, *, year: Any, timeout: float = 0) -> validator.Report:
        calls.append(year)
        assert Path(path).read_bytes().startswith(b"<?xml") or Path(path).stat().st_size > 0
        return validator.Report(ruleset=year.ruleset, errors=errors, queries=queries)

    monkeypatch.setattr(validator, "validate_file", validate_file)
    return calls


def run_census(agency: Any, actor: Any, content: bytes, *, dry_run: bool = False) -> ImportBatch:
    batch = create_batch(
        actor=actor, agency=agency, filename="census.xml", content=content, dry_run=dry_run, file_format="cin"
    )
    run_batch(batch)
    batch.refresh_from_db()
    return batch
