"""Invisible and bidirectional control characters (Unicode Cf and Cc) never reach a child's name:
not from a file, not from the API, not from a page or a service (Person.save), and not in matching."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from safeguarding.agencies.models import Agency
from safeguarding.api.tests.factories import make_token, token_client
from safeguarding.children.models import Child, clean_name, normalise_name
from safeguarding.chronology import tabular
from safeguarding.chronology.models import EventChild
from safeguarding.chronology.tests.helpers import csv_bytes, run
from safeguarding.testing import factories as f

pytestmark = pytest.mark.django_db

ZWSP, LRM, RLM, RLO, PDF, LRI, PDI, BOM, SHY = (
    "\u200b",
    "\u200e",
    "\u200f",
    "\u202e",
    "\u202c",
    "\u2066",
    "\u2069",
    "\ufeff",
    "\u00ad",
)
# "Ellis Marsh" as it arrives from copied text and other systems.
DIRTY_FIRST = f"{LRM}El{ZWSP}lis{RLM}"
DIRTY_LAST = f"{RLO}Ma{SHY}rsh{PDF}{LRI}{PDI}{BOM}"


@pytest.fixture
def agency() -> Agency:
    return f.AgencyFactory(code="SCH", name="Test Primary School")


@pytest.mark.parametrize("character", [ZWSP, LRM, RLM, RLO, PDF, LRI, PDI, BOM, SHY, "\u202a", "\u2068", "\x07"])
def test_clean_name_removes_each_invisible_character(character: str) -> None:
    assert clean_name(f"El{character}lis") == "Ellis"


def test_clean_name_reads_line_breaks_and_tabs_as_spaces() -> None:
    assert clean_name(" Mary\tAnn\r\nJo ") == "Mary Ann Jo"
    assert clean_name("Zoë O'Neill-Brown") == "Zoë O'Neill-Brown"  # visible characters are kept


def test_normalise_name_ignores_invisible_characters() -> None:
    assert normalise_name(DIRTY_FIRST, DIRTY_LAST) == normalise_name("Ellis", "Marsh") == "ellis marsh"


def test_split_name_and_name_cells_drop_invisible_characters() -> None:
    assert tabular.split_name(f"{DIRTY_LAST}, {DIRTY_FIRST}") == ("Ellis", "Marsh")
    assert tabular.split_name(f"{DIRTY_FIRST} {ZWSP} {DIRTY_LAST}") == ("Ellis", "Marsh")
    assert tabular.name_text(f"{BOM}{DIRTY_FIRST} {DIRTY_LAST}") == "Ellis Marsh"


def test_person_save_cleans_first_last_and_other_names() -> None:
    child = f.ChildFactory(first_name=DIRTY_FIRST, last_name=DIRTY_LAST, other_names=f"El{ZWSP}{ZWSP}ly")

    child.refresh_from_db()
    assert (child.first_name, child.last_name, child.other_names, child.normalised_name) == (
        "Ellis",
        "Marsh",
        "Elly",
        "ellis marsh",
    )
    child.last_name = f"Marsh{RLM}-Jones"
    child.save(update_fields=["last_name"])
    child.refresh_from_db()
    assert (child.last_name, child.normalised_name) == ("Marsh-Jones", "ellis marsh jones")


def test_import_matches_a_name_with_invisible_characters(agency: Agency) -> None:
    ellis = f.ChildFactory(first_name="Ellis", last_name="Marsh", date_of_birth=dt.date(2014, 5, 1))
    header = ["Date", "Child name", "DOB", "Event type", "Details"]

    result = run(agency, csv_bytes(header, ["12/03/2016", f"{DIRTY_FIRST} {DIRTY_LAST}", "01/05/2014", "WNB", "x"]))

    assert (result.rejected, result.children_matched, result.children_created) == (False, 1, 0)
    assert EventChild.objects.get().child_id == ellis.pk


def test_import_stores_a_new_childs_name_without_invisible_characters(agency: Agency) -> None:
    header = ["Date", "Child name", "DOB", "Event type", "Details"]

    result = run(agency, csv_bytes(header, ["12/03/2016", f"{RLO}Jo{PDF} {ZWSP}Smith{BOM}", "01/02/2012", "WNB", "x"]))

    assert result.children_created == 1
    child = Child.objects.get()
    assert (child.first_name, child.last_name, child.normalised_name) == ("Jo", "Smith", "jo smith")


def test_import_a_name_of_invisible_characters_only_is_no_name(agency: Agency) -> None:
    header = ["Date", "Child name", "DOB", "Event type", "Details"]

    result = run(agency, csv_bytes(header, ["12/03/2016", f"{ZWSP}{LRM}", "", "WNB", "x"]))

    assert [(e["row"], e["column"]) for e in result.errors] == [(2, "Child name")]


def test_import_header_with_invisible_characters_is_recognised(agency: Agency) -> None:
    header = [f"{BOM}Date", f"Child{ZWSP} name", "DOB", "Event type", "Details"]

    result = run(agency, csv_bytes(header, ["12/03/2016", "Jo Smith", "01/02/2012", "WNB", "x"]))

    assert (result.rejected, result.events_created) == (False, 1)


def test_api_child_names_are_cleaned_before_matching_and_storing(agency: Agency) -> None:
    ellis = f.ChildFactory(first_name="Ellis", last_name="Marsh", date_of_birth=dt.date(2014, 5, 1))
    _, key = make_token(agency)
    client = token_client(key)

    def post(reference: str, who: dict[str, str]) -> list[dict[str, object]]:
        body = {
            "agency_reference": reference,
            "children": [who],
            "occurred_on": "2024-03-12",
            "type": "Home visit",
            "summary": "Seen at home.",
        }
        response = client.post("/api/v1/events/", data=json.dumps(body), content_type="application/json")
        assert response.status_code in (200, 201, 207), response.content
        return response.json()

    def children_of(reference: str) -> list[Child]:
        return list(Child.objects.filter(event_links__event__agency_reference=reference))

    matched = post("E-1", {"first_name": DIRTY_FIRST, "last_name": DIRTY_LAST, "date_of_birth": "2014-05-01"})
    assert matched[0]["status"] == "created"
    assert children_of("E-1") == [ellis]

    created = post("E-2", {"first_name": f"{RLO}Jo{PDF}", "last_name": f"Sm{ZWSP}ith", "date_of_birth": "2012-02-01"})
    assert created[0]["status"] == "created"
    [child] = children_of("E-2")
    assert (child.first_name, child.last_name, child.normalised_name) == ("Jo", "Smith", "jo smith")

    nothing = post("E-3", {"first_name": ZWSP, "last_name": LRM})
    assert nothing[0]["status"] == "error"
    assert "Identify the child by NHS number" in json.dumps(nothing[0]["errors"])
