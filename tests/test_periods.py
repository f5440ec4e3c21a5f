"""Period presets and comparison periods, including leap years, month ends and week edges."""

from datetime import date, timedelta

import pytest

from statsdash.periods import (
    COMPARISON_LABELS,
    Period,
    PeriodError,
    compared_sentence,
    comparison,
    comparison_periods,
    days_left_in_month,
    like_for_like,
    parse_comparisons,
    parse_date,
    preset,
)

D = date.fromisoformat


@pytest.mark.parametrize(
    ("key", "today", "start", "end"),
    [
        ("yesterday", "2026-03-01", "2026-02-28", "2026-02-28"),
        ("yesterday", "2024-03-01", "2024-02-29", "2024-02-29"),
        ("yesterday", "2026-01-01", "2025-12-31", "2025-12-31"),
        ("last_7_days", "2026-11-26", "2026-11-19", "2026-11-25"),
        ("last_28_days", "2026-03-01", "2026-02-01", "2026-02-28"),
        # Monday: last full week is the one that ended yesterday (Sunday).
        ("last_week", "2026-11-23", "2026-11-16", "2026-11-22"),
        # Sunday: the week in progress is not full, so the week before it.
        ("last_week", "2026-11-22", "2026-11-09", "2026-11-15"),
        ("last_week", "2026-01-02", "2025-12-22", "2025-12-28"),
        ("last_month", "2026-01-15", "2025-12-01", "2025-12-31"),
        ("last_month", "2024-03-31", "2024-02-01", "2024-02-29"),
        ("month_to_date", "2026-11-26", "2026-11-01", "2026-11-25"),
        ("month_to_date", "2026-11-01", "2026-11-01", "2026-11-01"),
        ("year_to_date", "2026-11-26", "2026-01-01", "2026-11-25"),
        ("year_to_date", "2026-01-01", "2026-01-01", "2026-01-01"),
    ],
)
def test_presets(key, today, start, end):
    period = preset(key, D(today))
    assert (period.start, period.end) == (D(start), D(end))


@pytest.mark.parametrize(
    ("start", "end", "key", "want_start", "want_end"),
    [
        # Previous = same number of days immediately before (October -> 31 Aug..30 Sep).
        ("2026-10-01", "2026-10-31", "previous", "2026-08-31", "2026-09-30"),
        ("2026-03-01", "2026-03-31", "previous", "2026-01-29", "2026-02-28"),
        ("2024-03-01", "2024-03-07", "previous", "2024-02-23", "2024-02-29"),
        ("2026-11-25", "2026-11-25", "previous", "2026-11-24", "2026-11-24"),
        # Year ago = same calendar dates; 29 Feb -> 28 Feb.
        ("2024-02-29", "2024-02-29", "yoy", "2023-02-28", "2023-02-28"),
        ("2024-02-01", "2024-02-29", "yoy", "2023-02-01", "2023-02-28"),
        ("2026-01-01", "2026-01-31", "yoy", "2025-01-01", "2025-01-31"),
        ("2025-03-01", "2025-03-31", "yoy", "2024-03-01", "2024-03-31"),
        # Same weekday last year = 364 days back.
        ("2026-11-23", "2026-11-29", "yoy_weekday", "2025-11-24", "2025-11-30"),
        ("2026-01-05", "2026-01-11", "yoy_weekday", "2025-01-06", "2025-01-12"),
        # The old tool's "day vs same day last week".
        ("2026-11-25", "2026-11-25", "week_ago", "2026-11-18", "2026-11-18"),
    ],
)
def test_comparison_periods(start, end, key, want_start, want_end):
    other = comparison(Period("p", D(start), D(end)), key)
    assert (other.start, other.end) == (D(want_start), D(want_end))


def test_same_weekday_last_year_keeps_weekdays():
    period = Period("p", D("2026-11-02"), D("2026-11-08"))
    other = comparison(period, "yoy_weekday")
    assert [d.weekday() for d in other.dates()] == [d.weekday() for d in period.dates()]


def test_previous_period_has_the_same_length():
    for n in (1, 7, 28, 31, 365):
        start = D("2026-01-01")
        period = Period("p", start, start + timedelta(days=n - 1))
        prev = comparison(period, "previous")
        assert prev.days == period.days
        assert (period.start - prev.end).days == 1


@pytest.mark.parametrize(
    ("end", "left"), [("2026-11-25", 5), ("2026-11-30", 0), ("2024-02-28", 1), ("2025-02-28", 0)]
)
def test_days_left_in_month(end, left):
    assert days_left_in_month(Period("p", D(end).replace(day=1), D(end))) == left


