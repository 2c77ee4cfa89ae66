"""Reading agencies' chronology files: CSV and XLSX tables, header synonyms, strict dates.

Nothing here guesses: a date that is not in one of the accepted forms is an error for the row,
never a best effort (dateparser silently swaps impossible day/month pairs, so it is not used).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from safeguarding.children.models import clean_name
from safeguarding.chronology.enums import Precision

# Each field and the headers that mean it, case- and whitespace-insensitive. When two headers
# could fill one field, the earlier synonym wins; a header fills one field only (so a file with
# "Event type" and "Category" columns gets a type and a category).
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": ("Date", "Date of event", "Event date", "Date/Time", "Occurrence date", "Date of contact"),
    "child": ("Child", "Child name", "Name", "Patient name", "Pupil", "Pupil name", "Child's name", "Full name"),
    "dob": ("DOB", "Date of birth", "D.O.B."),
    "nhs": ("NHS number", "NHS No", "NHS no.", "NHS"),
    "child_reference": ("Agency ref", "Reference", "LA ID", "UPN", "Agency reference", "Child ref", "Client ID"),
    "event_reference": ("Event ref", "Event reference", "Event ID", "Entry ref", "Record ID", "Incident number"),
    # A reference several children share (a tenancy, a family, a household): kept on each entry,
    # never used to decide which child a row is about. An agency (or an upload) can read any other
    # column this way too: see REFERENCE_KINDS and `map_headers`.
    "household_reference": (
        "Household ref",
        "Household reference",
        "Household ID",
        "Tenancy ref",
        "Tenancy reference",
        "Tenancy ID",
        "Family ref",
        "Family reference",
        "Family ID",
    ),
    "type": ("Event type", "Type", "Contact type", "Event", "Incident type", "Category"),
    "category": ("Category", "Concern category", "Outcome category", "Sub-type", "Subtype"),
    "summary": ("Details", "Description", "Summary", "Notes", "Significant event", "Event detail", "Event details"),
    "action": ("Action taken", "Action", "Outcome"),
    "impact": ("Impact on child", "Impact", "Impact on the child"),
    "value": ("Value", "Attendance %", "Attendance (%)", "Attendance"),
}
# Fields are given headers in this order (so "Category" goes to the type only when no other type column exists).
FIELD_ORDER = tuple(HEADER_SYNONYMS)
COLUMN_NAMES = {field: names[0] for field, names in HEADER_SYNONYMS.items()}
COLUMN_NAMES["child"] = "Child name"
HEADER_SEARCH_ROWS = 10  # title rows above the header are skipped

# How an agency (Agency.import_columns) or one upload (ImportBatch.reference_columns) says a column
# of references is read: as the agency's reference for the child, or as a reference several
# children share (a household, tenancy, family or incident), which never identifies a child.
CHILD, HOUSEHOLD = "child", "household"
REFERENCE_KINDS = {CHILD: "child_reference", HOUSEHOLD: "household_reference"}


def header_key(text: Any) -> str:
    """ "Date of  Event " and "date of event" are the same header; so are "NHS No" and "NHS no.:"
    (and a header with a byte-order mark or another invisible character in it)."""
    return clean_name(re.sub(r"\s+", "", str(text or ""))).lower().strip(".:*")


_SYNONYM_KEYS = {field: [header_key(n) for n in names] for field, names in HEADER_SYNONYMS.items()}


def reference_overrides(*settings: dict[str, str] | None) -> dict[str, str]:
    """{header key: "child" | "household"} from settings given as {header text: kind}; later
    settings win (the agency's, then the upload's)."""
    merged: dict[str, str] = {}
    for setting in settings:
        for text, kind in (setting or {}).items():
            if kind in REFERENCE_KINDS and header_key(text):
                merged[header_key(text)] = kind
    return merged


def map_headers(header: list[Any], overrides: dict[str, str] | None = None) -> dict[str, int]:
    """{field: column index} for the recognised columns of `header`.

    `overrides` ({header key: "child" | "household"}, see `reference_overrides`) decides how the
    columns it names are read, before any synonym: a "household" column is never the child's
    reference nor the entry's. Further household columns are found with `household_columns`.
    """
    keys = [header_key(h) for h in header]
    used: set[int] = set()
    mapping: dict[str, int] = {}
    for index, key in enumerate(keys):
        kind = (overrides or {}).get(key) if key else None
        if kind is not None:
            used.add(index)
            mapping.setdefault(REFERENCE_KINDS[kind], index)
    for field in FIELD_ORDER:
        if field in mapping:
            continue
        best: tuple[int, int] | None = None
        for index, key in enumerate(keys):
            if index in used or not key or key not in _SYNONYM_KEYS[field]:
                continue
            rank = _SYNONYM_KEYS[field].index(key)
            if best is None or rank < best[0]:
                best = (rank, index)
        if best is not None:
            mapping[field] = best[1]
            used.add(best[1])
    return mapping


def household_columns(header: list[Any], columns: dict[str, int], overrides: dict[str, str] | None = None) -> list[int]:
    """Every column read as a household reference, in the file's order: the mapped one, any other
    column `overrides` declares a household column, and any other column headed as one that no
    field took (a file may carry a tenancy reference and an incident number)."""
    overrides = overrides or {}
    taken = set(columns.values())
    found = []
    for index, text in enumerate(header):
        key = header_key(text)
        if not key:
            continue
        declared = overrides.get(key)
        if (
            index == columns.get("household_reference")
            or declared == HOUSEHOLD
            or (declared is None and index not in taken and key in _SYNONYM_KEYS["household_reference"])
        ):
            found.append(index)
    return found


class FileError(Exception):
    """The file as a whole cannot be read (not a CSV or XLSX file, no header row…)."""


@dataclass
class Table:
    header_row: int
    header: list[Any]
    columns: dict[str, int]
    rows: Iterator[tuple[int, list[Any]]]
    close: Any = None
    # Columns whose values are kept as the entry's household reference (joined when several).
    household: list[int] | None = None


UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_text(content: bytes) -> str:
    """A CSV file's text: UTF-16 (Excel's "Unicode text", with its byte-order mark), UTF-8 (with or
    without a byte-order mark) or, failing that, Windows-1252, as spreadsheets saved as "CSV" on
    Windows often are. A UTF-8 byte-order mark in front of a Windows-1252 file is dropped, not read
    into the first column's name. A file in none of these is refused, saying so."""
    if content.startswith(UTF16_BOMS):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise FileError(_UNREADABLE) from exc
    body = content.removeprefix(UTF8_BOM)
    if b"\x00" in body[:4096]:
        # UTF-16 saved without its byte-order mark: every other byte of plain text is zero, the
        # second of each pair in little-endian order, the first in big-endian.
        head = body[:4096]
        encoding = "utf-16-le" if head[1::2].count(0) >= head[0::2].count(0) else "utf-16-be"
        try:
            return body.decode(encoding)
        except UnicodeDecodeError as exc:
            raise FileError(_UNREADABLE) from exc
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return body.decode("cp1252", errors="strict")
    except UnicodeDecodeError as exc:
        raise FileError(_UNREADABLE) from exc


