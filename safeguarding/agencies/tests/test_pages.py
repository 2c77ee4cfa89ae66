import pytest

from safeguarding.agencies.enums import Role
from safeguarding.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ADMINISTRATOR, 200),
        (Role.BUSINESS_UNIT, 200),
        (Role.PRACTITIONER, 404),
        (Role.SAFEGUARDING_LEAD, 404),
        (Role.SCRUTINEER, 404),
    ],
)
def test_partnership_pages_are_for_administrators_and_the_business_unit(cast, client_for, role, status):
    person = f.member(cast.unrelated_agency, role)
    client = client_for(person)
    listing = client.get("/partnership/")
    detail = client.get(f"/partnership/{cast.agency.code}/")
    assert listing.status_code == status
    assert detail.status_code == status
    if status == 200:
        assert "Test Community Health" in listing.content.decode()
        assert cast.involved.get_full_name() in detail.content.decode()


def test_unknown_agency_code_is_not_found(cast, client_for):
    admin = f.member(cast.agency, Role.ADMINISTRATOR)
    assert client_for(admin).get("/partnership/NOPE/").status_code == 404


def test_partnership_pages_show_no_children(cast, client_for):
    admin = f.member(cast.agency, Role.ADMINISTRATOR)
    html = client_for(admin).get(f"/partnership/{cast.agency.code}/").content.decode()
    assert "Ellis" not in html
