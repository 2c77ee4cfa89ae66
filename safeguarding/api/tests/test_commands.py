from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from safeguarding.api.models import AgencyApiToken, hash_key
from safeguarding.api.tests.factories import make_token, token_client
from safeguarding.core.enums import Via
from safeguarding.core.models import ActivityLog
from safeguarding.testing import factories as f


def test_create_api_token_command_prints_the_key_once(db: None) -> None:
    agency = f.AgencyFactory(code="POL", name="Test Police")
    out = StringIO()

    call_command("create_api_token", "--agency", "pol", "--name", "Police case system", stdout=out)

    token = AgencyApiToken.objects.get()
    lines = out.getvalue().splitlines()
    [key] = [line for line in lines if line.startswith("sgh_")]
    assert token.agency == agency
    assert token.key_hash == hash_key(key)
    assert out.getvalue().count(key) == 1
    assert "it will not be shown again" in out.getvalue()
    row = ActivityLog.objects.get(action="api_token.created")
    assert row.via == Via.COMMAND
    assert row.actor is None
    assert token_client(key).get("/api/v1/children/").status_code == 200


def test_create_api_token_command_unknown_agency(db: None) -> None:
    with pytest.raises(CommandError, match="No agency has the code 'NOPE'"):
        call_command("create_api_token", "--agency", "NOPE", "--name", "Anything", stdout=StringIO())

    assert not AgencyApiToken.objects.exists()


def test_create_api_token_command_duplicate_name_is_a_clear_error(db: None) -> None:
    agency = f.AgencyFactory(code="POL")
    make_token(agency, "Police case system")

    with pytest.raises(CommandError, match="already has a live token with this name"):
        call_command("create_api_token", "--agency", "POL", "--name", "Police case system", stdout=StringIO())


@pytest.mark.parametrize("form", ["bare", "with_sgh", "as_listed"])
def test_revoke_api_token_command(db: None, form: str) -> None:
    token, key = make_token(f.AgencyFactory(code="POL", name="Test Police"))
    prefix = {"bare": token.key_prefix, "with_sgh": f"sgh_{token.key_prefix}", "as_listed": token.display_prefix}[form]
    out = StringIO()

    call_command("revoke_api_token", prefix, stdout=out)

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Revoked the token" in out.getvalue()
    assert ActivityLog.objects.get(action="api_token.revoked").via == Via.COMMAND
    assert token_client(key).get("/api/v1/children/").status_code == 401


def test_revoke_api_token_command_unknown_prefix(db: None) -> None:
    with pytest.raises(CommandError, match="No token has a key starting 'sgh_zzzzzzzz'"):
        call_command("revoke_api_token", "sgh_zzzzzzzz", stdout=StringIO())


def test_revoke_api_token_command_already_revoked(db: None) -> None:
    token, _ = make_token(f.AgencyFactory(code="POL", name="Test Police"))
    call_command("revoke_api_token", token.key_prefix, stdout=StringIO())
    out = StringIO()

    call_command("revoke_api_token", token.key_prefix, stdout=out)

    assert "was already revoked" in out.getvalue()
    assert ActivityLog.objects.filter(action="api_token.revoked").count() == 1


def test_key_prefixes_never_start_with_a_dash_so_operators_can_type_them_bare(db: None, monkeypatch) -> None:
    from safeguarding.api import services as api_services

    keys = iter(["sgh_-dashfirst" + "x" * 30, "sgh_AbCd1234" + "y" * 30])
    monkeypatch.setattr(api_services, "generate_key", lambda: next(keys))
    token, key = make_token(f.AgencyFactory(code="POL", name="Test Police"))
    assert token.key_prefix == "AbCd1234"
    assert key.startswith("sgh_AbCd1234")
