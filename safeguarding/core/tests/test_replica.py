"""The read replica (`core.replica`, docs/scaling.md): with a `replica` alias (here a test mirror of
default, as `DATABASE_REPLICA_URL` configures it), reads of the dashboards and reports go to it;
writes, reads inside a transaction and every other page go to default. Without the alias nothing
changes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.test.utils import CaptureQueriesContext

from safeguarding.agencies.models import Agency
from safeguarding.core import replica
from safeguarding.dashboards.tests.conftest import build_dash_cast

# Committed rows, so that the replica's own connection sees them.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def with_replica() -> Iterator[None]:
    """A `replica` alias on the test database: what settings make of DATABASE_REPLICA_URL in tests."""
    connections.settings[replica.REPLICA] = {
        **connections[DEFAULT_DB_ALIAS].settings_dict,
        "TEST": {"MIRROR": DEFAULT_DB_ALIAS},
    }
    # Connected here: the test case allows only the aliases it was given, unless already connected.
    connections[replica.REPLICA].connect()
    try:
        yield
    finally:
        connections[replica.REPLICA].close()
        del connections[replica.REPLICA]
        del connections.settings[replica.REPLICA]


def test_without_a_replica_every_read_goes_to_default() -> None:
    with replica.reads():
        assert router.db_for_read(Agency) == DEFAULT_DB_ALIAS
    assert replica.read_alias() == DEFAULT_DB_ALIAS


def test_the_router_sends_reads_inside_reads_to_the_replica_and_the_rest_to_default(with_replica: None) -> None:
    assert router.db_for_read(Agency) == DEFAULT_DB_ALIAS
    assert router.db_for_write(Agency) == DEFAULT_DB_ALIAS
    with replica.reads():
        assert router.db_for_read(Agency) == replica.REPLICA
        assert router.db_for_write(Agency) == DEFAULT_DB_ALIAS
        with transaction.atomic():
            assert router.db_for_read(Agency) == DEFAULT_DB_ALIAS  # a service's own reads see its writes
        assert Agency.objects.all().db == replica.REPLICA
    assert not router.allow_migrate(replica.REPLICA, "agencies")
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "agencies")


def _queries_on(client: Any, path: str) -> tuple[int, int, int]:
    """(status, queries on default, queries on the replica) of one GET."""
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_default,
        CaptureQueriesContext(connections[replica.REPLICA]) as on_replica,
    ):
        response = client.get(path)
    return response.status_code, len(on_default), len(on_replica)


def test_dashboards_and_reports_read_from_the_replica_other_pages_do_not(with_replica: None, client_for: Any) -> None:
    with time_machine.travel(datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Europe/London")), tick=False):
        client = client_for(build_dash_cast().business)
        status, _default, on_replica = _queries_on(client, "/dashboard/")
        assert status == 200
        assert on_replica > 0, "the dashboard's figures are read from the replica"

        status, _default, on_replica = _queries_on(client, "/escalations/report/")
        assert (status, on_replica > 0) == (200, True)

        status, on_default, on_replica = _queries_on(client, "/")
        assert (status, on_replica) == (200, 0), "the home page reads from default"
        assert on_default > 0
