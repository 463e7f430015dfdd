"""Controlled rewarming: rewarming took at least 6 hours.

kpis.md, "HIE pathway KPIs", `controlled_rewarming` (domain.md §4.2 H11):
cohort TH babies with `rewarming_start`; `met` when `rewarming_end` − `rewarming_start` ≥ 360 min
(inclusive, exact instants); `missing` when `rewarming_end` is empty; direction higher.
domain.md H11 speaks of a rate (≤ 0.5 °C/h); kpis.md's duration rule wins ("this page wins").
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import TH_LEVELS, MeasureType
from kpis.facts import CaseFacts, minutes_between
from kpis.outcome import Direction, Outcome
from pathway import standards

CODE = "controlled_rewarming"
TITLE = "Controlled rewarming (at least 6 hours)"
SOURCE = "kpis.md HIE pathway KPIs; domain.md §4.2 H11"
VERSION = 1
DIRECTION = Direction.HIGHER
LEVELS = TH_LEVELS
# What clinicians read beside the figure and on the definitions page (kpis.definitions.base).
COHORT = "Cooled babies whose rewarming started."
MET = "Rewarming took at least 6 hours from start to end."
MISSING = "No rewarming end time is recorded."
CITATION = "TOBY trial protocol 2008; BAPM 2020"
MEASURE_TYPE = MeasureType.PROCESS


def evaluate(facts: CaseFacts, as_of: date) -> Outcome:
    start = facts.rewarming_start
    if not facts.is_cooled or start is None:
        return Outcome.NOT_ELIGIBLE
    if facts.rewarming_end is None:
        return Outcome.MISSING
    return Outcome.of(minutes_between(start, facts.rewarming_end) >= standards.REWARMING_SHORTEST_MIN)
