from datetime import timedelta

import pytest

from safeguarding.agencies.enums import Role
from safeguarding.children.models import AccessGrant
from safeguarding.children.views import NO_CHILD_FOR_GRANT
from safeguarding.core.models import ActivityLog
from safeguarding.testing import factories as f
from safeguarding.testing.html import without_per_request_values

pytestmark = pytest.mark.django_db


def test_safeguarding_lead_gives_access_to_someone_in_their_agency(cast, client_for):
    lead = f.member(cast.unrelated_agency, Role.SAFEGUARDING_LEAD)
    client = client_for(lead)
    response = client.post(
        "/children/access-grants/new/",
        {
            "user": cast.unrelated.pk,
            "child_reference": cast.child.nhs_number,
            "child_date_of_birth": cast.child.date_of_birth.strftime("%d/%m/%Y"),
            "reason": "Checking history before a strategy discussion",
            "days": 5,
        },
    )
    assert response.status_code == 302
    grant = AccessGrant.objects.get(user=cast.unrelated, child=cast.child)
    assert grant.granted_by == lead
    assert ActivityLog.objects.filter(action="access_grant.created", subject_child_id=cast.child.pk).exists()
    assert client_for(cast.unrelated).get(f"/children/{cast.child.pk}/").status_code == 200


def test_grant_is_shown_to_lead_professional_on_the_record(cast, client_for):
    cast.child.involvements.update(lead_professional=cast.involved)
    f.AccessGrantFactory(user=cast.unrelated, child=cast.child, reason="Housing panel needs the history")
    html = client_for(cast.involved).get(f"/children/{cast.child.pk}/").content.decode()
    assert "Housing panel needs the history" in html


def test_grant_is_shown_to_the_grantees_safeguarding_lead(cast, client_for):
    lead = f.member(cast.unrelated_agency, Role.SAFEGUARDING_LEAD)
    f.AccessGrantFactory(user=cast.unrelated, child=cast.child, reason="Housing panel needs the history")
    assert "Housing panel needs the history" in client_for(lead).get("/").content.decode()


def test_a_manager_cannot_grant_to_someone_in_another_agency(cast, client_for):
    manager = f.member(cast.unrelated_agency, Role.MANAGER)
    response = client_for(manager).post(
        "/children/access-grants/new/",
        {
            "user": cast.partner.pk,
            "child_reference": cast.child.nhs_number,
            "child_date_of_birth": cast.child.date_of_birth.strftime("%d/%m/%Y"),
            "reason": "Trying to reach across agencies",
            "days": 5,
        },
    )
    assert response.status_code == 200
    assert "Choose a person from the list" in response.content.decode()
    assert not AccessGrant.objects.exists()


def test_grant_form_keeps_what_was_typed_and_explains_errors(cast, client_for):
    lead = f.member(cast.unrelated_agency, Role.SAFEGUARDING_LEAD)
    response = client_for(lead).post(
        "/children/access-grants/new/",
        {
            "user": cast.unrelated.pk,
            "child_reference": "12345",
            "child_date_of_birth_day": "27",
            "child_date_of_birth_month": "3",
            "child_date_of_birth_year": "2019",
            "reason": "Short",
            "days": 90,
        },
    )
    html = response.content.decode()
    assert "in at least 10 characters" in html
    assert "at most 30 days" in html
    assert 'value="12345"' in html
    assert 'name="child_date_of_birth_day" value="27"' in html  # the GOV.UK date input keeps the boxes
    assert 'name="child_date_of_birth_year" value="2019"' in html
    assert not AccessGrant.objects.exists()


def test_practitioners_cannot_reach_the_grant_pages(cast, client_for):
    client = client_for(cast.involved)
    assert client.get("/children/access-grants/").status_code == 404
    assert client.get("/children/access-grants/new/").status_code == 404


def test_ending_a_grant_removes_access_and_is_logged(cast, client_for):
    lead = f.member(cast.unrelated_agency, Role.SAFEGUARDING_LEAD)
    grant = f.AccessGrantFactory(user=cast.unrelated, child=cast.child, granted_by=lead)
    response = client_for(lead).post(f"/children/access-grants/{grant.pk}/end/")
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_by == lead
    assert client_for(cast.unrelated).get(f"/children/{cast.child.pk}/").status_code == 404
    assert ActivityLog.objects.filter(action="access_grant.revoked").count() == 1


def _grant_attempt(client, grantee, reference: str, born: str):
    return client.post(
        "/children/access-grants/new/",
        {
            "user": grantee.pk,
            "child_reference": reference,
            "child_date_of_birth": born,
            "reason": "Checking history before a strategy discussion",
            "days": 5,
        },
    )


def test_a_wrong_date_of_birth_is_answered_exactly_like_a_number_nobody_has(cast, client_for):
    """The form must not confirm that an NHS number exists (issue 16): the same status, message and
    page, byte for byte (bar the CSRF token and CSP nonce), for a known number with the wrong date of birth and for
    the same typing once no child has that number."""
    lead = f.member(cast.unrelated_agency, Role.SAFEGUARDING_LEAD)
    client = client_for(lead)
    born = cast.child.date_of_birth
    wrong_born = (born + timedelta(days=1)).strftime("%d/%m/%Y")
    number = cast.child.nhs_number
    mismatch = _grant_attempt(client, cast.unrelated, number, wrong_born)
    by_id = _grant_attempt(client, cast.unrelated, str(cast.child.pk), wrong_born)
    cast.child.nhs_number = None
    cast.child.save(update_fields=["nhs_number"])
    missing = _grant_attempt(client, cast.unrelated, number, wrong_born)
    assert mismatch.status_code == missing.status_code == by_id.status_code == 200
    assert NO_CHILD_FOR_GRANT in missing.content.decode()
    assert NO_CHILD_FOR_GRANT in by_id.content.decode()
    assert without_per_request_values(mismatch.content) == without_per_request_values(missing.content)
    assert not AccessGrant.objects.exists()


def test_the_right_number_and_date_of_birth_give_access(cast, client_for):
    lead = f.member(cast.unrelated_agency, Role.SAFEGUARDING_LEAD)
    response = _grant_attempt(
        client_for(lead), cast.unrelated, str(cast.child.pk), cast.child.date_of_birth.strftime("%d/%m/%Y")
    )
    assert response.status_code == 302
    assert AccessGrant.objects.filter(user=cast.unrelated, child=cast.child).exists()
