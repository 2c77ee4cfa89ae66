"""Stateful schemathesis: sequences of calls that follow the schema's OpenAPI links (create, then
read, update and move the record on), as an agency system that can create, against the WSGI app.

Each step's response must not be a server error and must match the documented status codes, content
type and body. The links come from `safeguarding.api.schema.add_links`; the run is bounded (a few
scenarios of a few steps, derandomized) so it adds seconds, not minutes, to the suite.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from safeguarding.api.tests.factories import ApiCast

# The schema as served, and its fixture that keeps the test's database connection across WSGI calls.
from safeguarding.api.tests.test_schemathesis import _keep_the_test_transactions_connection, schema  # noqa: F401

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
RAISE = "POST /api/v1/escalations/"
# The receiving side's steps, sent with the receiving agency's token so that a sequence can go the whole
# way: raised (HV), answered and its outcome agreed (POL), resolved or escalated (HV).
RECEIVING_SIDE = ("POST /api/v1/escalations/{id}/respond/", "POST /api/v1/escalations/{id}/outcome/")
RECORD = "POST /api/v1/events/"
# The records an agency system can create, and everything on them: escalations, and chronology entries
# with the children they are about and their chronologies. (Every operation is in the stateless run,
# test_schemathesis.py.)
STATEFUL_PATHS = r"^/api/v1/(escalations|events|children)/"

# Valid data only, through the links the schema declares (none inferred), so each step can succeed and
# the sequences test the links themselves; the stateless run sends the invalid data.
CONFIG = schemathesis.Config.from_dict(
    {"generation": {"mode": "positive"}, "phases": {"stateful": {"inference": {"algorithms": []}}}}
)


def _linked_schema() -> Any:
    loaded = schemathesis.openapi.from_dict(schema.raw_schema, config=CONFIG)
    loaded.app = get_wsgi_application()
    # (An exclusion, not `include`: see the note in dashboards/tests/test_api.py.)
    return loaded.exclude(func=lambda ctx: not re.match(STATEFUL_PATHS, ctx.operation.path))


# derandomize: the same rules drawn on every run (schemathesis still decides now and then, at random, to
# try a generated id instead of a linked one); widen these locally to explore.
STATEFUL_SETTINGS = settings(
    max_examples=12,
    stateful_step_count=6,
    deadline=None,
    derandomize=True,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def test_api_statefully(api_cast: ApiCast) -> None:
    key, receiving_key = api_cast.involved_key, api_cast.partner_key
    # A body that can be recorded: the child the token's agency works with, a partner agency and a
    # reason code that exist. What else the escalation says is left to the generator.
    valid_raise = {
        "children": [api_cast.cast.child.pk],
        "receiving_agency": api_cast.cast.partner_agency.code,
        "reason": "threshold",
        "raiser_level_of_need": 3,
        "evidence": [],
    }
    calls: Counter[tuple[str, int]] = Counter()

    def valid_entry() -> dict[str, Any]:
        return {
            "agency_reference": f"HV-S{sum(calls.values())}",
            "children": [{"nhs_number": api_cast.cast.child.nhs_number}],
            "occurred_on": "2024-03-01",
            "type": "health_visitor_contact",
            "summary": "Home visit.",
        }

    class Workflow(_linked_schema().as_state_machine()):  # type: ignore[misc]
        def before_call(self, case: Any) -> None:
            super().before_call(case)
            if case.operation.label == RAISE and isinstance(case.body, dict):
                case.body = {
                    "disputed_decision": "No further action.",
                    "desired_outcome": "Strategy discussion.",
                    **case.body,
                    **valid_raise,
                }
            if case.operation.label == RECORD:
                case.body = [valid_entry()]

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            token = receiving_key if case.operation.label in RECEIVING_SIDE else key
            return {"headers": {"Authorization": f"Token {token}"}}

        def after_call(self, response: Any, case: Any) -> None:
            super().after_call(response, case)
            calls[(case.operation.label, response.status_code)] += 1

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs or None, recorder=self.recorder)

    Workflow.run(settings=STATEFUL_SETTINGS)

    print(f"stateful: {sum(calls.values())} calls", sorted(calls.items()))
    # The links were followed: escalations were raised, then read or moved on through their own ids
    # (answered for the record, whatever the answer, rather than "Not found.").
    assert calls[(RAISE, 201)] > 0
    assert any(
        label.startswith("GET /api/v1/escalations/{id}/") or label.startswith("POST /api/v1/escalations/{id}/")
        for label, code in calls
        if code != 404
    )
    # Entries were recorded, and the child they are about read through the answer's `child_ids`.
    assert calls[(RECORD, 201)] > 0
    assert calls[("GET /api/v1/children/{id}/", 200)] + calls[("GET /api/v1/children/{id}/chronology/", 200)] > 0
