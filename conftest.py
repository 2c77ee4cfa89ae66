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


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Each test starts with an empty cache: ids are used again after a rollback, so a count kept for
    an earlier test's person (the home page's caseload, the dashboard's figures) could be another's."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


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


# The longest tests (the API's schemathesis run, the browser journeys, the seeded demo) at the head of every
# worker's queue, so that the workers share out the short ones at the end and finish together, instead of one
# waiting out a journey that started last. xdist's work-stealing scheduler (`make pytest`: --dist worksteal)
# gives each worker a contiguous slice of the collection (the first worker `n // workers` items, the next an
# even share of the rest, and so on) and an idle worker steals from the END of another's queue: so the long
# modules are dealt out between the slices' heads, each whole (a module's fixtures are set up once), longest
# first onto the slice with the least so far. Seconds a module took in CI (7 December 2026, PostgreSQL); only
# their relative sizes matter. Without xdist they simply run first.
LONG_MODULES = {
    "safeguarding/api/tests/test_schemathesis.py": 175,
    "tests/browser/test_audits_journey.py": 30,
    "safeguarding/children/tests/test_seed_demo.py": 25,
    "safeguarding/census/tests/test_demo_export.py": 24,
    "tests/browser/test_review_journey.py": 21,
    "safeguarding/linking/tests/test_engine.py": 21,
    "tests/browser/test_plans_journey.py": 16,
    "tests/test_query_scaling.py": 15,
    "tests/browser/test_issue17_pages.py": 15,
    "safeguarding/chronology/tests/test_demo.py": 14,
    "safeguarding/agencies/tests/test_load_partnership.py": 13,
    "safeguarding/children/tests/test_seed_demo_atomic.py": 9,
    "tests/browser/test_actionplans_journey.py": 13,
    "tests/browser/test_learning_journey.py": 12,
    "tests/browser/test_escalation_journey.py": 16,
    "tests/browser/test_api_docs.py": 12,
    "tests/browser/test_review_decisions_journey.py": 11,
    "tests/browser/test_publishing_committee_journey.py": 11,
    "tests/browser/test_assessments_journey.py": 11,
    "tests/browser/test_publication_journey.py": 8,
    "tests/browser/test_sign_in_and_find_a_child.py": 6,
}
BROWSER_JOURNEY_SECONDS = 5  # any other module under tests/browser/


def _long_seconds(module: str) -> int:
    if module in LONG_MODULES:
        return LONG_MODULES[module]
    return BROWSER_JOURNEY_SECONDS if module.startswith("tests/browser/") else 0


def _slice_sizes(count: int, workers: int) -> list[int]:
    """How worksteal first shares `count` items among `workers` idle workers."""
    sizes = []
    for nodes_remaining in range(workers, 0, -1):
        sizes.append(count // nodes_remaining)
        count -= sizes[-1]
    return sizes


def _long_first(items: list[pytest.Item], workers: int) -> list[pytest.Item]:
    modules: dict[str, list[pytest.Item]] = {}
    short: list[pytest.Item] = []
    for item in items:
        module = item.nodeid.split("::")[0]
        if _long_seconds(module):
            modules.setdefault(module, []).append(item)
        else:
            short.append(item)
    heads: list[list[pytest.Item]] = [[] for _ in range(max(workers, 1))]
    loads = [0] * len(heads)
    for module in sorted(modules, key=lambda name: (-_long_seconds(name), name)):
        lane = loads.index(min(loads))
        heads[lane].extend(modules[module])
        loads[lane] += _long_seconds(module)
    ordered: list[pytest.Item] = []
    for head, size in zip(heads, _slice_sizes(len(items), len(heads)), strict=True):
        take = max(size - len(head), 0)
        ordered.extend(head + short[:take])
        short = short[take:]
    return ordered + short


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    items[:] = _long_first(items, workers)
