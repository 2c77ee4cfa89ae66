"""Lists of escalations ask the workflow's guards without one query per escalation (issue 19: the home
page's escalations panel asked two or three queries for each open escalation)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from safeguarding.escalations.models import Escalation
from safeguarding.escalations.queries import awaiting_action_by, know_who_acted
from safeguarding.escalations.tests.conftest import EscCast
from safeguarding.escalations.workflow import allowed_actions


def _raise(esc_cast: EscCast, count: int) -> list[Escalation]:
    return [esc_cast.raise_one(disputed_decision=f"Decision {n}.") for n in range(count)]


def test_awaiting_action_by_asks_three_queries_however_many_escalations(esc_cast: EscCast) -> None:
    _raise(esc_cast, 1)
    esc_cast.receiver.refresh_access_cache()
    assert esc_cast.receiver.active_memberships  # read once per person (and request), as on a page
    with CaptureQueriesContext(connection) as one:
        assert len(awaiting_action_by(esc_cast.receiver)) == 1
    _raise(esc_cast, 3)
    with CaptureQueriesContext(connection) as four:
        assert len(awaiting_action_by(esc_cast.receiver)) == 4
    # The escalations, the steps this person took on them, every stage.
    assert len(one) == len(four) == 3


def test_the_list_gives_the_same_actions_as_asking_one_escalation_at_a_time(esc_cast: EscCast) -> None:
    escalations = _raise(esc_cast, 3)
    people = (esc_cast.raiser, esc_cast.receiver, esc_cast.receiving_manager, esc_cast.business, esc_cast.unrelated)
    for person in people:  # the raiser has acted on every one (raising it), the others on none
        listed = know_who_acted(person, list(Escalation.objects.filter(pk__in=[e.pk for e in escalations])))
        for esc in listed:
            assert allowed_actions(person, esc) == allowed_actions(person, Escalation.objects.get(pk=esc.pk))
    assert "escalated" not in allowed_actions(esc_cast.raiser, escalations[0])  # no response yet, not overdue


def test_the_home_page_asks_as_many_queries_for_four_escalations_as_for_one(esc_cast: EscCast, client_for) -> None:
    _raise(esc_cast, 1)
    client = client_for(esc_cast.receiver)
    client.get("/")
    with CaptureQueriesContext(connection) as one:
        assert client.get("/").status_code == 200
    escalations = _raise(esc_cast, 3)
    with CaptureQueriesContext(connection) as four:
        html = client.get("/").content.decode()
    assert all(esc.reference in html for esc in escalations)
    assert len(four) == len(one)
