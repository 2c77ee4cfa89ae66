"""Each rule kind at its boundaries (pure: no database)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeguarding.concerns.engine import Item, compile_rule, evaluate, finding, parameter_errors

D0 = date(2024, 1, 1)


def item(n: int, day: int, code: str, agency: int = 1, category: str = "", value: Any = None, tags: Any = ()) -> Item:
    return Item(n, D0 + timedelta(days=day), code, agency, frozenset(tags), category, value)


def spec(kind: str, **params: Any) -> Any:
    assert parameter_errors(kind, params) == []
    return compile_rule(1, "r", kind, params)


def ordered(*items: Item) -> list[Item]:
    return sorted(items, key=lambda i: (i.occurred_on, i.id))


COUNT = {"types": ["was_not_brought"], "count": 3, "within_days": 365}


def test_count_exactly_n_fires_and_n_minus_one_does_not() -> None:
    s = spec("count_in_window", **COUNT)
    two = [item(1, 0, "was_not_brought"), item(2, 10, "was_not_brought")]
    assert evaluate(s, two) == []
    three = [*two, item(3, 20, "was_not_brought")]
    found = finding(evaluate(s, three))
    assert found is not None
    assert found.first_met_on == D0 + timedelta(days=20)
    assert found.evidence == {1, 2, 3}


def test_count_window_edge_is_inclusive() -> None:
    s = spec("count_in_window", **COUNT)
    inside = [item(1, 0, "was_not_brought"), item(2, 100, "was_not_brought"), item(3, 365, "was_not_brought")]
    outside = [item(1, 0, "was_not_brought"), item(2, 100, "was_not_brought"), item(3, 366, "was_not_brought")]
    assert finding(evaluate(s, inside)) is not None
    assert evaluate(s, outside) == []


def test_count_ignores_other_types_and_matches_tags() -> None:
    s = spec("count_in_window", **COUNT)
    assert evaluate(s, [item(1, 0, "was_not_brought"), item(2, 1, "home_visit"), item(3, 2, "was_not_brought")]) == []
    by_tag = spec("count_in_window", tags=["neglect"], count=2, within_days=30)
    assert evaluate(by_tag, [item(1, 0, "a", tags=["neglect"]), item(2, 30, "b", tags=["neglect"])])


def test_first_met_on_is_the_earliest_completion() -> None:
    s = spec("count_in_window", types=["x"], count=2, within_days=10)
    found = finding(evaluate(s, [item(1, 0, "x"), item(2, 5, "x"), item(3, 100, "x"), item(4, 101, "x")]))
    assert found is not None
    assert found.first_met_on == D0 + timedelta(days=5)
    assert found.evidence == {1, 2, 3, 4}


def test_spread_needs_k_distinct_agencies_within_the_window() -> None:
    s = spec("spread_across_agencies", tags=["neglect"], agencies=3, within_days=183)
    same_two = [
        item(1, 0, "a", 1, tags=["neglect"]),
        item(2, 1, "a", 2, tags=["neglect"]),
        item(3, 2, "a", 2, tags=["neglect"]),
    ]
    assert evaluate(s, same_two) == []
    three = [*same_two, item(4, 183, "b", 3, tags=["neglect"])]
    assert finding(evaluate(s, three)) is not None
    late = [*same_two[:2], item(4, 184, "b", 3, tags=["neglect"])]
    assert evaluate(s, late) == []


def test_type_with_category_selector() -> None:
    s = spec("count_in_window", types=["concern_raised:neglect"], count=2, within_days=30)
    assert (
        evaluate(s, [item(1, 0, "concern_raised", category="neglect"), item(2, 1, "concern_raised", category="sexual")])
        == []
    )
    assert evaluate(
        s, [item(1, 0, "concern_raised", category="neglect"), item(2, 1, "concern_raised", category="neglect")]
    )


SEQ = {
    "first": {"types": ["referral_outcome"], "categories": ["nfa"]},
    "then": {"tags": ["neglect"]},
    "within_days": 365,
}


def test_sequence_order_and_window() -> None:
    s = spec("sequence", **SEQ)
    nfa = item(1, 0, "referral_outcome", category="nfa")
    assert finding(evaluate(s, [nfa, item(2, 365, "x", tags=["neglect"])])) is not None
    assert evaluate(s, [nfa, item(2, 366, "x", tags=["neglect"])]) == []
    # The concern before the NFA does not count; nor on the same day.
    assert evaluate(s, ordered(nfa, item(2, -1, "x", tags=["neglect"]))) == []
    assert evaluate(s, ordered(nfa, item(2, 0, "x", tags=["neglect"]))) == []
    # Another outcome category is not the first step.
    other = item(1, 0, "referral_outcome", category="assessment")
    assert evaluate(s, [other, item(2, 5, "x", tags=["neglect"])]) == []


STATE = {
    "opens": {"types": ["plan_started"], "categories": ["child_protection"]},
    "closes": {"types": ["plan_ended"], "categories": ["child_protection"]},
    "event": {"types": ["was_not_brought"]},
}


def test_state_open_and_close_days_are_inclusive() -> None:
    s = spec("state_plus_event", **STATE)
    start = item(1, 10, "plan_started", category="child_protection")
    end = item(2, 20, "plan_ended", category="child_protection")
    assert evaluate(s, ordered(start, end, item(3, 9, "was_not_brought"))) == []
    assert evaluate(s, ordered(start, end, item(3, 10, "was_not_brought")))
    assert evaluate(s, ordered(start, end, item(3, 20, "was_not_brought")))
    assert evaluate(s, ordered(start, end, item(3, 21, "was_not_brought"))) == []
    # Opened and closed the same day: an entry that day counts.
    same = [
        item(1, 10, "plan_started", category="child_protection"),
        item(2, 10, "plan_ended", category="child_protection"),
    ]
    assert evaluate(s, ordered(*same, item(3, 10, "was_not_brought")))
    # Still open: anything afterwards counts; another category does not open the state.
    assert evaluate(s, ordered(start, item(3, 900, "was_not_brought")))
    other = item(1, 10, "plan_started", category="child_in_need")
    assert evaluate(s, ordered(other, item(3, 11, "was_not_brought"))) == []


def test_value_threshold_equal_does_not_fire() -> None:
    s = spec("value_threshold", types=["school_attendance"], below=90)
    assert evaluate(s, [item(1, 0, "school_attendance", value=Decimal("90.00"))]) == []
    assert evaluate(s, [item(1, 0, "school_attendance", value=Decimal("89.99"))])
    assert evaluate(s, [item(1, 0, "school_attendance", value=None)]) == []


def test_closed_alert_covers_its_evidence() -> None:
    s = spec("count_in_window", types=["x"], count=2, within_days=10)
    matches = evaluate(s, [item(1, 0, "x"), item(2, 5, "x")])
    assert finding(matches, frozenset({1, 2})) is None
    more = evaluate(s, [item(1, 0, "x"), item(2, 5, "x"), item(3, 6, "x")])
    found = finding(more, frozenset({1, 2}))
    assert found is not None
    assert 3 in found.evidence


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("count_in_window", {"types": ["x"], "within_days": 30}, "Give how many entries (count)."),
        ("count_in_window", {"types": ["x"], "count": 1, "within_days": 30}, "between 2 and 1000"),
        ("count_in_window", {"count": 2, "within_days": 30}, "at least one event type"),
        ("count_in_window", {"types": "x", "count": 2, "within_days": 30}, "must be a list"),
        ("sequence", {"first": {"types": ["a"]}, "within_days": 5}, "Give the entry that follows (then)."),
        ("value_threshold", {"types": ["a"], "below": "ninety"}, "must be a number"),
        (
            "spread_across_agencies",
            {"tags": ["a"], "agencies": 3, "within_days": 5, "extra": 1},
            "does not take: extra",
        ),
        ("nonsense", {}, "Choose a kind of rule"),
    ],
)
def test_parameter_messages(kind: str, params: Any, message: str) -> None:
    assert any(message in e for e in parameter_errors(kind, params))


def test_vocabulary_checked_when_given() -> None:
    errors = parameter_errors("count_in_window", {"types": ["nope"], "count": 2, "within_days": 3}, known_types={"x"})
    assert errors == ["For the entries counted, these event types are not in the vocabulary: nope."]


CODES = ["was_not_brought", "school_absence", "referral_outcome", "concern_raised", "home_visit", "plan_started"]
TAGS = {"was_not_brought": ["neglect"], "school_absence": ["neglect"], "concern_raised": ["concern"]}
ALL_KINDS = [
    ("count_in_window", {"tags": ["neglect"], "count": 2, "within_days": 20}),
    (
        "spread_across_agencies",
        {"types": ["was_not_brought", "concern_raised:neglect"], "agencies": 2, "within_days": 10},
    ),
    (
        "sequence",
        {
            "first": {"types": ["referral_outcome"], "categories": ["nfa"]},
            "then": {"tags": ["neglect"]},
            "within_days": 30,
        },
    ),
    (
        "state_plus_event",
        {"opens": {"types": ["plan_started"]}, "closes": {"types": ["home_visit"]}, "event": {"tags": ["concern"]}},
    ),
    ("value_threshold", {"types": ["school_absence"], "below": 50}),
]


@given(
    st.lists(
        st.tuples(
            st.integers(0, 90),
            st.sampled_from(CODES),
            st.integers(0, 2),
            st.sampled_from(["", "nfa", "neglect"]),
            st.integers(0, 100),
        ),
        max_size=25,
    )
)
def test_the_scan_evaluator_equals_the_engine(rows: list[Any]) -> None:
    """The scan's shortcut (each rule sees only entries of types it could match) changes nothing."""
    from safeguarding.concerns.scan import Evaluator, Vocabulary

    items = ordered(*(item(n, d, c, a, cat, Decimal(v), TAGS.get(c, ())) for n, (d, c, a, cat, v) in enumerate(rows)))
    specs = [compile_rule(n, f"r{n}", kind, params) for n, (kind, params) in enumerate(ALL_KINDS)]
    vocabulary = Vocabulary({n: (c, frozenset(TAGS.get(c, ()))) for n, c in enumerate(CODES)})
    expected = {s.rule_id: evaluate(s, items) for s in specs}
    assert Evaluator(specs, vocabulary)(items) == {k: v for k, v in expected.items() if v}
