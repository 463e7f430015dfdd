"""National (UK) figures that board reports show beside our own, where domain.md §4.2 gives one.

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


NATIONAL: dict[str, NationalFigure] = {
    "overcooling_before_centre": NationalFigure(
        0.106, "UK arrivals below 33 °C where active cooling is started at the birth centre; 14.3% elsewhere",
        "domain.md §4.2 H7 (S12)"),
    "arrival_temp_in_range": NationalFigure(
        0.765, "UK, with active cooling at the birth centre; 67.3% without", "domain.md §4.2 H8 (S12)"),
    "placenta_sent": NationalFigure(0.30, "UK tertiary-centre baseline study", "domain.md §4.2 H14"),
    "mortality_before_discharge": NationalFigure(
        0.093, "UK, cooled babies ≥36 weeks with moderate or severe HIE, 2011–16", "domain.md §4.2 H17 (S14)"),
    "cooled_outside_criteria": NationalFigure(
        0.303, "UK, share of babies with mild HIE who were cooled (not the same measure)",
        "domain.md §4.2 H18 (S14)"),
}