def test_custom_period_needs_both_dates():
    with pytest.raises(PeriodError, match="custom period: give both a start and an end date"):
        preset("custom", D("2026-11-26"), start=D("2026-11-01"))


def test_start_after_end_is_refused():
    with pytest.raises(PeriodError, match="custom: start 2026-11-05 is after end 2026-11-01"):
        Period("custom", D("2026-11-05"), D("2026-11-01"))


def test_parse_comparisons():
    assert parse_comparisons("previous,yoy") == ("previous", "yoy")
    assert parse_comparisons("") == ()
    with pytest.raises(PeriodError, match="unknown comparison 'lastyear'"):
        parse_comparisons("previous,lastyear")
    with pytest.raises(PeriodError, match="at most one of yoy and yoy_weekday"):
        parse_comparisons("yoy,yoy_weekday")


def test_parse_date_names_the_argument():
    assert parse_date("2024-02-29") == D("2024-02-29")
    with pytest.raises(PeriodError, match=r"--start: '2026-02-30' is not a date; use YYYY-MM-DD"):
        parse_date("2026-02-30", "--start")


def test_comparison_periods_are_keyed_by_column_suffix_in_chosen_order():
    period = Period("p", D("2026-10-01"), D("2026-10-31"))
    periods = comparison_periods(period, ("yoy", "previous"))
    assert list(periods) == ["yoy", "prev"]
    assert periods["prev"] == comparison(period, "previous")
    assert periods["yoy"] == comparison(period, "yoy")


# Like for like: cutting a period and its comparisons to the same complete days.

WEEK = Period("Last full week (Mon–Sun)", D("2026-11-23"), D("2026-11-29"))


def test_like_for_like_cuts_every_comparison_to_the_same_offsets():
    comparisons = comparison_periods(WEEK, ("previous", "yoy"))
    compared = like_for_like(WEEK, comparisons, D("2026-11-28"))  # Saturday
    assert (compared.current.start, compared.current.end) == (D("2026-11-23"), D("2026-11-28"))
    # Mon-Sat the week before, not the six days before Monday.
    prev = compared.comparisons["prev"]
    assert (prev.start, prev.end) == (D("2026-11-16"), D("2026-11-21"))
    yoy = compared.comparisons["yoy"]
    assert (yoy.start, yoy.end) == (D("2025-11-23"), D("2025-11-28"))
    assert compared.days_compared == 6 and compared.trimmed
    assert compared.complete_through == D("2026-11-28")
    assert compared_sentence("YouTube", compared) == (
        "YouTube: 6 of 7 days (through Sat 28 Nov), compared with the same 6 days"
    )


def test_like_for_like_leaves_a_closed_range_alone():
    comparisons = comparison_periods(WEEK, ("previous",))
    for through in (None, D("2026-11-29"), D("2026-12-05")):
        compared = like_for_like(WEEK, comparisons, through)
        assert compared.current == WEEK and compared.comparisons == comparisons
        assert not compared.trimmed and compared.days_compared == 7
        assert compared.complete_through == WEEK.end
        assert compared_sentence("GA4", compared) is None


def test_like_for_like_with_no_complete_day_compares_nothing():
    yesterday = preset("yesterday", D("2026-11-30"))
    compared = like_for_like(yesterday, comparison_periods(yesterday, ("yoy",)), D("2026-11-27"))
    assert compared.current is None and compared.comparisons == {}
    assert compared.days_compared == 0
    assert compared.complete_through == D("2026-11-27")
    assert compared_sentence("YouTube", compared) == (
        "YouTube: no complete day yet — YouTube's latest complete day is Fri 27 Nov"
    )


def test_like_for_like_one_day_and_a_short_year_ago():
    # 29 days of February 2028 against 28 of February 2027: the cut never runs past an end.
    feb = Period("February", D("2028-02-01"), D("2028-02-29"))
    compared = like_for_like(feb, comparison_periods(feb, ("yoy",)), D("2028-02-28"))
    assert compared.comparisons["yoy"].end == D("2027-02-28")
    first = like_for_like(WEEK, comparison_periods(WEEK, ("week_ago",)), D("2026-11-23"))
    assert first.comparisons["wow"] == Period(
        COMPARISON_LABELS["week_ago"], D("2026-11-16"), D("2026-11-16")
    )
    assert compared_sentence("GA4", first) == (
        "GA4: 1 of 7 days (through Mon 23 Nov), compared with the same day"
    )
