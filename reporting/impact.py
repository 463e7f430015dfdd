"""Impact estimates (kpis.md "Impact estimates"): what the babies treated because of the improvement are
estimated to have been spared, with every input and its source beside it.

    expected at baseline = baseline rate × eligible babies
    extra babies treated = babies treated − expected at baseline        (never below 0)
    outcomes prevented   = extra ÷ NNT, or extra × risk without treatment × relative reduction
    lifetime cost avoided = outcomes prevented × cost per person (low – high)

The rules that keep an estimate honest:

1. **Like with like.** The baseline must be a rate of the same measure, in the same babies, as the current
   rate (each baseline input names the measure it is of). Otherwise the estimate is not shown and says why:
   the East of England's 36 % (2009) is babies *reaching target temperature* within 6 hours, so it says
   nothing about how many more babies *started cooling* within 6 hours.
2. **Only the improvement counts.** The NNT (or risk reduction) applies to the extra babies treated above
   the baseline, never to every baby treated.
3. **Rounded to what the inputs support**: "about 1 case", "£0.5–0.7 million" (`about`, `money_range`).
4. **Cumulative** from a programme start date when the report gives one.
5. **Small numbers**: in a report for sharing outside the network an estimate resting on a hidden count is
   not shown (the policy, `reporting.policy`).

Inputs are `ImpactInput` rows, editable (and audited) in the admin; the defaults and their sources are in
`reporting.impact_defaults`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from kpis.registry import REGISTRY
from pop.kpis import registry as pop_registry


class Input(Protocol):
    key: str
    label: str
    value: Decimal
    unit: str
    source: str
    year: int
    measure: str
    population: str


@dataclass(frozen=True)
class EstimateSpec:
    key: str
    title: str
    kpi: str  # the rate KPI whose numerator counts the babies treated
    baseline_key: str  # a rate, in %, of the same measure as `kpi` (its `measure` says so)
    singular: str  # what is prevented: "case of cerebral palsy"
    plural: str
    nnt_key: str = ""  # either an NNT …
    risk_key: str = ""  # … or the risk without treatment (%) and the relative reduction (%)
    reduction_key: str = ""
    cost_low_key: str = ""
    cost_high_key: str = ""

    @property
    def input_keys(self) -> tuple[str, ...]:
        return tuple(k for k in (self.baseline_key, self.nnt_key, self.risk_key, self.reduction_key,
                                 self.cost_low_key, self.cost_high_key) if k)


SPECS: tuple[EstimateSpec, ...] = (
    EstimateSpec("hypothermia", "Therapeutic hypothermia started within 6 hours", "cooling_started_6h",
                 "th_baseline_rate", "baby surviving with normal neurology who otherwise would not",
                 "babies surviving with normal neurology who otherwise would not", nnt_key="th_nnt",
                 cost_low_key="hie_disability_cost_low", cost_high_key="hie_disability_cost_high"),
    EstimateSpec("magnesium", "Antenatal magnesium sulphate", "pop_magnesium_sulphate", "mgso4_baseline_rate",
                 "case of cerebral palsy prevented", "cases of cerebral palsy prevented", nnt_key="mgso4_nnt",
                 cost_low_key="cp_cost_low", cost_high_key="cp_cost_high"),
    EstimateSpec("steroids", "Antenatal steroids", "pop_antenatal_steroids", "steroids_baseline_rate",
                 "death before discharge prevented", "deaths before discharge prevented",
                 risk_key="preterm_mortality_risk", reduction_key="steroids_mortality_reduction"),
    EstimateSpec("cord", "Deferred cord clamping", "pop_optimal_cord_management", "dcc_baseline_rate",
                 "death before discharge prevented", "deaths before discharge prevented",
                 risk_key="preterm_mortality_risk", reduction_key="dcc_mortality_reduction"),
)


def measure_title(code: str) -> str:
    if code in REGISTRY:
        return REGISTRY[code].TITLE
    return pop_registry.TITLES.get(code, "another measure")


# --- Rounding to what the inputs support -----------------------------------------------------------------------


def round_count(value: float) -> int:
    """Whole numbers below 10, the nearest 5 below 100, the nearest 10 above: an NNT known to two figures at
    best does not support more."""
    if value < 10:
        return max(1, round(value))
    if value < 100:
        return 5 * round(value / 5)
    return 10 * round(value / 10)


def about(value: float, singular: str, plural: str) -> str:
    if value < 0.5:
        return f"fewer than 1 {singular}"
    count = round_count(value)
    return f"about {count} {singular if count == 1 else plural}"


def money_range(low: float, high: float) -> str:
    """"£0.5–0.7 million": one decimal place below £10 million, whole millions below £100 million, tens above."""
    lo, hi = low / 1e6, high / 1e6
    if hi < 0.05:
        return "less than £0.1 million"
    if hi < 10:
        text = (f"{lo:.1f}", f"{hi:.1f}")
    elif hi < 100:
        text = (f"{lo:.0f}", f"{hi:.0f}")
    else:
        text = (f"{10 * round(lo / 10):.0f}", f"{10 * round(hi / 10):.0f}")
    return f"£{text[0]} million" if text[0] == text[1] else f"£{text[0]}–{text[1]} million"


def input_value_text(item: Input) -> str:
    value = float(item.value)
    if item.unit == "%":
        return f"{value:g}%"
    if item.unit.startswith("£"):
        amount = f"£{value / 1e6:g} million" if value >= 1e6 else f"£{value:,.0f}"
        return f"{amount} {item.unit.removeprefix('£').strip()}".strip()
    return f"{value:g} {item.unit}"


# --- The estimate ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    spec: EstimateSpec
    treated: int | None
    eligible: int | None
    inputs: tuple[Input, ...] = ()
    reason: str = ""  # why it is not shown; "" when it is
    expected: float = 0.0
    extra: float = 0.0
    prevented: float = 0.0
    saving: tuple[float, float] | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def shown(self) -> bool:
        return not self.reason

    @property
    def headline(self) -> str:
        return about(self.prevented, self.spec.singular, self.spec.plural) if self.shown else ""

    @property
    def money(self) -> str:
        return f"{money_range(*self.saving)} of lifetime costs avoided" if self.shown and self.saving else ""

    @property
    def working(self) -> str:
        """The arithmetic in words, with the figures it used (not rounded: they are counts and inputs)."""
        if not self.shown or self.treated is None or self.eligible is None:
            return ""
        return (f"{self.treated} of {self.eligible} eligible babies were treated; the baseline rate would have "
                f"treated {self.expected:.1f}, so {self.extra:.1f} more babies were treated because of the "
                f"improvement, giving {self.prevented:.2f} before rounding.")


def _value(inputs: Mapping[str, Input], key: str) -> float | None:
    return float(inputs[key].value) if key and key in inputs else None


def _refusal(spec: EstimateSpec, treated: int | None, inputs: Mapping[str, Input]) -> str:
    """Why the estimate cannot be shown, or ""."""
    if treated is None:
        return "Not shown: no figure is stored for this scope and period."
    baseline = inputs.get(spec.baseline_key)
    wanted = measure_title(spec.kpi).lower()
    if baseline is None:
        return (f"Not shown: no baseline rate of {wanted} has been entered (no national figure has been "
                "published). An administrator can enter the network's own rate before the improvement.")
    if baseline.measure != spec.kpi:
        return (f"Not shown: the baseline ({input_value_text(baseline)}, {baseline.year}) is a rate of "
                f"{measure_title(baseline.measure).lower()}, not of {wanted}, so it cannot show how many more "
                "babies were treated because of the improvement.")
    needed = (spec.nnt_key,) if spec.nnt_key else (spec.risk_key, spec.reduction_key)
    if any(k not in inputs or not float(inputs[k].value) for k in needed):
        return "Not shown: an input it needs has been removed or set to zero."
    return ""


def estimate(spec: EstimateSpec, counts: tuple[int, int] | None, inputs: Mapping[str, Input], *,
             withheld: bool = False) -> Estimate:
    """One estimate from the KPI's (treated, eligible) and the inputs keyed by `ImpactInput.key`."""
    used = tuple(inputs[k] for k in spec.input_keys if k in inputs)
    treated, eligible = counts if counts else (None, None)
    reason = "Not shown: the counts it rests on are small numbers." if withheld else _refusal(spec, treated, inputs)
    if reason:
        return Estimate(spec, treated, eligible, used, reason)
    assert treated is not None and eligible is not None
    expected = (_value(inputs, spec.baseline_key) or 0) / 100 * eligible
    extra = max(0.0, treated - expected)
    if spec.nnt_key:
        prevented = extra / (_value(inputs, spec.nnt_key) or 1)
    else:
        prevented = extra * (_value(inputs, spec.risk_key) or 0) / 100 * (_value(inputs, spec.reduction_key) or 0) / 100
    low, high = _value(inputs, spec.cost_low_key), _value(inputs, spec.cost_high_key)
    saving = (prevented * low, prevented * high) if low is not None and high is not None else None
    notes = () if extra else ("No more babies were treated than the baseline rate would give, so no benefit "
                              "is claimed.",)
    return Estimate(spec, treated, eligible, used, "", expected, extra, prevented, saving, notes)


def current_inputs() -> dict[str, Input]:
    from reporting.models import ImpactInput  # models import nothing from here; keeps this module pure

    return {row.key: row for row in ImpactInput.objects.all()}
