"""Each rule kind at its boundaries (pure: no database)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeguarding.concerns.engine import GapMatch, Item, compile_rule, evaluate, finding, parameter_errors

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


GAP = {"types": ["home_visit", "gp_consultation"], "days": 183}


def day(n: int) -> date:
    return D0 + timedelta(days=n)


def test_gap_of_exactly_w_days_is_not_a_gap_and_w_plus_one_is() -> None:
    s = spec("gap", **GAP)
    exactly = [item(1, 0, "home_visit"), item(2, 183, "gp_consultation")]
    assert evaluate(s, exactly, day(183)) == []
    longer = [item(1, 0, "home_visit"), item(2, 184, "gp_consultation")]
    assert evaluate(s, longer, day(184)) == [GapMatch(day(183), 1, (1, 2), day(184))]
    found = finding(evaluate(s, longer, day(184)))
    assert found is not None
    # First met on the day the gap reached W days; the last evidence is the entry that ended it.
    assert (found.first_met_on, found.last_evidence_on, found.evidence) == (day(183), day(184), {1, 2})


def test_ongoing_gap_is_measured_to_the_evaluation_date() -> None:
    s = spec("gap", **GAP)
    seen = [item(1, 0, "home_visit"), item(2, 10, "home_visit")]
    assert evaluate(s, seen, day(193)) == []  # exactly 183 days since the last contact
    assert evaluate(s, seen, day(194)) == [GapMatch(day(193), 2, (2,), day(10))]
    found = finding(evaluate(s, seen, day(400)))
    assert found is not None
    assert (found.first_met_on, found.last_evidence_on, found.evidence) == (day(193), day(10), {2})
    # An entry that day ends the gap instead: the same gap, first met the same day, with its end.
    assert evaluate(s, [*seen, item(3, 194, "home_visit")], day(194)) == [GapMatch(day(193), 2, (2, 3), day(194))]


def test_no_matching_entries_no_gap() -> None:
    s = spec("gap", **GAP)
    assert evaluate(s, [], day(1000)) == []
    # Only entries that are not contact (a no-access visit, a missed appointment): still no gap.
    assert evaluate(s, [item(1, 0, "no_access_visit"), item(2, 300, "was_not_brought")], day(1000)) == []
    # The time before the child's first contact is not a gap.
    assert evaluate(s, [item(1, 900, "home_visit")], day(1000)) == []


def test_gap_counts_only_chosen_entries_and_categories() -> None:
    s = spec("gap", types=["home_visit", "referral_outcome:assessment"], days=30)
    rows = [
        item(1, 0, "home_visit"),
        item(2, 20, "no_access_visit"),  # not contact: does not end the gap
        item(3, 25, "referral_outcome", category="nfa"),  # another category: does not end it either
        item(4, 40, "referral_outcome", category="assessment"),
    ]
    assert evaluate(s, rows, day(40)) == [GapMatch(day(30), 1, (1, 4), day(40))]
    limited = spec("gap", types=["concern_raised"], categories=["neglect"], days=30)
    rows = [
        item(1, 0, "concern_raised", category="neglect"),
        item(2, 20, "concern_raised", category="hygiene"),
        item(3, 31, "concern_raised", category="neglect"),
    ]
    assert evaluate(limited, rows, day(31)) == [GapMatch(day(30), 1, (1, 3), day(31))]
    by_tag = spec("gap", tags=["contact"], days=30)
    assert evaluate(by_tag, [item(1, 0, "x", tags=["contact"])], day(31)) == [GapMatch(day(30), 1, (1,), day(0))]


def test_several_gaps_and_entries_on_one_day() -> None:
    s = spec("gap", types=["home_visit"], days=30)
    rows = [
        item(5, 0, "home_visit"),
        item(2, 0, "home_visit"),
        item(7, 10, "home_visit"),
        item(8, 50, "home_visit"),
        item(9, 100, "home_visit"),
    ]
    matches = evaluate(s, ordered(*rows), day(120))
    # Of two entries on one day the gap follows the later by id; gaps in date order.
    assert matches == [GapMatch(day(40), 7, (7, 8), day(50)), GapMatch(day(80), 8, (8, 9), day(100))]
    found = finding(matches)
    assert found is not None
    assert (found.first_met_on, found.last_evidence_on, found.evidence) == (day(40), day(100), {7, 8, 9})
    assert spec("gap", **GAP).minimum_items == 1


def test_closed_alert_covers_a_gap_it_took_in_after_the_gap_became_long() -> None:
    s = spec("gap", types=["home_visit"], days=30)
    ended = evaluate(s, [item(1, 0, "home_visit"), item(2, 50, "home_visit")], day(50))
    # A closed alert took entry 1 in on day 31, the gap still going on: contact resuming does not raise it again.
    assert finding(ended, frozenset({1}), {1: day(31)}) is None
    # Taken in on day 30 or before, entry 1 cannot have been the start of a gap shown by that alert.
    assert finding(ended, frozenset({1}), {1: day(30)}) is not None
    # A closed alert showed the gap that entry 2 ended (taking 2 in on day 50): a new gap after 2 is news.
    later = evaluate(s, [item(1, 0, "home_visit"), item(2, 50, "home_visit")], day(90))
    found = finding(later, frozenset({1, 2}), {1: day(50), 2: day(50)})
    assert found is not None
    assert (found.first_met_on, found.evidence) == (day(80), {2})


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
        ("gap", {"types": ["home_visit"]}, "Give the longest time allowed without contact, in days (days)."),
        (
            "gap",
            {"types": ["home_visit"], "days": 3},
            "The longest time allowed without contact, in days (days) must be between 7 and 3660.",
        ),
        ("gap", {"types": ["home_visit"], "days": 90.5}, "(days) must be a whole number."),
        ("gap", {"types": ["home_visit"], "days": "six months"}, "(days) must be a number."),
        (
            "gap",
            {"days": 183},
            "For the entries that count as contact (types, tags, categories), give at least one event type (types)",
        ),
        ("gap", {"types": ["home_visit"], "within_days": 183}, 'Give the length of the gap as days, e.g. "days": 183.'),
        ("gap", {"types": "home_visit", "days": 183}, "types must be a list of codes"),
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
    ("gap", {"types": ["home_visit", "referral_outcome:nfa"], "days": 7}),
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
    today = D0 + timedelta(days=95)
    expected = {s.rule_id: evaluate(s, items, today) for s in specs}
    assert Evaluator(specs, vocabulary, today)(items) == {k: v for k, v in expected.items() if v}


def test_no_gap_is_counted_from_before_the_child_was_born() -> None:
    s = spec("gap", **GAP)
    born = day(100)
    # A contact entry dated before birth (made before the date of birth was known) starts no gap...
    assert evaluate(s, [item(1, 0, "home_visit")], day(1000), born) == []
    # ...and does not make the time up to the first contact after birth a gap.
    after = [item(1, 0, "home_visit"), item(2, 250, "home_visit")]
    assert evaluate(s, after, day(300), born) == []
    # From the first contact after birth, gaps count as usual.
    assert evaluate(s, after, day(500), born) == [GapMatch(day(433), 2, (2,), day(250))]
    # Without a date of birth, the entry before it counts as before.
    assert evaluate(s, after, day(300)) == [GapMatch(day(183), 1, (1, 2), day(250))]
