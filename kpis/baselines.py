"""Published East of England pathway figures, shown beside our own (kpis.md "Published East of England
pathway figures": baseline → 2012, from domain.md §4.2, source S5, the Health Foundation project report).

Rates are proportions (0–1); median measures are minutes. Kept in code, not the database: they are a
published, fixed reference, and a change to them is a reviewed code change.
"""

from __future__ import annotations

from dataclasses import dataclass

SOURCE = "East of England neuroprotection pathway, Health Foundation report (domain.md §4.2, S5)"


@dataclass(frozen=True)
class Published:
    baseline: float
    year_2012: float
    is_rate: bool

    def text(self) -> str:
        if self.is_rate:
            return f"{self.baseline:.0%} → {self.year_2012:.0%}"
        return f"{self.baseline:.0f} → {self.year_2012:.0f} min"


PUBLISHED: dict[str, Published] = {
    "age_at_referral_min": Published(122, 85, is_rate=False),
    "age_at_cooling_start_min": Published(141, 30, is_rate=False),
    "age_at_target_temp_min": Published(370, 230, is_rate=False),
    "target_temp_6h": Published(0.36, 0.91, is_rate=True),
    "overcooling_before_centre": Published(0.45, 0.0, is_rate=True),
    "core_monitoring_before_transfer": Published(0.0, 1.0, is_rate=True),
}
