"""The alert demo (`seed_concerns`, a step of `manage.py seed_demo`): each demo history raises the
default rule it was written for and nothing else, the near misses raise nothing, and every default
rule fires on the demo data."""

from __future__ import annotations

import pytest

from safeguarding.agencies.enums import AgencyKind, Role
from safeguarding.concerns.defaults import PREVIEW_FIRST, RULES
from safeguarding.concerns.demo import HISTORIES, demo_alerts, demo_previews, seed_concerns
from safeguarding.concerns.models import Alert, Rule
from safeguarding.core.demo import DemoContext
from safeguarding.testing import factories as f

pytestmark = pytest.mark.django_db


def test_each_demo_history_raises_its_rule_and_every_default_rule_fires() -> None:
    kinds = {step[1] for _, _, steps in HISTORIES for step in steps}
    for n, kind in enumerate(sorted(kinds)):
        f.member(f.AgencyFactory(code=f"DEMO{n}", kind=kind), Role.PRACTITIONER)
    assert AgencyKind.HEALTH in kinds
    log: list[str] = []
    seed_concerns(DemoContext(size="small", seed=7, log=log.append))
    expected = {name: ({code} if code and code not in PREVIEW_FIRST else set()) for name, code, _ in HISTORIES}
    assert demo_alerts() == expected
    assert not [line for line in log if "differ" in line or "skipped" in line], log
    # Every default rule switched on fires on the demo data; the gap rule ships off, and its preview
    # finds Ezra (and only the demo children written for it).
    fired = set(Alert.objects.values_list("rule__code", flat=True))
    switched_on = {r["code"] for r in RULES} - PREVIEW_FIRST
    assert switched_on <= set(Rule.objects.active().values_list("code", flat=True))
    assert switched_on <= fired
    assert not Rule.objects.get(code="long-gap-no-contact").is_active
    previews = {name: codes for name, codes in demo_previews().items() if codes}
    assert previews == {name: {code} for name, code, _ in HISTORIES if code in PREVIEW_FIRST}
    assert "Ezra" in previews
    # Running the step again adds nothing.
    seed_concerns(DemoContext(size="small", seed=7, log=log.append))
    assert demo_alerts() == expected
