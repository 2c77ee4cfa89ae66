"""Property-based check of the API against its own OpenAPI schema (schemathesis).

Generated requests run through Django's WSGI application in-process, as an agency system with a
live token, with the three personas' data present. Every response must match the documented
status codes, content types and bodies, and none may be a server error.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings

from safeguarding.api.tests.factories import ApiCast, build_api_cast

CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            # A search by an NHS number whose check digit does not match is a documented 400: the
            # schema gives the format (a pattern) but cannot express the modulus 11 checksum.
            "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "404"]},
        },
        "operations": [
            {
                # Documented: an agency system token can read assessments but never make one (403
                # whatever the body), since only a person trained for the template may assess.
                "include-name": "POST /api/v1/assessments/",
                "checks": {"positive_data_acceptance": {"expected-statuses": ["403"]}},
            },
            {
                # Documented: only a children's social care agency imports the census; the persona's
                # token is a health agency's, so any well-formed file is refused (403).
                "include-name": "POST /api/v1/census/imports/",
                "checks": {"positive_data_acceptance": {"expected-statuses": ["403"]}},
            },
        ],
    }
)


def _load_schema() -> Any:
    # The document /api/schema/ serves, built in-process; requests then go to the WSGI app.
    # (schemathesis.pytest.from_fixture, the lazy loader, fails under pytest 9: it sets
    # `request.node._nodeid`, which pytest 9 no longer has.)
    spec = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    loaded = schemathesis.openapi.from_dict(spec, config=CONFIG)
    loaded.app = get_wsgi_application()
    return loaded


schema = _load_schema()


@pytest.fixture(scope="module")
def _the_modules_cast(django_db_setup: None, django_db_blocker: Any) -> Iterator[ApiCast]:
    """The personas and their tokens made once for the module's ~96 operations, inside a transaction
    rolled back afterwards; each operation's test runs in a savepoint inside it (`db`), so each starts
    from the same rows, as when every test built its own cast."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_api_cast()
        transaction.set_rollback(True)


@pytest.fixture
def api_cast(_the_modules_cast: ApiCast, db: None) -> ApiCast:
    return _the_modules_cast


@pytest.fixture(autouse=True)
def _keep_the_test_transactions_connection() -> Iterator[None]:
    # Django closes "old" database connections at the start and end of every request. Django's
    # test client switches that off; calling the WSGI application directly does not, and on
    # PostgreSQL it would close the connection that holds the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# derandomize: the same examples on every run, so CI is repeatable; widen max_examples locally to explore
# (SCHEMATHESIS_EXAMPLES=200). 20 an operation keeps the whole run within the suite's time.
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "20"))


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: Any, api_cast: ApiCast) -> None:
    case.call_and_validate(headers={"Authorization": f"Token {api_cast.involved_key}"})
