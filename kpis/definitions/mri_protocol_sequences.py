"""The first brain MRI includes every sequence of the standard neonatal–radiology protocol.

kpis.md v2, "New KPIs", `mri_protocol_sequences`: cohort TH babies with `mri_performed`=`yes`; `met` when
`mri_sequences` ⊇ {`t1`, `t2`, `dwi`, `mrs`} (SWI is optional); `missing` when no sequence is recorded;
direction higher.
"""

from __future__ import annotations

from datetime import date

from kpis.definitions.base import TH_LEVELS, MeasureType
from kpis.facts import CaseFacts
from kpis.outcome import Direction, Outcome
from pathway import choices as c

CODE = "mri_protocol_sequences"
TITLE = "MRI with the protocol sequences (T1, T2, DWI, MRS)"
SOURCE = "kpis.md v2 New KPIs; dataset.md v2 MRI"
VERSION = 1
DIRECTION = Direction.HIGHER
LEVELS = TH_LEVELS
COHORT = "Cooled babies who had a brain MRI."
MET = "The first scan included the T1, T2, diffusion (DWI) and MRS sequences."
MISSING = "No sequence of the first scan is recorded."
CITATION = "East of England \"Imaging the encephalopathic infant\" 2022"
MEASURE_TYPE = MeasureType.PROCESS


def evaluate(facts: CaseFacts, as_of: date) -> Outcome:
    if not facts.is_cooled or facts.mri_performed != c.YesNoUnknown.YES:
        return Outcome.NOT_ELIGIBLE
    if not facts.mri_sequences:
        return Outcome.MISSING
    return Outcome.of(facts.mri_sequences >= c.MRI_PROTOCOL_SEQUENCES)
