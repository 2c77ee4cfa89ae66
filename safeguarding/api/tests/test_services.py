from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from safeguarding.agencies.enums import Role
from safeguarding.agencies.models import Agency, User
from safeguarding.api.models import AgencyApiToken, hash_key
from safeguarding.api.services import create_api_token, revoke_api_token
from safeguarding.core.models import ActivityLog
from safeguarding.testing import factories as f


@pytest.fixture
def agency(db: None) -> Agency:
    return f.AgencyFactory(code="POL", name="Test Police")


@pytest.fixture
def administrator(agency: Agency) -> User:
    return f.member(agency, Role.ADMINISTRATOR)


def test_create_api_token_makes_a_system_account_in_the_agency(agency: Agency, administrator: User) -> None:
    token, key = create_api_token(actor=administrator, agency=agency, name="Police case system")

    user = token.service_user
    assert key.startswith("sgh_")
    assert len(key) == 4 + 43
    assert token.key_prefix == key[4:12]
    assert token.key_hash == hash_key(key)
    assert token.created_by == administrator
    assert user.is_system is True
    assert user.has_usable_password() is False
    assert [(m.agency_id, m.role, m.is_active) for m in user.memberships.all()] == [
        (agency.pk, Role.AGENCY_SYSTEM, True)
    ]


def test_create_api_token_stores_no_key_and_logs_none(agency: Agency, administrator: User) -> None:
    token, key = create_api_token(actor=administrator, agency=agency, name="Police case system")

    stored = AgencyApiToken.objects.filter(pk=token.pk).values().get()
    assert key not in {str(v) for v in stored.values()}
    row = ActivityLog.objects.get(action="api_token.created")
    assert row.actor == administrator
    assert row.target_id == str(token.pk)
    assert key not in str(row.changes)
    assert token.key_hash not in str(row.changes)
    assert set(row.changes) == {"agency", "name", "key_prefix", "service_user"}


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.SAFEGUARDING_LEAD, Role.BUSINESS_UNIT])
def test_create_api_token_refuses_non_administrators(agency: Agency, role: str) -> None:
    with pytest.raises(PermissionDenied):
        create_api_token(actor=f.member(agency, role), agency=agency, name="Police case system")

    assert not AgencyApiToken.objects.exists()


def test_create_api_token_without_an_actor_needs_system(agency: Agency) -> None:
    with pytest.raises(PermissionDenied):
        create_api_token(actor=None, agency=agency, name="Police case system")


def test_create_api_token_refuses_a_second_live_token_with_the_same_name(agency: Agency, administrator: User) -> None:
    create_api_token(actor=administrator, agency=agency, name="Police case system")

    with pytest.raises(ValidationError) as exc:
        create_api_token(actor=administrator, agency=agency, name="police case system")

    assert "already has a live token with this name" in exc.value.message_dict["name"][0]


def test_create_api_token_refuses_an_inactive_agency(agency: Agency, administrator: User) -> None:
    other = f.AgencyFactory(is_active=False)

    with pytest.raises(ValidationError):
        create_api_token(actor=administrator, agency=other, name="Old system")


def test_revoke_api_token_switches_off_the_service_account(agency: Agency, administrator: User) -> None:
    token, _ = create_api_token(actor=administrator, agency=agency, name="Police case system")

    revoke_api_token(actor=administrator, token=token)

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.revoked_by == administrator
    assert token.service_user.is_active is False
    assert not token.service_user.memberships.filter(is_active=True).exists()
    assert ActivityLog.objects.filter(action="api_token.revoked", target_id=str(token.pk)).count() == 1
    # The name is free again for a replacement.
    create_api_token(actor=administrator, agency=agency, name="Police case system")


def test_revoke_api_token_twice_logs_once(agency: Agency, administrator: User) -> None:
    token, _ = create_api_token(actor=administrator, agency=agency, name="Police case system")

    revoke_api_token(actor=administrator, token=token)
    revoke_api_token(actor=administrator, token=token)

    assert ActivityLog.objects.filter(action="api_token.revoked").count() == 1


def test_revoke_api_token_refuses_non_administrators(agency: Agency, administrator: User) -> None:
    token, _ = create_api_token(actor=administrator, agency=agency, name="Police case system")

    with pytest.raises(PermissionDenied):
        revoke_api_token(actor=f.member(agency, Role.MANAGER), token=token)
    with pytest.raises(PermissionDenied):
        revoke_api_token(actor=token.service_user, token=token)

    token.refresh_from_db()
    assert token.revoked_at is None