_UNREADABLE = (
    'The file\'s text could not be read: save it as CSV in UTF-8 ("CSV UTF-8" in Excel) or as .xlsx, and '
    "upload it again."
)


def _csv_rows(text: str) -> Iterator[list[Any]]:
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(io.StringIO(text, newline=""), dialect)


def _xlsx_rows(content: bytes) -> tuple[Iterator[list[Any]], Any]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise FileError("The file could not be opened as an Excel workbook. Save it again as .xlsx or .csv.") from exc
    sheet = workbook.worksheets[0]
    return (list(row) for row in sheet.iter_rows(values_only=True)), workbook.close


def is_xlsx(filename: str, content: bytes) -> bool:
    return filename.lower().endswith((".xlsx", ".xlsm")) or content[:4] == b"PK\x03\x04"


def read_table(filename: str, content: bytes, overrides: dict[str, str] | None = None) -> Table:
    """The header (searched in the first rows) and an iterator of (spreadsheet row number, cells).

    `overrides` says how reference columns are read (see `map_headers`)."""
    close = None
    if is_xlsx(filename, content):
        raw, close = _xlsx_rows(content)
    elif filename.lower().endswith((".csv", ".txt")) or not filename:
        raw = _csv_rows(decode_text(content))  # decoded here, so a refusal is the file's, before any row
    else:
        raise FileError("Upload a CSV (.csv) or Excel (.xlsx) file.")
    numbered = enumerate(raw, start=1)
    for number, cells in numbered:
        columns = map_headers(list(cells), overrides)
        if len(columns) >= 2:
            household = household_columns(list(cells), columns, overrides)
            return Table(
                header_row=number, header=list(cells), columns=columns, rows=numbered, close=close, household=household
            )
        if number >= HEADER_SEARCH_ROWS:
            break
    if close:
        close()
    raise FileError(
        "No header row was found in the first 10 rows. Name the columns, for example "
        '"Date", "Child name", "Date of birth", "NHS number", "Event type" and "Details".'
    )


