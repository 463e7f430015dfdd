"""Disability at two years, derived from the structured follow-up (kpis.md "v2 additions", TOBY criteria of
Azzopardi 2009 with Bayley composites in place of the MDI). Shown and explained on the case; the KPI
`death_or_disability_2y` counts "moderate" and "severe".

Pure: reads the dataset's field names as attributes (a Case, an unsaved one, or the KPI engine's facts).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pathway import choices as c

SEVERE_COGNITIVE_BELOW = 70  # Bayley cognitive composite < 70: severe
MILD_COGNITIVE_FROM = 85  # ≥ 85: no more than mild; 70–84: moderate
SEVERE_GMFCS = (3, 4, 5)
MODERATE_GMFCS = 2


class Disability(StrEnum):
    SEVERE = "severe"
    MODERATE = "moderate"
    NONE_OR_MILD = "none_or_mild"
    UNCLASSIFIABLE = "unclassifiable"


LABELS = {
    Disability.SEVERE: "Severe disability",
    Disability.MODERATE: "Moderate disability",
    Disability.NONE_OR_MILD: "No or mild disability",
    Disability.UNCLASSIFIABLE: "Cannot be classified",
}


@dataclass(frozen=True)
class Classification:
    level: Disability
    reasons: tuple[str, ...]  # what decided it, in words a clinician checks against the record

    @property
    def label(self) -> str:
        return LABELS[self.level]

    @property
    def moderate_or_severe(self) -> bool:
        return self.level in (Disability.MODERATE, Disability.SEVERE)


def _severe(record: Any) -> list[str]:
    found = []
    cognitive, gmfcs = record.bayley_cognitive, record.gmfcs_level
    if cognitive is not None and cognitive < SEVERE_COGNITIVE_BELOW:
        found.append(f"Bayley cognitive composite {cognitive} is below {SEVERE_COGNITIVE_BELOW}")
    if gmfcs in SEVERE_GMFCS:
        found.append(f"GMFCS level {gmfcs} (3 to 5)")
    if record.vision == c.Vision.NO_USEFUL_VISION:
        found.append("No useful vision")
    return found


def _moderate(record: Any) -> list[str]:
    found = []
    cognitive = record.bayley_cognitive
    if cognitive is not None and SEVERE_COGNITIVE_BELOW <= cognitive < MILD_COGNITIVE_FROM:
        found.append(f"Bayley cognitive composite {cognitive} is {SEVERE_COGNITIVE_BELOW}–{MILD_COGNITIVE_FROM - 1}")
    if record.gmfcs_level == MODERATE_GMFCS:
        found.append(f"GMFCS level {MODERATE_GMFCS}")
    if record.hearing in (c.Hearing.AIDED, c.Hearing.PROFOUND_LOSS):
        found.append(f"Hearing {c.Hearing(record.hearing).label.lower()}")
    if record.epilepsy == c.YesNoUnknown.YES:
        found.append("Epilepsy at the assessment")
    return found


def _at_most_mild(record: Any) -> str | None:
    cognitive = record.bayley_cognitive
    if cognitive is not None and cognitive >= MILD_COGNITIVE_FROM:
        return f"Bayley cognitive composite {cognitive} is {MILD_COGNITIVE_FROM} or more"
    if record.bayley_version == c.BayleyVersion.NOT_DONE and record.cerebral_palsy == c.CerebralPalsy.NONE:
        return "Bayley not done, and no cerebral palsy"
    return None


def classify(record: Any) -> Classification | None:
    """The classification of a completed 2-year assessment; None when the follow-up is not completed."""
    if record.followup_2y != c.FollowUp.COMPLETED:
        return None
    severe = _severe(record)
    if severe:
        return Classification(Disability.SEVERE, tuple(severe))
    moderate = _moderate(record)
    if moderate:
        return Classification(Disability.MODERATE, tuple(moderate))
    mild = _at_most_mild(record)
    if mild is not None:
        return Classification(Disability.NONE_OR_MILD, (mild, "No finding of moderate or severe disability"))
    return Classification(Disability.UNCLASSIFIABLE, (
        "No Bayley cognitive composite (and not 'Bayley not done' with no cerebral palsy), and no finding of "
        "moderate or severe disability: record the missing items to classify",))
