import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding.core.models import ActivityLog
from safeguarding.testing import factories as f

pytestmark = pytest.mark.django_db


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def person():
    user = f.member(f.AgencyFactory(), username="casey.hv")
    device = TOTPDevice.objects.create(user=user, name="App", confirmed=True)
    return user, device


def test_password_then_security_code_signs_in(person):
    user, device = person
    client = Client()
    response = client.post("/sign-in/", {"username": "casey.hv", "password": f.TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/two-factor/")
    # With a password only, every page sends you to the security code.
    assert client.get("/children/").status_code == 302
    response = client.post("/sign-in/two-factor/", {"token": current_code(device), "next": "/"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert ActivityLog.objects.filter(actor=user, action="user.signed_in").exists()


def test_wrong_security_code_is_refused_with_a_clear_message(person):
    client = Client()
    client.post("/sign-in/", {"username": "casey.hv", "password": f.TEST_PASSWORD})
    response = client.post("/sign-in/two-factor/", {"token": "000000"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "security code is not correct" in html or "Too many wrong codes" in html
    assert client.get("/").status_code == 302


def test_wrong_password_message_and_typed_username_kept(person):
    response = Client().post("/sign-in/", {"username": "casey.hv", "password": "nope"})
    html = response.content.decode()
    assert "Enter a correct username and password" in html
    assert 'value="casey.hv"' in html
    assert 'value="nope"' not in html


def test_lockout_after_repeated_failures(person):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/sign-in/", {"username": "casey.hv", "password": "wrong"})
    response = client.post("/sign-in/", {"username": "casey.hv", "password": f.TEST_PASSWORD})
    assert response.status_code == 429
    assert "Sign-in is locked" in response.content.decode()


def test_person_without_a_device_must_set_one_up(db):
    user = f.member(f.AgencyFactory(), username="new.starter")
    client = Client()
    response = client.post("/sign-in/", {"username": "new.starter", "password": f.TEST_PASSWORD})
    assert response["Location"].startswith("/sign-in/two-factor/set-up/")
    page = client.get("/sign-in/two-factor/set-up/")
    assert page.status_code == 200
    assert "data:image/svg+xml;base64," in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/sign-in/two-factor/set-up/", {"token": current_code(device), "next": "/"})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200


def test_agency_system_accounts_cannot_sign_in_to_pages(db):
    f.member(f.AgencyFactory(), username="system-x", is_system=True)
    response = Client().post("/sign-in/", {"username": "system-x", "password": f.TEST_PASSWORD})
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()


def test_sign_out_ends_the_session(person, client_for):
    user, _ = person
    client = client_for(user)
    assert client.get("/").status_code == 200
    response = client.post("/sign-out/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_sessions_expire_after_inactivity():
    assert settings.SESSION_COOKIE_AGE <= 60 * 60
    assert "safeguarding.core.middleware.IdleSessionRenewalMiddleware" in settings.MIDDLEWARE


def test_a_request_renews_the_idle_timeout_at_most_once_a_minute(person, client_for, time_machine):
    from django.contrib.sessions.models import Session

    time_machine.move_to(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False)
    user, _ = person
    client = client_for(user)

    def expiry() -> dt.datetime:
        return Session.objects.get(session_key=client.session.session_key).expire_date

    assert client.get("/").status_code == 200
    first = expiry()
    assert first == dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC) + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    time_machine.shift(settings.SESSION_RENEW_SECONDS - 1)
    assert client.get("/").status_code == 200
    assert expiry() == first  # renewed less than a minute ago: no session write
    time_machine.shift(2)
    assert client.get("/").status_code == 200
    assert expiry() == first + dt.timedelta(seconds=settings.SESSION_RENEW_SECONDS + 1)
    # Idle for the whole timeout after that: the session has ended.
    time_machine.shift(settings.SESSION_COOKIE_AGE + 1)
    assert client.get("/").status_code == 302


def test_open_redirects_are_refused(person):
    _, device = person
    client = Client()
    client.post("/sign-in/", {"username": "casey.hv", "password": f.TEST_PASSWORD})
    response = client.post("/sign-in/two-factor/", {"token": current_code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_next_keeps_its_query_string_through_both_steps(person):
    _, device = person
    client = Client()
    wanted = "/children/?name=marsh&date_of_birth=2019-01-02"
    response = client.post("/sign-in/", {"username": "casey.hv", "password": f.TEST_PASSWORD, "next": wanted})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.context["next"] == wanted
    response = client.post("/sign-in/two-factor/", {"token": current_code(device), "next": page.context["next"]})
    assert response["Location"] == wanted


def test_next_sent_to_the_second_step_is_still_checked(person):
    client = Client()
    response = client.post(
        "/sign-in/", {"username": "casey.hv", "password": f.TEST_PASSWORD, "next": "https://evil.example/?a=1"}
    )
    assert response["Location"] == "/sign-in/two-factor/?next=%2F"


def test_lockout_behind_the_proxy_is_per_client_address(person, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.5"}
    attacker = Client(HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    colleague = Client(HTTP_X_FORWARDED_FOR="198.51.100.20", **proxy)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post("/sign-in/", {"username": "casey.hv", "password": "wrong"})
    assert attacker.post("/sign-in/", {"username": "casey.hv", "password": f.TEST_PASSWORD}).status_code == 429
    response = colleague.post("/sign-in/", {"username": "casey.hv", "password": f.TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/two-factor/")


def test_addresses_the_client_wrote_in_front_are_not_trusted(person, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.5"}
    # The attacker prepends a new fake address each time; the proxy appends the real one.
    for n in range(settings.AXES_FAILURE_LIMIT):
        Client(HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.7", **proxy).post(
            "/sign-in/", {"username": "casey.hv", "password": "wrong"}
        )
    again = Client(HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.7", **proxy)
    assert again.post("/sign-in/", {"username": "casey.hv", "password": f.TEST_PASSWORD}).status_code == 429
