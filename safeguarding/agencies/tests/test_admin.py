"""The Django admin: every change reaches the activity log, and authenticator secrets are never shown
(issue 16: an administrator made a user superuser and added a membership at a health trust, and the
only new log rows were the sign-in; the device page showed each person's TOTP secret)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding.agencies.enums import Role
from safeguarding.agencies.models import User
from safeguarding.api.tests.factories import signed_in_client
from safeguarding.core.models import ActivityLog
from safeguarding.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser() -> User:
    agency = f.AgencyFactory(code="LA", name="Test Council")
    return f.member(agency, Role.ADMINISTRATOR, username="root.admin", is_staff=True, is_superuser=True)


def change_form_data(client: Client, url: str) -> dict[str, Any]:
    """What the admin change page would post back unchanged: the form's and each inline's values."""
    context = client.get(url).context
    data: dict[str, Any] = {}
    form = context["adminform"].form
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or name == "password":
            continue
        if isinstance(value, list | tuple):
            data[name] = [getattr(item, "pk", item) for item in value]
        elif hasattr(value, "strftime") and hasattr(value, "hour"):
            data[f"{name}_0"], data[f"{name}_1"] = value.strftime("%Y-%m-%d"), value.strftime("%H:%M:%S")
        else:
            data[name] = value
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
    return {key: value for key, value in data.items() if value is not False}


def test_making_a_user_superuser_and_adding_a_membership_in_the_admin_is_logged(superuser: User):
    client = signed_in_client(superuser, verified=True)
    trust = f.AgencyFactory(code="HT", name="Test Health Trust")
    person = f.UserFactory(username="some.one")
    url = f"/django-admin/agencies/user/{person.pk}/change/"
    data = change_form_data(client, url)
    data.update({"is_superuser": "on", "memberships-TOTAL_FORMS": "1"})
    data.update({"memberships-0-agency": trust.pk, "memberships-0-role": Role.PRACTITIONER})
    data["memberships-0-is_active"] = "on"

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    person.refresh_from_db()
    assert person.is_superuser
    assert person.memberships.filter(agency=trust).exists()
    row = ActivityLog.objects.get(action="admin.changed", target_id=str(person.pk))
    assert row.actor == superuser
    assert row.changes["set"] == {"is_superuser": True}
    assert {"added": {"name": "membership"}} in row.changes["admin"]
    # No object descriptions (a str() may be a person's name).
    assert "some.one" not in str(row.changes)


def test_deleting_in_the_admin_is_logged(superuser: User):
    client = signed_in_client(superuser, verified=True)
    device = TOTPDevice.objects.create(user=f.UserFactory(), name="Phone", confirmed=True)

    client.post(f"/django-admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})

    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    row = ActivityLog.objects.get(action="admin.deleted")
    assert row.actor == superuser
    assert row.changes["object_id"] == str(device.pk)


def test_the_admin_never_shows_an_authenticator_secret(superuser: User):
    client = signed_in_client(superuser, verified=True)
    device = TOTPDevice.objects.create(user=f.UserFactory(), name="Phone", confirmed=True)
    base = "/django-admin/otp_totp/totpdevice/"

    pages = [client.get(base), client.get(f"{base}{device.pk}/change/")]

    for page in pages:
        assert page.status_code == 200
        assert device.key not in page.content.decode()
        assert "qrcode" not in page.content.decode().lower()
    assert client.get(f"{base}{device.pk}/config/").status_code == 403
    assert client.get(f"{base}add/").status_code == 403  # the add form would show a new secret


def test_the_admin_offers_no_bulk_delete_which_would_go_unlogged(superuser: User):
    client = signed_in_client(superuser, verified=True)
    page = client.get("/django-admin/agencies/agency/")
    assert page.status_code == 200
    assert "delete_selected" not in page.content.decode()
