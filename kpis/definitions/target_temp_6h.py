"""Target temperature (33.0–34.0 °C) reached within 6 hours of time zero.

kpis.md, "HIE pathway KPIs", `target_temp_6h` (domain.md §4.2 H2):
cohort TH babies, except those who died before reaching target (`target_temp_reached` empty and
`outcome`=`died`); `met` when `target_temp_reached` − time zero ≤ 360 min; `missing` when
`target_temp_reached` is empty (and the baby did not die); direction higher.
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import SIX_HOURS_MIN, TH_LEVELS, MeasureType
from kpis.facts import CaseFacts
from kpis.outcome import Direction, Outcome
from pathway import choices as c

CODE = "target_temp_6h"
TITLE = "Target temperature reached within 6 hours"
SOURCE = "kpis.md HIE pathway KPIs; domain.md §4.2 H2"
VERSION = 1
DIRECTION = Direction.HIGHER
LEVELS = TH_LEVELS
# What clinicians read beside the figure and on the definitions page (kpis.definitions.base).
COHORT = "Cooled babies, except those who died before reaching the target temperature."
MET = "Target temperature (33–34 °C) reached within 6 hours of time zero."
MISSING = "No time is recorded for reaching the target temperature, and the baby did not die first."
CITATION = "East of England neuroprotection pathway 2012 (Health Foundation)"
MEASURE_TYPE = MeasureType.PROCESS


def evaluate(facts: CaseFacts, as_of: date) -> Outcome:
    if not facts.is_cooled:
        return Outcome.NOT_ELIGIBLE
    minutes = facts.minutes_from_zero(facts.target_temp_reached)
    if minutes is None:
        # A baby who died before target could never meet it: excluded rather than counted as missing.
        return Outcome.NOT_ELIGIBLE if facts.outcome == c.Outcome.DIED else Outcome.MISSING
    return Outcome.of(minutes <= SIX_HOURS_MIN)
