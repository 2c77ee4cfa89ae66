"""The national validator, run as a subprocess, and its report read into errors and queries."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from safeguarding.census.validator import Issue, ValidatorUnavailable, read_report, validate_file
from safeguarding.census.years import CensusYear

DATA = Path(__file__).parent / "data"
YEAR = CensusYear(2025)


def test_a_valid_file_has_no_errors(cin_validator):
    report = validate_file(DATA / "valid.xml", year=YEAR)
    assert report.ruleset == "cin2025_26"
    assert report.ok, [str(e) for e in report.errors]


def test_closure_reason_rc99_is_an_error_of_rule_8640_naming_child_field_and_the_rules_words(cin_validator):
    report = validate_file(DATA / "rc99.xml", year=YEAR)
    assert not report.ok
    assert [(e.rule_code, e.child, e.table, e.field, e.value) for e in report.errors] == [
        ("8640", "DEMO0001", "CINdetails", "ReasonForClosure", "RC99")
    ]
    assert report.errors[0].message.startswith("CIN Reason for closure code invalid")
    assert "Rule 8640 (child DEMO0001 CINdetails/ReasonForClosure = 'RC99')" in str(report.errors[0])


def test_a_missing_validator_environment_says_how_to_install_it(settings, tmp_path):
    settings.CIN_VALIDATOR_PYTHON = str(tmp_path / "nowhere" / "python")
    with pytest.raises(ValidatorUnavailable, match=r"make \.venv-cin/\.installed"):
        validate_file(DATA / "valid.xml", year=YEAR)


def test_a_failing_validator_is_reported_not_read_as_a_clean_file(settings, tmp_path):
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'ModuleNotFoundError: No module named cin_validator' >&2\nexit 1\n")
    fake.chmod(0o755)
    settings.CIN_VALIDATOR_PYTHON = str(fake)
    with pytest.raises(ValidatorUnavailable, match="No module named cin_validator"):
        validate_file(DATA / "valid.xml", year=YEAR)


def test_the_report_is_split_into_errors_and_queries_each_once(tmp_path):
    csv = tmp_path / "user_report.csv"
    csv.write_text(
        ",ERROR_ID,LAchildID,rule_code,tables_affected,columns_affected,ROW_ID,value_flagged,rule_description\n"
        "0,nan,C1,8640,CINdetails,ReasonForClosure,0,RC99,CIN Reason for closure code invalid\n"
        "1,nan,C1,8640,CINdetails,ReasonForClosure,0,RC99,CIN Reason for closure code invalid\n"
        "2,nan,C2,8525Q,ChildIdentifiers,PersonBirthDate,1,nan,Either Date of Birth or Expected Date of Birth\n"
    )
    report = read_report(csv, ruleset="cin2025_26")
    assert [e.rule_code for e in report.errors] == ["8640"]
    assert report.queries == (
        Issue(
            "8525Q", "C2", "ChildIdentifiers", "PersonBirthDate", "", "Either Date of Birth or Expected Date of Birth"
        ),
    )
    assert report.rule_codes == {"8640", "8525Q"}


def test_an_empty_report_is_a_clean_file(tmp_path):
    csv = tmp_path / "user_report.csv"
    csv.write_text("\n")
    assert read_report(csv, ruleset="cin2025_26").ok


def test_census_years_choose_the_rule_set():
    assert CensusYear.parse("2025-26").ruleset == "cin2025_26"
    assert CensusYear.parse("2026-27").ruleset == "cin2026_27"
    assert str(CensusYear(2025)) == "2025-26"
    assert CensusYear(2025).reference_date.isoformat() == "2026-03-31"
    with pytest.raises(ValidationError, match="like 2025-26"):
        CensusYear.parse("2025-27")
    with pytest.raises(ValidationError, match="2025-26, 2026-27 only"):
        CensusYear.parse("2019-20")
