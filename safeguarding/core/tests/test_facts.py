"""The navigation's facts about the person asking (`core.facts`): asked together in one query a page,
and never kept from one request to the next, so a membership removed shows on the very next page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safeguarding.agencies.enums import Role
from safeguarding.core import facts, navigation
from safeguarding.core.context import request_memo
from safeguarding.testing import factories as f
from safeguarding.testing.personas import Cast

pytestmark = pytest.mark.django_db
FACT_TABLES = ("reviews_reviewmember", "assessments_trainedassessor", "audits_audit", "actionplans_actionplan")


@pytest.fixture
def frozen() -> Any:
    """The clock stopped before the cast is built (asked for first), whatever the real date."""
    with time_machine.travel(dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC), tick=False):
        yield


def _review_with(cast: Cast, member: Any) -> Any:
    from safeguarding.reviews import services as review_services
    from safeguarding.reviews.enums import Harm, MemberRole
    from safeguarding.reviews.models import ReviewMember

    business = f.member(f.AgencyFactory(code="BUF", name="Facts business unit"), Role.BUSINESS_UNIT)
    day = timezone.localdate() - dt.timedelta(days=3)
    review = review_services.notify_serious_incident(
        actor=business,
        incident_on=day,
        aware_on=day,
        harm=Harm.SERIOUS_HARM,
        summary="Admitted to hospital.",
        children=[review_services.ChildInput(cast.child, "Child A")],
    )
    return ReviewMember.objects.create(review=review, user=member, role=MemberRole.PANEL, added_at=timezone.now())


def _labels(client: Any) -> list[str]:
    response = client.get("/")
    assert response.status_code == 200
    return [item.label for item in response.context["nav_items"]]


def test_every_fact_is_asked_in_one_query_a_request(frozen: None, cast: Cast) -> None:
    user = cast.involved
    with request_memo(), CaptureQueriesContext(connection) as queries:
        navigation.items_for(user, "/")
        navigation.items_for(user, "/alerts/")  # a second look in the same request asks nothing again
    about_facts = [q["sql"] for q in queries.captured_queries if any(t in q["sql"] for t in FACT_TABLES)]
    assert len(about_facts) == 1, about_facts
    assert all(table in about_facts[0] for table in FACT_TABLES)


def test_the_answers_are_the_questions_asked_one_by_one(frozen: None, cast: Cast) -> None:
    user = cast.involved
    member = _review_with(cast, user)
    assert facts.holds(user, "reviews.member") is True
    assert facts.holds(cast.partner, "reviews.member") is False
    member.delete()
    assert facts.holds(user, "reviews.member") is False  # outside a request: asked every time
    assert facts.holds(user, "audits.leads_or_audits") is False
    with pytest.raises(KeyError):
        facts.holds(user, "no.such.fact")


def test_a_removed_review_membership_takes_effect_on_the_next_page(frozen: None, cast: Cast, client_for: Any) -> None:
    user = cast.involved
    client = client_for(user)
    assert "Case reviews" not in _labels(client)
    member = _review_with(cast, user)
    assert "Case reviews" in _labels(client)  # added: shown on the next page
    assert client.get("/reviews/").status_code == 200
    member.delete()
    assert "Case reviews" not in _labels(client)  # removed: gone on the next page, nothing remembered
    assert client.get("/reviews/").status_code == 404


HOME_FACT_TABLES = ('"assessments_assessment"', '"learning_attendance"', '"learning_followuprequest"')


def test_the_home_pages_facts_are_asked_with_the_navigations_in_one_query(
    frozen: None, cast: Cast, client_for: Any
) -> None:
    client = client_for(cast.involved)
    client.get("/")  # the session's first page renews it: not counted
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    about_facts = [q["sql"] for q in queries.captured_queries if any(t in q["sql"] for t in FACT_TABLES)]
    assert len(about_facts) == 1, about_facts
    assert all(table in about_facts[0] for table in FACT_TABLES + HOME_FACT_TABLES)
    assert about_facts[0].count(' AS "fact_') == len(facts._facts)
    # Another page asks the navigation's facts only.
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/children/").status_code == 200
    about_facts = [q["sql"] for q in queries.captured_queries if any(t in q["sql"] for t in FACT_TABLES)]
    assert len(about_facts) == 1
    assert not any(table in about_facts[0] for table in HOME_FACT_TABLES)
    page_facts = [name for name, (group, _) in facts._facts.items() if group == facts.PAGE]
    assert about_facts[0].count(' AS "fact_') == len(page_facts) < len(facts._facts)


def test_every_fact_of_both_groups_answers_as_its_own_query(frozen: None, cast: Cast) -> None:
    f.AccessGrantFactory(user=cast.partner, child=cast.child, granted_by=cast.involved)
    for user in (cast.involved, cast.partner, cast.unrelated):
        with request_memo():
            asked = {name: facts.holds(user, name) for name in facts._facts if name.startswith(("children", "plans"))}
            with CaptureQueriesContext(connection) as queries:  # the rest were asked with them
                asked |= {name: facts.holds(user, name) for name in facts._facts}
            assert len(queries.captured_queries) == 0
        assert asked == {name: rows(user).exists() for name, (_, rows) in facts._facts.items()}
    assert facts.holds(cast.partner, "children.holds_a_grant") is True
    assert facts.holds(cast.involved, "children.holds_a_grant") is False


def test_the_kept_sql_is_the_query_compiled_afresh_and_follows_the_memberships(frozen: None, cast: Cast) -> None:
    """The facts query's SQL is kept per person and memberships (`facts._compiled`): what is kept is what
    compiling the query again gives, a new role is a new entry, and the answers stay the live ones."""
    facts._compiled.clear()
    page = [name for name, (group, _) in facts._facts.items() if group == facts.PAGE]
    for user in (cast.involved, cast.partner, cast.unrelated):
        for _ in range(2):
            alias, sql, params = facts._sql(user, page, [facts.PAGE])
            fresh_sql, fresh_params = facts._query(user, page).query.get_compiler(using=alias).as_sql()
            assert (sql, params) == (fresh_sql, tuple(fresh_params))
    kept = len(facts._compiled)
    assert kept == 3
    user = cast.involved
    assert facts.holds(user, "audits.leads_or_audits") is False
    f.MembershipFactory(user=user, agency=f.AgencyFactory(code="BUX", name="Facts unit two"), role=Role.BUSINESS_UNIT)
    user.refresh_access_cache()
    assert facts.holds(user, "audits.leads_or_audits") is False  # asked, but the nav no longer needs it
    assert len(facts._compiled) == kept + 1
    member = _review_with(cast, user)
    assert facts.holds(user, "reviews.member") is True  # kept SQL, live answer
    member.delete()
    assert facts.holds(user, "reviews.member") is False


def test_the_time_in_a_kept_query_is_the_time_of_each_asking(cast: Cast, monkeypatch: Any) -> None:
    """The home page's facts ask for grants live now: kept with "now" put back each time, so a grant
    that expires between two pages is gone on the second; a query with another time in it is not kept."""
    facts._compiled.clear()
    everything = list(facts._facts)
    start = dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        f.AccessGrantFactory(
            user=cast.partner, child=cast.child, granted_by=cast.involved, expires_at=start + dt.timedelta(hours=1)
        )
        assert facts.holds(cast.partner, "children.holds_a_grant") is True
        facts._sql(cast.partner, everything, [facts.HOME, facts.PAGE])
        assert len(facts._compiled) == 2  # the home group alone (outside a request), and with the page's
        ((_, kept, times),) = [found for key, found in facts._compiled.items() if key[0] == (facts.HOME, facts.PAGE)]
        assert times
    with time_machine.travel(start + dt.timedelta(minutes=30), tick=False):
        _, _, params = facts._sql(cast.partner, everything, [facts.HOME, facts.PAGE])
        assert params != kept
        fresh = facts._query(cast.partner, everything).query.get_compiler(using="default").as_sql()
        assert (facts._sql(cast.partner, everything, [facts.HOME, facts.PAGE])[1:]) == (fresh[0], tuple(fresh[1]))
        assert facts._ask(cast.partner, [facts.HOME])[facts.HOME]["children.holds_a_grant"] is True
    with time_machine.travel(start + dt.timedelta(hours=2), tick=False):
        assert facts._ask(cast.partner, [facts.HOME])[facts.HOME]["children.holds_a_grant"] is False
        assert len(facts._compiled) == 2
        facts._compiled.clear()
        from safeguarding.children.models import AccessGrant

        monkeypatch.setitem(
            facts._facts,
            "test.granted_a_day_ago",
            (facts.PAGE, lambda u: AccessGrant.objects.filter(starts_at__lte=timezone.now() - dt.timedelta(days=1))),
        )
        facts._sql(cast.partner, ["test.granted_a_day_ago"], [facts.PAGE])
        assert facts._compiled == {}


def test_navigation_addresses_are_reversed_once(cast: Cast) -> None:
    navigation._urls.clear()
    first = navigation.items_for(cast.involved, "/")
    assert navigation._urls
    assert navigation.items_for(cast.involved, "/") == first
    assert all(
        item.url == navigation.reverse(entry.url_name)
        for entry, item in zip([e for e in navigation._entries if e.visible(cast.involved)], first, strict=True)
    )
