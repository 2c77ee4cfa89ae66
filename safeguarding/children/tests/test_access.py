"""Who may see a child's record: the access matrix over pages, with data present that could leak."""

import datetime as dt

import pytest
from django.utils import timezone

from safeguarding.agencies.enums import Role
from safeguarding.children import queries
from safeguarding.children.models import Child
from safeguarding.core.enums import Confidentiality
from safeguarding.core.models import ActivityLog
from safeguarding.core.restriction import encode_roles
from safeguarding.testing import factories as f
from safeguarding.testing.html import without_per_request_values

pytestmark = pytest.mark.django_db


def test_children_visible_to_follows_active_involvement(cast):
    assert list(queries.children_visible_to(cast.involved)) == [cast.child]
    assert cast.child not in queries.children_visible_to(cast.partner)
    assert cast.child not in queries.children_visible_to(cast.unrelated)


def test_ended_involvement_no_longer_gives_access(cast):
    cast.child.involvements.update(end=timezone.localdate() - dt.timedelta(days=1))
    assert cast.child not in queries.children_visible_to(cast.involved)


def test_future_involvement_does_not_give_access_yet(cast):
    child = f.ChildFactory()
    f.InvolvementFactory(agency=cast.agency, child=child, start=timezone.localdate() + dt.timedelta(days=3))
    assert child not in queries.children_visible_to(cast.involved)


def test_non_case_roles_do_not_see_children_through_their_agency(cast):
    scrutineer = f.member(cast.agency, Role.SCRUTINEER)
    administrator = f.member(cast.agency, Role.ADMINISTRATOR)
    assert not queries.children_visible_to(scrutineer).exists()
    assert not queries.children_visible_to(administrator).exists()


@pytest.mark.parametrize(("persona", "status"), [("involved", 200), ("partner", 404), ("unrelated", 404)])
def test_child_record_page_access_matrix(cast, client_for, persona, status):
    response = client_for(getattr(cast, persona)).get(f"/children/{cast.child.pk}/")
    assert response.status_code == status
    if status == 200:
        assert "Ellis Marsh" in response.content.decode()


def test_not_visible_answers_exactly_like_not_found(cast, client_for):
    client = client_for(cast.partner)
    hidden = client.get(f"/children/{cast.child.pk}/")
    missing = client.get(f"/children/{Child.objects.order_by('-pk').first().pk + 1000}/")
    assert hidden.status_code == missing.status_code == 404
    assert without_per_request_values(hidden.content) == without_per_request_values(missing.content)


@pytest.mark.parametrize(("persona", "expected"), [("involved", 1), ("partner", 0), ("unrelated", 0)])
def test_search_page_only_finds_children_the_persona_may_see(cast, client_for, persona, expected):
    response = client_for(getattr(cast, persona)).get("/children/", {"name": "Marsh"})
    html = response.content.decode()
    assert response.status_code == 200
    assert ("Ellis Marsh" in html) == (expected == 1)
    # Robin Marsh is the partner agency's child: only the partner sees that one.
    assert ("Robin Marsh" in html) == (persona == "partner")


def test_search_by_date_of_birth_and_nhs_number(cast, client_for):
    client = client_for(cast.involved)
    dob = cast.child.date_of_birth.strftime("%d/%m/%Y")
    assert "Ellis Marsh" in client.get("/children/", {"date_of_birth": dob}).content.decode()
    assert "Ellis Marsh" in client.get("/children/", {"nhs_number": cast.child.nhs_number}).content.decode()
    spaced = f"{cast.child.nhs_number[:3]} {cast.child.nhs_number[3:6]} {cast.child.nhs_number[6:]}"
    assert "Ellis Marsh" in client.get("/children/", {"nhs_number": spaced}).content.decode()


def test_search_rejects_a_bad_nhs_number_and_keeps_what_was_typed(cast, client_for):
    response = client_for(cast.involved).get("/children/", {"name": "Ellis", "nhs_number": "9434765918"})
    html = response.content.decode()
    assert "check digit does not match" in html
    assert 'value="9434765918"' in html
    assert 'value="Ellis"' in html
    assert "govuk-error-summary" in html


def test_search_with_nothing_entered_says_what_to_do(cast, client_for):
    html = client_for(cast.involved).get("/children/", {"name": ""}).content.decode()
    assert "Enter a name, a date of birth or an NHS number to search" in html


def test_search_refuses_impossible_dates_rather_than_guessing(cast, client_for):
    client = client_for(cast.involved)
    html = client.get("/children/", {"date_of_birth": "13/25/2019"}).content.decode()
    assert "Date of birth must be a real date" in html
    # The GOV.UK date input: three boxes, what was typed kept, only the boxes at fault highlighted.
    typed = {"date_of_birth_day": "31", "date_of_birth_month": "2", "date_of_birth_year": "2019"}
    html = client.get("/children/", typed).content.decode()
    assert "Date of birth must be a real date" in html
    assert 'name="date_of_birth_day" value="31"' in html
    html = client.get("/children/", {"date_of_birth_day": "3", "date_of_birth_year": "2019"}).content.decode()
    assert "Date of birth must include a month" in html
    assert 'href="#id_date_of_birth_1"' in html  # the summary links to the month box
    assert html.count("govuk-input--error") == 1


def test_search_page_is_not_found_for_roles_without_cases(cast, client_for):
    scrutineer = f.member(cast.agency, Role.SCRUTINEER)
    assert client_for(scrutineer).get("/children/").status_code == 404


