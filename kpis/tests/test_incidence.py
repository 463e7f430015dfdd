"""hie_incidence_per_1000 (kpis.md v2): who is in the numerator, and the figures against live births per
birth unit and calendar year (`kpis.incidence`), worked by hand; then once through the engine on the database."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from core.testing.factories import cooled_case_values
from core.testing.personas import Personas
from core.timeutil import LONDON
from kpis import aggregate, incidence
from kpis.definitions import cooling_started_6h, hie_incidence_per_1000
from kpis.models import KpiAggregate
from kpis.outcome import Outcome
from kpis.periods import PeriodType, periods_for_birth, year_period
from kpis.services import compute
from kpis.tests.builders import AS_OF, NOT_COOLED, make_facts, reference_hierarchy
from pathway.services import case_create
from units.births import live_births_record
from units.models import Unit

CODE = hie_incidence_per_1000.CODE

HIERARCHY = reference_hierarchy()


@pytest.mark.parametrize(("overrides", "expected"), [
    pytest.param({"hie_grade": 2}, Outcome.MET, id="moderate"),
    pytest.param({"hie_grade": 3}, Outcome.MET, id="severe"),
    pytest.param({"hie_grade": 1}, Outcome.NOT_ELIGIBLE, id="mild"),
    pytest.param({"hie_grade": 0}, Outcome.NOT_ELIGIBLE, id="none"),
    pytest.param({"hie_grade": None}, Outcome.NOT_ELIGIBLE, id="grade not recorded"),
    pytest.param({**NOT_COOLED, "hie_grade": 2}, Outcome.MET, id="not cooled counts too"),
])
def test_numerator(overrides: dict[str, Any], expected: Outcome) -> None:
    assert hie_incidence_per_1000.evaluate(make_facts(**overrides), AS_OF) is expected


def _results(babies: list[tuple[str, date, int | None]]) -> list[aggregate.CaseResult]:
    """One evaluated case per (birth unit, London birth date, HIE grade), not cooled (birth unit counts)."""
    results = []
    for case_id, (unit, born, grade) in enumerate(babies, start=1):
        facts = make_facts(**NOT_COOLED, birth_unit_ods=unit, hie_grade=grade,
                           birth_datetime=datetime(born.year, born.month, born.day, 12, 0, tzinfo=LONDON))
        results.append(aggregate.evaluate_case(facts, case_id, AS_OF, [hie_incidence_per_1000, cooling_started_6h], [],
                                               HIERARCHY))
    return results


def _figures(babies: list[tuple[str, date, int | None]], live_births: dict[tuple[str, int], int],
             as_of: date = date(2025, 3, 1)) -> dict[tuple[str, str, str], tuple[int, int, int, int]]:
    results = _results(babies)
    periods = {p for r in results for p in periods_for_birth(r.born, as_of)}
    kpis = [hie_incidence_per_1000, cooling_started_6h]
    figures = incidence.apply(aggregate.figures(results, periods, kpis, []), periods, kpis, live_births, HIERARCHY)
    return {(f.level, f.org_code, f.period.key): (f.numerator, f.denominator, f.missing, f.not_eligible)
            for f in figures if f.kpi == CODE and f.level in ("birth_unit", "network")}  # trusts: test_levels.py


def test_unit_years_against_live_births_by_hand() -> None:
    # 2024: Watford 3 moderate/severe (+1 mild) of 5,400 births; Ipswich 2 of 3,500; Bedford 1 but no figure;
    # Lister 0 babies, 5,000 births. Network: (3 + 2 + 0) / (5,400 + 3,500 + 5,000) = 5 / 13,900, Bedford's 1
    # missing.
    babies: list[tuple[str, date, int | None]] = [
              ("RWG02", date(2024, 1, 1), 2), ("RWG02", date(2024, 6, 30), 3), ("RWG02", date(2024, 12, 31), 2),
              ("RWG02", date(2024, 3, 3), 1), ("RDE03", date(2024, 2, 2), 3), ("RDE03", date(2024, 9, 9), 2),
              ("RC979", date(2024, 5, 5), 2)]
    births = {("RWG02", 2024): 5400, ("RDE03", 2024): 3500, ("RWH01", 2024): 5000, ("RWG02", 2023): 5460}
    found = _figures(babies, births)

    assert found == {
        ("birth_unit", "RC979", "2024"): (0, 0, 1, 0),
        ("birth_unit", "RDE03", "2024"): (2, 3500, 0, 0),
        ("birth_unit", "RWG02", "2024"): (3, 5400, 0, 1),
        ("birth_unit", "RWH01", "2024"): (0, 5000, 0, 0),
        ("network", "EOE", "2024"): (5, 13900, 1, 1),
    }
    # Shown per 1,000: Watford 3 / 5,400 = 0.5556 per 1,000; network 5 / 13,900 = 0.3597 per 1,000.
    assert round(3 / 5400 * 1000, 4) == 0.5556


def test_only_calendar_years_are_stored() -> None:
    found = _figures([("RWG02", date(2024, 4, 1), 2)], {("RWG02", 2024): 5400})
    assert {key[2] for key in found} == {"2024"}  # no quarter, month, financial year or rolling window


def test_year_boundary_is_the_london_birth_date() -> None:
    """Born 00:30 GMT on 1 Jan 2025 is a 2025 baby; 23:30 GMT on 31 Dec 2024 (also UTC) is a 2024 baby."""
    results = _results([])
    first = make_facts(**NOT_COOLED, hie_grade=2, birth_datetime=datetime(2025, 1, 1, 0, 30, tzinfo=LONDON))
    last = make_facts(**NOT_COOLED, hie_grade=2, birth_datetime=datetime(2024, 12, 31, 23, 30, tzinfo=LONDON))
    results = [aggregate.evaluate_case(f, i, AS_OF, [hie_incidence_per_1000], [], HIERARCHY)
               for i, f in enumerate((first, last))]
    periods = [year_period(2024), year_period(2025)]
    figures = incidence.apply(aggregate.figures(results, periods, [hie_incidence_per_1000], []), periods,
                              [hie_incidence_per_1000], {("RWG02", 2024): 1000, ("RWG02", 2025): 1000},
                              HIERARCHY)
    assert {(f.org_code, f.period.key): f.numerator for f in figures if f.level == "birth_unit"} == {
        ("RWG02", "2024"): 1, ("RWG02", "2025"): 1}


def test_a_year_without_any_live_births_has_no_rate() -> None:
    found = _figures([("RWG02", date(2024, 4, 1), 2)], {})
    assert found == {("birth_unit", "RWG02", "2024"): (0, 0, 1, 0), ("network", "EOE", "2024"): (0, 0, 1, 0)}


def test_other_kpis_are_left_alone() -> None:
    results = _results([("RWG02", date(2024, 4, 1), 2)])
    periods = periods_for_birth(date(2024, 4, 1), date(2025, 3, 1))
    kpis = [hie_incidence_per_1000, cooling_started_6h]
    before = [f for f in aggregate.figures(results, periods, kpis, []) if f.kpi != CODE]
    after = [f for f in incidence.apply(aggregate.figures(results, periods, kpis, []), periods, kpis, {},
                                        HIERARCHY)
             if f.kpi != CODE]
    assert after == before


# --- Through the engine -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_engine_stores_incidence_and_a_live_births_change_recomputes_it(people: Personas) -> None:
    for ref, grade in (("INC-1", 2), ("INC-2", 3), ("INC-3", 1)):
        case_create(values=cooled_case_values(case_ref=ref, hie_grade=grade,
                                              birth_datetime=datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)),
                    by=people.nurse)
    compute(as_of=date(2025, 3, 1))

    def stored(org: str) -> tuple[int, int, int, float | None]:
        row = KpiAggregate.objects.get(kpi=CODE, org_code=org, period_key="2024")
        return row.numerator, row.denominator, row.missing, row.rate

    assert stored("RWG02") == (0, 0, 2, None)  # no live-births figure yet: its 2 babies missing
    assert not KpiAggregate.objects.filter(kpi=CODE).exclude(period_type=PeriodType.YEAR).exists()

    live_births_record(unit=Unit.objects.get(ods_code="RWG02"), year=2024, live_births=5400, by=people.nurse)
    compute(as_of=date(2025, 3, 1), periods=["2024"])
    assert stored("RWG02") == (2, 5400, 0, 2 / 5400)
    assert stored("EOE") == (2, 5400, 0, 2 / 5400)
    assert stored("RWG") == (2, 5400, 0, 2 / 5400)  # issue 18: its trust, rolled up from the unit


def _stored(numerator: int, denominator: int) -> KpiAggregate:
    return KpiAggregate(kpi=CODE, level="network", org_code="network", numerator=numerator, denominator=denominator,
                        rate=numerator / denominator if denominator else None)


def test_dashboards_show_it_per_1000_with_its_interval_and_trend() -> None:
    from kpis import dashboard
    from kpis.outcome import Direction

    now, before = dashboard.Figure(_stored(76, 67964)), dashboard.Figure(_stored(60, 68400))
    assert now.text == "1.12 per 1,000"  # 76 / 67,964 × 1,000 = 1.118
    assert now.interval_text == "0.89–1.40"  # Wilson 95 %
    assert dashboard.Figure(_stored(0, 0)).text == "No live-births figure"
    change = dashboard.trend(now, before, Direction.MONITOR)
    assert change is not None and change.text == "▲ 0.24 per 1,000"  # 1.118 − 0.877 = 0.241


@pytest.mark.django_db
def test_a_transport_service_has_its_own_page(people: Personas) -> None:
    from django.test import Client
    from django.urls import reverse

    pandr = Unit.objects.get(ods_code="RGT-PANDR")
    case_create(values=cooled_case_values(case_ref="TR-1", transport_service=pandr,
                                          transport_team_arrived_datetime=datetime(2024, 5, 14, 4, 40, tzinfo=LONDON)),
                by=people.nurse)  # referral 04:30, team 04:40, left 06:00 (the factory's times)
    compute(as_of=date(2025, 3, 1))
    row = KpiAggregate.objects.get(kpi="team_arrival_to_departure_min", level="transport", period_key="2024")
    assert (row.org_code, row.n, row.median) == ("RGT-PANDR", 1, 80.0)
    client = Client()
    client.force_login(people.lead)
    page = client.get(reverse("kpis:transport", args=["RGT-PANDR"]), {"period": "2024"})
    assert page.status_code == 200
    assert "Babies moved by PaNDR" in page.content.decode()
    assert "80 min" in page.content.decode()
    assert client.get(reverse("kpis:transport", args=["RWG02"])).status_code == 404
    custom = client.get(reverse("kpis:transport", args=["RGT-PANDR"]), {"period": "2024-01-01..2024-12-31"})
    assert custom.status_code == 200  # dates you choose: no transport figures on demand, and no error
