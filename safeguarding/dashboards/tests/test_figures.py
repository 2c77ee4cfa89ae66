"""The figures of the hand-made dataset (conftest.py), worked out by hand, for the financial year 2025 to 2026."""

from __future__ import annotations

import os
import uuid
from datetime import date
from typing import Any

import pytest

from safeguarding.dashboards import periods
from safeguarding.dashboards.figures import build_figures, cached_figures, headline
from safeguarding.dashboards.sections import build_sections
from safeguarding.dashboards.tests.conftest import FY_END, FY_START, Dataset

TODAY = date(2026, 11, 26)
FY = periods.financial_year(2025)


def test_periods_financial_calendar_and_last_12_months() -> None:
    assert (FY.start, FY.end) == (FY_START, FY_END)
    assert (periods.calendar_year(2025).start, periods.calendar_year(2025).end) == (
        date(2025, 1, 1),
        date(2025, 12, 31),
    )
    last = periods.last_12_months(date(2026, 3, 31))
    assert (last.start, last.end) == (date(2025, 4, 1), date(2026, 3, 31))
    assert periods.default_period(date(2026, 3, 31)).start == date(2025, 4, 1)
    assert periods.default_period(date(2026, 4, 1)).start == date(2026, 4, 1)
    assert FY.as_at(TODAY) == FY_END
    assert FY.as_at(date(2025, 10, 1)) == date(2025, 10, 1)


def test_review_figures_by_stage_and_clock(dataset: Dataset) -> None:
    r = build_figures(FY, today=TODAY).reviews
    assert r.notified_in_period == 5  # R1, R2, R3, R4 and R7 (on the last day); not R5 (2024) nor R6 (the day after)
    assert r.published_in_period == 1  # R3
    assert {row.stage: row.reviews for row in r.by_stage if row.reviews} == {
        "notified": 2,  # R2, R7
        "rapid_review": 1,  # R1
        "draft": 1,  # R4
    }
    assert r.in_progress == 4
    clocks = {c.clock: (c.met_on_time, c.met_late, c.running_on_time, c.running_overdue) for c in r.clocks}
    assert clocks == {
        "Notification to the national panel": (2, 1, 1, 1),  # R1 R4 on time; R3 late; R7 running; R2 overdue
        "Rapid review": (2, 0, 0, 1),  # R3 R4 on time; R1 overdue
        "Publication of the practice review": (1, 0, 1, 0),  # R3 published on time; R4 due 1/4/2026
        "Completion of the serious case review": (0, 0, 0, 0),  # no serious case review
    }
    assert [(o.review, o.clock, o.days_overdue) for o in r.overdue_clocks] == [
        (dataset.reviews["R2"].reference, "Notification to the national panel", 14),
        (dataset.reviews["R1"].reference, "Rapid review", 5),
    ]


def test_stage_is_counted_as_it_was_on_the_as_at_day(dataset: Dataset) -> None:
    """On 31/12/2025 R3 was still in progress (published 5/1/2026) and R4 not yet at draft."""
    r = build_figures(periods.calendar_year(2025), today=TODAY).reviews
    assert {row.stage: row.reviews for row in r.by_stage if row.reviews} == {"in_progress": 2}


def test_action_plan_figures(dataset: Dataset) -> None:
    a = build_figures(FY, today=TODAY).action_plans
    assert [(p.reference, p.actions, p.complete, p.percent_complete, p.overdue) for p in a.plans] == [
        (dataset.plan.reference, 6, 2, 33, 3)  # the audit plan was done before the period; the priority plan is new
    ]
    assert (a.actions, a.complete, a.percent_complete, a.overdue) == (6, 2, 33, 3)
    assert a.due_in_period == 5  # A1, A2 (due on the last day), A3, A5, A6; not A4 (due the day after)
    assert a.completed_in_period == 2  # A1, A2; A6 was completed the day after
    assert [(o.reference, o.lead_agency, o.days_overdue) for o in a.overdue_actions] == [
        (f"{dataset.plan.reference}-A3", "Test Police", 30),
        (f"{dataset.plan.reference}-A5", "Test Community Health", 21),
        (f"{dataset.plan.reference}-A6", "Test Police", 11),
    ]
    assert a.overdue_by_agency == [("Test Police", 2), ("Test Community Health", 1)]


