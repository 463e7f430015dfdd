"""Death before discharge from neonatal care.

kpis.md, "HIE pathway KPIs", `mortality_before_discharge` (domain.md §4.2 H17):
cohort TH babies; `met` when `outcome`=`died`; `missing` when `unknown`/empty; direction lower (`met` is
the adverse outcome). kpis.md's cohort (all TH babies) wins over domain.md's narrower benchmark cohort.
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import TH_LEVELS, MeasureType, outcome_of_answer
from kpis.facts import CaseFacts
from kpis.outcome import Direction, Outcome
from pathway import choices as c

CODE = "mortality_before_discharge"
TITLE = "Died before discharge"
SOURCE = "kpis.md HIE pathway KPIs; domain.md §4.2 H17"
VERSION = 1
DIRECTION = Direction.LOWER
LEVELS = TH_LEVELS
# What clinicians read beside the figure and on the definitions page (kpis.definitions.base).
COHORT = "Babies who were cooled."
MET = "Died before discharge. Lower is better."
MISSING = "The outcome is not recorded or unknown."
CITATION = "Shipley, Gale and Sharkey 2021 (Arch Dis Child Fetal Neonatal Ed)"
MEASURE_TYPE = MeasureType.OUTCOME


def evaluate(facts: CaseFacts, as_of: date) -> Outcome:
    if not facts.is_cooled:
        return Outcome.NOT_ELIGIBLE
    return outcome_of_answer(facts.outcome, met=c.Outcome.DIED, not_met=c.Outcome.ALIVE)
