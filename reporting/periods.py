"""The periods a board report covers: calendar years and quarters, and NHS financial years and quarters.

An NHS financial year runs from 1 April to 31 March: "2024/25" is April 2024 to March 2025. Its quarters
are calendar quarters under another name (Q1 2024/25 is April to June 2024, the calendar quarter 2024-Q2),
so their figures are the stored calendar quarter's. A financial year is not a stored KPI period (yet: the
dashboards' period work may add it to `kpis.periods`); its figures are added up from the twelve stored
months (`reporting.figures`). This module is that small financial-year helper, kept in reporting until the
KPI engine has its own.

Keys: `2024` (calendar year), `2024-Q3` (calendar quarter), `FY2024` (financial year 2024/25) and
`FY2024-Q1` (its first quarter).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from kpis.periods import add_months, month_end, parse_period_key

_FY = re.compile(r"^FY(\d{4})$")
_FY_QUARTER = re.compile(r"^FY(\d{4})-Q([1-4])$")
CALENDAR_YEAR, CALENDAR_QUARTER, FINANCIAL_YEAR, FINANCIAL_QUARTER = (
    "calendar_year", "calendar_quarter", "financial_year", "financial_quarter")
KIND_LABELS = {CALENDAR_YEAR: "Calendar year", CALENDAR_QUARTER: "Calendar quarter",
               FINANCIAL_YEAR: "NHS financial year (April to March)", FINANCIAL_QUARTER: "NHS financial quarter"}
PERIOD_HELP = "A calendar year (2024), a calendar quarter (2024-Q3), an NHS financial year (FY2024 is April 2024 to " \
              "March 2025) or one of its quarters (FY2024-Q1 is April to June 2024)"


@dataclass(frozen=True)
class ReportPeriod:
    key: str
    kind: str
    start: date
    end: date
    stored_key: str  # the KPI period whose stored figures it reads ("" when they are added up from months)
    name: str = ""  # the label of any other span (a rolling 12 months, "since April 2019")

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        if self.kind == CALENDAR_YEAR:
            return f"{self.start.year}"
        if self.kind == CALENDAR_QUARTER:
            return f"{self.key[-2:]} {self.start.year} ({self.start:%B} to {self.end:%B %Y})"
        fy = fy_name(fy_start_year(self.start))
        if self.kind == FINANCIAL_YEAR:
            return f"{fy} (April {self.start.year} to March {self.end.year})"
        return f"{self.key[-2:]} {fy} ({self.start:%B} to {self.end:%B %Y})"

    @property
    def months(self) -> list[date]:
        first, out = self.start, []
        while first <= self.end:
            out.append(first)
            first = add_months(first, 1)
        return out

    def previous(self) -> ReportPeriod:
        """The period of the same kind just before (for the trend)."""
        step = 12 if self.kind in (CALENDAR_YEAR, FINANCIAL_YEAR) else 3
        return period_starting(add_months(self.start, -step), self.kind)


def fy_start_year(day: date) -> int:
    """The calendar year in which the financial year holding `day` began (1 April)."""
    return day.year if day.month >= 4 else day.year - 1


def fy_name(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def financial_year(start_year: int) -> ReportPeriod:
    return ReportPeriod(f"FY{start_year}", FINANCIAL_YEAR, date(start_year, 4, 1), date(start_year + 1, 3, 31), "")


def financial_quarter(start_year: int, quarter: int) -> ReportPeriod:
    first = add_months(date(start_year, 4, 1), 3 * (quarter - 1))
    calendar_key = f"{first.year}-Q{(first.month - 1) // 3 + 1}"
    return ReportPeriod(f"FY{start_year}-Q{quarter}", FINANCIAL_QUARTER, first, month_end(add_months(first, 2)),
                        calendar_key)


def period_starting(first: date, kind: str) -> ReportPeriod:
    if kind == CALENDAR_YEAR:
        return parse(f"{first.year}")
    if kind == CALENDAR_QUARTER:
        return parse(f"{first.year}-Q{(first.month - 1) // 3 + 1}")
    start_year = fy_start_year(first)
    if kind == FINANCIAL_YEAR:
        return financial_year(start_year)
    return financial_quarter(start_year, (first.month - 4) % 12 // 3 + 1)


def parse(key: str) -> ReportPeriod:
    """The period a report key names; ValueError with the accepted forms for anything else."""
    key = key.strip()
    if match := _FY.match(key):
        return financial_year(int(match[1]))
    if match := _FY_QUARTER.match(key):
        return financial_quarter(int(match[1]), int(match[2]))
    try:
        period = parse_period_key(key)
    except ValueError:
        period = None
    if period is not None and period.type in ("year", "quarter"):
        kind = CALENDAR_YEAR if period.type == "year" else CALENDAR_QUARTER
        return ReportPeriod(key, kind, period.start, period.end, key)
    raise ValueError(f"Enter {PERIOD_HELP[0].lower()}{PERIOD_HELP[1:]}")


def choices(stored_years: list[int], today: date) -> list[tuple[str, str]]:
    """Every period a report may cover, newest first, from the years that have stored figures: years and
    financial years, then their quarters, none starting after today."""
    offered: list[ReportPeriod] = []
    for year in sorted(stored_years, reverse=True):
        offered.append(parse(f"{year}"))
        offered.append(financial_year(year))
        offered.extend(financial_quarter(year, q) for q in (4, 3, 2, 1))
        offered.extend(parse(f"{year}-Q{q}") for q in (4, 3, 2, 1))
    return [(p.key, f"{KIND_LABELS[p.kind]}: {p.label}") for p in offered if p.start <= today]
