"""Birth cohorts for outcome KPIs (kpis.md v2 "Birth cohorts for outcomes").

An outcome such as two-year follow-up is judged only once a baby is old enough (`MIN_AGE_MONTHS`, 30 for
follow-up), so a recent period holds few or no eligible babies and its figure says nothing. A period is
*complete* when its youngest possible baby (born on its last day) is old enough on the run date; dashboards
then show the period itself, and otherwise the newest complete birth year, labelled "babies born in 2023".
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.followup_2y import completed_months
from kpis.periods import Period, year_period
from kpis.registry import BY_BIRTH_COHORT

MIN_AGE_MONTHS: dict[str, int] = {d.CODE: d.MIN_AGE_MONTHS for d in BY_BIRTH_COHORT}


def is_complete(period: Period, as_of: date, months: int) -> bool:
    """Every baby born in the period was at least `months` old on the run date."""
    return completed_months(period.end, as_of) >= months


def newest_complete_year(as_of: date, months: int) -> Period:
    """The newest calendar year of births whose every baby was at least `months` old on the run date."""
    year = as_of.year
    while not is_complete(year_period(year), as_of, months):
        year -= 1
    return year_period(year)


def cohort_for(code: str, period: Period, as_of: date) -> Period | None:
    """The period to show a birth-cohort KPI for instead of `period`; None when `period` itself is complete
    or the KPI is not reported by birth cohort."""
    months = MIN_AGE_MONTHS.get(code)
    if months is None or is_complete(period, as_of, months):
        return None
    return newest_complete_year(as_of, months)


def label(period: Period) -> str:
    return f"babies born in {period.label}"
