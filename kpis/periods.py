"""Reporting periods and their keys (kpis.md "Conventions": Period).

A case belongs to a period by its Europe/London calendar date of birth (not the UTC date: a baby born
at 23:30 on 31 December in London is in that year even in summer time, and one born at 00:30 on 1 July
BST is in July although it is still 30 June in UTC).

Period keys, stored in `KpiAggregate.period_key` and accepted by `compute_kpis --period`:

| type             | key                      | covers (London birth dates)                                  |
|------------------|--------------------------|--------------------------------------------------------------|
| `year`           | `2024`                   | 2024-01-01 .. 2024-12-31                                     |
| `financial_year` | `FY2024-25`              | 2024-04-01 .. 2025-03-31 (NHS financial year, April to March) |
| `quarter`        | `2024-Q3`                | 2024-07-01 .. 2024-09-30 (calendar quarters; also NHS 2024/25 Q2) |
| `month`          | `2024-07`                | 2024-07-01 .. 2024-07-31                                     |
| `rolling_12m`    | `R12-2024-07`            | the 12 calendar months ending with July 2024: 2023-08-01 .. 2024-07-31 |
| `custom`         | `2024-01-15..2024-03-31` | any range of days, both included (never stored, see below)  |

A custom range is never stored: the dashboards count it on demand from the stored per-case outcomes
(`kpis.ondemand`). NHS financial quarters are the calendar quarters counted from April (2024-Q2, April to
June, is 2024/25 Q1), so they are not stored twice: a quarter's label names both.

Rolling windows of past months end at each month end (the run chart's points). The window of the run
date's own month is kpis.md's "rolling-12m ending on the run date": the twelve months up to and including
the run date, e.g. run on 2024-07-15 → 2023-07-16 .. 2024-07-15. It is the only period that is not a whole
number of calendar months. Keys sort chronologically within a type, and the formats cannot be confused
with one another. `Period.label` is the wording people read ("2024/25 (April 2024 to March 2025)").
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import models

from core.timeutil import LONDON

ROLLING_MONTHS = 12


class PeriodType(models.TextChoices):
    YEAR = "year", "Calendar year"
    FINANCIAL_YEAR = "financial_year", "NHS financial year"
    QUARTER = "quarter", "Quarter"
    MONTH = "month", "Calendar month"
    ROLLING_12M = "rolling_12m", "Rolling 12 months"
    CUSTOM = "custom", "Dates you choose"


# The kinds a run computes and stores (a custom range is counted on demand, never stored).
STORED_TYPES: tuple[PeriodType, ...] = (PeriodType.ROLLING_12M, PeriodType.FINANCIAL_YEAR, PeriodType.YEAR,
                                        PeriodType.QUARTER, PeriodType.MONTH)
FINANCIAL_YEAR_START_MONTH = 4  # the NHS financial year runs from 1 April to 31 March

_YEAR = re.compile(r"^(\d{4})$")
_FINANCIAL = re.compile(r"^FY(\d{4})-(\d{2})$")
_CUSTOM = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_ROLLING = re.compile(r"^R12-(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period: first and last London birth date, both inclusive."""

    start: date
    end: date
    type: PeriodType
    key: str

    def contains(self, day: date) -> bool:
        """Whether a baby born on this London date counts in the period."""
        return self.start <= day <= self.end

    def contains_month(self, month: date) -> bool:
        """Whether the calendar month starting on `month` (a first of the month) lies in this period."""
        return self.start <= month <= self.end

    def months(self) -> list[date]:
        """The first day of each calendar month in the period."""
        return list(months_between(self.start, self.end))

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[from, to) instants of the period: London midnight at the start and after the end."""
        return london_midnight(self.start), london_midnight(self.end + timedelta(days=1))

    @property
    def is_whole_months(self) -> bool:
        return self.start.day == 1 and self.end == month_end(self.end)

    @property
    def label(self) -> str:
        """The period as people write it: "2024/25 (April 2024 to March 2025)", "12 months to 4 December 2026"."""
        return _LABELS[self.type](self)


def _rolling_label(period: Period) -> str:
    # The window ending on the run date ends mid-month: say the day.
    if period.end != month_end(period.end):
        return f"12 months to {period.end:%-d %B %Y}"
    return f"12 months to {period.end:%B %Y}"


def _quarter_label(period: Period) -> str:
    number = (period.start.month - 1) // 3 + 1
    financial = financial_year_of(period.start)
    financial_number = (number - 2) % 4 + 1
    return (f"Q{number} {period.start.year} ({period.start:%b}–{period.end:%b}; NHS {financial_name(financial)} "
            f"Q{financial_number})")


def financial_name(start_year: int) -> str:
    """"2024/25": how the NHS writes the financial year that starts in April 2024."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


