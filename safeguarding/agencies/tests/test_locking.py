"""Loading a partnership file locks what it may change, in one transaction of its own (issue 14):
`select_for_update` never runs under autocommit (PostgreSQL refuses it there). Run on PostgreSQL
with DATABASE_URL."""

from __future__ import annotations

import pytest

from safeguarding.agencies.models import Agency, User
from safeguarding.agencies.services import load_partnership

pytestmark = pytest.mark.django_db(transaction=True)

DATA = {
    "partnership": "Test partnership",
    "agencies": [{"code": "HV", "name": "Test Community Health", "kind": "health"}],
    "users": [
        {
            "username": "worker",
            "first_name": "Sam",
            "last_name": "Test",
            "email": "worker@example.org",
            "memberships": [{"agency": "HV", "role": "practitioner"}],
        }
    ],
}


def test_loading_a_partnership_locks_and_writes_in_its_own_transaction() -> None:
    report = load_partnership(actor=None, data=DATA)
    assert report.has_changes
    assert Agency.objects.filter(code="HV").exists()
    assert User.objects.filter(username="worker").exists()
    again = load_partnership(actor=None, data=DATA)
    assert not again.has_changes  # nothing to change: nothing written, nothing logged


def test_a_dry_run_rolls_back_what_it_wrote() -> None:
    report = load_partnership(actor=None, data=DATA, dry_run=True)
    assert report.has_changes
    assert not Agency.objects.filter(code="HV").exists()
