"""The residual-identifier scan: Presidio's pattern recognisers on an empty spaCy pipeline (offline:
no model, no network), the review's own records, text from PDF and Word files, redacted previews."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from safeguarding.agencies.enums import AgencyKind
from safeguarding.chronology.models import ChildAgencyReference
from safeguarding.reviews import identifier_scan
from safeguarding.reviews.identifying import Term, TermKind, identifying_terms
from safeguarding.reviews.tests.conftest import ReviewCast
from safeguarding.reviews.tests.reports import docx_bytes, pdf_bytes
from safeguarding.testing import factories as f


def _kinds(text: str, terms: list[Term] | None = None) -> list[tuple[str, str]]:
    return [(h.kind, h.found) for h in identifier_scan.scan_text(text, terms or [])]


def test_building_the_analyzer_loads_no_model_and_opens_no_connection(monkeypatch: Any) -> None:
    import spacy
    import spacy.cli

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("no model may be loaded or downloaded, and no connection opened")

    monkeypatch.setattr(spacy, "load", refuse)
    monkeypatch.setattr(spacy.cli, "download", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    analyzer = identifier_scan.build_analyzer()
    results = analyzer.analyze(text="Write to duty.team@example.org today.", language="en")
    assert [r.entity_type for r in results] == ["EMAIL_ADDRESS"]
    assert analyzer.nlp_engine.nlp["en"].pipe_names == []  # the blank pipeline: a tokenizer only


def test_one_analyzer_per_process() -> None:
    assert identifier_scan.analyzer() is identifier_scan.analyzer()


def test_pattern_recognisers_find_uk_identifiers() -> None:
    text = (
        "NHS number 943 476 5919; not a valid one: 943 476 5918. NI number AB 12 34 56 C. "
        "Postcode LS1 4AB. Phone 07700 900123 or 0113 496 0000. Email jo.bloggs@example.org. Year 2026."
    )
    found = _kinds(text)
    assert ("UK_NHS", "943 476 5919") in found
    assert ("UK_NHS", "943 476 5918") not in found  # the mod-11 check digit fails
    assert ("UK_NINO", "AB 12 34 56 C") in found
    assert ("UK_POSTCODE", "LS1 4AB") in found
    assert ("PHONE_NUMBER", "07700 900123") in found  # Ofcom's drama range
    assert ("PHONE_NUMBER", "0113 496 0000") in found
    assert ("EMAIL_ADDRESS", "jo.bloggs@example.org") in found
    assert all(value != "2026" for _, value in found)  # a year is not a phone number


def test_preview_redacts_every_identifier_in_reach() -> None:
    text = "Child A lived at LS1 4AB and her mother's phone was 0113 496 0000 until March."
    hits = identifier_scan.scan_text(text, [])
    assert [h.preview for h in hits] == [
        "Child A lived at [Postcode] and her mother's phone was [Phone number] until March."
    ] * 2


def test_the_reviews_records_are_found_with_their_kind(rc: ReviewCast) -> None:
    review = rc.to_in_progress(rc.notify())
    child = rc.cast.child
    household = f.HouseholdFactory(reference="HH-77001", address_line_1="14 Larch Avenue", postcode="NB2 7QT")
    f.HouseholdMemberFactory(household=household, child=child)
    school = f.AgencyFactory(code="SCH1", name="Northbridge Primary School", kind=AgencyKind.SCHOOL)
    f.InvolvementFactory(agency=school, child=child)
    text = (
        f"Ellis Marsh (born {child.date_of_birth:%d/%m/%Y}) lived at 14 Larch Avenue, NB2 7QT, household "
        "HH-77001, and attended Northbridge Primary School."
    )
    found = _kinds(text, identifying_terms(review, wider=True))
    assert found == [
        (TermKind.NAME, "Ellis Marsh"),
        (TermKind.DATE_OF_BIRTH, f"{child.date_of_birth:%d/%m/%Y}"),
        (TermKind.ADDRESS, "14 Larch Avenue"),
        (TermKind.POSTCODE, "NB2 7QT"),
        (TermKind.REFERENCE, "HH-77001"),
        (TermKind.SCHOOL, "Northbridge Primary School"),
    ]
    # The committee report's list stays as it was: no addresses, schools or references.
    narrow = {t.kind for t in identifying_terms(review)}
    assert narrow.isdisjoint({TermKind.ADDRESS, TermKind.SCHOOL, TermKind.REFERENCE})


def test_the_childrens_agency_references_and_other_date_forms_are_found(rc: ReviewCast) -> None:
    # An agency's own identifier for a child (a UPN, the local authority's child ID) is a reference
    # from the review's linked records too; a date of birth is found however a report writes it.
    review = rc.to_in_progress(rc.notify())
    child = rc.cast.child
    school = f.AgencyFactory(code="SCH2", name="Larch Primary", kind=AgencyKind.SCHOOL)
    ChildAgencyReference.objects.create(agency=school, child=child, reference="N123456789012")
    dob = child.date_of_birth
    forms = [f"{dob.day} {dob:%b %Y}", f"{dob:%B} {dob.day}, {dob.year}", f"{dob:%d.%m.%Y}", f"{dob:%d-%m-%Y}"]
    text = "UPN N123456789012; born " + "; ".join(forms) + "."
    found = _kinds(text, identifying_terms(review, wider=True))
    assert (TermKind.REFERENCE, "N123456789012") in found
    assert [value for kind, value in found if kind == TermKind.DATE_OF_BIRTH] == forms
    # The committee report's list keeps to its narrow part: no agency references there either.
    assert "N123456789012" not in {t.text for t in identifying_terms(review)}


def test_the_childs_census_identifiers_are_found(rc: ReviewCast) -> None:
    review = rc.to_in_progress(rc.notify())
    child = rc.cast.child
    child.la_child_id, child.upn, child.former_upn = "LA0042", "Y201026000123", "M201026000124"
    child.save(update_fields=["la_child_id", "upn", "former_upn"])
    found = _kinds("LA child ID LA0042, UPN Y201026000123 (was M201026000124).", identifying_terms(review, wider=True))
    assert [value for kind, value in found if kind == TermKind.REFERENCE] == [
        "LA0042",
        "Y201026000123",
        "M201026000124",
    ]


def test_text_is_read_from_word_files_including_tables_and_headers() -> None:
    content = docx_bytes("Body text.", header="Header 0113 496 0000", table_cell="Cell AB 12 34 56 C")
    assert identifier_scan.file_format(content) == "docx"
    text = identifier_scan.extract_text(content, "docx")
    assert "Body text." in text
    assert "Cell AB 12 34 56 C" in text
    assert "Header 0113 496 0000" in text


def test_text_is_read_from_pdf_files() -> None:
    content = pdf_bytes("The review found jo.bloggs@example.org in the minutes.")
    assert identifier_scan.file_format(content) == "pdf"
    assert _kinds(identifier_scan.extract_text(content, "pdf")) == [("EMAIL_ADDRESS", "jo.bloggs@example.org")]


@pytest.mark.parametrize("content", [b"plain", b"PK\x03\x04not really a zip"])
def test_other_files_are_refused(content: bytes) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="PDF or a Word"):
        identifier_scan.file_format(content)
