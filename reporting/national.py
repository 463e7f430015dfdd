"""National (UK) figures that board reports show beside our own, where the domain reference (its KPI table,
section 4.2) gives one.

Only figures for the same measure, or one close enough to state plainly, are listed; the note says what
population and year each comes from, because none is an exact match for our cohort definitions. Like
`kpis.baselines`, these are published, fixed references: a change is a reviewed code change.
Rates are proportions (0–1).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NationalFigure:
    value: float
    note: str
    source: str

    @property
    def text(self) -> str:
        return f"{self.value:.1%} ({self.note})"


MISTRY_2022 = "Mistry A, et al. Arch Dis Child Fetal Neonatal Ed 2022;107:597."
SHIPLEY_2021 = ("Shipley L, Gale C, Sharkey D. Trends in the incidence and management of hypoxic-ischaemic "
                "encephalopathy in the therapeutic hypothermia era: a national population study. Arch Dis Child "
                "Fetal Neonatal Ed 2021;106:529–34.")

NATIONAL: dict[str, NationalFigure] = {
    "overcooling_before_centre": NationalFigure(
        0.106, "UK arrivals below 33 °C where active cooling is started at the birth centre; 14.3% elsewhere",
        MISTRY_2022),
    "arrival_temp_in_range": NationalFigure(
        0.765, "UK, with active cooling at the birth centre; 67.3% without", MISTRY_2022),
    "placenta_sent": NationalFigure(0.30, "UK tertiary-centre baseline study", ""),
    "mortality_before_discharge": NationalFigure(
        0.093, "UK, cooled babies ≥36 weeks with moderate or severe HIE, 2011–16", SHIPLEY_2021),
    "cooled_outside_criteria": NationalFigure(
        0.303, "UK, share of babies with mild HIE who were cooled (not the same measure)",
        SHIPLEY_2021),
}
