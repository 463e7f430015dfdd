"""The period picker every dashboard page shows: the kind of period first (rolling 12 months, NHS financial
year, calendar year, quarter, month, dates you choose), then that kind's periods, newest first.

A kind is a link to its newest period, so the list below it stays short (one kind's periods), and the page
works without JavaScript. "Dates you choose" shows two date boxes (`kpis.forms.CustomRangeForm`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from django.http import HttpRequest, QueryDict

from kpis import dashboard
from kpis.forms import CustomRangeForm
from kpis.periods import STORED_TYPES, Period, PeriodType, previous_period
from kpis.versions import page_version

CUSTOM: Final = PeriodType.CUSTOM.value


@dataclass(frozen=True)
class Kind:
    value: str
    label: str
    current: bool
    first_key: str  # the newest period of the kind (what its link opens); "" for dates you choose


@dataclass(frozen=True)
class Picker:
    period: Period | None
    kinds: tuple[Kind, ...]
    options: tuple[dashboard.PeriodChoice, ...]  # the current kind's periods, newest first
    form: CustomRangeForm
    show_custom: bool

    @property
    def key(self) -> str | None:
        return self.period.key if self.period else None

    @property
    def label(self) -> str:
        return self.period.label if self.period else ""

    @property
    def previous_label(self) -> str:
        return previous_period(self.period).label if self.period else ""


def pick(request: HttpRequest, version: str | None = None) -> Picker:
    """The period a request asks for: dates typed in, a stored or custom key, else the newest rolling window.
    Dates refused by the form keep the page on the default period, with the form and its errors shown."""
    choices = dashboard.cached_periods(version or page_version())
    params: QueryDict = request.GET
    form = CustomRangeForm(params if "start" in params or "end" in params else None)
    period = form.period() if form.is_bound and form.is_valid() else None
    if period is None and not form.is_bound:
        period = dashboard.resolve_period(params.get("period", ""), choices)
    if period is None:
        default = dashboard.default_period(choices)
        period = dashboard.resolve_period(default, choices) if default else None
    asked_custom = params.get("kind") == CUSTOM or form.is_bound
    current = CUSTOM if asked_custom or (period and period.type == PeriodType.CUSTOM) else (
        period.type if period else "")
    if period and period.type == PeriodType.CUSTOM and not form.is_bound:
        form = CustomRangeForm(initial={"start": period.start, "end": period.end})
    kinds = tuple(Kind(kind.value, kind.label, kind.value == current, choices[kind][0].key)
                  for kind in STORED_TYPES if choices.get(kind))
    kinds += (Kind(CUSTOM, PeriodType.CUSTOM.label, current == CUSTOM, ""),) if kinds else ()
    options = tuple(choices.get(current, [])) if current != CUSTOM else ()
    return Picker(period, kinds, options, form, current == CUSTOM)