_LABELS = {
    PeriodType.YEAR: lambda p: f"{p.start.year}",
    PeriodType.FINANCIAL_YEAR: lambda p: f"{financial_name(p.start.year)} ({p.start:%B %Y} to {p.end:%B %Y})",
    PeriodType.QUARTER: _quarter_label,
    PeriodType.MONTH: lambda p: f"{p.start:%B %Y}",
    PeriodType.ROLLING_12M: _rolling_label,
    PeriodType.CUSTOM: lambda p: f"{p.start:%-d %B %Y} to {p.end:%-d %B %Y}",
}


def london_midnight(day: date) -> datetime:
    """The instant the London calendar day begins (00:00 exists on every UK day, clock changes are at 01:00)."""
    return datetime.combine(day, time(0, 0), tzinfo=LONDON)


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    """The first of the month `count` months after (or before, if negative) the month of `month`."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def months_between(first: date, last: date) -> Iterator[date]:
    """First days of every month from the month of `first` to the month of `last`, inclusive."""
    month, stop = month_start(first), month_start(last)
    while month <= stop:
        yield month
        month = add_months(month, 1)


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), PeriodType.YEAR, f"{year:04d}")


def financial_year_of(day: date) -> int:
    """The year in which the NHS financial year holding `day` starts (1 April)."""
    return day.year if day.month >= FINANCIAL_YEAR_START_MONTH else day.year - 1


def financial_year_period(start_year: int) -> Period:
    """The NHS financial year from 1 April `start_year` to 31 March of the next year."""
    key = f"FY{start_year:04d}-{(start_year + 1) % 100:02d}"
    return Period(date(start_year, FINANCIAL_YEAR_START_MONTH, 1), date(start_year + 1, 3, 31),
                  PeriodType.FINANCIAL_YEAR, key)


def custom_period(start: date, end: date) -> Period:
    """Any range of London birth dates, both days included; ValueError when it ends before it starts."""
    if end < start:
        raise ValueError(f"A period cannot end ({end:%d/%m/%Y}) before it starts ({start:%d/%m/%Y})")
    return Period(start, end, PeriodType.CUSTOM, f"{start.isoformat()}..{end.isoformat()}")


def quarter_period(year: int, quarter: int) -> Period:
    first = date(year, 3 * quarter - 2, 1)
    return Period(first, month_end(add_months(first, 2)), PeriodType.QUARTER, f"{year:04d}-Q{quarter}")


def month_period(month: date) -> Period:
    month = month_start(month)
    return Period(month, month_end(month), PeriodType.MONTH, f"{month:%Y-%m}")


def rolling_period(last_month: date, as_of: date | None = None) -> Period:
    """The 12 calendar months ending with the month of `last_month`; in the run date's month, the 12 months
    ending on the run date (kpis.md "Period")."""
    last_month = month_start(last_month)
    key = f"R12-{last_month:%Y-%m}"
    if as_of is not None and month_start(as_of) == last_month:
        return Period(_year_before(as_of) + timedelta(days=1), as_of, PeriodType.ROLLING_12M, key)
    first = add_months(last_month, 1 - ROLLING_MONTHS)
    return Period(first, month_end(last_month), PeriodType.ROLLING_12M, key)


def _year_before(day: date) -> date:
    # 29 February has no match a year earlier: the window then starts on 1 March.
    return day.replace(year=day.year - 1) if (day.month, day.day) != (2, 29) else date(day.year - 1, 2, 28)


def parse_period_key(key: str, as_of: date | None = None) -> Period:
    """The period a key names (as of the run date, for the rolling window of its month); ValueError for
    anything else (see the module docstring for the formats)."""
    key = key.strip()
    if match := _YEAR.match(key):
        return year_period(int(match[1]))
    if match := _QUARTER.match(key):
        return quarter_period(int(match[1]), int(match[2]))
    if match := _MONTH.match(key):
        return month_period(date(int(match[1]), int(match[2]), 1))
    if match := _ROLLING.match(key):
        return rolling_period(date(int(match[1]), int(match[2]), 1), as_of)
    if (match := _FINANCIAL.match(key)) and (int(match[1]) + 1) % 100 == int(match[2]):
        return financial_year_period(int(match[1]))
    if match := _CUSTOM.match(key):
        return _custom_from_key(match[1], match[2])
    raise ValueError(f"Not a period key: {key!r} (use 2024, FY2024-25, 2024-Q3, 2024-07, R12-2024-07 or "
                     "2024-01-15..2024-03-31)")


def _custom_from_key(first: str, last: str) -> Period:
    try:
        start, end = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError:
        raise ValueError(f"Not a period key: {first}..{last} (no such date)") from None
    return custom_period(start, end)


def calendar_periods(month: date) -> tuple[Period, ...]:
    """The year, NHS financial year, quarter and month that a birth in `month` counts in."""
    return (year_period(month.year), financial_year_period(financial_year_of(month)),
            quarter_period(month.year, (month.month - 1) // 3 + 1), month_period(month))


def previous_period(period: Period) -> Period:
    """The period just before, of the same kind and length, not overlapping (what a trend compares with)."""
    if period.type == PeriodType.CUSTOM:
        length = period.end - period.start
        return custom_period(period.start - length - timedelta(days=1), period.start - timedelta(days=1))
    if period.type == PeriodType.ROLLING_12M:
        return rolling_period(add_months(month_start(period.end), -ROLLING_MONTHS))
    step = _STEP_MONTHS[PeriodType(period.type)]
    start = add_months(period.start, -step)
    if period.type == PeriodType.YEAR:
        return year_period(start.year)
    if period.type == PeriodType.FINANCIAL_YEAR:
        return financial_year_period(start.year)
    if period.type == PeriodType.QUARTER:
        return quarter_period(start.year, (start.month - 1) // 3 + 1)
    return month_period(start)


_STEP_MONTHS = {PeriodType.YEAR: 12, PeriodType.FINANCIAL_YEAR: 12, PeriodType.QUARTER: 3, PeriodType.MONTH: 1}


def rolling_periods(month: date, as_of: date) -> list[Period]:
    """The rolling windows holding a birth in `month` that have ended by the run date's month.

    A window ending after the run date's month is in the future: no run computes it yet.
    """
    last = min(add_months(month_start(month), ROLLING_MONTHS - 1), month_start(as_of))
    return [rolling_period(end, as_of) for end in months_between(month, last)] if month <= last else []


def periods_for_birth(birth_date: date, as_of: date) -> list[Period]:
    """Every period a case born on this London date counts in, as of the run date."""
    month = month_start(birth_date)
    return [*calendar_periods(month), *rolling_periods(month, as_of)]


def periods_for_months(months: Iterable[date], as_of: date) -> list[Period]:
    """Every period a full run computes: those holding a birth month, and every rolling window ending from
    the first birth month to the run date's month (a window can hold births although its last month has none).
    """
    months = sorted({month_start(m) for m in months})
    if not months:
        return []
    periods: set[Period] = set()
    for month in months:
        periods.update(calendar_periods(month))
    periods.update(rolling_period(end, as_of) for end in months_between(months[0], as_of))
    return sorted(periods)
