from __future__ import annotations

import pytest

from safeguarding.concerns.models import Alert
from safeguarding.concerns.scan import evaluate_children
from safeguarding.concerns.tests.helpers import WNB_RULE, days_ago, only_rules, open_alert, record
from safeguarding.testing.personas import Cast


@pytest.fixture
def alert(cast: Cast) -> Alert:
    """An open alert of the rule "wnb" (3 was-not-brought in a year) for the cast's child."""
    only_rules(WNB_RULE)
    for n in (300, 200, 100):
        record(cast.agency, cast.child, "was_not_brought", days_ago(n))
    evaluate_children([cast.child.pk])
    return open_alert(cast.child, "wnb")
