from __future__ import annotations

from safeguarding.api.tests.factories import make_token, signed_in_client
from safeguarding.testing import factories as f


def test_admin_shows_tokens_read_only_without_the_key(db: None) -> None:
    token, key = make_token(f.AgencyFactory(code="POL", name="Test Police"), "Police case system")
    superuser = f.UserFactory(is_staff=True, is_superuser=True)
    client = signed_in_client(superuser, verified=True)

    listing = client.get("/django-admin/api/agencyapitoken/")
    change = client.get(f"/django-admin/api/agencyapitoken/{token.pk}/change/")
    add = client.get("/django-admin/api/agencyapitoken/add/")

    assert listing.status_code == 200
    assert "Police case system" in listing.content.decode()
    assert change.status_code == 200
    for page in (listing, change):
        html = page.content.decode()
        assert key not in html
        assert token.key_hash not in html
    assert 'name="name"' not in change.content.decode()  # no editable field
    assert add.status_code == 403
