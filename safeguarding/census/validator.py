"""The national validator (Data to Insight's csc-validator-be-cin, imported as `cin_validator`), run
as a subprocess from its own virtual environment (`make .venv-cin/.installed`): it pins pandas < 2 and
numpy < 2, which the Hub's own environment does not. It writes `user_report.csv` in its working
directory; this module reads it into errors and queries (rule codes ending in Q are queries)."""

from __future__ import annotations

import csv
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from safeguarding.census.years import CensusYear

# Its run on a few hundred children takes some seconds; a hung run is stopped.
DEFAULT_TIMEOUT_SECONDS = 300


class ValidatorUnavailable(RuntimeError):
    """The validator's environment is missing or broken (an operator's problem, not the file's)."""


@dataclass(frozen=True)
class Issue:
    rule_code: str  # "8640", "8525Q"
    child: str  # the LAchildID the validator names ("" for file-wide rules)
    table: str  # CINdetails, ChildIdentifiers…
    field: str  # ReasonForClosure…
    value: str  # the value it flagged ("" when none)
    message: str  # the rule's own words

    @property
    def is_query(self) -> bool:
        return self.rule_code.endswith("Q")

    def __str__(self) -> str:
        where = f"child {self.child}" if self.child else "the file"
        detail = f" {self.table}/{self.field}" if self.field else ""
        flagged = f" = {self.value!r}" if self.value else ""
        return f"Rule {self.rule_code} ({where}{detail}{flagged}): {self.message}"


@dataclass(frozen=True)
class Report:
    ruleset: str
    errors: tuple[Issue, ...] = ()
    queries: tuple[Issue, ...] = ()
    rule_codes: frozenset[str] = field(default_factory=frozenset)

    @property
    def ok(self) -> bool:
        return not self.errors


def validator_python() -> Path:
    path = Path(settings.CIN_VALIDATOR_PYTHON)
    if not path.is_absolute():
        path = Path(settings.BASE_DIR) / path
    return path


def validate_file(path: Path | str, *, year: CensusYear, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> Report:
    """Run the validator's rule set for `year` on the XML file at `path` and read its report."""
    python = validator_python()
    if not python.exists():
        raise ValidatorUnavailable(
            f"The CIN census validator is not installed ({python} does not exist). Run `make .venv-cin/.installed` "
            "or set CIN_VALIDATOR_PYTHON to a Python that has csc-validator-be-cin."
        )
    source = Path(path).resolve()
    with tempfile.TemporaryDirectory(prefix="cin-validator-") as workdir:
        command = [str(python), "-m", "cin_validator", "run", str(source), "-r", year.ruleset, "-o"]
        try:
            done = subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=timeout, check=False)  # noqa: S603 - our own settings' path, a fixed argument list
        except subprocess.TimeoutExpired as exc:
            raise ValidatorUnavailable(
                f"The CIN census validator did not finish within {timeout:.0f} seconds."
            ) from exc
        report = Path(workdir) / "user_report.csv"
        if done.returncode != 0 or not report.exists():
            last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            raise ValidatorUnavailable(f"The CIN census validator failed (exit {done.returncode}): {last[0]}")
        return read_report(report, ruleset=year.ruleset)


def _text(value: str | None) -> str:
    value = (value or "").strip()
    return "" if value in {"nan", "<NA>", "None", "NaT"} else value


def read_report(path: Path, *, ruleset: str) -> Report:
    """The validator's `user_report.csv` (columns LAchildID, rule_code, tables_affected,
    columns_affected, value_flagged, rule_description) as errors and queries, each once."""
    issues: dict[tuple[str, ...], Issue] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = _text(row.get("rule_code"))
            if not code:
                continue
            issue = Issue(
                rule_code=code,
                child=_text(row.get("LAchildID")),
                table=_text(row.get("tables_affected")),
                field=_text(row.get("columns_affected")),
                value=_text(row.get("value_flagged")),
                message=_text(row.get("rule_description")),
            )
            issues.setdefault((issue.rule_code, issue.child, issue.table, issue.field, issue.value), issue)
    ordered = sorted(issues.values(), key=lambda i: (i.rule_code, i.child, i.table, i.field, i.value))
    return Report(
        ruleset=ruleset,
        errors=tuple(i for i in ordered if not i.is_query),
        queries=tuple(i for i in ordered if i.is_query),
        rule_codes=frozenset(i.rule_code for i in ordered),
    )
