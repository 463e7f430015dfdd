"""Reporting periods and their keys (kpis.md "Conventions": Period).

A case belongs to a period by its Europe/London calendar date of birth (not the UTC date: a baby born
at 23:30 on 31 December in London is in that year even in summer time, and one born at 00:30 on 1 July
BST is in July although it is still 30 June in UTC).

Period keys, stored in `KpiAggregate.period_key` and accepted by `compute_kpis --period`:

| type          | key            | covers (London birth dates)                                  |
|---------------|----------------|--------------------------------------------------------------|
| `year`        | `2024`         | 2024-01-01 .. 2024-12-31                                     |
| `quarter`     | `2024-Q3`      | 2024-07-01 .. 2024-09-30 (calendar quarters)                 |
| `month`       | `2024-07`      | 2024-07-01 .. 2024-07-31                                     |
| `rolling_12m` | `R12-2024-07`  | the 12 calendar months ending with July 2024: 2023-08-01 .. 2024-07-31 |

Rolling windows of past months end at each month end (the run chart's points). The window of the run
date's own month is kpis.md's "rolling-12m ending on the run date": the twelve months up to and including
the run date, e.g. run on 2024-07-15 → 2023-07-16 .. 2024-07-15. It is the only period that is not a whole
number of calendar months. Keys sort chronologically within a type, and the four formats cannot be
confused with one another.
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
    QUARTER = "quarter", "Calendar quarter"
    MONTH = "month", "Calendar month"
    ROLLING_12M = "rolling_12m", "Rolling 12 months"


_YEAR = re.compile(r"^(\d{4})$")
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
    raise ValueError(f"Not a period key: {key!r} (use 2024, 2024-Q3, 2024-07 or R12-2024-07)")


def calendar_periods(month: date) -> tuple[Period, Period, Period]:
    """The year, quarter and month that a birth in `month` counts in."""
    return year_period(month.year), quarter_period(month.year, (month.month - 1) // 3 + 1), month_period(month)


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
