from __future__ import annotations

import re

import pytest
from django.test import Client

from safeguarding.agencies.enums import Role
from safeguarding.agencies.models import Agency, User
from safeguarding.api.models import AgencyApiToken, hash_key
from safeguarding.api.permissions import can_manage_api_tokens
from safeguarding.api.tests.factories import make_token, signed_in_client, token_client
from safeguarding.core.enums import Via
from safeguarding.core.models import ActivityLog
from safeguarding.testing import factories as f

LIST_URL = "/api/tokens/"
CREATE_URL = "/api/tokens/new/"


def stable(content: bytes) -> str:
    """A page without its per-request values (CSP nonce, CSRF token), to compare two pages."""
    html = re.sub(r'nonce="[^"]*"', 'nonce=""', content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken"', html)


def revoke_url(token: AgencyApiToken) -> str:
    return f"/api/tokens/{token.pk}/revoke/"


@pytest.fixture
def agency(db: None) -> Agency:
    return f.AgencyFactory(code="POL", name="Test Police")


@pytest.fixture
def administrator(agency: Agency) -> User:
    return f.member(agency, Role.ADMINISTRATOR, username="admin")


@pytest.fixture
def admin_client(administrator: User) -> Client:
    return signed_in_client(administrator, verified=True)


@pytest.fixture
def token(agency: Agency) -> AgencyApiToken:
    return make_token(agency, "Police case system")[0]


# --- Who may use the pages


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.SAFEGUARDING_LEAD, Role.BUSINESS_UNIT, Role.MANAGER])
@pytest.mark.parametrize("method", ["get", "post"])
def test_token_pages_are_404_for_non_administrators(
    agency: Agency, token: AgencyApiToken, role: str, method: str
) -> None:
    client = signed_in_client(f.member(agency, role), verified=True)
    missing = getattr(client, method)("/api/tokens/999999/revoke/")

    for url in (LIST_URL, CREATE_URL, revoke_url(token)):
        response = getattr(client, method)(url, {"agency": agency.pk, "name": "Sneaky"})
        assert response.status_code == 404
        assert stable(response.content) == stable(missing.content)
    token.refresh_from_db()
    assert token.revoked_at is None
    assert AgencyApiToken.objects.count() == 1


def test_token_pages_send_anonymous_people_to_sign_in(db: None) -> None:
    response = Client().get(LIST_URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=/api/tokens/")


def test_token_pages_need_two_factor_even_for_an_administrator(administrator: User) -> None:
    client = signed_in_client(administrator, verified=False)

    response = client.get(LIST_URL)

    assert response.status_code == 302
    # An administrator with no authenticator yet is sent to set one up, then back to the tokens.
    assert response["Location"] == "/sign-in/two-factor/set-up/?next=%2Fapi%2Ftokens%2F"


def test_can_manage_api_tokens_only_for_administrators(agency: Agency, administrator: User) -> None:
    token, _ = make_token(agency)

    assert can_manage_api_tokens(administrator)
    assert not can_manage_api_tokens(f.member(agency, Role.PRACTITIONER))
    assert not can_manage_api_tokens(token.service_user)
    assert not can_manage_api_tokens(None)


def test_navigation_shows_api_tokens_to_administrators_only(agency: Agency, admin_client: Client) -> None:
    practitioner = signed_in_client(f.member(agency, Role.PRACTITIONER), verified=True)

    assert 'href="/api/tokens/"' in admin_client.get(LIST_URL).content.decode()
    assert 'href="/api/tokens/"' not in practitioner.get("/").content.decode()


# --- List


def test_token_list_shows_tokens_without_keys(admin_client: Client, agency: Agency) -> None:
    live, live_key = make_token(agency, "Police case system")
    old, _ = make_token(agency, "Old police system")
    admin_client.post(revoke_url(old))

    response = admin_client.get(LIST_URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Police case system" in html
    assert live.display_prefix in html
    assert live_key not in html
    assert "Active" in html
    assert "Revoked" in html
    assert html.count("/revoke/") == 1
    assert 'href="/api/tokens/new/"' in html


# --- Create


def test_token_create_shows_the_key_once_and_stores_only_its_hash(admin_client: Client, agency: Agency) -> None:
    response = admin_client.post(CREATE_URL, {"agency": agency.pk, "name": "Police case system"})

    assert response.status_code == 200
    html = response.content.decode()
    [key] = set(re.findall(r"sgh_[A-Za-z0-9_-]{43}", html))
    token = AgencyApiToken.objects.get()
    assert token.key_hash == hash_key(key)
    assert key not in {str(v) for v in AgencyApiToken.objects.filter(pk=token.pk).values().get().values()}
    assert "It will not be shown again" in html
    assert "no-store" in response["Cache-Control"]
    assert key not in str(dict(admin_client.session))
    # It works, and nowhere shows it again.
    assert token_client(key).get("/api/v1/children/").status_code == 200
    assert key not in admin_client.get(LIST_URL).content.decode()
    row = ActivityLog.objects.get(action="api_token.created")
    assert row.via == Via.PAGE
    assert key not in str(row.changes)


def test_token_create_form_shows_errors(admin_client: Client, agency: Agency, token: AgencyApiToken) -> None:
    empty = admin_client.post(CREATE_URL, {"agency": "", "name": ""})
    duplicate = admin_client.post(CREATE_URL, {"agency": agency.pk, "name": "Police case system"})

    assert empty.status_code == 200
    assert "Select the agency whose system will use the token" in empty.content.decode()
    assert "Enter a name for the token" in empty.content.decode()
    assert "already has a live token with this name" in duplicate.content.decode()
    assert AgencyApiToken.objects.count() == 1


def test_token_create_page_lists_active_agencies(admin_client: Client, agency: Agency) -> None:
    f.AgencyFactory(name="Closed agency", is_active=False)

    html = admin_client.get(CREATE_URL).content.decode()

    assert "Test Police" in html
    assert "Closed agency" not in html


# --- Revoke


def test_token_revoke_get_asks_to_confirm(admin_client: Client, token: AgencyApiToken) -> None:
    response = admin_client.get(revoke_url(token))

    assert response.status_code == 200
    assert "Revoke the API token ‘Police case system’" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_revoke_post_revokes_with_a_message(
    admin_client: Client, administrator: User, token: AgencyApiToken
) -> None:
    response = admin_client.post(revoke_url(token), follow=True)

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.revoked_by == administrator
    assert response.redirect_chain == [("/api/tokens/", 302)]
    assert "Token ‘Police case system’ for Test Police revoked" in response.content.decode()
    row = ActivityLog.objects.get(action="api_token.revoked")
    assert row.via == Via.PAGE
    assert row.actor == administrator


def test_token_revoke_already_revoked_redirects(admin_client: Client, token: AgencyApiToken) -> None:
    admin_client.post(revoke_url(token))

    response = admin_client.post(revoke_url(token), follow=True)

    assert "was already revoked" in response.content.decode()
    assert ActivityLog.objects.filter(action="api_token.revoked").count() == 1


def test_token_revoke_missing_token_is_404(admin_client: Client) -> None:
    assert admin_client.get("/api/tokens/999999/revoke/").status_code == 404
