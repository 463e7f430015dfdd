"""KPIs of kpis.md's HIE table decided by one coded answer: placenta_sent, family_booklet_given and
mortality_before_discharge (TH babies; empty or `unknown` is missing)."""

from __future__ import annotations

import pytest

from kpis.definitions import family_booklet_given, mortality_before_discharge, placenta_sent
from kpis.definitions.base import KpiDefinition
from kpis.outcome import Outcome
from kpis.tests.builders import AS_OF, NOT_COOLED, make_facts

MET, NOT_MET, NOT_ELIGIBLE, MISSING = Outcome.MET, Outcome.NOT_MET, Outcome.NOT_ELIGIBLE, Outcome.MISSING

CASES = [
    pytest.param(placenta_sent, "placenta_sent", "yes", MET, id="placenta yes"),
    pytest.param(placenta_sent, "placenta_sent", "no", NOT_MET, id="placenta no"),
    pytest.param(placenta_sent, "placenta_sent", "unknown", MISSING, id="placenta unknown"),
    pytest.param(placenta_sent, "placenta_sent", "", MISSING, id="placenta empty"),
    pytest.param(placenta_sent, "placenta_sent", "not_available", NOT_ELIGIBLE, id="placenta not available"),
    pytest.param(family_booklet_given, "family_booklet_given", "yes", MET, id="booklet yes"),
    pytest.param(family_booklet_given, "family_booklet_given", "no", NOT_MET, id="booklet no"),
    pytest.param(family_booklet_given, "family_booklet_given", "unknown", MISSING, id="booklet unknown"),
    pytest.param(family_booklet_given, "family_booklet_given", "", MISSING, id="booklet empty"),
    # Mortality: `met` is the death (direction lower).
    pytest.param(mortality_before_discharge, "outcome", "died", MET, id="died"),
    pytest.param(mortality_before_discharge, "outcome", "alive", NOT_MET, id="alive"),
    pytest.param(mortality_before_discharge, "outcome", "unknown", MISSING, id="outcome unknown"),
    pytest.param(mortality_before_discharge, "outcome", "", MISSING, id="outcome empty"),
]


@pytest.mark.parametrize(("kpi", "field", "answer", "expected"), CASES)
def test_outcome(kpi: KpiDefinition, field: str, answer: str, expected: Outcome) -> None:
    assert kpi.evaluate(make_facts(**{field: answer}), AS_OF) is expected


@pytest.mark.parametrize("kpi", [placenta_sent, family_booklet_given, mortality_before_discharge],
                         ids=lambda k: k.CODE)
def test_not_cooled_is_not_eligible_whatever_the_answer(kpi: KpiDefinition) -> None:
    assert kpi.evaluate(make_facts(**NOT_COOLED), AS_OF) is NOT_ELIGIBLE
    assert kpi.evaluate(make_facts(**NOT_COOLED, outcome="died"), AS_OF) is NOT_ELIGIBLE
