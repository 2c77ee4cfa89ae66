"""Importing a Children in Need census file: the validator first (errors refuse the whole file, queries
are kept as warnings), children matched by identifier, entries of the right types and dates with the
census's other values beside them, involvements, all or nothing and idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from safeguarding.census.models import CensusDetail
from safeguarding.census.tests.helpers import (
    AFTER_THE_CENSUS,
    VALID,
    issue,
    run_census,
    social_care_agency,
    social_worker,
    stand_in_validator,
)
from safeguarding.children.enums import Sex
from safeguarding.children.models import Child, Involvement
from safeguarding.chronology.enums import ImportStatus
from safeguarding.chronology.models import ChildAgencyReference, Event
from safeguarding.core.models import ActivityLog
from safeguarding.core.services import MASK
from safeguarding.testing import factories as f

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


@pytest.fixture(autouse=True)
def _after_the_census_year():
    with time_machine.travel(AFTER_THE_CENSUS, tick=False):
        yield


def entries_of(child: Child) -> list[tuple[str, str, dt.date]]:
    events = Event.objects.current().filter(child_links__child=child).select_related("event_type")
    return sorted((e.event_type.code, e.category, e.occurred_on) for e in events)


SYN0001 = sorted(
    [
        ("referral_to_csc", "2A", D("2025-05-06")),
        ("assessment_started", "", D("2025-05-07")),
        ("assessment_completed", "", D("2025-06-10")),
        ("section_47_enquiry", "", D("2025-05-08")),
        ("child_protection_conference", "initial", D("2025-05-29")),
        ("plan_started", "child_protection", D("2025-05-29")),
        ("child_protection_conference", "review", D("2025-08-21")),
        ("child_protection_conference", "review", D("2026-01-22")),
        ("plan_ended", "child_protection", D("2026-02-20")),
        ("cin_closed", "RC7", D("2026-02-20")),
    ]
)


def test_a_valid_file_becomes_social_cares_entries_involvements_and_children(cin_validator):
    agency = social_care_agency()
    batch = run_census(agency, social_worker(agency), VALID)
    assert batch.status == ImportStatus.SUCCEEDED, batch.errors
    assert (batch.rows_total, batch.events_created, batch.events_already_present) == (3, 17, 0)
    # The validator's query (RC8 with no assessment) is kept on the batch, naming the child.
    assert [(w["rule"], w["child"]) for w in batch.warnings] == [("8825Q", "SYN0003")]
    assert "no assessment present for the episode" in batch.warnings[0]["reason"]

    first, second, unborn = (Child.objects.get(la_child_id=c) for c in ("SYN0001", "SYN0002", "SYN0003"))
    assert entries_of(first) == SYN0001
    assert entries_of(unborn) == [
        ("cin_closed", "RC8", D("2026-01-12")),
        ("referral_outcome", "nfa", D("2026-01-12")),
        ("referral_to_csc", "3B", D("2026-01-12")),
    ]
    assert {e.agency_id for e in Event.objects.all()} == {agency.pk}
    # The census's other values, beside the entries they belong to.
    detail = CensusDetail.objects.select_related("event__event_type")
    referral = detail.get(event__child_links__child=first, event__event_type__code="referral_to_csc")
    assert (referral.primary_need, referral.referral_nfa) == ("N1", False)
    assessment = detail.get(event__child_links__child=first, event__event_type__code="assessment_completed")
    assert (assessment.factors, assessment.internal_review_date) == (["2B", "3B"], D("2025-05-20"))
    s47 = detail.get(event__child_links__child=first, event__event_type__code="section_47_enquiry")
    assert (s47.icpc_target, s47.icpc_not_required) == (D("2025-05-30"), False)
    plan = detail.get(event__child_links__child=first, event__event_type__code="plan_started")
    assert (plan.initial_category, plan.latest_category, plan.previous_plans) == ("NEG", "EMO", 0)
    # New children: unverified, named by their LA child ID, with the census's fields.
    assert (first.is_verified, first.last_name, first.upn, first.sex, first.ethnicity, first.disabilities) == (
        False,
        "LA child ID SYN0001",
        "Y201026000123",
        Sex.FEMALE,
        "WBRI",
        ["NONE"],
    )
    assert (unborn.date_of_birth, unborn.expected_date_of_birth, unborn.upn_unknown) == (None, D("2026-06-01"), "UN1")
    # An episode is an involvement from the referral to the closure; a referral with no further action
    # one that ended the day it was decided (no lasting sight of the child).
    involvements = Involvement.objects.filter(agency=agency).order_by("start")
    assert [(i.child_id, i.start, i.end, i.service) for i in involvements] == [
        (first.pk, D("2025-05-06"), D("2026-02-20"), "Child in need (census)"),
        (second.pk, D("2025-09-01"), None, "Child in need (census)"),
        (unborn.pk, D("2026-01-12"), D("2026-01-12"), "Referral: no further action (census)"),
    ]
    assert set(ChildAgencyReference.objects.filter(agency=agency).values_list("reference", flat=True)) == {
        "SYN0001",
        "SYN0002",
        "SYN0003",
    }
    logged = list(ActivityLog.objects.values_list("action", flat=True))
    assert (logged.count("child.created"), logged.count("involvement.started"), logged.count("event.imported")) == (
        3,
        3,
        3,
    )


def test_a_file_with_closure_reason_rc99_is_refused_naming_rule_8640_and_writes_nothing(cin_validator):
    agency = social_care_agency()
    children_before = Child.objects.count()
    batch = run_census(
        agency, social_worker(agency), VALID.replace(b"<ReasonForClosure>RC7<", b"<ReasonForClosure>RC99<")
    )
    assert batch.status == ImportStatus.REJECTED
    assert [(e["rule"], e["child"], e["column"], e["row"]) for e in batch.errors] == [
        ("8640", "SYN0001", "CINdetails/ReasonForClosure", 1)
    ]
    assert batch.errors[0]["reason"].startswith("Rule 8640: CIN Reason for closure code invalid")
    assert "RC99" in batch.errors[0]["reason"]
    assert Event.objects.count() == 0
    assert Child.objects.count() == children_before
    assert not Involvement.objects.filter(agency=agency).exists()
    assert not CensusDetail.objects.exists()


def test_a_re_import_of_the_same_file_adds_nothing(monkeypatch):
    stand_in_validator(monkeypatch)
    agency = social_care_agency()
    worker = social_worker(agency)
    first = run_census(agency, worker, VALID)
    counts = (Event.objects.count(), Child.objects.count(), Involvement.objects.count(), CensusDetail.objects.count())
    logged = ActivityLog.objects.count()
    again = run_census(agency, worker, VALID)
    assert (first.events_created, again.status, again.events_created, again.events_already_present) == (
        17,
        ImportStatus.SUCCEEDED,
        0,
        17,
    )
    assert (
        Event.objects.count(),
        Child.objects.count(),
        Involvement.objects.count(),
        CensusDetail.objects.count(),
    ) == counts
    assert ActivityLog.objects.count() == logged + 1  # the second batch's own creation, nothing else


def test_a_later_file_closes_the_open_episode_and_adds_only_what_is_new(monkeypatch):
    stand_in_validator(monkeypatch)
    agency = social_care_agency()
    worker = social_worker(agency)
    run_census(agency, worker, VALID)
    later = VALID.replace(
        b"<CINPlanStartDate>2025-10-15</CINPlanStartDate>",
        b"<CINPlanStartDate>2025-10-15</CINPlanStartDate><CINPlanEndDate>2026-03-02</CINPlanEndDate>",
    ).replace(
        b"<PrimaryNeedCode>N4</PrimaryNeedCode>",
        b"<PrimaryNeedCode>N4</PrimaryNeedCode><CINclosureDate>2026-03-02</CINclosureDate>"
        b"<ReasonForClosure>RC7</ReasonForClosure>",
    )
    batch = run_census(agency, worker, later)
    assert (batch.events_created, batch.events_already_present) == (2, 17)
    involvement = Involvement.objects.get(agency=agency, child__la_child_id="SYN0002")
    assert involvement.end == D("2026-03-02")
    assert ActivityLog.objects.filter(action="involvement.updated", subject_child_id=involvement.child_id).count() == 1


def test_children_are_matched_by_upn_and_la_child_id_and_their_records_only_filled_in(monkeypatch):
    stand_in_validator(monkeypatch)
    agency = social_care_agency()
    named = f.ChildFactory(first_name="Ellis", last_name="Marsh", upn="Y201026000123", ethnicity="")
    known = f.ChildFactory(first_name="Robin", last_name="Marsh", la_child_id="SYN0002", sex=Sex.MALE)
    batch = run_census(agency, social_worker(agency), VALID)
    assert batch.status == ImportStatus.SUCCEEDED, batch.errors
    named.refresh_from_db()
    known.refresh_from_db()
    assert (named.la_child_id, named.first_name, named.ethnicity, named.is_verified) == (
        "SYN0001",
        "Ellis",
        "WBRI",
        True,
    )
    assert known.disabilities == ["COMM", "LD"]
    assert Event.objects.filter(child_links__child=named).count() == 10
    assert Child.objects.filter(la_child_id="SYN0003", is_verified=False).count() == 1
    filled = ActivityLog.objects.get(action="child.updated", subject_child_id=named.pk)
    assert filled.changes["ethnicity"] == [MASK, MASK]  # which fields were filled in, never their values
    assert "WBRI" not in str(filled.changes)


def test_identifiers_naming_two_different_children_refuse_the_file(monkeypatch):
    stand_in_validator(monkeypatch)
    agency = social_care_agency()
    f.ChildFactory(la_child_id="SYN0001")
    f.ChildFactory(upn="Y201026000123")
    batch = run_census(agency, social_worker(agency), VALID)
    assert batch.status == ImportStatus.REJECTED
    assert [(e["child"], e["column"]) for e in batch.errors] == [("SYN0001", "ChildIdentifiers")]
    assert "LA child ID and UPN of this child belong to different children" in batch.errors[0]["reason"]
    assert Event.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "column", "words"),
    [
        ((b"<UPN>Y201026000123</UPN>", b"<UPN>A201026000123</UPN>"), "ChildIdentifiers/UPN", "check letter"),
        ((b"<AssessmentFactors>4B<", b"<AssessmentFactors>99Z<"), "Assessments/FactorsIdentifiedAtAssessment", "99Z"),
        ((b"<CINreferralDate>2025-09-01<", b"<CINreferralDate>1/9/2025<"), "CINdetails/CINreferralDate", "YYYY-MM-DD"),
    ],
)
def test_values_the_hub_refuses_beyond_the_validator_refuse_the_file(monkeypatch, change, column, words):
    stand_in_validator(monkeypatch)
    agency = social_care_agency()
    batch = run_census(agency, social_worker(agency), VALID.replace(*change))
    assert batch.status == ImportStatus.REJECTED
    assert [e["column"] for e in batch.errors] == [column]
    assert words in batch.errors[0]["reason"]
    assert Event.objects.count() == 0


def test_the_validators_errors_refuse_the_file_and_its_queries_are_kept(monkeypatch):
    stand_in_validator(
        monkeypatch,
        errors=(issue("8866", "SYN0002", "CINdetails", "ReferralSource", "", "Source of Referral is missing"),),
        queries=(issue("2887Q", "", "", "", "", "Less than 8 disability codes have been used in your return"),),
    )
    agency = social_care_agency()
    batch = run_census(agency, social_worker(agency), VALID)
    assert batch.status == ImportStatus.REJECTED
    assert [(e["rule"], e["child"], e["row"]) for e in batch.errors] == [("8866", "SYN0002", 2)]
    assert [w["rule"] for w in batch.warnings] == ["2887Q"]
    assert Event.objects.count() == 0


def test_a_dry_run_counts_everything_and_saves_nothing(monkeypatch):
    stand_in_validator(monkeypatch)
    agency = social_care_agency()
    batch = run_census(agency, social_worker(agency), VALID, dry_run=True)
    assert (batch.status, batch.events_created) == (ImportStatus.SUCCEEDED, 17)
    assert (Event.objects.count(), Involvement.objects.count(), CensusDetail.objects.count()) == (0, 0, 0)
    assert not Child.objects.filter(la_child_id__startswith="SYN").exists()


def test_only_a_childrens_social_care_agency_imports_the_census(monkeypatch, cast):
    calls = stand_in_validator(monkeypatch)
    batch = run_census(cast.agency, cast.involved, VALID)
    assert batch.status == ImportStatus.REJECTED
    assert "Only a children's social care agency imports the Children in Need census" in batch.errors[0]["reason"]
    assert calls == []


def test_a_missing_validator_refuses_the_file_and_says_who_to_tell(settings, tmp_path):
    settings.CIN_VALIDATOR_PYTHON = str(tmp_path / "nowhere" / "python")
    agency = social_care_agency()
    batch = run_census(agency, social_worker(agency), VALID)
    assert batch.status == ImportStatus.REJECTED
    assert "census validator could not run" in batch.errors[0]["reason"]
    assert Event.objects.count() == 0


def test_the_rule_set_is_the_files_census_year_and_other_years_are_refused(monkeypatch):
    years = stand_in_validator(monkeypatch)
    agency = social_care_agency()
    worker = social_worker(agency)
    next_year = VALID.replace(b"<ReferenceDate>2026-03-31<", b"<ReferenceDate>2027-03-31<")
    with time_machine.travel(dt.datetime(2027, 5, 1, tzinfo=dt.UTC), tick=False):
        assert run_census(agency, worker, next_year).status == ImportStatus.SUCCEEDED
    assert [y.ruleset for y in years] == ["cin2026_27"]
    old = run_census(agency, worker, VALID.replace(b"<ReferenceDate>2026-03-31<", b"<ReferenceDate>2024-03-31<"))
    assert old.status == ImportStatus.REJECTED
    assert old.errors[0]["column"] == "Header/CollectionDetails/ReferenceDate"
    assert "2025-26, 2026-27 only" in old.errors[0]["reason"]
    assert len(years) == 1  # the validator never ran for a year the Hub has no rules for


def test_a_record_merged_into_another_stands_for_it(monkeypatch):
    stand_in_validator(monkeypatch)
    agency = social_care_agency()
    kept = f.ChildFactory(first_name="Ellis", last_name="Marsh")
    merged = f.ChildFactory(first_name="Elis", last_name="Marsh", la_child_id="SYN0001")
    Child.all_records.filter(pk=merged.pk).update(merged_into=kept)
    batch = run_census(agency, social_worker(agency), VALID)
    assert batch.status == ImportStatus.SUCCEEDED, batch.errors
    assert Event.objects.filter(child_links__child=kept).count() == 10
    assert not Event.objects.filter(child_links__child=merged).exists()
