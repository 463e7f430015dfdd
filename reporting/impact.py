"""Impact estimates for board reports (kpis.md "Impact estimates", domain.md §6).

    extra babies treated = treated − baseline rate × eligible   (never below 0)
    babies helped        = extra babies treated ÷ NNT
    lifetime cost avoided = babies helped × cost per child (low – high)

The inputs are `ImpactInput` rows (admin-editable, seeded from domain.md §6); each estimate carries the
rows it used so the report prints them beside it. This mirrors the EoE framing (domain.md §4.2): 41 extra
babies cooled within 6 h at NNT 8 → about 5 babies, £26–35m at £5–7m each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from reporting.models import ImpactInput


@dataclass(frozen=True)
class EstimateSpec:
    title: str
    kpi: str  # the rate KPI whose numerator counts babies treated
    baseline_key: str  # ImpactInput with the baseline rate, in %
    nnt_key: str
    cost_low_key: str
    cost_high_key: str
    helped: str  # what one "NNT" prevents, as a noun phrase


SPECS: tuple[EstimateSpec, ...] = (
    EstimateSpec("Therapeutic hypothermia started within 6 hours", "cooling_started_6h", "th_baseline_rate",
                 "th_nnt", "hie_disability_cost_low", "hie_disability_cost_high",
                 "babies surviving with normal neurology who otherwise would not"),
    EstimateSpec("Antenatal magnesium sulphate", "pop_magnesium_sulphate", "mgso4_baseline_rate", "mgso4_nnt",
                 "cp_cost_low", "cp_cost_high", "cases of cerebral palsy prevented"),
)

@dataclass(frozen=True)
class Estimate:
    spec: EstimateSpec
    treated: int | None  # None: no figure stored for this scope and period
    eligible: int | None
    inputs: tuple[ImpactInput, ...]
    baseline_rate: Decimal | None
    nnt: Decimal | None
    cost_low: Decimal | None
    cost_high: Decimal | None

    @property
    def ready(self) -> bool:
        """Whether there is a figure and every input exists (an admin may have deleted one)."""
        return None not in (self.treated, self.eligible, self.baseline_rate, self.nnt, self.cost_low,
                            self.cost_high) and bool(self.nnt)

    @property
    def expected_at_baseline(self) -> float:
        return float(self.baseline_rate or 0) / 100 * (self.eligible or 0)

    @property
    def extra(self) -> float:
        return max(0.0, (self.treated or 0) - self.expected_at_baseline)

    @property
    def helped(self) -> float:
        return self.extra / float(self.nnt) if self.nnt else 0.0

    @property
    def saving(self) -> tuple[float, float]:
        return self.helped * float(self.cost_low or 0), self.helped * float(self.cost_high or 0)


def estimate(spec: EstimateSpec, counts: tuple[int, int] | None, inputs: Mapping[str, ImpactInput]) -> Estimate:
    """One estimate from the KPI's (numerator, denominator) and the input rows, keyed by `ImpactInput.key`."""
    keys = (spec.baseline_key, spec.nnt_key, spec.cost_low_key, spec.cost_high_key)
    used = tuple(inputs[k] for k in keys if k in inputs)

    def value(key: str) -> Decimal | None:
        return inputs[key].value if key in inputs else None

    treated, eligible = counts if counts else (None, None)
    return Estimate(spec, treated, eligible, used, value(spec.baseline_key), value(spec.nnt_key),
                    value(spec.cost_low_key), value(spec.cost_high_key))


def current_inputs() -> dict[str, ImpactInput]:
    return {row.key: row for row in ImpactInput.objects.all()}
