"""File imports: matching children, all-or-nothing, idempotence, vocabulary mapping, the command."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from safeguarding.agencies.models import Agency
from safeguarding.children.enums import SharingStatus
from safeguarding.children.models import Child, Involvement, SharingNotice
from safeguarding.chronology.enums import EventSource, ImportStatus, Precision
from safeguarding.chronology.models import ChildAgencyReference, Event, EventChild, ImportBatch
from safeguarding.chronology.tests.helpers import csv_bytes, run, table_counts, xlsx_bytes
from safeguarding.core.models import ActivityLog
from safeguarding.linking.models import PossibleMatch
from safeguarding.testing import factories as f

pytestmark = pytest.mark.django_db

HEADER = ["Date of event", "Child name", "DOB", "NHS number", "Agency ref", "Event type", "Details", "Action taken"]


@pytest.fixture
def agency() -> Agency:
    return f.AgencyFactory(code="SCH", name="Test Primary School")


@pytest.fixture
def ellis(agency: Agency) -> Child:
    """A pupil of the school: rows that name a child only by NHS number are for children the agency
    already works with (for anyone else they need a name, so no answer reveals who exists)."""
    child = f.ChildFactory(first_name="Ellis", last_name="Marsh", date_of_birth=dt.date(2014, 5, 1))
    Involvement.objects.create(agency=agency, child=child, start=dt.date(2015, 9, 1))
    return child


def test_import_matches_child_by_nhs_number(agency: Agency, ellis: Child) -> None:
    content = csv_bytes(HEADER, ["12/03/2016", "Someone Else", "", ellis.nhs_number, "", "WNB", "Not brought", ""])
    result = run(agency, content)
    assert (result.rejected, result.events_created, result.children_matched) == (False, 1, 1)
    event = Event.objects.get()
    assert list(event.child_links.values_list("child_id", flat=True)) == [ellis.pk]
    assert (event.event_type.code, event.original_type_label, event.source) == (
        "was_not_brought",
        "WNB",
        EventSource.IMPORT,
    )


def test_import_matches_child_by_normalised_name_and_date_of_birth(agency: Agency, ellis: Child) -> None:
    content = csv_bytes(HEADER, ["12/03/2016", "MARSH, Éllis", "01/05/2014", "", "", "Home visit", "Seen", ""])
    result = run(agency, content)
    assert (result.children_matched, result.children_created) == (1, 0)
    assert EventChild.objects.get().child_id == ellis.pk


def test_import_matches_child_by_agency_reference_already_known(agency: Agency, ellis: Child) -> None:
    ChildAgencyReference.objects.create(agency=agency, child=ellis, reference="UPN123")
    content = csv_bytes(HEADER, ["12/03/2016", "E M", "", "", "UPN123", "Exclusion", "Fixed term", ""])
    result = run(agency, content)
    assert (result.children_matched, result.children_created) == (1, 0)
    assert EventChild.objects.get().child_id == ellis.pk


def test_import_creates_unverified_child_when_nothing_matches_and_learns_reference(agency: Agency) -> None:
    content = csv_bytes(
        HEADER,
        ["12/03/2016", "Jo Smith", "01/02/2012", "", "LA-77", "Home visit", "Seen", ""],
        ["13/03/2016", "Jo Smith", "01/02/2012", "", "LA-77", "Home visit", "Seen again", ""],
    )
    result = run(agency, content)
    assert (result.children_created, result.events_created) == (1, 2)
    child = Child.objects.get(last_name="Smith")
    assert (child.first_name, child.is_verified, child.normalised_name) == ("Jo", False, "jo smith")
    assert ChildAgencyReference.objects.get(agency=agency).child == child
    # Sharing in is not seeing: the file gives the agency no involvement; a notice opens for the
    # child's lead professional or the front door to decide.
    assert not Involvement.objects.filter(agency=agency, child=child).exists()
    notice = SharingNotice.objects.get(agency=agency, child=child)
    assert (notice.status, notice.entries) == (SharingStatus.PENDING, 2)
    assert (result.children_involved, result.children_shared) == (0, 1)
    assert ActivityLog.objects.for_child(child.pk).filter(action="sharing_notice.opened").count() == 1
    assert ActivityLog.objects.for_child(child.pk).filter(action="child.created").count() == 1
    assert ActivityLog.objects.for_child(child.pk).filter(action="event.imported").count() == 1


def test_import_queues_possible_matches_when_two_children_have_the_name_and_date_of_birth(agency: Agency) -> None:
    # Nothing in the answer tells the agency that such children exist: the row is accepted like any
    # other, a new record is made, and the data stewards see it paired with each candidate.
    twins = [
        f.ChildFactory(first_name="Sam", last_name="Twin", date_of_birth=dt.date(2015, 1, 1), nhs_number=None)
        for _ in range(2)
    ]
    content = csv_bytes(HEADER, ["12/03/2016", "Sam Twin", "01/01/2015", "", "", "Home visit", "Seen", ""])
    result = run(agency, content)
    assert (result.rejected, result.events_created, result.children_created) == (False, 1, 1)
    new = Child.objects.exclude(pk__in=[t.pk for t in twins]).get()
    pairs = sorted(PossibleMatch.objects.values_list("child_a_id", "child_b_id"))
    assert pairs == sorted((min(t.pk, new.pk), max(t.pk, new.pk)) for t in twins)


def test_import_rejects_bad_nhs_number(agency: Agency) -> None:
    content = csv_bytes(HEADER, ["12/03/2016", "Jo Smith", "", "943 476 5918", "", "WNB", "x", ""])
    result = run(agency, content)
    assert [(e["row"], e["column"]) for e in result.errors] == [(2, "NHS number")]


def test_rejected_file_leaves_nothing_behind(agency: Agency, ellis: Child) -> None:
    before = table_counts()
    content = csv_bytes(
        HEADER,
        ["12/03/2016", "New Child", "01/02/2012", "", "R1", "WNB", "ok", ""],
        ["31/02/2016", "Ellis Marsh", "01/05/2014", "", "", "WNB", "bad date", ""],
        ["12/03/2099", "Ellis Marsh", "01/05/2014", "", "", "", "future, no type", ""],
    )
    result = run(agency, content)
    assert table_counts() == before
    assert [(e["row"], e["column"]) for e in result.errors] == [
        (3, "Date of event"),
        (4, "Date of event"),
        (4, "Event type"),
    ]


def test_importing_the_same_file_twice_adds_nothing(agency: Agency, ellis: Child) -> None:
    without_refs = ["Date", "Child", "DOB", "Type", "Details"]
    content = csv_bytes(
        without_refs,
        ["12/03/2016", "Ellis Marsh", "01/05/2014", "WNB", "Audiology"],
        ["March 2016", "Pat New", "02/02/2013", "Concern raised", "Hygiene"],
    )
    first = run(agency, content)
    assert (first.events_created, first.children_created) == (2, 1)
    after_first = table_counts()
    second = run(agency, content)
    assert (second.events_created, second.events_already_present, second.children_created) == (0, 2, 0)
    assert table_counts() == after_first


def test_importing_with_event_references_is_idempotent_even_if_details_change(agency: Agency, ellis: Child) -> None:
    header = ["Event ref", "Date", "NHS No", "Type", "Details"]
    run(agency, csv_bytes(header, ["E1", "12/03/2016", ellis.nhs_number, "WNB", "first wording"]))
    second = run(agency, csv_bytes(header, ["E1", "12/03/2016", ellis.nhs_number, "WNB", "second wording"]))
    assert (second.events_created, second.events_already_present) == (0, 1)
    assert Event.objects.get().summary == "first wording"


def test_unknown_types_become_other_keeping_the_label(agency: Agency, ellis: Child) -> None:
    content = csv_bytes(
        HEADER,
        ["12/03/2016", "Ellis Marsh", "01/05/2014", "", "", "Coffee morning", "Mum attended", ""],
        ["13/03/2016", "Ellis Marsh", "01/05/2014", "", "", "DA notification", "Police called", ""],
    )
    result = run(agency, content)
    assert result.mapped_to_other == 1
    codes = dict(Event.objects.values_list("original_type_label", "event_type__code"))
    assert codes == {"Coffee morning": "other", "DA notification": "police_domestic_abuse_incident"}


@pytest.mark.parametrize(
    ("label", "code", "category"),
    [
        ("did not attend", "was_not_brought", ""),
        ("Missed appointment", "was_not_brought", ""),
        ("Domestic incident", "police_domestic_abuse_incident", ""),
        ("MASH referral", "referral_to_csc", ""),
        ("Referral to CSC", "referral_to_csc", ""),
        ("NFA", "referral_outcome", "nfa"),
        ("No further action", "referral_outcome", "nfa"),
        ("Closed - non engagement", "early_help_closed_non_engagement", ""),
        ("Referral outcome - Section 47 enquiry", "referral_outcome", "s47_enquiry"),
    ],
)
def test_import_maps_synonyms_to_types_and_categories(
    agency: Agency, ellis: Child, label: str, code: str, category: str
) -> None:
    run(agency, csv_bytes(["Date", "NHS number", "Type"], ["12/03/2016", ellis.nhs_number, label]))
    event = Event.objects.get()
    assert (event.event_type.code, event.category, event.summary) == (code, category, label)


def test_import_reads_category_and_value_columns(agency: Agency, ellis: Child) -> None:
    header = ["Date", "NHS number", "Event type", "Category", "Attendance %", "Details"]
    result = run(
        agency,
        csv_bytes(
            header,
            ["12/03/2016", ellis.nhs_number, "Concern raised", "Home conditions", "", "Dirty house"],
            ["Spring 2016", ellis.nhs_number, "School attendance", "", "", "x"],
        ),
    )
    assert [(e["row"], e["column"]) for e in result.errors] == [(3, "Date")]
    result = run(
        agency,
        csv_bytes(
            header,
            ["12/03/2016", ellis.nhs_number, "Concern raised", "Home conditions", "", "Dirty house"],
            ["2016", ellis.nhs_number, "School attendance", "", "87.5%", "Autumn term"],
        ),
    )
    assert result.events_created == 2
    concern, attendance = Event.objects.order_by("-category")
    assert concern.category == "home_conditions"
    assert (attendance.value, attendance.precision, attendance.occurred_on) == (
        pytest.approx(87.5),
        Precision.YEAR,
        dt.date(2016, 1, 1),
    )


def test_import_reads_xlsx_with_excel_date_cells(agency: Agency, ellis: Child) -> None:
    content = xlsx_bytes(
        ["Date/Time", "Patient name", "Date of birth", "Contact type", "Description"],
        [dt.datetime(2016, 3, 12, 10, 30), "Ellis Marsh", dt.datetime(2014, 5, 1), "GP consultation", "Cough"],
        ["March 2016", "Ellis Marsh", "01/05/2014", "WNB", "Missed"],
    )
    result = run(agency, content, filename="gp.xlsx")
    assert (result.rejected, result.events_created, result.children_matched) == (False, 2, 1)
    assert sorted(Event.objects.values_list("occurred_on", "precision")) == [
        (dt.date(2016, 3, 1), Precision.MONTH),
        (dt.date(2016, 3, 12), Precision.DAY),
    ]


def test_import_reports_missing_columns(agency: Agency) -> None:
    result = run(agency, csv_bytes(["Child", "Details"], ["Jo Smith", "x"]))
    assert result.errors[0]["row"] == 1
    assert "date of the event" in result.errors[0]["reason"]
    assert "event type" in result.errors[0]["reason"]


def test_dry_run_counts_but_saves_nothing(agency: Agency) -> None:
    before = table_counts()
    result = run(
        agency, csv_bytes(HEADER, ["12/03/2016", "Jo Smith", "01/02/2012", "", "", "WNB", "x", ""]), dry_run=True
    )
    assert (result.events_created, result.children_created) == (1, 1)
    assert table_counts() == before


def test_import_events_command_prints_summary_and_is_idempotent(agency: Agency, ellis: Child, tmp_path) -> None:
    path = tmp_path / "school.csv"
    path.write_bytes(csv_bytes(HEADER, ["12/03/2016", "Ellis Marsh", "01/05/2014", "", "", "Fish", "x", ""]))
    out = StringIO()
    call_command("import_events", "--agency", "sch", str(path), stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert "rows: 1" in text
    assert "events created: 1" in text
    assert "children matched: 1" in text
    assert 'types mapped to "other": 1' in text
    call_command("import_events", "--agency", "SCH", str(path), stdout=StringIO(), stderr=StringIO())
    assert Event.objects.count() == 1
    assert list(ImportBatch.objects.values_list("status", flat=True)) == [ImportStatus.SUCCEEDED] * 2


def test_import_events_command_exits_non_zero_with_report(agency: Agency, tmp_path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(HEADER, ["someday", "Jo Smith", "", "", "", "WNB", "x", ""]))
    out = StringIO()
    with pytest.raises(CommandError, match="rejected"):
        call_command("import_events", "--agency", "SCH", str(path), stdout=out, stderr=StringIO())
    assert "row 2, column Date of event: This date is not in a form we accept" in out.getvalue()
    assert Event.objects.count() == 0


def test_import_needs_full_name_to_create_a_child(agency: Agency) -> None:
    result = run(agency, csv_bytes(HEADER, ["12/03/2016", "Jo", "", "", "", "WNB", "x", ""]))
    assert [(e["row"], e["column"]) for e in result.errors] == [(2, "Child name")]


def test_import_rejects_one_reference_for_two_children(agency: Agency, ellis: Child) -> None:
    content = csv_bytes(
        HEADER,
        ["12/03/2016", "Jo Smith", "01/02/2012", "", "UPN1", "WNB", "x", ""],
        ["12/03/2016", "Ellis Marsh", "", ellis.nhs_number, "UPN1", "WNB", "x", ""],
    )
    result = run(agency, content)
    assert [(e["row"], e["column"]) for e in result.errors] == [(3, "Agency ref")]


def test_import_matches_by_reference_when_the_name_is_spelt_differently(agency: Agency, ellis: Child) -> None:
    ChildAgencyReference.objects.create(agency=agency, child=ellis, reference="UPN9")
    result = run(agency, csv_bytes(HEADER, ["12/03/2016", "Elis Marsh", "01/05/2014", "", "UPN9", "WNB", "x", ""]))
    assert (result.children_matched, result.children_created) == (1, 0)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_import_events_command_reads_a_utf16_file(agency: Agency, ellis: Child, tmp_path, encoding: str) -> None:
    """Excel's "Unicode text" is UTF-16: read as such (it was an uncaught UnicodeDecodeError)."""
    path = tmp_path / "school.csv"
    path.write_bytes(
        csv_bytes(HEADER, ["12/03/2016", "Ellis Marsh", "01/05/2014", "", "", "Fish", "x", ""])
        .decode()
        .encode(encoding)
    )
    out = StringIO()
    call_command("import_events", "--agency", "SCH", str(path), stdout=out, stderr=StringIO())
    assert "events created: 1" in out.getvalue()
    assert list(Event.objects.get().child_links.values_list("child_id", flat=True)) == [ellis.pk]


def test_import_events_command_refuses_unreadable_text_with_a_clear_message(agency: Agency, tmp_path) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(b"Date,Child name\n\x81\x8d,\x81\n")
    out = StringIO()
    with pytest.raises(CommandError, match="rejected"):
        call_command("import_events", "--agency", "SCH", str(path), stdout=out, stderr=StringIO())
    assert 'save it as CSV in UTF-8 ("CSV UTF-8" in Excel)' in out.getvalue()
    assert Event.objects.count() == 0
