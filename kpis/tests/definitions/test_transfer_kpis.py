"""The outborn transfer KPIs of kpis.md's HIE table: core_monitoring_before_transfer,
overcooling_before_centre, arrival_temp_in_range and servo_cooling_in_transport.

Each applies to outborn TH babies only; an inborn baby (born at the cooling centre) and a TH baby with no
cooling centre recorded are not outborn.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from core.timeutil import LONDON
from kpis.definitions import (
    arrival_temp_in_range,
    core_monitoring_before_transfer,
    overcooling_before_centre,
    servo_cooling_in_transport,
)
from kpis.definitions.base import KpiDefinition
from kpis.outcome import Outcome
from kpis.tests.builders import AS_OF, INBORN, NOT_COOLED, at, make_facts

MET, NOT_MET, NOT_ELIGIBLE, MISSING = Outcome.MET, Outcome.NOT_MET, Outcome.NOT_ELIGIBLE, Outcome.MISSING
TRANSFER_KPIS = [core_monitoring_before_transfer, overcooling_before_centre, arrival_temp_in_range,
                 servo_cooling_in_transport]


@pytest.mark.parametrize("kpi", TRANSFER_KPIS, ids=lambda k: k.CODE)
@pytest.mark.parametrize("overrides", [
    pytest.param(INBORN, id="inborn"),
    pytest.param({"cooling_centre_ods": None}, id="no cooling centre recorded"),
    pytest.param(NOT_COOLED, id="not cooled"),
    pytest.param({"therapeutic_hypothermia": "no"}, id="not cooled, transfer recorded"),
])
def test_not_eligible_unless_outborn_and_cooled(kpi: KpiDefinition, overrides: dict[str, Any]) -> None:
    assert kpi.evaluate(make_facts(**overrides), AS_OF) is NOT_ELIGIBLE


# Fall back: 01:40 BST (fold 0) is 40 minutes *before* 01:20 GMT (fold 1), though the wall clock says later.
FIRST_0140 = datetime(2024, 10, 27, 1, 40, tzinfo=LONDON)
SECOND_0120 = datetime(2024, 10, 27, 1, 20, fold=1, tzinfo=LONDON)

CORE_MONITORING = [
    pytest.param({}, MET, id="default: probe at 45, left at 170"),
    pytest.param({"core_monitoring_start": at(170)}, MET, id="probe at the moment of departure"),
    pytest.param({"core_monitoring_start": at(171)}, NOT_MET, id="probe a minute after departure"),
    pytest.param({"core_monitoring_start": None}, MISSING, id="probe time empty"),
    pytest.param({"depart_referring_datetime": None}, MISSING, id="departure empty"),
    pytest.param({"core_monitoring_start": None, "depart_referring_datetime": None}, MISSING, id="both empty"),
    pytest.param({"birth_datetime": datetime(2024, 10, 26, 23, 0, tzinfo=LONDON),
                  "core_monitoring_start": FIRST_0140, "depart_referring_datetime": SECOND_0120}, MET,
                 id="fall-back hour: BST 01:40 is before GMT 01:20"),
    pytest.param({"birth_datetime": datetime(2024, 10, 26, 23, 0, tzinfo=LONDON),
                  "core_monitoring_start": SECOND_0120, "depart_referring_datetime": FIRST_0140}, NOT_MET,
                 id="fall-back hour: GMT 01:20 is after BST 01:40"),
]


@pytest.mark.parametrize(("overrides", "expected"), CORE_MONITORING)
def test_core_monitoring_before_transfer(overrides: dict[str, Any], expected: Outcome) -> None:
    assert core_monitoring_before_transfer.evaluate(make_facts(**overrides), AS_OF) is expected


OVERCOOLING = [
    pytest.param(Decimal("32.9"), MET, id="32.9 is overcooled"),
    pytest.param(Decimal("28.0"), MET, id="28.0"),
    pytest.param(Decimal("33.0"), NOT_MET, id="33.0 is not below 33.0"),
    pytest.param(Decimal("33.4"), NOT_MET, id="33.4"),
    pytest.param(None, MISSING, id="empty"),
]


@pytest.mark.parametrize(("lowest", "expected"), OVERCOOLING)
def test_overcooling_before_centre(lowest: Decimal | None, expected: Outcome) -> None:
    facts = make_facts(lowest_temp_before_arrival_c=lowest)
    assert overcooling_before_centre.evaluate(facts, AS_OF) is expected


ARRIVAL = [
    pytest.param(Decimal("32.9"), NOT_MET, id="32.9 too cold"),
    pytest.param(Decimal("33.0"), MET, id="33.0 lower edge"),
    pytest.param(Decimal("33.6"), MET, id="33.6"),
    pytest.param(Decimal("34.0"), MET, id="34.0 upper edge"),
    pytest.param(Decimal("34.1"), NOT_MET, id="34.1 too warm"),
    pytest.param(None, MISSING, id="empty"),
]


@pytest.mark.parametrize(("arrival", "expected"), ARRIVAL)
def test_arrival_temp_in_range(arrival: Decimal | None, expected: Outcome) -> None:
    assert arrival_temp_in_range.evaluate(make_facts(arrival_temp_c=arrival), AS_OF) is expected


SERVO = [
    pytest.param("servo", MET, id="servo"),
    pytest.param("passive", NOT_MET, id="passive"),
    pytest.param("none", NOT_MET, id="none"),
    pytest.param("", MISSING, id="empty"),
]


@pytest.mark.parametrize(("mode", "expected"), SERVO)
def test_servo_cooling_in_transport(mode: str, expected: Outcome) -> None:
    assert servo_cooling_in_transport.evaluate(make_facts(transport_cooling=mode), AS_OF) is expected
