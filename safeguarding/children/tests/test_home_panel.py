"""The home page's "Children you are lead professional for" panel: the children a person leads, read so
that the query stops at the page's limit (issue 19: it sorted every led child by name), and the count of
the children their agency works with, kept for a few minutes and said to be (it read every child the
agency works with on every home page)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from safeguarding.agencies.enums import Role
from safeguarding.children import queries
from safeguarding.children.models import Involvement
from safeguarding.core.enums import Confidentiality
from safeguarding.testing import factories as f
from safeguarding.testing.personas import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC), tick=False) as traveller:
        cache.clear()
        yield traveller
    cache.clear()


def _lead(cast: Cast, last_name: str, *, days_ago: int, **fields: Any) -> Any:
    child = f.ChildFactory(first_name="Led", last_name=last_name)
    start = timezone.localdate() - dt.timedelta(days=days_ago)
    f.InvolvementFactory(agency=cast.agency, child=child, lead_professional=cast.involved, start=start, **fields)
    return child


def test_every_child_led_in_name_order_when_there_are_few(frozen: Any, cast: Cast) -> None:
    zed = _lead(cast, "Zed", days_ago=5)
    abel = _lead(cast, "Abel", days_ago=50)
    mann = _lead(cast, "Mann", days_ago=20)
    ended = _lead(cast, "Ended", days_ago=30)
    Involvement.objects.filter(child=ended).update(end=timezone.localdate() - dt.timedelta(days=1))
    # Led at an agency the person no longer works for is not seeing: it is not listed.
    elsewhere = f.ChildFactory(last_name="Elsewhere")
    f.InvolvementFactory(agency=cast.partner_agency, child=elsewhere, lead_professional=cast.involved)
    # Restricted to the agency's safeguarding lead: the practitioner leads it but may not see it.
    hidden = _lead(
        cast,
        "Hidden",
        days_ago=2,
        confidentiality=Confidentiality.RESTRICTED,
        restricted_to_roles=f",{Role.SAFEGUARDING_LEAD},",
    )
    children, more = queries.children_led_by(cast.involved, 50)
    assert [c.last_name for c in children] == ["Abel", "Mann", "Zed"]
    assert more is False
    shown = {c.pk for c in children}
    assert shown == {abel.pk, mann.pk, zed.pk}
    assert not shown & {ended.pk, elsewhere.pk, hidden.pk}
    assert all(c.pk in set(queries.children_visible_to(cast.involved).values_list("pk", flat=True)) for c in children)


def test_past_the_limit_the_most_recently_taken_on_and_a_note(frozen: Any, cast: Cast, client_for: Any) -> None:
    names = ["Ash", "Birch", "Cedar", "Damson", "Elm"]
    for days_ago, name in enumerate(names):  # Ash the newest, Elm the oldest
        _lead(cast, name, days_ago=days_ago + 1)
    twice = Involvement.objects.get(child__last_name="Ash")
    f.InvolvementFactory(agency=cast.agency, child=twice.child, lead_professional=cast.involved, service="Second")
    children, more = queries.children_led_by(cast.involved, 3)
    assert [c.last_name for c in children] == ["Ash", "Birch", "Cedar"]  # led twice, counted once
    assert more is True
    children, more = queries.children_led_by(cast.involved, 5)
    assert sorted(c.last_name for c in children) == names
    assert more is False

    from safeguarding.children import home_panels

    body = client_for(cast.involved).get("/").content.decode()
    assert "You are lead professional for more than" not in body  # 5 led, fewer than the page's 50
    original = home_panels.LED_SHOWN
    home_panels.LED_SHOWN = 3
    try:
        body = client_for(cast.involved).get("/").content.decode()
    finally:
        home_panels.LED_SHOWN = original
    assert "You are lead professional for more than 3 children: these are the 3 you took on most recently." in body
    assert "Ash" in body
    assert "Cedar" in body
    assert "Damson" not in body


def test_the_agency_count_is_kept_for_five_minutes_and_says_when_it_was_counted(
    frozen: Any, cast: Cast, client_for: Any
) -> None:
    client = client_for(cast.involved)
    body = client.get("/").content.decode()
    assert "Your agency works with 1 child (counted at 10:00)." in body  # 10:00 UTC is 10:00 in March
    f.InvolvementFactory(agency=cast.agency, child=f.ChildFactory())
    frozen.shift(dt.timedelta(minutes=4))
    body = client.get("/").content.decode()
    assert "Your agency works with 1 child (counted at 10:00)." in body  # as counted, and said so
    assert queries.caseload_count(cast.involved)[0] == 1
    frozen.shift(dt.timedelta(minutes=2))
    body = client.get("/").content.decode()
    assert "Your agency works with 2 children (counted at 10:06)." in body
    # Another membership is another count (the cache is per person, memberships and day).
    f.MembershipFactory(user=cast.involved, agency=cast.partner_agency, role=Role.PRACTITIONER)
    body = client.get("/").content.decode()
    assert "Your agency works with 3 children (counted at 10:06)." in body
