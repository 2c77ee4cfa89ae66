from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from safeguarding.agencies.enums import Role
from safeguarding.api.models import AgencyApiToken
from safeguarding.api.services import revoke_api_token
from safeguarding.api.tests.factories import ApiCast, signed_in_client, token_client
from safeguarding.testing import factories as f

LIST_URL = "/api/v1/children/"


def test_token_authentication_accepts_a_live_key(api_cast: ApiCast) -> None:
    response = api_cast.client("involved").get(LIST_URL)

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [api_cast.cast.child.pk]


def test_token_authentication_without_credentials_is_401_with_www_authenticate(api_cast: ApiCast) -> None:
    response = APIClient().get(LIST_URL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Authentication credentials were not provided."}


@pytest.mark.parametrize(
    "key",
    [
        "sgh_unknownkeyunknownkeyunknownkeyunknownkey1",
        "not-our-format",
        "sgh_",
    ],
)
def test_token_authentication_unknown_key_is_401(api_cast: ApiCast, key: str) -> None:
    response = token_client(key).get(LIST_URL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Invalid or revoked token."}


def test_token_authentication_right_prefix_wrong_secret_is_401(api_cast: ApiCast) -> None:
    key = api_cast.involved_key
    forged = key[:12] + ("A" if key[12] != "A" else "B") + key[13:]

    response = token_client(forged).get(LIST_URL)

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or revoked token."}


def test_token_authentication_revoked_key_is_401(api_cast: ApiCast) -> None:
    revoke_api_token(actor=None, token=api_cast.involved_token, system=True)

    response = api_cast.client("involved").get(LIST_URL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Invalid or revoked token."}


def test_token_authentication_malformed_header_is_401(api_cast: ApiCast) -> None:
    response = APIClient().get(LIST_URL, HTTP_AUTHORIZATION=f"Token {api_cast.involved_key} extra")

    assert response.status_code == 401
    assert "Authorization: Token <key>" in response.json()["detail"]


def test_token_authentication_inactive_agency_is_401(api_cast: ApiCast) -> None:
    agency = api_cast.cast.agency
    agency.is_active = False
    agency.save(update_fields=["is_active"])

    response = api_cast.client("involved").get(LIST_URL)

    assert response.status_code == 401


def test_token_authentication_updates_last_used_at_most_once_a_minute(
    api_cast: ApiCast, django_assert_num_queries: object
) -> None:
    client = api_cast.client("involved")
    token = api_cast.involved_token
    assert token.last_used_at is None

    client.get(LIST_URL)
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None

    client.get(LIST_URL)
    token.refresh_from_db()
    assert token.last_used_at == first_use

    AgencyApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - timedelta(minutes=2))
    client.get(LIST_URL)
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.last_used_at > first_use - timedelta(minutes=2)
    assert token.last_used_at <= timezone.now()


def test_session_authentication_needs_two_factor(db: None) -> None:
    agency = f.AgencyFactory()
    child = f.ChildFactory()
    f.InvolvementFactory(agency=agency, child=child)
    person = f.member(agency, Role.PRACTITIONER)

    password_only = signed_in_client(person, verified=False).get(LIST_URL)
    verified = signed_in_client(person, verified=True).get(LIST_URL)

    assert password_only.status_code == 401
    assert password_only.json() == {"detail": "Authentication credentials were not provided."}
    assert verified.status_code == 200
    assert [row["id"] for row in verified.json()["results"]] == [child.pk]


def test_session_authentication_refuses_a_system_account(api_cast: ApiCast) -> None:
    service_user = api_cast.involved_token.service_user

    response = signed_in_client(service_user, verified=True).get(LIST_URL)

    assert response.status_code == 401


def test_malformed_json_answers_the_documented_400_shape(db: None) -> None:
    """Issue 16: a body that is not JSON answered 400 without the documented `errors` key."""
    from safeguarding.api.exceptions import VALIDATION_DETAIL
    from safeguarding.api.tests.factories import build_api_cast

    client = build_api_cast().client("involved")
    response = client.post("/api/v1/escalations/", data="{not json", content_type="application/json")

    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == VALIDATION_DETAIL
    assert list(body["errors"]) == ["non_field_errors"]
    assert "JSON parse error" in body["errors"]["non_field_errors"][0]
