from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from safeguarding.concerns.models import Alert
from safeguarding.concerns.scan import evaluate_children
from safeguarding.concerns.tests.helpers import WNB_RULE, days_ago, only_rules, open_alert, record
from safeguarding.testing.personas import Cast

# The moment the concerns tests run at. Most build their entries back from today (`days_ago`), but the
# property tests record entries on fixed days from 1 January 2024, and the chronology refuses entries
# dated after today: the clock stands after them, so the tests pass whatever day the suite runs.
CONCERNS_MOMENT = datetime(2026, 11, 20, 14, 35, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _clock_after_the_fixed_entries(time_machine: Any) -> None:
    time_machine.move_to(CONCERNS_MOMENT, tick=False)


@pytest.fixture
def alert(cast: Cast) -> Alert:
    """An open alert of the rule "wnb" (3 was-not-brought in a year) for the cast's child."""
    only_rules(WNB_RULE)
    for n in (300, 200, 100):
        record(cast.agency, cast.child, "was_not_brought", days_ago(n))
    evaluate_children([cast.child.pk])
    return open_alert(cast.child, "wnb")
