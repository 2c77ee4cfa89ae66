"""Dates and headers in agencies' files: every accepted form, and refusals instead of guesses."""

from __future__ import annotations

import datetime as dt

import pytest

from safeguarding.chronology import tabular
from safeguarding.chronology.enums import Precision


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        ("12/03/2016", dt.date(2016, 3, 12), Precision.DAY),
        ("12/03/16", dt.date(2016, 3, 12), Precision.DAY),
        ("12.03.2016", dt.date(2016, 3, 12), Precision.DAY),
        ("12-03-2016", dt.date(2016, 3, 12), Precision.DAY),
        ("1/3/2016", dt.date(2016, 3, 1), Precision.DAY),
        ("2016-03-12", dt.date(2016, 3, 12), Precision.DAY),
        ("2016-03-12T14:30:00", dt.date(2016, 3, 12), Precision.DAY),
        ("12/03/2016 14:30", dt.date(2016, 3, 12), Precision.DAY),
        ("12 March 2016", dt.date(2016, 3, 12), Precision.DAY),
        ("12 Mar 2016", dt.date(2016, 3, 12), Precision.DAY),
        ("3rd June 2016", dt.date(2016, 6, 3), Precision.DAY),
        ("12 Sept 2016", dt.date(2016, 9, 12), Precision.DAY),
        ("March 2016", dt.date(2016, 3, 1), Precision.MONTH),
        ("Mar 2016", dt.date(2016, 3, 1), Precision.MONTH),
        ("2016", dt.date(2016, 1, 1), Precision.YEAR),
        (2016, dt.date(2016, 1, 1), Precision.YEAR),
        (dt.datetime(2016, 3, 12, 9, 15), dt.date(2016, 3, 12), Precision.DAY),
        (dt.date(2016, 3, 12), dt.date(2016, 3, 12), Precision.DAY),
    ],
)
def test_parse_event_date_accepts_each_form(text: object, expected: dt.date, precision: str) -> None:
    day, found_precision, approximate = tabular.parse_event_date(text)
    assert (day, found_precision, approximate) == (expected, precision, False)


@pytest.mark.parametrize("text", ["approx March 2016", "c. 2015", "circa 12/03/2016", "~2016"])
def test_parse_event_date_marks_approximate_dates(text: str) -> None:
    assert tabular.parse_event_date(text)[2] is True


@pytest.mark.parametrize(
    "text",
    ["", "31/02/2016", "13/13/2016", "4/13/19", "03/12/2016/1", "next Tuesday", "Marchember 2016", "16", "12-Mar-16x"],
)
def test_parse_event_date_refuses_anything_else(text: str) -> None:
    with pytest.raises(tabular.CellError):
        tabular.parse_event_date(text)


def test_parse_event_date_is_day_first_never_swapped() -> None:
    # 4/13/19 would be 13 April in month-first order; day-first it is not a date at all.
    assert tabular.parse_event_date("04/03/2019")[0] == dt.date(2019, 3, 4)


def test_parse_birth_date_needs_a_full_date() -> None:
    with pytest.raises(tabular.CellError):
        tabular.parse_birth_date("March 2016")


HEADER_CASES = [(field, name) for field, names in tabular.HEADER_SYNONYMS.items() for name in names]


@pytest.mark.parametrize(("field", "header"), HEADER_CASES)
def test_map_headers_recognises_each_synonym(field: str, header: str) -> None:
    # A second, unrelated column so the header row is recognised; odd case and spacing on purpose.
    other = "Details" if field != "summary" else "Date"
    messy = f"  {header.upper().replace(' ', '  ')} "
    columns = tabular.map_headers([messy, other])
    if field == "category":
        # "Category" alone means the event type; it is the category when a type column exists.
        columns = tabular.map_headers(["Event type", messy])
    assert columns[field] == (0 if field != "category" else 1)


def test_map_headers_gives_each_column_one_field() -> None:
    columns = tabular.map_headers(["Event type", "Category", "Outcome", "Event detail", "Event"])
    assert columns == {"type": 0, "category": 1, "action": 2, "summary": 3}


def test_split_name_handles_surname_first() -> None:
    assert tabular.split_name("MARSH, Ellis Jo") == ("Ellis Jo", "MARSH")
    assert tabular.split_name("Ellis Jo  Marsh") == ("Ellis Jo", "Marsh")


CSV_TEXT = "Date,Child name,Date of birth,Event type,Details\n12/03/2016,Zoë Ärnsdóttir,01/02/2014,School,Café visit\n"


@pytest.mark.parametrize(
    "content",
    [
        CSV_TEXT.encode("utf-8"),
        tabular.UTF8_BOM + CSV_TEXT.encode("utf-8"),
        CSV_TEXT.encode("utf-16"),  # Excel's "Unicode text": UTF-16 with its byte-order mark
        CSV_TEXT.encode("utf-16-le"),  # and without one
        CSV_TEXT.encode("utf-16-be"),
        CSV_TEXT.encode("cp1252"),
        tabular.UTF8_BOM + CSV_TEXT.encode("cp1252"),  # a UTF-8 mark in front of a Windows-1252 file
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-bom", "utf-16-le", "utf-16-be", "cp1252", "bom-then-cp1252"],
)
def test_csv_in_each_encoding_reads_the_same_header_and_names(content: bytes) -> None:
    table = tabular.read_table("entries.csv", content)
    assert table.header[0] == "Date"  # never "ï»¿Date" or "\ufeffDate"
    assert table.columns == {"date": 0, "child": 1, "dob": 2, "type": 3, "summary": 4}
    number, cells = next(table.rows)
    assert (number, cells[1], cells[4]) == (2, "Zoë Ärnsdóttir", "Café visit")


def test_text_in_no_known_encoding_is_refused_saying_how_to_save_it() -> None:
    # 0x81 and 0x8d are not characters in Windows-1252, and not UTF-8 here.
    with pytest.raises(tabular.FileError, match='save it as CSV in UTF-8 \\("CSV UTF-8" in Excel\\)'):
        tabular.read_table("entries.csv", b"Date,Child name\n\x81\x8d,\x81\n")
