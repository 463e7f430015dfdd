"""death_or_disability_2y (kpis.md v2) and the disability classification it reads (`pathway.disability`):
every threshold of the TOBY classification on both sides, the cohort's 30-month boundary (London birth date),
and what counts as missing."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from core.timeutil import LONDON
from kpis.definitions import death_or_disability_2y as kpi
from kpis.outcome import Outcome
from kpis.tests.builders import NOT_COOLED, make_facts
from pathway.disability import Disability, classify

MET, NOT_MET, NOT_ELIGIBLE, MISSING = Outcome.MET, Outcome.NOT_MET, Outcome.NOT_ELIGIBLE, Outcome.MISSING
SEVERE, MODERATE, NONE_OR_MILD, UNCLASSIFIABLE = (Disability.SEVERE, Disability.MODERATE, Disability.NONE_OR_MILD,
                                                   Disability.UNCLASSIFIABLE)

# A well child at two years: Bayley-III cognitive 100, no CP, normal vision and hearing, no epilepsy.
WELL: dict[str, Any] = {"bayley_version": "iii", "bayley_cognitive": 100, "bayley_language": 98, "bayley_motor": 97,
                        "cerebral_palsy": "none", "gmfcs_level": None, "vision": "normal", "hearing": "normal",
                        "epilepsy": "no"}


def child(**changes: Any) -> dict[str, Any]:
    return {**WELL, **changes}


CLASSIFICATION = [
    pytest.param(child(), NONE_OR_MILD, id="well"),
    # Cognitive composite: < 70 severe, 70–84 moderate, ≥ 85 none or mild.
    pytest.param(child(bayley_cognitive=69), SEVERE, id="cognitive 69"),
    pytest.param(child(bayley_cognitive=70), MODERATE, id="cognitive 70"),
    pytest.param(child(bayley_cognitive=84), MODERATE, id="cognitive 84"),
    pytest.param(child(bayley_cognitive=85), NONE_OR_MILD, id="cognitive 85"),
    pytest.param(child(bayley_cognitive=40), SEVERE, id="cognitive 40 (floor)"),
    # GMFCS: 1 none or mild, 2 moderate, 3–5 severe.
    pytest.param(child(cerebral_palsy="unilateral_spastic", gmfcs_level=1), NONE_OR_MILD, id="CP, GMFCS 1"),
    pytest.param(child(cerebral_palsy="bilateral_spastic", gmfcs_level=2), MODERATE, id="GMFCS 2"),
    pytest.param(child(cerebral_palsy="bilateral_spastic", gmfcs_level=3), SEVERE, id="GMFCS 3"),
    pytest.param(child(cerebral_palsy="dyskinetic", gmfcs_level=5), SEVERE, id="GMFCS 5"),
    # Vision, hearing, epilepsy.
    pytest.param(child(vision="no_useful_vision"), SEVERE, id="no useful vision"),
    pytest.param(child(vision="impaired"), NONE_OR_MILD, id="impaired vision is not moderate"),
    pytest.param(child(hearing="aided"), MODERATE, id="hearing aided"),
    pytest.param(child(hearing="profound_loss"), MODERATE, id="profound hearing loss"),
    pytest.param(child(epilepsy="yes"), MODERATE, id="epilepsy"),
    # Severe wins over moderate.
    pytest.param(child(bayley_cognitive=80, vision="no_useful_vision"), SEVERE, id="moderate and severe"),
    # A moderate or severe item decides even without a Bayley.
    pytest.param(child(bayley_version="not_done", bayley_cognitive=None, gmfcs_level=4,
                       cerebral_palsy="bilateral_spastic"), SEVERE, id="no Bayley, GMFCS 4"),
    pytest.param(child(bayley_version="", bayley_cognitive=None, epilepsy="yes"), MODERATE,
                 id="no Bayley recorded, epilepsy"),
    # None or mild without a Bayley needs "not done" and no CP.
    pytest.param(child(bayley_version="not_done", bayley_cognitive=None), NONE_OR_MILD, id="not done, no CP"),
    pytest.param(child(bayley_version="not_done", bayley_cognitive=None, cerebral_palsy="unknown"), UNCLASSIFIABLE,
                 id="not done, CP unknown"),
    pytest.param(child(bayley_version="not_done", bayley_cognitive=None, cerebral_palsy="ataxic", gmfcs_level=1),
                 UNCLASSIFIABLE, id="not done, CP with GMFCS 1"),
    pytest.param(child(bayley_version="", bayley_cognitive=None), UNCLASSIFIABLE, id="nothing to go on"),
    pytest.param(child(bayley_cognitive=None), UNCLASSIFIABLE, id="Bayley-III without the cognitive composite"),
]


@pytest.mark.parametrize(("items", "expected"), CLASSIFICATION)
def test_classification_of_the_kpi_facts(items: dict[str, Any], expected: Disability) -> None:
    """The KPI engine's facts classify as a case does (`pathway.disability`, shared with the case page)."""
    classification = classify(make_facts(followup_2y="completed", **items))
    assert classification is not None
    assert classification.level is expected


