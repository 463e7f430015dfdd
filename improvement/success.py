"""Celebrating success: which units moved a KPI the right way, judged from stored KPI rows only.

The rule (shown on the pages that list the units, kpis overview and board report):

A unit is celebrated for a rate KPI with a good direction (higher or lower is better) when either

1. **Sustained shift.** In its monthly run chart (stored `KpiAggregate` rows, level `birth_unit`, period
   type `month`, months with no eligible babies left out), the first 12 points set the baseline median and,
   after them, the latest points form a run of 6 or more consecutive months on the better side of that
   median (`kpis.charts.run_rules.detect_shifts`), ending at the most recent month; or
2. **Target reached.** Its latest rolling-12-month rate reached its network's published 2012 figure
   (`kpis.baselines.PUBLISHED`: only the East of England pathway published one, so only its units are judged
   against it) or, for a KPI or a network without one, the national comparator (`reporting.national.NATIONAL`):
   at or above it when higher is better, at or below it when lower is better.

and, either way, its latest rolling-12-month figure rests on at least `MIN_DENOMINATOR` babies: a success
on fewer is as likely to be chance. An **outcome** measure (mortality: `MeasureType.OUTCOME`) is celebrated
only when the whole 95% Wilson interval of its 12-month rate is on the better side of the comparator, never
for a run of months: zero deaths among a few babies is what chance gives most months, not an improvement.

`judge` is the pure rule; `celebrations` reads every unit's rows in two queries, once per version of the
stored figures. A panel lists only the units inside the organisation it shows (`within`, `panel`): at most
`SHOWN` of them (`shortlist`), longest sustained shifts first, then the most babies, and says how many more
met the rule.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from core import memo
from improvement import catalogue
from kpis import orgscope
from kpis.baselines import PUBLISHED
from kpis.charts.run_rules import SHIFT_LENGTH, detect_shifts
from kpis.definitions.base import Level, MeasureType
from kpis.explain import ALL as ALL_EXPLANATIONS
from kpis.models import KpiAggregate
from kpis.outcome import Direction
from kpis.periods import PeriodType
from kpis.versions import figures_version
from kpis.wilson import wilson_interval
from reporting.national import NATIONAL
from units.reference import NETWORK as PUBLISHING_NETWORK

BASELINE_POINTS: Final = 12
MIN_DENOMINATOR: Final = 10  # a success on fewer babies in 12 months is as likely to be chance
SHOWN: Final = 8  # a panel a consultant reads in a minute
# The network whose pathway published the 2012 figures (kpis.baselines): no other network has a baseline of its own.
PUBLISHED_BY: Final[str] = PUBLISHING_NETWORK["code"]
PUBLISHED_LABEL: Final = "East of England 2012 figure"
OUTCOME_MEASURES: Final = frozenset(e.code for e in ALL_EXPLANATIONS if e.measure_type is MeasureType.OUTCOME)


@dataclass(frozen=True)
class Target:
    value: float
    label: str  # "EoE 2012 figure" or "national comparator"


def target_for(code: str, *, published_applies: bool = True) -> Target | None:
    """The published 2012 figure where it applies (a unit of the network that published it), else the national
    comparator; None without either."""
    published = PUBLISHED.get(code) if published_applies else None
    if published is not None and published.is_rate:
        return Target(published.year_2012, PUBLISHED_LABEL)
    national = NATIONAL.get(code)
    return Target(national.value, "national comparator") if national else None


def _better(value: float, reference: float, direction: Direction) -> bool:
    return value > reference if direction == Direction.HIGHER else value < reference


def sustained_shift(monthly: Sequence[float], direction: Direction) -> int:
    """Length of the latest run on the better side of the baseline median, ending at the latest month; 0 if none."""
    if direction == Direction.MONITOR or len(monthly) < BASELINE_POINTS + SHIFT_LENGTH:
        return 0
    median = statistics.median(monthly[:BASELINE_POINTS])
    after = monthly[BASELINE_POINTS:]
    shifts = detect_shifts(after, median)
    off_median = [i for i, value in enumerate(after) if value != median]
    if not shifts or not off_median or shifts[-1].stop - 1 != off_median[-1]:
        return 0  # the latest months are not part of a shift
    latest = shifts[-1]
    if not _better(after[latest.start], median, direction):
        return 0
    return sum(1 for i in latest if after[i] != median)


def target_reached(rate: float | None, denominator: int, target: Target | None, direction: Direction) -> bool:
    if rate is None or target is None or denominator < MIN_DENOMINATOR or direction == Direction.MONITOR:
        return False
    return rate >= target.value if direction == Direction.HIGHER else rate <= target.value


def clearly_beats(rate: float | None, denominator: int, target: Target | None, direction: Direction) -> bool:
    """An outcome's whole 95% interval is on the better side of the target (not merely its rate)."""
    if rate is None or target is None or denominator < MIN_DENOMINATOR or direction == Direction.MONITOR:
        return False
    low, high = wilson_interval(round(rate * denominator), denominator) or (0.0, 1.0)
    return low > target.value if direction == Direction.HIGHER else high < target.value


