"""Period keys and membership (kpis.md "Conventions": Period = Europe/London calendar date of birth)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.timeutil import LONDON
from kpis.periods import (
    PeriodType,
    parse_period_key,
    periods_for_birth,
    periods_for_months,
    previous_period,
    rolling_period,
)


@pytest.mark.parametrize(("key", "kind", "start", "end"), [
    ("2024", PeriodType.YEAR, date(2024, 1, 1), date(2024, 12, 31)),
    ("2024-Q1", PeriodType.QUARTER, date(2024, 1, 1), date(2024, 3, 31)),
    ("2024-Q3", PeriodType.QUARTER, date(2024, 7, 1), date(2024, 9, 30)),
    ("2024-Q4", PeriodType.QUARTER, date(2024, 10, 1), date(2024, 12, 31)),
    ("2024-02", PeriodType.MONTH, date(2024, 2, 1), date(2024, 2, 29)),
    ("2023-02", PeriodType.MONTH, date(2023, 2, 1), date(2023, 2, 28)),
    ("R12-2024-07", PeriodType.ROLLING_12M, date(2023, 8, 1), date(2024, 7, 31)),
    ("R12-2024-12", PeriodType.ROLLING_12M, date(2024, 1, 1), date(2024, 12, 31)),
    ("FY2024-25", PeriodType.FINANCIAL_YEAR, date(2024, 4, 1), date(2025, 3, 31)),
    ("FY1999-00", PeriodType.FINANCIAL_YEAR, date(1999, 4, 1), date(2000, 3, 31)),
    ("2024-01-15..2024-03-31", PeriodType.CUSTOM, date(2024, 1, 15), date(2024, 3, 31)),
    ("2024-02-29..2024-02-29", PeriodType.CUSTOM, date(2024, 2, 29), date(2024, 2, 29)),
])
def test_keys_name_their_dates(key: str, kind: PeriodType, start: date, end: date) -> None:
    period = parse_period_key(key)
    assert (period.type, period.start, period.end, period.key) == (kind, start, end, key)


@pytest.mark.parametrize("key", ["", "24", "2024-Q5", "2024-Q0", "2024-13", "2024-7", "R12-2024", "R12-2024-00",
                                 "rolling-12m", "2024/07", "FY2024-26", "FY2024-2025", "FY24-25", "2024/25",
                                 "2023-02-29..2023-03-01", "2024-01-15..", "2024-1-15..2024-03-31"])
def test_bad_keys_are_refused(key: str) -> None:
    with pytest.raises(ValueError, match="Not a period key"):
        parse_period_key(key)


def test_a_custom_range_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="cannot end"):
        parse_period_key("2024-03-31..2024-01-15")


@pytest.mark.parametrize(("key", "label"), [
    ("2024", "2024"),
    ("FY2024-25", "2024/25 (April 2024 to March 2025)"),
    ("FY1999-00", "1999/00 (April 1999 to March 2000)"),
    ("2024-Q1", "Q1 2024 (Jan–Mar; NHS 2023/24 Q4)"),
    ("2024-Q2", "Q2 2024 (Apr–Jun; NHS 2024/25 Q1)"),
    ("2024-Q4", "Q4 2024 (Oct–Dec; NHS 2024/25 Q3)"),
    ("2024-07", "July 2024"),
    ("R12-2024-07", "12 months to July 2024"),
    ("2024-01-05..2024-03-31", "5 January 2024 to 31 March 2024"),
])
def test_labels_are_written_as_people_write_periods(key: str, label: str) -> None:
    assert parse_period_key(key).label == label


def test_the_run_dates_window_label_says_the_day() -> None:
    assert rolling_period(date(2026, 12, 4), date(2026, 12, 4)).label == "12 months to 4 December 2026"


@pytest.mark.parametrize(("born", "financial"), [
    (date(2024, 3, 31), "FY2023-24"), (date(2024, 4, 1), "FY2024-25"), (date(2025, 1, 1), "FY2024-25"),
])
def test_a_birth_counts_in_the_nhs_financial_year_from_april(born: date, financial: str) -> None:
    assert [p.key for p in periods_for_birth(born, as_of=born) if p.type == PeriodType.FINANCIAL_YEAR] == [financial]


@pytest.mark.parametrize(("key", "previous"), [
    ("2024", "2023"), ("FY2024-25", "FY2023-24"), ("2024-Q1", "2023-Q4"), ("2024-01", "2023-12"),
    ("R12-2024-07", "R12-2023-07"),
    ("2024-01-15..2024-03-31", "2023-10-30..2024-01-14"),  # the same 77 days just before
])
def test_the_previous_period_is_the_one_just_before_of_the_same_length(key: str, previous: str) -> None:
    assert previous_period(parse_period_key(key)).key == previous


def test_period_bounds_are_london_midnights() -> None:
    start, end = parse_period_key("2024-07").utc_bounds()
    # July starts at 00:00 BST, which is 23:00 UTC on 30 June.
    assert start.astimezone(UTC) == datetime(2024, 6, 30, 23, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2024, 7, 31, 23, 0, tzinfo=UTC)
    start, end = parse_period_key("2024").utc_bounds()
    assert start.astimezone(UTC) == datetime(2024, 1, 1, 0, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2025, 1, 1, 0, 0, tzinfo=UTC)


def test_a_birth_counts_in_its_year_financial_year_quarter_month_and_the_twelve_windows_holding_it() -> None:
    keys = [p.key for p in periods_for_birth(date(2024, 5, 14), as_of=date(2026, 1, 1))]
    windows = [f"R12-{y}-{m:02d}" for y, m in [(2024, m) for m in range(5, 13)] + [(2025, m) for m in range(1, 5)]]
    assert keys == ["2024", "FY2024-25", "2024-Q2", "2024-05", *windows]


def test_windows_that_end_after_the_run_date_month_are_not_computed_yet() -> None:
    keys = [p.key for p in periods_for_birth(date(2024, 5, 14), as_of=date(2024, 7, 3))]
    assert keys == ["2024", "FY2024-25", "2024-Q2", "2024-05", "R12-2024-05", "R12-2024-06", "R12-2024-07"]


def test_a_full_run_computes_windows_up_to_the_run_date_even_after_the_last_birth() -> None:
    periods = periods_for_months([date(2024, 11, 3), date(2024, 11, 20)], as_of=date(2025, 2, 10))
    assert [p.key for p in periods if p.type == PeriodType.ROLLING_12M] == [
        "R12-2024-11", "R12-2024-12", "R12-2025-01", "R12-2025-02"]
    assert {p.key for p in periods if p.type != PeriodType.ROLLING_12M} == {"2024", "FY2024-25", "2024-Q4", "2024-11"}
    assert periods_for_months([], as_of=date(2025, 2, 10)) == []


def test_rolling_window_contains_its_twelve_months_only() -> None:
    window = rolling_period(date(2024, 7, 1))
    assert window.months()[0] == date(2023, 8, 1)
    assert window.months()[-1] == date(2024, 7, 1)
    assert len(window.months()) == 12
    assert not window.contains_month(date(2023, 7, 1))
    assert not window.contains_month(date(2024, 8, 1))


def test_a_london_midnight_birth_in_summer_is_the_previous_day_in_utc() -> None:
    # The instant 2024-06-30 23:30 UTC is 00:30 on 1 July in London: July, Q3 (not June, Q2).
    birth = datetime(2024, 6, 30, 23, 30, tzinfo=UTC).astimezone(LONDON)
    keys = [p.key for p in periods_for_birth(birth.date(), as_of=date(2024, 7, 31))]
    assert keys[:4] == ["2024", "FY2024-25", "2024-Q3", "2024-07"]


# --- kpis.md "rolling-12m ending on the run date" ---------------------------------------------------------


@pytest.mark.parametrize(("as_of", "start"), [
    (date(2024, 7, 15), date(2023, 7, 16)),
    (date(2024, 7, 31), date(2023, 8, 1)),  # a month end: the same as the calendar window
    (date(2028, 2, 29), date(2027, 3, 1)),  # leap day: the year before has no 29 February
    (date(2025, 3, 1), date(2024, 3, 2)),
])
def test_the_run_dates_window_is_the_twelve_months_ending_that_day(as_of: date, start: date) -> None:
    from kpis.periods import parse_period_key, rolling_period

    window = rolling_period(as_of, as_of)
    assert (window.start, window.end, window.key) == (start, as_of, f"R12-{as_of:%Y-%m}")
    assert parse_period_key(window.key, as_of) == window
    # Earlier months' windows stay whole calendar months.
    earlier = rolling_period(date(2024, 6, 1), date(2024, 7, 15))
    assert (earlier.start, earlier.end) == (date(2023, 7, 1), date(2024, 6, 30))
