"""Project-wide fixtures: personas, signed-in clients (with two-factor), and browser settings."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from safeguarding.testing.personas import Cast, build_cast

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fast_settings(settings: Any) -> None:
    # Argon2 is the production hasher; tests use a fast one to keep the suite quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _working_calendar(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test reads the partnership's bank holiday list afresh (what an earlier test added was rolled
    back); a test without the database counts with the `holidays` package's England days alone."""
    from safeguarding.core import calendar

    calendar.forget()
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "django_db_setup", "live_server"} & set(request.fixturenames)
    )
    if uses_db:
        yield
        calendar.forget()
        return
    with calendar.use(calendar.WorkingCalendar()):
        yield


@pytest.fixture
def cast(db: None) -> Cast:
    return build_cast()


def verified_client(user: Any) -> Client:
    """A test client signed in as `user` who has passed two-factor authentication."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(user=user, name="Test authenticator", defaults={"confirmed": True})
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def client_for() -> Any:
    return verified_client


@pytest.fixture(scope="session")
def django_db_setup(request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: Any) -> None:
    """Under `--nomigrations` (the suite's default: see safeguarding/testing/schema.py) the tables
    come from the models; then the migrations' own code runs: triggers and configuration rows. The
    flush that ends each transactional (and browser) test leaves those rows where they are, and puts
    back any a test changed (`keep_configuration_rows`), so every test finds the database as the
    migrations left it, in whatever order pytest runs them."""
    from safeguarding.testing.schema import keep_configuration_rows, run_migration_code

    with django_db_blocker.unblock():
        if request.config.getvalue("nomigrations"):
            run_migration_code()
        keep_configuration_rows()


# The longest tests first (browser journeys, the API's schemathesis run, the seeded demo), so the
# workers share out the short ones at the end and finish together, rather than one waiting out a
# journey that started last. A stable sort: the order within each group stays as collected.
LONG_FIRST = (
    "tests/browser/",
    "safeguarding/api/tests/test_schemathesis.py",
    "safeguarding/children/tests/test_seed_demo.py",
    "safeguarding/chronology/tests/test_demo.py",
    "safeguarding/census/tests/test_demo_export.py",
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not item.nodeid.startswith(LONG_FIRST))
