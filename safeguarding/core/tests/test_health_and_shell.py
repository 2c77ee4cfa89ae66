import pytest


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_pages_send_a_nonce_based_content_security_policy(client):
    response = client.get("/sign-in/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()


@pytest.mark.django_db
def test_shell_has_skip_link_phase_banner_and_no_crown(client):
    html = client.get("/sign-in/").content.decode()
    assert 'href="#main-content"' in html
    assert "govuk-phase-banner" in html
    assert "crown" not in html.lower()
    assert "GDS Transport" not in html


@pytest.mark.django_db
def test_navigation_follows_role(client_for, cast):
    from safeguarding.agencies.enums import Role
    from safeguarding.testing import factories as f

    practitioner_html = client_for(cast.involved).get("/").content.decode()
    assert "Find a child" in practitioner_html
    assert "Partnership" not in practitioner_html
    admin = f.member(cast.agency, Role.ADMINISTRATOR)
    admin_html = client_for(admin).get("/").content.decode()
    assert "Partnership" in admin_html
    assert "Find a child" not in admin_html


def test_only_the_closest_navigation_item_is_active(monkeypatch):
    from safeguarding.core import navigation

    entries = [
        navigation.NavEntry("Home", "core:home", 0, lambda user: True),
        navigation.NavEntry("Find a child", "children:search", 10, lambda user: True),
        navigation.NavEntry("Access grants", "children:grants", 20, lambda user: True),
    ]
    monkeypatch.setattr(navigation, "_entries", entries)
    items = {i.label: i.active for i in navigation.items_for(None, "/children/access-grants/")}
    assert items == {"Home": False, "Find a child": False, "Access grants": True}
    items = {i.label: i.active for i in navigation.items_for(None, "/children/12/")}
    assert items == {"Home": False, "Find a child": True, "Access grants": False}


def test_production_answers_a_plain_http_health_check_instead_of_redirecting_it():
    """A load balancer asks /healthz over plain HTTP without X-Forwarded-Proto; production's HTTPS
    redirect must not answer it 301 (every other path is still redirected)."""
    import os
    import subprocess
    import sys

    script = (
        "import django; django.setup()\n"
        "from django.http import HttpResponse\n"
        "from django.middleware.security import SecurityMiddleware\n"
        "from django.test import RequestFactory\n"
        "middleware = SecurityMiddleware(lambda request: HttpResponse('ok'))\n"
        "factory = RequestFactory(SERVER_NAME='hub.example.org')\n"
        "print(middleware(factory.get('/healthz')).status_code, middleware(factory.get('/sign-in')).status_code)\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "safeguarding.settings",
        "DJANGO_ENV": "production",
        "SECRET_KEY": "test-only-" + "x" * 50,
        "ALLOWED_HOSTS": "hub.example.org",
        "SITE_URL": "https://hub.example.org",
        "DATABASE_URL": "sqlite:///:memory:",
    }
    env.pop("SECURE_SSL_REDIRECT", None)
    answer = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert answer.stdout.split() == ["200", "301"]
