"""The vocabulary of a KPI result (kpis.md "Conventions")."""

from __future__ import annotations

from enum import Enum, StrEnum
from typing import Final


class Outcome(StrEnum):
    """Per-case outcome. `missing` is never a failure: it is reported beside the figure."""

    MET = "met"
    NOT_MET = "not_met"
    NOT_ELIGIBLE = "not_eligible"
    MISSING = "missing"

    @classmethod
    def of(cls, condition: bool) -> Outcome:
        """`met` when the condition holds, else `not_met` (only once eligibility and data are settled)."""
        return cls.MET if condition else cls.NOT_MET


class Direction(StrEnum):
    """Which way a rate is better: dashboards colour and sort by this; `monitor` has no good direction."""

    HIGHER = "higher"
    LOWER = "lower"
    MONITOR = "monitor"


class NotEligible(Enum):
    """Sentinel type for a median measure's case outside the cohort (None already means "time missing")."""

    NOT_ELIGIBLE = "not_eligible"


NOT_ELIGIBLE: Final = NotEligible.NOT_ELIGIBLE

# What a median measure returns for one case: minutes, None when the time is missing, or NOT_ELIGIBLE.
MeasureValue = float | None | NotEligible
