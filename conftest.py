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


_db_blocker: Any = None


@pytest.fixture(scope="session")
def django_db_setup(request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: Any) -> None:
    """Under `--nomigrations` (the suite's default: see safeguarding/testing/schema.py) the tables
    come from the models; then the migrations' own code runs: triggers and configuration rows. On
    PostgreSQL the flush after each transactional test then deletes rather than truncates."""
    from safeguarding.testing.schema import delete_instead_of_truncate, run_migration_code

    with django_db_blocker.unblock():
        if request.config.getvalue("nomigrations"):
            run_migration_code()
        delete_instead_of_truncate()


@pytest.fixture(scope="session", autouse=True)
def _remember_db_blocker(django_db_blocker: Any) -> None:
    global _db_blocker  # read by the teardown hook below, which gets no fixtures
    _db_blocker = django_db_blocker


@pytest.fixture(autouse=True)
def _default_data_in_transactional_tests(request: pytest.FixtureRequest) -> None:
    """Transactional tests run on a flushed database: give them the migrations' configuration data
    (and, after the flush that ends them, `pytest_runtest_teardown` puts it back for later tests)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "live_server" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction", False)
    )
    if transactional:
        from safeguarding.testing.defaults import install_default_data

        request.getfixturevalue("transactional_db")
        install_default_data()
        request.node.flushes_database = True  # type: ignore[attr-defined]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After a transactional test's flush, put the migrations' configuration data back, so the tests
    that run after it (in whatever order pytest chooses) find the database as migrations left it.
    Not after the last test: its teardown has already destroyed the test database, and the
    connection points at the configured one again, which must never be written to."""
    yield
    if getattr(item, "flushes_database", False) and nextitem is not None and _db_blocker is not None:
        from safeguarding.testing.defaults import install_default_data

        with _db_blocker.unblock():
            install_default_data()


# The longest tests first (browser journeys, the API's schemathesis run, the seeded demo), so the
# workers share out the short ones at the end and finish together, rather than one waiting out a
# journey that started last. A stable sort: the order within each group stays as collected.
LONG_FIRST = (
    "tests/browser/",
    "safeguarding/api/tests/test_schemathesis.py",
    "safeguarding/children/tests/test_seed_demo.py",
    "safeguarding/chronology/tests/test_demo.py",
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not item.nodeid.startswith(LONG_FIRST))
