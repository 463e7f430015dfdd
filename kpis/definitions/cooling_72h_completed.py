"""72 hours of cooling completed (70–74 h from target temperature to rewarming start).

kpis.md, "HIE pathway KPIs", `cooling_72h_completed` (domain.md §4.2 H10):
cohort TH babies without `early_stop_reason`; `met` when 70 h ≤ `rewarming_start` − `target_temp_reached`
≤ 74 h (both ends inclusive, exact instants); `missing` when either is empty; direction higher.
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import TH_LEVELS, MeasureType
from kpis.facts import CaseFacts, minutes_between
from kpis.outcome import Direction, Outcome
from pathway import standards

CODE = "cooling_72h_completed"
TITLE = "Cooling for 72 hours completed (70–74 h)"
SOURCE = "kpis.md HIE pathway KPIs; domain.md §4.2 H10"
VERSION = 1
DIRECTION = Direction.HIGHER
LEVELS = TH_LEVELS
# What clinicians read beside the figure and on the definitions page (kpis.definitions.base).
COHORT = "Cooled babies with no recorded reason for stopping cooling early."
MET = "70 to 74 hours from reaching the target temperature to the start of rewarming."
MISSING = "The target-temperature time or the rewarming start time is not recorded."
CITATION = "TOBY trial protocol 2008"
MEASURE_TYPE = MeasureType.PROCESS

# The ±2 h tolerance around the 72 h protocol is the product's choice (domain.md §4.2 H10).
SHORTEST_MIN = standards.COOLING_SHORTEST_MIN
LONGEST_MIN = standards.COOLING_LONGEST_MIN


def evaluate(facts: CaseFacts, as_of: date) -> Outcome:
    if not facts.is_cooled or facts.early_stop_reason:
        return Outcome.NOT_ELIGIBLE
    target, rewarming = facts.target_temp_reached, facts.rewarming_start
    if target is None or rewarming is None:
        return Outcome.MISSING
    return Outcome.of(SHORTEST_MIN <= minutes_between(target, rewarming) <= LONGEST_MIN)
