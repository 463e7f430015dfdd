"""Disability at two years, derived from the structured follow-up (kpis.md v2 "Disability at two years").

TOBY's classification (Azzopardi 2009), with the Bayley-III/4 cognitive composite in place of the MDI:

- **severe** when any of: `bayley_cognitive` < 70, `gmfcs_level` 3–5, `vision` = `no_useful_vision`;
- **moderate** when not severe and any of: `bayley_cognitive` 70–84, `gmfcs_level` 2, `hearing` `aided` or
  `profound_loss`, `epilepsy` = `yes`;
- **none or mild** when `bayley_cognitive` ≥ 85 (or `bayley_version` = `not_done` with `cerebral_palsy` =
  `none`) and none of the above;
- otherwise **unclassifiable** (the KPI counts it as missing).

Pure and attribute-based, so the case page (a `Case`) and the KPI engine (`kpis.facts.CaseFacts`) classify a
baby the same way. `explain` gives the reasons in words for the case page.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from pathway import choices as c

SEVERE_COGNITIVE_BELOW = 70
MODERATE_COGNITIVE_BELOW = 85
SEVERE_GMFCS_FROM = 3
MODERATE_GMFCS = 2
_HEARING_LOSS = frozenset({c.Hearing.AIDED, c.Hearing.PROFOUND_LOSS})


class FollowUpItems(Protocol):
    bayley_version: str
    bayley_cognitive: int | None
    cerebral_palsy: str
    gmfcs_level: int | None
    vision: str
    hearing: str
    epilepsy: str


class Disability(StrEnum):
    SEVERE = "severe"
    MODERATE = "moderate"
    NONE_OR_MILD = "none_or_mild"
    UNCLASSIFIABLE = "unclassifiable"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def is_moderate_or_severe(self) -> bool:
        return self in (Disability.SEVERE, Disability.MODERATE)


_LABELS = {Disability.SEVERE: "Severe disability", Disability.MODERATE: "Moderate disability",
           Disability.NONE_OR_MILD: "No or mild disability",
           Disability.UNCLASSIFIABLE: "Cannot be classified from the items recorded"}


def severe_reasons(items: FollowUpItems) -> list[str]:
    reasons = []
    if items.bayley_cognitive is not None and items.bayley_cognitive < SEVERE_COGNITIVE_BELOW:
        reasons.append(f"Bayley cognitive composite {items.bayley_cognitive} (below {SEVERE_COGNITIVE_BELOW})")
    if items.gmfcs_level is not None and items.gmfcs_level >= SEVERE_GMFCS_FROM:
        reasons.append(f"GMFCS level {items.gmfcs_level} (3 to 5)")
    if items.vision == c.Vision.NO_USEFUL_VISION:
        reasons.append("no useful vision")
    return reasons


def moderate_reasons(items: FollowUpItems) -> list[str]:
    reasons = []
    cognitive = items.bayley_cognitive
    if cognitive is not None and SEVERE_COGNITIVE_BELOW <= cognitive < MODERATE_COGNITIVE_BELOW:
        reasons.append(f"Bayley cognitive composite {cognitive} (70 to 84)")
    if items.gmfcs_level == MODERATE_GMFCS:
        reasons.append("GMFCS level 2")
    if items.hearing in _HEARING_LOSS:
        reasons.append("hearing aided" if items.hearing == c.Hearing.AIDED else "profound hearing loss")
    if items.epilepsy == c.YesNoUnknown.YES:
        reasons.append("epilepsy")
    return reasons


def _none_or_mild_evidence(items: FollowUpItems) -> str | None:
    if items.bayley_cognitive is not None and items.bayley_cognitive >= MODERATE_COGNITIVE_BELOW:
        return f"Bayley cognitive composite {items.bayley_cognitive} (85 or more)"
    if items.bayley_version == c.BayleyVersion.NOT_DONE and items.cerebral_palsy == c.CerebralPalsy.NONE:
        return "no Bayley assessment, and no cerebral palsy"
    return None


def classify(items: FollowUpItems) -> Disability:
    if severe_reasons(items):
        return Disability.SEVERE
    if moderate_reasons(items):
        return Disability.MODERATE
    if _none_or_mild_evidence(items) is not None:
        return Disability.NONE_OR_MILD
    return Disability.UNCLASSIFIABLE


def explain(items: FollowUpItems) -> str:
    """The classification and why, in words (shown on the case)."""
    grade = classify(items)
    if grade is Disability.SEVERE:
        return f"{grade.label}: {'; '.join(severe_reasons(items))}."
    if grade is Disability.MODERATE:
        return f"{grade.label}: {'; '.join(moderate_reasons(items))}."
    if grade is Disability.NONE_OR_MILD:
        return f"{grade.label}: {_none_or_mild_evidence(items)}, and nothing that makes it moderate or severe."
    return (f"{grade.label}: it needs a Bayley cognitive composite, or no Bayley assessment with cerebral palsy "
            "recorded as none.")
