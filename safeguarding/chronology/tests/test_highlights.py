from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from safeguarding.chronology.highlights import (
    Entry,
    closed_for_non_engagement_while_concerns_continue,
    find_highlights,
    gaps,
    merge_duplicates,
    repeated_nfa_referrals,
    was_not_brought_runs,
)

D0 = date(2024, 1, 8)


def entry(n, days, code, agency=1, tags=(), category="", children=(1,)):
    return Entry(
        id=n,
        occurred_on=D0 + timedelta(days=days),
        type_code=code,
        agency_id=agency,
        tags=frozenset(tags),
        category=category,
        child_ids=frozenset(children),
    )


def test_two_missed_appointments_in_a_row_are_a_run():
    runs = was_not_brought_runs([entry(1, 0, "was_not_brought"), entry(2, 30, "was_not_brought")])
    assert len(runs) == 1
    assert runs[0].entry_ids == (1, 2)
    assert "2 appointments in a row" in runs[0].title


def test_an_attended_appointment_breaks_the_run():
    entries = [
        entry(1, 0, "was_not_brought"),
        entry(2, 10, "health_appointment_attended"),
        entry(3, 20, "was_not_brought"),
    ]
    assert was_not_brought_runs(entries) == []


def test_other_agencies_entries_do_not_break_a_run():
    entries = [
        entry(1, 0, "was_not_brought"),
        entry(2, 5, "police_attendance", agency=2),
        entry(3, 20, "was_not_brought"),
        entry(4, 40, "was_not_brought"),
    ]
    (run,) = was_not_brought_runs(entries)
    assert run.entry_ids == (1, 3, 4)


def test_gap_longer_than_the_period_is_found_and_shorter_is_not():
    entries = [entry(1, 0, "home_visit"), entry(2, 91, "home_visit"), entry(3, 150, "home_visit")]
    (gap,) = gaps(entries, gap_days=90)
    assert gap.entry_ids == (1, 2)
    assert "91 days" in gap.title
    assert gaps(entries, gap_days=91) == []


def test_gap_up_to_today():
    (gap,) = gaps([entry(1, 0, "home_visit")], gap_days=30, today=D0 + timedelta(days=45))
    assert "up to today" in gap.title


def test_repeated_nfa_within_twelve_months():
    entries = [
        entry(1, 0, "referral_outcome", category="nfa"),
        entry(2, 200, "referral_outcome", category="early_help"),
        entry(3, 300, "referral_outcome", category="nfa"),
        entry(4, 1000, "referral_outcome", category="nfa"),
    ]
    (found,) = repeated_nfa_referrals(entries)
    assert found.entry_ids == (1, 3)


def test_early_help_closed_for_non_engagement_then_concerns():
    entries = [
        entry(1, 0, "early_help_closed_non_engagement", tags=("early_help", "closure", "non_engagement")),
        entry(2, 60, "concern_raised", agency=3, tags=("concern",), category="hygiene"),
        entry(3, 400, "concern_raised", agency=3, tags=("concern",), category="neglect"),
    ]
    (found,) = closed_for_non_engagement_while_concerns_continue(entries)
    assert found.entry_ids == (1, 2)


def test_early_help_closed_without_later_concerns_is_not_flagged():
    entries = [entry(1, 0, "early_help_closed_non_engagement", tags=("early_help", "closure", "non_engagement"))]
    assert closed_for_non_engagement_while_concerns_continue(entries) == []


def test_same_event_from_two_agencies_is_merged_with_both_sources():
    rows = merge_duplicates(
        [
            entry(1, 0, "strategy_discussion", agency=1, children=(1, 2)),
            entry(2, 0, "strategy_discussion", agency=2, children=(1, 2)),
            entry(3, 0, "strategy_discussion", agency=3, children=(1,)),
        ]
    )
    assert [r.entry_ids for r in rows] == [[1, 2], [3]]
    assert rows[0].agency_ids == [1, 2]


def test_the_same_agency_twice_is_not_merged():
    rows = merge_duplicates([entry(1, 0, "home_visit", agency=1), entry(2, 0, "home_visit", agency=1)])
    assert len(rows) == 2


@given(st.lists(st.tuples(st.integers(0, 2000), st.sampled_from(["was_not_brought", "home_visit"])), max_size=40))
def test_highlights_never_lose_or_invent_entries(rows):
    entries = [entry(i, d, code) for i, (d, code) in enumerate(rows)]
    ids = {e.id for e in entries}
    for h in find_highlights(entries, gap_days=60):
        assert set(h.entry_ids) <= ids
        assert h.start <= h.end
    merged = merge_duplicates(entries)
    assert sorted(i for r in merged for i in r.entry_ids) == sorted(ids)
