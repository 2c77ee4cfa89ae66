"""The demo step: trained assessors and neglect profiles of the featured brothers by two agencies."""

from __future__ import annotations

from safeguarding.agencies.enums import AgencyKind, Role
from safeguarding.assessments.demo import seed_assessments
from safeguarding.assessments.models import Assessment, TrainedAssessor
from safeguarding.core.demo import DemoContext
from safeguarding.testing import factories as f


def test_seed_assessments_shows_change_over_time_and_between_agencies(db: None) -> None:
    health = f.AgencyFactory(code="NBCH", name="Demo health")
    csc = f.AgencyFactory(code="NBC-CSC", name="Demo social care", kind=AgencyKind.CHILDRENS_SOCIAL_CARE)
    tyler = f.ChildFactory(first_name="Tyler", last_name="Whitlock")
    mason = f.ChildFactory(first_name="Mason", last_name="Whitlock")
    hv = f.member(health, Role.PRACTITIONER, username="practitioner.hv")
    f.member(csc, Role.PRACTITIONER, username="practitioner.csc")
    for child in (tyler, mason):
        f.InvolvementFactory(agency=health, child=child, lead_professional=hv, service="School nursing")
        f.InvolvementFactory(agency=csc, child=child)
    lines: list[str] = []
    seed_assessments(DemoContext("small", 1, lines.append))
    mason_rows = Assessment.objects.filter(child=mason, status="completed").order_by("assessed_on")
    assert [a.agency.code for a in mason_rows] == ["NBCH", "NBC-CSC", "NBCH"]
    assert set(Assessment.objects.filter(child=tyler).values_list("agency__code", flat=True)) == {"NBCH", "NBC-CSC"}
    assert TrainedAssessor.objects.count() == 2
    first, last = mason_rows.first(), mason_rows.last()
    assert first is not None
    assert last is not None
    assert sum(g.grade or 0 for g in last.grades.all()) < sum(g.grade or 0 for g in first.grades.all())
    seed_assessments(DemoContext("small", 1, lines.append))  # a second run adds nothing
    assert Assessment.objects.count() == 5
    assert lines[-1] == "Assessments: already seeded."