@dataclass(frozen=True)
class Celebration:
    org_code: str
    unit_name: str
    kpi: str
    shift_months: int  # 0 when not celebrated for a shift
    latest_month: date | None
    rate_12m: float | None
    target: Target | None
    reached_target: bool

    denominator: int = 0  # babies behind the latest 12-month figure

    @property
    def kpi_title(self) -> str:
        return catalogue.title(self.kpi)

    @property
    def reasons(self) -> list[str]:
        found = []
        if self.shift_months:
            found.append(f"{self.shift_months} months in a row better than its baseline median")
        if self.reached_target and self.target is not None and self.rate_12m is not None:
            found.append(f"{self.rate_12m:.0%} over 12 months reached the {self.target.label} "
                         f"({self.target.value:.0%})")
        return found


MonthRow = tuple[str, str, str, date, float | None]  # kpi, org_code, unit name, period_start, rate (None: skipped)
RollingRow = tuple[str, str, str, date, float | None, int]  # kpi, org_code, unit name, start, rate, denominator


def judge(months: Iterable[MonthRow], rolling: Iterable[RollingRow],
          published_units: Collection[str] | None = None) -> list[Celebration]:
    """Every (unit, KPI) the rule celebrates, from the rows; pure (rows in any order). `published_units`: the
    units judged against the published 2012 figures (the publishing network's); None for every unit."""
    series: dict[tuple[str, str], list[tuple[date, float]]] = defaultdict(list)
    names: dict[str, str] = {}
    for kpi, org, name, start, rate in months:
        names[org] = name
        if rate is not None:
            series[(org, kpi)].append((start, rate))
    latest_12m: dict[tuple[str, str], tuple[date, float | None, int]] = {}
    for kpi, org, name, start, latest_rate, denominator in rolling:
        names[org] = name
        if (org, kpi) not in latest_12m or start > latest_12m[(org, kpi)][0]:
            latest_12m[(org, kpi)] = (start, latest_rate, denominator)
    found = []
    for org, kpi in sorted(set(series) | set(latest_12m)):
        direction = catalogue.JUDGED.get(kpi)
        _, rate_12m, denominator = latest_12m.get((org, kpi), (None, None, 0))
        if direction is None or denominator < MIN_DENOMINATOR:
            continue
        points = sorted(series.get((org, kpi), []))
        target = target_for(kpi, published_applies=published_units is None or org in published_units)
        if kpi in OUTCOME_MEASURES:
            shift, reached = 0, clearly_beats(rate_12m, denominator, target, direction)
        else:
            shift = sustained_shift([rate for _, rate in points], direction)
            reached = target_reached(rate_12m, denominator, target, direction)
        if shift or reached:
            found.append(Celebration(org, names[org], kpi, shift, points[-1][0] if points else None, rate_12m,
                                     target, reached, denominator))
    return sorted(found, key=lambda c: (c.unit_name, list(catalogue.TITLES).index(c.kpi)
                                        if c.kpi in catalogue.TITLES else 0))


@dataclass(frozen=True)
class Shortlist:
    shown: list[Celebration]
    more: int  # celebrations that met the rule but are not shown


def shortlist(found: Sequence[Celebration], limit: int = SHOWN) -> Shortlist:
    """The panel's entries: both reasons first, then the longest shift, then the most babies; at most `limit`."""
    ranked = sorted(found, key=lambda c: (-(bool(c.shift_months) + c.reached_target), -c.shift_months,
                                          -c.denominator, c.unit_name, c.kpi))
    return Shortlist(ranked[:limit], max(0, len(ranked) - limit))