def test_every_view_of_a_child_record_is_logged(cast, client_for):
    client = client_for(cast.involved)
    client.get(f"/children/{cast.child.pk}/")
    client.get(f"/children/{cast.child.pk}/")
    views = ActivityLog.objects.filter(action="child.viewed", subject_child_id=cast.child.pk)
    assert views.count() == 2
    assert {r.actor_id for r in views} == {cast.involved.pk}
    assert {r.via for r in views} == {"page"}


def test_refused_view_is_not_logged_as_a_view(cast, client_for):
    client_for(cast.partner).get(f"/children/{cast.child.pk}/")
    assert not ActivityLog.objects.filter(action="child.viewed", actor=cast.partner).exists()


def test_search_log_holds_no_search_terms(cast, client_for):
    client_for(cast.involved).get("/children/", {"name": "Ellis"})
    row = ActivityLog.objects.get(action="children.searched")
    assert "Ellis" not in str(row.changes)
    assert row.changes == {"results": 1}


def test_restricted_involvement_hidden_from_other_agencies(cast, client_for):
    mental_health = f.AgencyFactory(code="MHT", name="Test Mental Health Trust")
    f.InvolvementFactory(
        agency=mental_health,
        child=cast.child,
        service="Confidential therapy",
        confidentiality=Confidentiality.RESTRICTED,
        restricted_to_roles=encode_roles([Role.SAFEGUARDING_LEAD]),
    )
    mht_lead = f.member(mental_health, Role.SAFEGUARDING_LEAD)
    mht_practitioner = f.member(mental_health, Role.PRACTITIONER)
    assert "Confidential therapy" not in client_for(cast.involved).get(f"/children/{cast.child.pk}/").content.decode()
    assert "Confidential therapy" in client_for(mht_lead).get(f"/children/{cast.child.pk}/").content.decode()
    # A restricted involvement gives no access to roles it is not restricted to.
    assert client_for(mht_practitioner).get(f"/children/{cast.child.pk}/").status_code == 404


def test_access_grant_gives_time_limited_access(cast, client_for):
    grant = f.AccessGrantFactory(user=cast.unrelated, child=cast.child)
    client = client_for(cast.unrelated)
    assert client.get(f"/children/{cast.child.pk}/").status_code == 200
    grant.expires_at = timezone.now() - dt.timedelta(seconds=1)
    grant.starts_at = timezone.now() - dt.timedelta(days=1)
    grant.save()
    assert client.get(f"/children/{cast.child.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"), [("lead", 200), ("involved", 404), ("partner", 404), ("unrelated", 404)]
)
def test_who_looked_page_is_for_the_involved_agencys_safeguarding_lead(cast, client_for, persona, status):
    lead = f.member(cast.agency, Role.SAFEGUARDING_LEAD, username="lead")
    users = {"lead": lead, "involved": cast.involved, "partner": cast.partner, "unrelated": cast.unrelated}
    client_for(cast.involved).get(f"/children/{cast.child.pk}/")
    response = client_for(users[persona]).get(f"/children/{cast.child.pk}/activity/")
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert cast.involved.get_full_name() in html
        assert "Viewed the record" in html  # the action in plain words,
        assert "child.viewed" not in html  # never its code


def test_who_looked_does_not_reveal_a_restricted_involvement(cast, client_for):
    """A mental-health trust's involvement is restricted to its safeguarding lead; its lead's look at
    the record is not listed to another agency's safeguarding lead (issue 16), but is to its own."""
    mental_health = f.AgencyFactory(code="MHT", name="Test Mental Health Trust")
    f.InvolvementFactory(
        agency=mental_health,
        child=cast.child,
        confidentiality=Confidentiality.RESTRICTED,
        restricted_to_roles=encode_roles([Role.SAFEGUARDING_LEAD]),
    )
    mht_lead = f.member(mental_health, Role.SAFEGUARDING_LEAD, first_name="Morwenna", last_name="Treharne")
    assert client_for(mht_lead).get(f"/children/{cast.child.pk}/").status_code == 200
    assert ActivityLog.objects.filter(actor=mht_lead, actor_agency_code="MHT").exists()
    other_lead = f.member(cast.agency, Role.SAFEGUARDING_LEAD, username="lead")

    for show in ("", "?show=all"):
        html = client_for(other_lead).get(f"/children/{cast.child.pk}/activity/{show}").content.decode()
        assert "Treharne" not in html
        assert "Mental Health" not in html
    assert "Treharne" in client_for(mht_lead).get(f"/children/{cast.child.pk}/activity/").content.decode()


def test_all_activity_shows_system_rows_as_the_system(cast, client_for):
    """Rows with no actor (an alert the scan raised) appear as "System" under "show all", not a 500."""
    from safeguarding.core.services import record_activity

    lead = f.member(cast.agency, Role.SAFEGUARDING_LEAD, username="lead")
    record_activity(actor=None, action="alert.raised", child_id=cast.child.pk)
    response = client_for(lead).get(f"/children/{cast.child.pk}/activity/?show=all")
    assert response.status_code == 200
    row = response.content.decode().split("<code>alert.raised</code>", 1)[0].rsplit("<tr", 1)[1]
    assert "System" in row


def test_the_record_page_withholds_a_sibling_the_reader_may_not_see(cast, client_for):
    """The record names other children only to people who may see them (issue 16)."""
    from safeguarding.children.enums import RelationshipKind

    f.RelationshipFactory(child=cast.child, adult=None, other_child=cast.other_child, kind=RelationshipKind.SIBLING)
    html = client_for(cast.involved).get(f"/children/{cast.child.pk}/").content.decode()
    assert "A child you do not have access to" in html
    assert "Robin" not in html
    f.InvolvementFactory(agency=cast.agency, child=cast.other_child)
    assert "Robin Marsh" in client_for(cast.involved).get(f"/children/{cast.child.pk}/").content.decode()
