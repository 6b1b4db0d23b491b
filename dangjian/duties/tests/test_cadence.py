"""The cadence module is pure: occurrences, due dates, states and tallies without the database."""

from datetime import date

import pytest

from dangjian.duties.cadence import (
    GRACE_DAYS,
    Cadence,
    OccurrenceState,
    is_overdue,
    occurrence_by_key,
    occurrence_state,
    occurrences,
    tally,
    time_limit_text,
)


def keys(occs):
    return [(o.key, o.due_on) for o in occs]


def test_monthly_due_at_end_of_each_month_including_february_in_a_leap_year():
    occs = occurrences(Cadence.MONTHLY, date(2028, 1, 1), date(2028, 3, 31))
    assert keys(occs) == [
        ("2028-01", date(2028, 1, 31)),
        ("2028-02", date(2028, 2, 29)),
        ("2028-03", date(2028, 3, 31)),
    ]
    assert occs[1].starts_on == date(2028, 2, 1)
    assert occs[1].label == "2028年2月"


def test_quarterly_and_yearly_due_at_period_end():
    assert keys(occurrences(Cadence.QUARTERLY, date(2026, 1, 1), date(2026, 12, 31))) == [
        ("2026Q1", date(2026, 3, 31)),
        ("2026Q2", date(2026, 6, 30)),
        ("2026Q3", date(2026, 9, 30)),
        ("2026Q4", date(2026, 12, 31)),
    ]
    assert keys(occurrences(Cadence.YEARLY, date(2026, 1, 1), date(2026, 12, 31))) == [
        ("2026", date(2026, 12, 31))
    ]


def test_range_keeps_occurrences_whose_due_date_falls_inside_it():
    # 15 Feb – 31 May: February (due 28 Feb) is in; the Q1 quarter (due 31 Mar) is in; Q2 (30 Jun) is not.
    assert [o.key for o in occurrences("monthly", date(2026, 2, 15), date(2026, 5, 31))] == [
        "2026-02",
        "2026-03",
        "2026-04",
        "2026-05",
    ]
    assert [o.key for o in occurrences("quarterly", date(2026, 2, 15), date(2026, 5, 31))] == ["2026Q1"]
    assert occurrences("monthly", date(2026, 5, 1), date(2026, 4, 1)) == []


def test_once_uses_its_deadline_and_needs_one():
    occs = occurrences(Cadence.ONCE, date(2026, 1, 1), date(2026, 12, 31), deadline=date(2026, 6, 15))
    assert keys(occs) == [("once", date(2026, 6, 15))]
    assert occs[0].label == "2026年6月15日前"
    assert occurrences(Cadence.ONCE, date(2026, 1, 1), date(2026, 12, 31)) == []
    assert occurrences(Cadence.ONCE, date(2026, 7, 1), date(2026, 12, 31), deadline=date(2026, 6, 15)) == []


def test_item_added_mid_year_is_not_due_for_periods_already_over():
    occs = occurrences(Cadence.MONTHLY, date(2026, 1, 1), date(2026, 12, 31), active_from=date(2026, 5, 20))
    assert occs[0].key == "2026-05"  # May was still running on 20 May: it counts
    assert len(occs) == 8
    q = occurrences(Cadence.QUARTERLY, date(2026, 1, 1), date(2026, 12, 31), active_from=date(2026, 7, 1))
    assert [o.key for o in q] == ["2026Q3", "2026Q4"]


def test_occurrence_by_key_checks_the_cadence():
    assert occurrence_by_key("quarterly", "2026Q2").due_on == date(2026, 6, 30)
    assert occurrence_by_key("once", "once", deadline=date(2026, 3, 1)).due_on == date(2026, 3, 1)
    with pytest.raises(ValueError, match="周期"):
        occurrence_by_key("monthly", "2026Q2")
    with pytest.raises(ValueError, match="有效"):
        occurrence_by_key("monthly", "二月")


def test_no_grace_overdue_the_day_after_the_due_date():
    assert GRACE_DAYS == 0
    due = date(2026, 3, 31)
    assert not is_overdue(due, date(2026, 3, 31))
    assert is_overdue(due, date(2026, 4, 1))
    assert not is_overdue(due, date(2026, 4, 3), grace_days=3)
    assert is_overdue(due, date(2026, 4, 4), grace_days=3)


def test_occurrence_states():
    march = occurrence_by_key("monthly", "2026-03")
    assert occurrence_state(march, None, date(2026, 2, 20)) is OccurrenceState.UPCOMING
    assert occurrence_state(march, None, date(2026, 3, 10)) is OccurrenceState.OPEN
    assert occurrence_state(march, None, date(2026, 3, 31)) is OccurrenceState.OPEN
    assert occurrence_state(march, None, date(2026, 4, 1)) is OccurrenceState.OVERDUE
    assert occurrence_state(march, date(2026, 3, 31), date(2026, 4, 1)) is OccurrenceState.DONE
    assert occurrence_state(march, date(2026, 4, 2), date(2026, 4, 5)) is OccurrenceState.LATE_DONE
    # a report filed after the day asked has not happened yet on that day
    assert occurrence_state(march, date(2026, 4, 2), date(2026, 4, 1)) is OccurrenceState.OVERDUE
    assert occurrence_state(march, date(2026, 4, 2), date(2026, 4, 5), grace_days=5) is OccurrenceState.DONE


def test_tally_counts_only_what_is_due_or_done():
    s = OccurrenceState
    t = tally([s.DONE, s.LATE_DONE, s.OVERDUE, s.OPEN, s.UPCOMING, s.DONE])
    assert (t.due, t.done, t.on_time, t.overdue, t.open) == (4, 3, 2, 1, 1)
    assert t.rate == 0.75 and t.on_time_rate == 0.5
    assert tally([s.OPEN, s.UPCOMING]).rate is None


def test_time_limit_text():
    assert time_limit_text("monthly", None) == "每月底前"
    assert time_limit_text("quarterly", None) == "每季度末前"
    assert time_limit_text("yearly", None) == "每年底前"
    assert time_limit_text("once", date(2026, 6, 30)) == "2026年6月30日前"
