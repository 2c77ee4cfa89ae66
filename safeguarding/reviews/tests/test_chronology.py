"""The review chronology: three agencies' files merged in date order with their source, all or nothing,
and an anonymised view in which only pseudonyms appear."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from safeguarding.agencies.enums import Role
from safeguarding.children.enums import RelationshipKind
from safeguarding.reviews import services
from safeguarding.reviews.chronology import review_chronology
from safeguarding.reviews.enums import RequestKind
from safeguarding.reviews.models import ChronologyEntry
from safeguarding.reviews.tests.conftest import ReviewCast
from safeguarding.testing import factories as f

HEALTH = (
    b"Date,Child name,Event type,Details\n12/05/2025,Ellis Marsh,Was not brought,Ellis was not brought to clinic.\n"
)
SCHOOL = (
    b"Event date,Pupil name,Type,Description,Action taken\n"
    b"03/02/2025,Ellis Marsh,Concern,Ellis came in hungry; Robin said Mum (Jade Marsh) was asleep.,Told DSL\n"
)
POLICE = b"Date,Name,Incident type,Details\nJune 2025,Robin Marsh,Domestic abuse incident,Jade and Ellis present.\n"


def _chronology_request(rc: ReviewCast, review, agency):  # type: ignore[no-untyped-def]
    return services.request_from_agency(actor=rc.business, review=review, agency=agency, kind=RequestKind.CHRONOLOGY)


@pytest.fixture
def imported(rc: ReviewCast):  # type: ignore[no-untyped-def]
    review = rc.to_in_progress(rc.notify())
    mother = f.AdultFactory(first_name="Jade", last_name="Marsh")
    f.RelationshipFactory(child=rc.cast.child, adult=mother, kind=RelationshipKind.MOTHER)
    school = f.AgencyFactory(code="SCH", name="Test School")
    school_lead = f.member(school, Role.SAFEGUARDING_LEAD, username="school.lead")
    for agency, lead, name, content in (
        (rc.cast.agency, rc.health_lead, "health.csv", HEALTH),
        (school, school_lead, "school.csv", SCHOOL),
        (rc.cast.partner_agency, rc.police_lead, "police.csv", POLICE),
    ):
        request = _chronology_request(rc, review, agency)
        services.submit_to_request(
            actor=lead, request=request, involvement="Our chronology.", upload=services.Upload(name, content)
        )
    return review


def test_three_agencies_merge_in_date_order_keeping_their_source(imported) -> None:  # type: ignore[no-untyped-def]
    rows = review_chronology(imported, anonymised=False)

    assert [(r.entry.occurred_on, r.entry.agency.code) for r in rows] == [
        (date(2025, 2, 3), "SCH"),
        (date(2025, 5, 12), "HV"),
        (date(2025, 6, 1), "POL"),
    ]
    assert [r.child for r in rows] == ["Ellis Marsh", "Ellis Marsh", "Robin Marsh"]


def test_anonymised_view_shows_only_pseudonyms(imported) -> None:  # type: ignore[no-untyped-def]
    rows = review_chronology(imported)

    text = " ".join(f"{r.child} {r.summary} {r.impact} {r.action_taken}" for r in rows)
    for real in ("Ellis", "Robin", "Jade", "Marsh"):
        assert real not in text
    assert [r.child for r in rows] == ["Child A", "Child A", "Child B"]
    assert rows[0].summary == "Child A came in hungry; Child B said Mum (Mother of Child A) was asleep."
    assert rows[2].summary == "Mother of Child A and Child A present."


def test_a_file_with_an_error_imports_nothing(rc: ReviewCast) -> None:
    review = rc.to_in_progress(rc.notify())
    request = _chronology_request(rc, review, rc.cast.agency)
    bad = HEALTH + b"31/02/2025,Ellis Marsh,Home visit,Impossible date\n"

    with pytest.raises(ValidationError) as exc:
        services.submit_to_request(
            actor=rc.health_lead, request=request, involvement="x", upload=services.Upload("h.csv", bad)
        )

    assert "Row 3" in " ".join(exc.value.message_dict["document"])
    assert ChronologyEntry.objects.count() == 0