def test_escalation_figures_reuse_the_escalation_report(dataset: Dataset) -> None:
    e = build_figures(FY, today=TODAY).escalations
    assert (e.raised, e.resolved, e.closed_unresolved, e.still_open) == (5, 3, 1, 1)
    assert e.median_working_days_to_resolve == 7.0  # of 2, 7 and 10 working days
    assert [(s.reached, s.resolved_here) for s in e.by_stage] == [(3, 1), (1, 1), (1, 1), (0, 0)]
    assert {a.agency: (a.raised, a.received) for a in e.by_agency} == {
        "Test Community Health": (3, 1),
        "Test Police": (2, 2),
        "Test Housing": (0, 2),
    }


def test_learning_figures_by_theme(dataset: Dataset) -> None:
    learning = build_figures(FY, today=TODAY).learning
    assert learning.findings == 3
    themes = dict(learning.findings_by_theme)
    assert (themes["Neglect"], themes["Information sharing"], themes["No theme given"]) == (2, 1, 1)
    assert sum(themes.values()) == 4  # a finding with two themes counts under each
    reasons = dict(learning.escalations_by_reason)
    assert (reasons["Threshold decision"], reasons["Information sharing"]) == (1, 1)
    assert learning.escalations_flagged == 2
    assert learning.total == 5


@pytest.mark.parametrize(
    ("end", "notified", "raised", "findings"),
    [(FY_END, 5, 5, 3), (date(2026, 3, 30), 4, 4, 2)],
)
def test_the_last_day_is_in_and_the_day_after_is_out(
    dataset: Dataset, end: date, notified: int, raised: int, findings: int
) -> None:
    """Items dated 31/3/2026 count in a period ending that day; the next day's items never do."""
    figures = build_figures(periods.custom(FY_START, end), today=TODAY)
    assert figures.reviews.notified_in_period == notified
    assert figures.escalations.raised == raised
    assert figures.learning.findings == findings


def test_the_first_day_is_in(dataset: Dataset) -> None:
    """The escalation raised on 1/4/2025 counts in a period starting that day, not one starting the next."""
    assert build_figures(periods.custom(FY_START, FY_END), today=TODAY).escalations.raised == 5
    assert build_figures(periods.custom(date(2025, 4, 2), FY_END), today=TODAY).escalations.raised == 4


def test_headline_counts_todays_overdue_actions_and_reviews(dataset: Dataset) -> None:
    # On 31/3/2026: A3 and A5 (A6 is complete now); R2's notification and R1's rapid review.
    assert headline(FY_END) == type(headline(FY_END))(overdue_actions=2, reviews_overdue=2)


def test_sections_hold_the_same_figures_and_charts_have_title_and_desc(dataset: Dataset) -> None:
    sections = {s.slug: s for s in build_sections(build_figures(FY, today=TODAY))}
    headline_plans = dict(sections["action-plans"].headline)
    assert headline_plans["Actions overdue"] == 3
    assert headline_plans["Percentage complete"] == "33%"
    chart = sections["reviews"].tables[0].chart
    assert chart is not None
    assert "<title" in chart.svg
    assert "<desc" in chart.svg
    assert 'role="img"' in chart.svg


def test_plan_progress_agrees_with_the_action_plans_app(dataset: Dataset) -> None:
    """For a period running to today, each plan's figures are what `actionplans.progress` counts."""
    from safeguarding.actionplans.progress import plan_progress

    figures = build_figures(periods.custom(date(2025, 4, 1), TODAY), today=TODAY).action_plans
    progress = plan_progress(dataset.plan, TODAY)
    row = next(p for p in figures.plans if p.reference == dataset.plan.reference)
    assert (row.actions, row.complete, row.overdue, row.percent_complete) == (
        progress.total,
        progress.complete,
        progress.overdue,
        progress.percent_complete,
    )
    assert (row.complete, row.overdue) == (3, 3)  # A1 A2 A6 complete; A3 A4 A5 overdue by 26/11/2026


def _redis_answers() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


# CI starts Redis and sets REQUIRE_REDIS, so there the test cannot quietly skip.
@pytest.mark.skipif(
    not _redis_answers() and not os.environ.get("REQUIRE_REDIS"),
    reason="no Redis on 127.0.0.1:6379 (CI starts one and sets REQUIRE_REDIS)",
)
def test_figures_cached_in_redis_are_shared_and_read_back_whole(
    dataset: Dataset, settings: Any, django_assert_num_queries: Any
) -> None:
    """With CACHE_URL set (production), figures counted by one process are read back by the next."""
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    assert type(caches["default"]).__name__ == "RedisCache"
    try:
        first = cached_figures(FY, today=TODAY)
        caches["default"].close()  # another process: a new connection, nothing held in memory
        with django_assert_num_queries(0):
            again = cached_figures(FY, today=TODAY)
        assert again == first
        assert again.reviews.in_progress == 4
    finally:
        caches["default"].clear()  # database 15, used by this test only
