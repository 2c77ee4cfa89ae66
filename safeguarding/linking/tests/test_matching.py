"""Which child is this? Imports and API posts through the whole pipeline: identifiers first, then the
linkage model's bands, never across two NHS numbers, possible matches queued for the data stewards."""

from __future__ import annotations

import datetime as dt

import pytest

from safeguarding.agencies.models import Agency
from safeguarding.children.models import Child
from safeguarding.chronology.importer import import_table
from safeguarding.chronology.models import EventChild
from safeguarding.linking.models import PossibleMatch
from safeguarding.testing import factories as f

pytestmark = pytest.mark.django_db

HEADER = ["Date", "Child name", "DOB", "NHS number", "Event type", "Details"]


def csv_bytes(*rows: list[str]) -> bytes:
    return "\n".join(",".join(r) for r in [HEADER, *rows]).encode()


@pytest.fixture
def agency() -> Agency:
    return f.AgencyFactory(code="SCH", name="Test Primary School")


def run(agency: Agency, content: bytes):  # type: ignore[no-untyped-def]
    return import_table(actor=None, agency=agency, filename="file.csv", content=content)


def children_of_rows() -> list[int]:
    return list(EventChild.objects.order_by("event__source_row").values_list("child_id", flat=True))


def test_two_nhs_numbers_in_one_file_are_two_children_whatever_the_names(agency: Agency) -> None:
    result = run(
        agency,
        csv_bytes(
            ["12/03/2016", "Ali Khan", "01/02/2012", "943 476 5919", "Home visit", "Seen"],
            ["13/03/2016", "Ali Khan", "01/02/2012", "943 476 5870", "Home visit", "Seen"],
            ["14/03/2016", "Ali Khan", "01/02/2012", "943 476 5919", "Home visit", "Seen again"],
        ),
    )
    assert (result.rejected, result.children_created) == (False, 2)
    first, second, third = children_of_rows()
    assert first == third != second
    assert {c.nhs_number for c in Child.objects.all()} == {"9434765919", "9434765870"}


def test_a_file_nhs_number_never_links_to_a_record_with_another(agency: Agency) -> None:
    known = f.ChildFactory(
        first_name="Ali", last_name="Khan", date_of_birth=dt.date(2012, 2, 1), nhs_number="9434765870"
    )
    result = run(agency, csv_bytes(["12/03/2016", "Ali Khan", "01/02/2012", "943 476 5919", "Home visit", "Seen"]))
    assert (result.children_matched, result.children_created) == (0, 1)
    assert children_of_rows() != [known.pk]
    assert not PossibleMatch.objects.exists()  # different NHS numbers: not even a possible match


def test_nickname_and_sound_alike_surname_link_automatically(agency: Agency) -> None:
    thomas = f.ChildFactory(first_name="Thomas", last_name="Price", date_of_birth=dt.date(2016, 3, 12), nhs_number=None)
    result = run(agency, csv_bytes(["12/03/2024", "Tom Pryce", "12/03/2016", "", "Home visit", "Seen"]))
    assert (result.children_matched, result.children_created) == (1, 0)
    assert children_of_rows() == [thomas.pk]


def test_a_swapped_date_of_birth_is_a_possible_match_not_a_link(agency: Agency) -> None:
    mason = f.ChildFactory(first_name="Mason", last_name="Whitlock", date_of_birth=dt.date(2022, 2, 5), nhs_number=None)
    result = run(agency, csv_bytes(["12/03/2024", "Mason Whitlock", "02/05/2022", "", "Home visit", "Seen"]))
    assert result.children_created == 1
    [new] = children_of_rows()
    assert new != mason.pk
    match = PossibleMatch.objects.get()
    assert (match.child_a_id, match.child_b_id) == (mason.pk, new)
    assert match.reasons["date of birth"] == "day and month swapped"
    assert match.found_by == "import"


def test_twins_are_never_linked_to_each_other(agency: Agency) -> None:
    kyle = f.ChildFactory(first_name="Kyle", last_name="Marsh", date_of_birth=dt.date(2019, 6, 1), nhs_number=None)
    result = run(agency, csv_bytes(["12/03/2024", "Sam Marsh", "01/06/2019", "", "Home visit", "Seen"]))
    assert result.children_created == 1
    assert children_of_rows() != [kyle.pk]


def test_spelling_variants_in_one_file_are_one_new_child(agency: Agency) -> None:
    result = run(
        agency,
        csv_bytes(
            ["12/03/2024", "Thomas Doherty", "04/07/2017", "", "Home visit", "Seen"],
            ["13/03/2024", "Tom Docherty", "04/07/2017", "", "Home visit", "Seen"],
        ),
    )
    assert result.children_created == 1
    first, second = children_of_rows()
    assert first == second


def test_a_rejected_pair_is_not_suggested_again_on_the_next_import(agency: Agency) -> None:
    mason = f.ChildFactory(first_name="Mason", last_name="Whitlock", date_of_birth=dt.date(2022, 2, 5), nhs_number=None)
    run(agency, csv_bytes(["12/03/2024", "Mason Whitlock", "02/05/2022", "", "Home visit", "Seen"]))
    match = PossibleMatch.objects.get()
    match.status = "rejected"
    match.save(update_fields=["status"])
    run(agency, csv_bytes(["13/03/2024", "Mason Whitlock", "02/05/2022", "", "Home visit", "Seen again"]))
    # The second file's row is the same new child (exact name and date of birth), and nothing new is queued.
    assert PossibleMatch.objects.count() == 1
    assert len(set(children_of_rows())) == 1
    assert mason.pk not in children_of_rows()