def test_no_classification_before_the_follow_up_is_completed() -> None:
    assert classify(make_facts(followup_2y="not_done", **child())) is None


# --- The KPI ----------------------------------------------------------------------------------------------------

BORN = datetime(2021, 6, 15, 10, 0, tzinfo=LONDON)
OLD_ENOUGH = date(2024, 1, 1)  # 30 months and 17 days


def at_two(**changes: Any) -> dict[str, Any]:
    return {"birth_datetime": BORN, "followup_2y": "completed", **WELL, **changes}


OUTCOMES = [
    pytest.param(at_two(), OLD_ENOUGH, NOT_MET, id="completed, well"),
    pytest.param(at_two(bayley_cognitive=84), OLD_ENOUGH, MET, id="completed, moderate"),
    pytest.param(at_two(bayley_cognitive=60), OLD_ENOUGH, MET, id="completed, severe"),
    pytest.param(at_two(bayley_cognitive=None), OLD_ENOUGH, MISSING, id="completed, unclassifiable"),
    pytest.param(at_two(outcome="died", followup_2y=""), OLD_ENOUGH, MET, id="died before discharge"),
    pytest.param(at_two(outcome="died", followup_2y="not_done"), OLD_ENOUGH, MET, id="died, follow-up not done"),
    pytest.param(at_two(followup_2y="not_done"), OLD_ENOUGH, MISSING, id="alive, not done"),
    pytest.param(at_two(followup_2y="unknown"), OLD_ENOUGH, MISSING, id="alive, unknown"),
    pytest.param(at_two(followup_2y=""), OLD_ENOUGH, MISSING, id="alive, not recorded"),
    pytest.param(at_two(outcome="unknown", followup_2y=""), OLD_ENOUGH, MISSING, id="outcome unknown, no follow-up"),
    pytest.param(at_two(followup_2y="moved_out"), OLD_ENOUGH, NOT_ELIGIBLE, id="moved out"),
    # 30 calendar months on the run date, from the London date of birth.
    pytest.param(at_two(outcome="died"), date(2023, 12, 14), NOT_ELIGIBLE, id="died, 30 months less a day"),
    pytest.param(at_two(outcome="died"), date(2023, 12, 15), MET, id="died, 30 months to the day"),
    pytest.param(at_two(birth_datetime=datetime(2021, 10, 1, 0, 30, tzinfo=LONDON)), date(2024, 3, 31),
                 NOT_ELIGIBLE, id="born 00:30 BST on 1 Oct (30 Sep UTC): 29 months on 31 Mar"),
    pytest.param(at_two(birth_datetime=datetime(2021, 10, 1, 0, 30, tzinfo=LONDON)), date(2024, 4, 1),
                 NOT_MET, id="30 months on 1 Apr"),
    pytest.param({**NOT_COOLED, **at_two(outcome="died")}, OLD_ENOUGH, NOT_ELIGIBLE, id="not cooled"),
]


@pytest.mark.parametrize(("overrides", "as_of", "expected"), OUTCOMES)
def test_outcome(overrides: dict[str, Any], as_of: date, expected: Outcome) -> None:
    assert kpi.evaluate(make_facts(**overrides), as_of) is expected


def test_a_cohort_counts_as_the_contract_says() -> None:
    """Six babies born in 2021, run on 1 Jan 2024 (all ≥ 30 months): 2 died, 1 severe, 1 well, 1 unclassifiable,
    1 moved out. Met 3 (2 deaths + 1 severe), not met 1: 3 of 4 = 75 %, 1 missing, 1 not eligible."""
    babies = [at_two(outcome="died", followup_2y=""), at_two(outcome="died"), at_two(gmfcs_level=3,
              cerebral_palsy="bilateral_spastic"), at_two(), at_two(bayley_version="", bayley_cognitive=None),
              at_two(followup_2y="moved_out")]
    outcomes = [kpi.evaluate(make_facts(**baby), OLD_ENOUGH) for baby in babies]
    assert outcomes == [MET, MET, MET, NOT_MET, MISSING, NOT_ELIGIBLE]