def within(found: Iterable[Celebration], units: Collection[str]) -> list[Celebration]:
    """The celebrations of the units inside an organisation (its ODS codes: `kpis.orgscope.Tree.units_in`)."""
    return [c for c in found if c.org_code in units]


@dataclass(frozen=True)
class Panel:
    """What the panel of one organisation shows: its units' shortlist and whether the published figure applies
    to all, some or none of them (the rule's wording must be true for the organisation shown)."""

    shortlist: Shortlist
    published: str  # "all", "some" or "none" of the organisation's units are judged against the 2012 figure

    @property
    def shown(self) -> list[Celebration]:
        return self.shortlist.shown

    @property
    def more(self) -> int:
        return self.shortlist.more

    @property
    def rule(self) -> str:
        return rule_text(self.published)


def panel(units: Collection[str] | None) -> Panel:
    """The panel for an organisation's units (None: every unit of the deployment)."""
    found = celebrations()
    if units is not None:
        found = within(found, units)
    return Panel(shortlist(found), published_applies(units))


def published_applies(units: Collection[str] | None) -> str:
    """"all", "some" or "none": how many of these units (None: every unit) are judged against the published
    2012 figure, so that the rule's words are true for the organisation they are shown for."""
    networks = _unit_networks()  # walked once: every unit's path on today's date
    members = set(units) if units is not None else set(networks)
    inside = {ods for ods in members if networks.get(ods) == PUBLISHED_BY}
    return "none" if not inside else "all" if inside == members else "some"


def rule_text(published: str, *, shown: int | None = SHOWN) -> str:
    """The rule in a clinician's words, for a page or a report whose units `published_applies` describes;
    `shown`: the panel's limit (None: a list of every unit, as in the board report)."""
    target = {
        "all": f"the published {PUBLISHED_LABEL} (or, without one, the national comparator)",
        "some": f"the national comparator (for East of England units, the published {PUBLISHED_LABEL} where "
                "there is one)",
    }.get(published, "the national comparator")
    text = ("A unit is celebrated for a KPI when, in its monthly run chart, the months after its first 12 (which "
            "set the baseline median) end in a run of 6 or more months in a row on the better side of that median, "
            f"or when its latest rolling-12-month rate reached {target}; either way over at least "
            f"{MIN_DENOMINATOR} babies in those 12 months. Deaths are celebrated only when the whole 95% interval "
            "is below the national figure, never for a run of months without a death.")
    if shown is not None:
        text += f" At most {shown} are shown: the longest runs first, then the most babies."
    return text


def _unit_networks() -> dict[str, str]:
    """Every unit's network today (read from the remembered organisation tree: no query when it is warm)."""
    shape, on = orgscope.tree(), orgscope.today()
    return {ods: path.network for ods in shape.hierarchy.unit_codes()
            if (path := shape.hierarchy.path(ods, on)) is not None}


def _publishing_units() -> frozenset[str]:
    return frozenset(ods for ods, network in _unit_networks().items() if network == PUBLISHED_BY)


def celebrations() -> list[Celebration]:
    """`judge` over every unit's stored rows, worked out once per version of the figures (`core.memo`):
    the overview and the board report ask for it on every view."""
    return memo.remember("improvement.celebrations", figures_version(), _celebrations_now)


def _celebrations_now() -> list[Celebration]:
    """Two queries: every unit's monthly series, and every unit's row of the newest rolling window.

    "Latest rolling-12-month rate" is the window ending on the latest run date: a unit with no row there
    had no babies in the last 12 months and has no current rate to celebrate.
    """
    base = KpiAggregate.objects.filter(level=Level.BIRTH_UNIT, kpi__in=list(catalogue.JUDGED))
    months = base.filter(period_type=PeriodType.MONTH, rate__isnull=False).values_list(
        "kpi", "org_code", "org__short_name", "period_start", "rate")
    rolling = base.filter(period_type=PeriodType.ROLLING_12M)
    newest = rolling.order_by("-period_end", "-period_start").values_list("period_key", flat=True).first()
    latest = rolling.filter(period_key=newest).values_list(
        "kpi", "org_code", "org__short_name", "period_start", "rate", "denominator")
    return judge(months, latest, _publishing_units())
