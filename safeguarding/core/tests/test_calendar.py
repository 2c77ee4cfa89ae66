from datetime import date

from safeguarding.core.calendar import add_working_days, is_working_day, working_days_between


def test_add_working_days_skips_weekends():
    # Friday 6 March 2026 + 1 working day = Monday 9 March 2026
    assert add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)


def test_add_working_days_skips_england_bank_holidays():
    # Thursday 24 Dec 2026: Christmas Day (Fri) and Boxing Day substitute (Mon 28) are not working days.
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)
    assert not is_working_day(date(2026, 12, 28))


def test_five_working_days_after_easter_thursday():
    # 2 April 2026 is the Thursday before Good Friday (3 April); Easter Monday is 6 April.
    assert add_working_days(date(2026, 4, 2), 5) == date(2026, 4, 13)


def test_working_days_between_counts_inclusive_end():
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 13)) == 5
    assert working_days_between(date(2026, 3, 13), date(2026, 3, 6)) == 0