# ---- cells ---------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_TIME_SUFFIX = re.compile(r"(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_APPROX_PREFIX = re.compile(r"^(?:approx(?:imately)?\.?|c\.|circa|around|about|~)\s*", re.IGNORECASE)
_NUMERIC_DAY_FIRST = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})$")
_MONTH_YEAR = re.compile(r"^([A-Za-z]+)\.?,?\s+(\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")
DATE_HELP = "Enter the date as 12/03/2016, 2016-03-12, 12 March 2016, March 2016 or 2016."


class CellError(ValueError):
    """A cell's value is not acceptable; the message says what to enter instead."""


def _month_name(word: str) -> str:
    word = word.lower()
    return "sep" if word == "sept" else word


def _strptime(text: str, *formats: str) -> dt.date:
    for fmt in formats:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError(f"This is not a real date. {DATE_HELP}")


def parse_event_date(value: Any) -> tuple[dt.date, str, bool]:
    """(date, precision, approximate) from a cell; raises CellError for anything else."""
    if isinstance(value, dt.datetime):
        return value.date(), Precision.DAY, False
    if isinstance(value, dt.date):
        return value, Precision.DAY, False
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        value = str(int(value))  # a year typed into a number cell
    text = cell_text(value)
    if not text:
        raise CellError(f"Enter the date of the event. {DATE_HELP}")
    approximate = False
    stripped = _APPROX_PREFIX.sub("", text)
    if stripped != text:
        approximate, text = True, stripped.strip()
    text = _TIME_SUFFIX.sub("", text).strip()
    if match := _NUMERIC_DAY_FIRST.match(text):
        day, _sep, month, year = match.groups()
        fmt = "%d/%m/%Y" if len(year) == 4 else "%d/%m/%y"
        return _strptime(f"{day}/{month}/{year}", fmt), Precision.DAY, approximate
    if _ISO.match(text):
        return _strptime(text, "%Y-%m-%d"), Precision.DAY, approximate
    if match := _DAY_MONTH_YEAR.match(text):
        day, month, year = match.groups()
        return _strptime(f"{day} {_month_name(month)} {year}", "%d %B %Y", "%d %b %Y"), Precision.DAY, approximate
    if match := _MONTH_YEAR.match(text):
        month, year = match.groups()
        return _strptime(f"{_month_name(month)} {year}", "%B %Y", "%b %Y"), Precision.MONTH, approximate
    if match := _YEAR.match(text):
        return dt.date(int(match.group(1)), 1, 1), Precision.YEAR, approximate
    raise CellError(f"This date is not in a form we accept. {DATE_HELP}")


def parse_birth_date(value: Any) -> dt.date:
    day, precision, approximate = parse_event_date(value)
    if precision != Precision.DAY or approximate:
        raise CellError("Enter the full date of birth, for example 12/03/2016.")
    return day


def parse_value(value: Any) -> Decimal | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value))
    text = cell_text(value).rstrip("%").strip()
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise CellError("Enter the value as a number, for example 87.5.") from exc
    if not number.is_finite():
        raise CellError("Enter the value as a number, for example 87.5.")
    return number


def name_text(value: Any) -> str:
    """A name cell's text without invisible or bidirectional control characters (see `clean_name`)."""
    return clean_name(cell_text(value))


def split_name(text: str) -> tuple[str, str]:
    """("First names", "Last name") from "First Last" or "LAST, First", without invisible characters."""
    text = clean_name(text)
    if "," in text:
        last, _, first = text.partition(",")
        return first.strip(), last.strip()
    first, _, last = text.rpartition(" ")
    return (first, last) if first else ("", last)
