"""Reading census XML into typed records: the 2025-26 and 2026-27 modules, strict dates, and files that
are not census files or try entity tricks (refused before anything else)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from safeguarding.census.reading import CensusFileError, read_census

DATA = Path(__file__).parent / "data"
VALID = (DATA / "import_valid.xml").read_bytes()


def _child(la_child_id: str, body: str) -> bytes:
    return f"""<Message>
    <Header><CollectionDetails><ReferenceDate>2027-03-31</ReferenceDate></CollectionDetails></Header>
    <Children><Child><ChildIdentifiers><LAchildID>{la_child_id}</LAchildID></ChildIdentifiers>
    <CINdetails>{body}</CINdetails></Child></Children></Message>""".encode()


def test_reading_a_2025_26_file_gives_every_module_typed():
    census = read_census(VALID)
    assert census.errors == []
    assert census.header.reference_date == dt.date(2026, 3, 31)
    assert census.header.lea == "201"
    first, second, third = census.children
    assert (first.la_child_id, first.upn, first.sex, first.birth_date) == (
        "SYN0001",
        "Y201026000123",
        "F",
        dt.date(2015, 6, 1),
    )
    assert second.disabilities == ("COMM", "LD")
    assert (third.expected_birth_date, third.birth_date, third.upn_unknown) == (dt.date(2026, 6, 1), None, "UN1")
    episode = first.episodes[0]
    assert (episode.referral_source, episode.primary_need, episode.closure_reason, episode.referral_nfa) == (
        "2A",
        "N1",
        "RC7",
        False,
    )
    assert episode.assessments[0].factors == ("2B", "3B")
    assert episode.assessments[0].internal_review == dt.date(2025, 5, 20)
    assert episode.section47s[0].icpc_target == dt.date(2025, 5, 30)
    assert episode.section47s[0].icpc_not_required is False
    plan = episode.plans[0]
    assert (plan.initial_category, plan.latest_category, plan.previous_plans) == ("NEG", "EMO", 0)
    assert plan.reviews == (dt.date(2025, 8, 21), dt.date(2026, 1, 22))
    assert third.episodes[0].referral_nfa is True
    assert second.episodes[0].cin_plans[0].end is None


def test_reading_a_2026_27_file_keeps_the_pre_proceedings_module():
    census = read_census(
        _child(
            "SYN0100",
            "<CINreferralDate>2026-09-01</CINreferralDate><PreProceedingsandFGDM><PPStartDate>2026-09-09</PPStartDate>"
            "<FGDMMeetingOffer>1</FGDMMeetingOffer><ReviewMeetingsCount>3</ReviewMeetingsCount><PPOutcome>A</PPOutcome>"
            "</PreProceedingsandFGDM>",
        )
    )
    assert census.errors == []
    pre = census.children[0].episodes[0].pre_proceedings[0]
    assert (pre.start, pre.fgdm_offered, pre.review_meetings, pre.outcome) == (dt.date(2026, 9, 9), "1", 3, "A")


def test_a_date_not_written_yyyy_mm_dd_is_an_error_naming_the_child_and_element():
    census = read_census(
        _child("SYN0101", "<CINreferralDate>06/05/2025</CINreferralDate><ReferralNFA>maybe</ReferralNFA>")
    )
    assert [(e.child, e.element) for e in census.errors] == [
        ("SYN0101", "CINdetails/CINreferralDate"),
        ("SYN0101", "CINdetails/ReferralNFA"),
    ]
    assert "Write dates as YYYY-MM-DD" in census.errors[0].message


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "The file is empty"),
        (b"<Message><Children><Child>", "not well-formed XML"),
        (b"<Report><Rows/></Report>", "not a Children in Need census file"),
        (
            b'<?xml version="1.0"?><!DOCTYPE Message [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            b"<Message><Children><Child><ChildIdentifiers><LAchildID>&b;</LAchildID></ChildIdentifiers></Child>"
            b"</Children></Message>",
            "declares a DOCTYPE",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE Message [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<Message><Children><Child><ChildIdentifiers><LAchildID>&x;</LAchildID></ChildIdentifiers></Child>"
            b"</Children></Message>",
            "declares a DOCTYPE",
        ),
    ],
)
def test_files_that_are_not_census_files_or_declare_entities_are_refused_with_the_reason(content, words):
    with pytest.raises(CensusFileError, match=words):
        read_census(content)
