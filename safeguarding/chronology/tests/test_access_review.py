"""Found in an access review: a restricted entry must not reveal its agency through the filter, a
family view is a view of every child's record it shows, and rows name only the children shown."""

import datetime as dt

import pytest

from safeguarding.agencies.enums import Role
from safeguarding.children.enums import RelationshipKind
from safeguarding.chronology.merged import merged_chronology
from safeguarding.chronology.models import EventType
from safeguarding.core.enums import Confidentiality
from safeguarding.core.models import ActivityLog
from safeguarding.testing import factories as f
from safeguarding.testing.recording import record_as_involved

pytestmark = pytest.mark.django_db


def add(actor, agency, children, code="home_visit", **kwargs):
    return record_as_involved(
        actor=actor,
        agency=agency,
        children=children,
        event_type=EventType.objects.get(code=code),
        occurred_on=dt.date(2025, 2, 3),
        summary="An entry",
        **kwargs,
    )


def test_agency_filter_does_not_name_an_agency_whose_entries_are_all_restricted(cast, client_for):
    clinic = f.AgencyFactory(code="SHC", name="Test Sexual Health Clinic")
    nurse = f.member(clinic, Role.PRACTITIONER)
    add(nurse, clinic, [cast.child], confidentiality=Confidentiality.RESTRICTED)
    html = client_for(cast.involved).get(f"/chronology/children/{cast.child.pk}/").content.decode()
    assert "Test Sexual Health Clinic" not in html


def test_family_view_logs_a_view_of_each_childs_record(cast, client_for):
    sibling = f.ChildFactory(first_name="Sky", last_name="Marsh")
    f.InvolvementFactory(agency=cast.agency, child=sibling)
    f.RelationshipFactory(child=cast.child, adult=None, other_child=sibling, kind=RelationshipKind.SIBLING)
    client_for(cast.involved).get(f"/chronology/children/{cast.child.pk}/", {"family": "on"})
    viewed = set(ActivityLog.objects.filter(action="chronology.viewed").values_list("subject_child_id", flat=True))
    assert viewed == {cast.child.pk, sibling.pk}


def test_rows_name_only_children_shown(cast):
    hidden_sibling = f.ChildFactory(first_name="Kit", last_name="Marsh")
    police = f.member(cast.partner_agency, Role.PRACTITIONER)
    add(police, cast.partner_agency, [cast.child, hidden_sibling], code="police_attendance")
    (row,) = merged_chronology(cast.involved, cast.child).rows
    assert row.child_ids == frozenset({cast.child.pk})
